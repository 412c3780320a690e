// ModelsApi maintenance routes: probing a model's files again, deleting many models in one request,
// and pausing, resuming and restarting install jobs. Servers before 6.9 (reidentify), 6.10 (bulk
// delete) and 6.12 (job control) answer them with 404 (ErrorCode::not_found).
#include "api/model_manager_parse.h"
#include "api/models_api_support.h"
#include "core/json_read.h"
#include "ivk/api/models_api.h"
#include "ivk/json_text.h"
#include "ivk/transport/server_session.h"

namespace ivk {
namespace {

// POST /models/install/{id}/<action> with an optional JSON body; the job it answers with.
Result<ModelInstallJob> job_action(ServerSession& session, std::int64_t id, std::string_view action,
                                   std::string_view body = "") {
  const std::string path = "/models/install/" + std::to_string(id) + "/" + std::string(action);
  auto answer = session.send_json("POST", ApiRoot::v2, path, body);
  if (!answer)
    // Like cancel, the server answers an unknown id with 415.
    return tl::unexpected(detail::remap_status(answer.error(), 415, ErrorCode::not_found,
                                               "no install job " + std::to_string(id)));
  return parse_install_job(*answer);
}

}  // namespace

Result<ModelRecord> ModelsApi::reidentify(std::string_view key) {
  auto body =
      session_->send_json("POST", ApiRoot::v2, detail::model_path("/models/i/", key) + "/reidentify", "");
  if (!body) return tl::unexpected(body.error());
  return parse_model_record(*body);
}

Result<BulkDeleteResult> ModelsApi::bulk_delete(std::span<const std::string> keys) {
  JsonBuilder b;
  b.begin_object().key("keys").begin_array();
  for (const auto& k : keys) b.string(k);
  b.end_array().end_object();
  auto body = session_->send_json("POST", ApiRoot::v2, "/models/i/bulk_delete", b.str());
  if (!body) return tl::unexpected(body.error());
  return detail::parse_bulk_delete(*body);
}

Result<ModelInstallJob> ModelsApi::pause_job(std::int64_t id) { return job_action(*session_, id, "pause"); }

Result<ModelInstallJob> ModelsApi::resume_job(std::int64_t id) { return job_action(*session_, id, "resume"); }

Result<ModelInstallJob> ModelsApi::restart_failed_job(std::int64_t id) {
  return job_action(*session_, id, "restart_failed");
}

Result<ModelInstallJob> ModelsApi::restart_file(std::int64_t id, std::string_view file_url) {
  // The body is the bare JSON string: FastAPI takes a lone non-model Body parameter unwrapped.
  return job_action(*session_, id, "restart_file", json_quote(file_url));
}

}  // namespace ivk
