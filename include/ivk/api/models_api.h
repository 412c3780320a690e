#pragma once
// The model manager of an InvokeAI server (/api/v2/models): one method per
// route, typed. Errors come from ServerSession (not_found with the server's detail for a 404, http,
// auth, transport, timeout) plus a few route-specific mappings documented per method. Nothing here
// throws or prints; every call is one request unless its comment says otherwise.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/api/model_install.h"
#include "ivk/api/model_manager_types.h"
#include "ivk/error.h"
#include "ivk/models/model_record.h"

namespace ivk {

class ServerSession;
class ModelsApi;

// Server-side filters of GET /api/v2/models/ (exact matches). Enum values go to the server as they
// are: a value the server does not know answers 422 (ErrorCode::http), so send only what it supports.
struct ModelFilter {
  std::vector<std::string> bases;     // base_models, repeated
  std::optional<std::string> type;    // model_type
  std::optional<std::string> name;    // model_name (exact)
  std::optional<std::string> format;  // model_format
  std::optional<std::string>
      order_by;  // default,type,base,name,format,size,created_at,updated_at,path (6.13+)
  std::optional<std::string> direction;  // "ASC" or "DESC" (6.13+)
};

struct InstallOptions {
  bool inplace = false;                     // a local path stays where it is
  std::optional<std::string> access_token;  // for gated Hugging Face repos and private URLs
  // ModelRecordChanges overrides as a JSON object ({"name": "x", "description": "y"}); empty: {}.
  std::string config_json;
  // Look for an installed record with exactly this source first (one GET /models/ more) and return
  // an already_installed handle when there is one: the server would otherwise download the whole
  // file before noticing the duplicate.
  bool skip_if_installed = true;
};

struct InstallProgress {
  std::int64_t bytes = 0;
  std::int64_t total_bytes = 0;  // 0 while unknown
  [[nodiscard]] std::optional<double> fraction() const noexcept;
};

// One started install (or one found already done). Keeps a pointer to its ModelsApi: do not let a
// handle outlive it. Not thread-safe.
class InstallHandle {
 public:
  using Clock = std::chrono::steady_clock;
  using ProgressCallback = std::function<void(const ModelInstallJob&)>;

  // The model was installed before: no job runs. job() is then a placeholder (id -1, status
  // "completed", config_out the existing record), and existing_model() is that record.
  [[nodiscard]] bool already_installed() const noexcept { return existing_.has_value(); }
  [[nodiscard]] const std::optional<ModelRecord>& existing_model() const noexcept { return existing_; }

  // The job as of fetched_at(); call refresh() for news.
  [[nodiscard]] const ModelInstallJob& job() const noexcept { return job_; }
  [[nodiscard]] Clock::time_point fetched_at() const noexcept { return fetched_at_; }
  [[nodiscard]] Clock::duration age() const { return Clock::now() - fetched_at_; }
  [[nodiscard]] InstallProgress progress() const noexcept { return {job_.bytes, job_.total_bytes}; }

  // GET /install/{id}. A no-op for an already_installed handle.
  Status refresh();
  // Polls until the job is terminal and returns it (completed, error or cancelled: check
  // succeeded() / as_status()). on_progress gets the job after every poll. Transport errors and
  // timeouts of single polls are tolerated until the deadline; other errors end the wait.
  // ErrorCode::timeout (its message names the last status and bytes) when `timeout` runs out.
  Result<ModelInstallJob> wait(std::chrono::milliseconds timeout, const ProgressCallback& on_progress = {},
                               std::chrono::milliseconds poll_interval = std::chrono::milliseconds(500));
  // DELETE /install/{id}, then a refresh. ok for an already_installed handle.
  Status cancel();

 private:
  friend class ModelsApi;
  InstallHandle(ModelsApi& api, ModelInstallJob job, std::optional<ModelRecord> existing);
  ModelsApi* api_;
  ModelInstallJob job_;
  std::optional<ModelRecord> existing_;
  Clock::time_point fetched_at_;
};

class ModelsApi {
 public:
  // The session must outlive this object (and every InstallHandle it returns).
  explicit ModelsApi(ServerSession& session) : session_(&session) {}

