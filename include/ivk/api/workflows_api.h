#pragma once
// The workflow library of an InvokeAI server (/api/v1/workflows): saved
// workflows, listed, read, created, updated and deleted. Errors come from ServerSession (not_found
// with the server's detail for a 404, http, auth, transport, timeout); answers that are not the
// documented shape give parse_error. Nothing here throws or prints; every call is one request.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"

namespace ivk {

class ServerSession;

// WorkflowRecordDTO (with or without thumbnail).
struct WorkflowRecord {
  std::string workflow_id, name;
  std::string created_at, updated_at;
  std::optional<std::string> opened_at;
  std::optional<std::string> user_id;        // 6.13+
  std::optional<bool> is_public;             // 6.13+
  std::optional<std::string> thumbnail_url;  // GET /i/{id} only
  std::string workflow_json;                 // the "workflow" object, minified
  std::string raw_json;
};

// WorkflowRecordListItemWithThumbnailDTO: a summary without the workflow itself.
struct WorkflowListItem {
  std::string workflow_id, name, description, category, tags;  // tags: comma-separated text
  std::string created_at, updated_at;
  std::optional<std::string> opened_at, thumbnail_url, user_id;
  std::optional<bool> is_public;
  std::string raw_json;
};

struct WorkflowPage {
  std::int64_t page = 0, pages = 0, per_page = 0, total = 0;
  std::vector<WorkflowListItem> items;
};

// Filters of GET /workflows/. Unset members are not sent (server defaults apply).
struct WorkflowQuery {
  std::int64_t page = 0;
  std::optional<std::int64_t> per_page;
  std::optional<std::string> order_by;   // name, created_at, updated_at, opened_at, is_public
  std::optional<std::string> direction;  // ASC or DESC
  std::vector<std::string> categories;   // user, default (repeated)
  std::vector<std::string> tags;         // repeated
  std::optional<std::string> query;      // text search
  std::optional<bool> has_been_opened;
  std::optional<bool> is_public;  // 6.13+
};

class WorkflowsApi {
 public:
  // The session must outlive this object.
  explicit WorkflowsApi(ServerSession& session) : session_(&session) {}

  // GET /workflows/?page=...
  Result<WorkflowPage> list(const WorkflowQuery& query = {});
  // GET /workflows/i/{id}. 404 -> not_found ("Workflow not found").
  Result<WorkflowRecord> get(std::string_view workflow_id);
  // POST /workflows/ {"workflow": ...}: the stored record with its new workflow_id. Never retried.
  // An "id" in the workflow is ignored by the server.
  Result<WorkflowRecord> create(std::string_view workflow_json);
  // PATCH /workflows/i/{id} {"workflow": ...}: the id is the workflow's own "id" member
  // (invalid_argument when it has none or the JSON is not an object).
  Result<WorkflowRecord> update(std::string_view workflow_json);
  // DELETE /workflows/i/{id}.
  Status remove(std::string_view workflow_id);
  // PUT /workflows/i/{id}/opened_at: records that the workflow was opened.
  Status mark_opened(std::string_view workflow_id);
  // PATCH /workflows/i/{id}/is_public {"is_public": ...} (6.13+; older servers answer 404 or 405).
  Result<WorkflowRecord> set_public(std::string_view workflow_id, bool is_public);

  // GET /workflows/i/{id}/thumbnail: the image bytes. 404 -> not_found (no thumbnail, or no such
  // workflow).
  Result<std::string> thumbnail(std::string_view workflow_id);
  // PUT /workflows/i/{id}/thumbnail, the image as the multipart field "image": the updated record.
  // Retried like any PUT: storing the same image twice leaves the same state.
  Result<WorkflowRecord> set_thumbnail(std::string_view workflow_id, std::string_view image_bytes,
                                       std::string_view content_type = "image/png");
  // DELETE /workflows/i/{id}/thumbnail: the updated record.
  Result<WorkflowRecord> delete_thumbnail(std::string_view workflow_id);

  // GET /workflows/counts_by_tag?tags=...: how many workflows carry each tag, optionally only in
  // these categories (user, default) and only those opened (or never opened).
  Result<std::map<std::string, std::int64_t>> counts_by_tag(const std::vector<std::string>& tags,
                                                            const std::vector<std::string>& categories = {},
                                                            std::optional<bool> has_been_opened = {});
  // GET /workflows/counts_by_category?categories=...: how many workflows each category holds.
  Result<std::map<std::string, std::int64_t>> counts_by_category(const std::vector<std::string>& categories,
                                                                 std::optional<bool> has_been_opened = {});
  // GET /workflows/tags (6.10+): every tag in use.
  Result<std::vector<std::string>> tags();

  [[nodiscard]] ServerSession& session() const noexcept { return *session_; }

 private:
  ServerSession* session_;
};

}  // namespace ivk