  // --- queries ---
  // GET /models/
  Result<std::vector<ModelRecord>> list(const ModelFilter& filter = {});
  // GET /models/i/{key}. 404 -> not_found.
  Result<ModelRecord> get(std::string_view key);
  // GET /models/get_by_attrs. 404 -> not_found ("No model found with these attributes").
  Result<ModelRecord> get_by_attrs(std::string_view name, std::string_view type, std::string_view base);
  // GET /models/get_by_hash (6.12+). 404 -> not_found.
  Result<ModelRecord> get_by_hash(std::string_view hash);
  // GET /models/missing (6.12+): records whose files are gone.
  Result<std::vector<ModelRecord>> missing();
  // GET /models/scan_folder. 400 (path cannot be scanned) -> not_found with the server's detail.
  Result<std::vector<FoundModel>> scan_folder(std::string_view path);
  // GET /models/hugging_face. 400 (no such repository) -> not_found.
  Result<HfRepoInfo> hugging_face(std::string_view repo_id);
  // GET /models/starter_models.
  Result<StarterModels> starter_models();
  // GET /models/stats: nullopt when the server has no statistics yet (null).
  Result<std::optional<CacheStats>> stats();

  // --- mutations ---
  // PATCH /models/i/{key} with a ModelRecordChanges object; the updated record.
  Result<ModelRecord> update(std::string_view key, std::string_view changes_json);
  // DELETE /models/i/{key}. 404 -> not_found; 409 (busy) -> conflict.
  Status delete_model(std::string_view key);
  // delete_model for each key in order, never stopping early: every key ends up deleted or failed
  // (with its error), so a caller sees exactly what happened.
  DeleteReport delete_models(std::span<const std::string> keys);
  // PUT /models/convert/{key}: the converted record (its key and hash change). 424 (unknown key)
  // -> not_found; 400 (not a convertible checkpoint) -> invalid_argument. Never retried.
  Result<ModelRecord> convert(std::string_view key);
  // POST /models/empty_model_cache (5.7+).
  Status empty_cache();
  // POST /models/i/{key}/reidentify (6.9+): probes the files again; the updated record.
  Result<ModelRecord> reidentify(std::string_view key);
  // POST /models/i/bulk_delete (6.10+): one request; the server reports each key.
  Result<BulkDeleteResult> bulk_delete(std::span<const std::string> keys);

  // --- cover images ---
  // GET /models/i/{key}/image: the image bytes (PNG or WebP as stored). 404 -> not_found.
  Result<std::string> get_image(std::string_view key);
  // PATCH /models/i/{key}/image (multipart field "image"). 415 (not an image) -> invalid_argument.
  Status set_image(std::string_view key, std::string_view image_bytes,
                   std::string_view content_type = "image/png");
  // DELETE /models/i/{key}/image. 404 -> not_found.
  Status delete_image(std::string_view key);

  // --- installs ---
  // POST /models/install?source=..., never retried. 409 "Unsupported model source" ->
  // invalid_argument. See InstallOptions::skip_if_installed.
  Result<InstallHandle> install(std::string_view source, const InstallOptions& options = {});
  // A handle on an existing job (GET /install/{id}); for jobs started elsewhere.
  Result<InstallHandle> install_handle(std::int64_t job_id);
  // GET /models/install
  Result<std::vector<ModelInstallJob>> list_jobs();
  // GET /models/install/{id}. 404 -> not_found.
  Result<ModelInstallJob> get_job(std::int64_t id);
  // DELETE /models/install/{id}. Unknown id (the server answers 415) -> not_found.
  Status cancel_job(std::int64_t id);
  // DELETE /models/install: forgets completed, errored and cancelled jobs.
  Status prune_jobs();
  // POST /models/install/{id}/pause, /resume, /restart_failed (6.12+): the job afterwards.
  // Unknown id (415) -> not_found.
  Result<ModelInstallJob> pause_job(std::int64_t id);
  Result<ModelInstallJob> resume_job(std::int64_t id);
  Result<ModelInstallJob> restart_failed_job(std::int64_t id);
  // POST /models/install/{id}/restart_file (6.12+): downloads one file of the job again.
  Result<ModelInstallJob> restart_file(std::int64_t id, std::string_view file_url);

  // --- Hugging Face token ---
  Result<HfTokenStatus> hf_login_status();                 // GET /models/hf_login
  Result<HfTokenStatus> hf_login(std::string_view token);  // POST {"token": ...}; never retried
  Result<HfTokenStatus> hf_logout();                       // DELETE (5.11+)

  [[nodiscard]] ServerSession& session() const noexcept { return *session_; }

 private:
  ServerSession* session_;
};

}  // namespace ivk
