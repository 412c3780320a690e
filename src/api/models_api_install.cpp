// ModelsApi install routes: starting installs and managing install jobs.
#include "api/models_api_support.h"
#include "core/json_read.h"
#include "ivk/api/models_api.h"
#include "ivk/transport/server_session.h"
#include "transport/secret_redaction.h"

namespace ivk {
namespace {

std::string job_path(std::int64_t id) { return "/models/install/" + std::to_string(id); }

// The placeholder job of an install that found its model already there.
ModelInstallJob already_done_job(std::string_view source, const ModelRecord& record) {
  ModelInstallJob job;
  job.id = -1;
  job.status = "completed";
  job.source = std::string(source);
  if (record.file_size) job.bytes = job.total_bytes = *record.file_size;
  job.config_out = record;
  job.raw_json =
      R"({"id":-1,"status":"completed","already_installed":true,"config_out":)" + record.raw_json + "}";
  return job;
}

}  // namespace

Result<InstallHandle> ModelsApi::install(std::string_view source, const InstallOptions& options) {
  if (source.empty()) return fail(ErrorCode::invalid_argument, "the model source is empty");
  if (!options.config_json.empty()) {
    dom::parser parser;
    auto doc = parse_json(parser, options.config_json, "install config");
    if (!doc || !doc->is_object())
      return fail(ErrorCode::invalid_argument,
                  R"(install config overrides must be a JSON object such as {"name": "my model"})");
  }
  if (options.skip_if_installed) {
    auto installed = list();
    if (!installed) return tl::unexpected(installed.error());
    for (const auto& record : *installed)
      if (record.source == source) return InstallHandle(*this, already_done_job(source, record), record);
  }
  QueryBuilder q;
  q.add("source", source).add_bool("inplace", options.inplace);
  q.add_optional("access_token", options.access_token);
  // The body is required (422 without it): the ModelRecordChanges overrides, {} for none.
  auto body = session_->send_json("POST", ApiRoot::v2, "/models/install",
                                  options.config_json.empty() ? "{}" : options.config_json, q.str(),
                                  Idempotency::not_idempotent);
  if (!body) {
    Error e = body.error();
    if (options.access_token) redact_secret(e, *options.access_token);  // a 422 may echo the query
    if (e.http_status == 409 && e.detail.find("Unsupported model source") != std::string::npos) {
      e.code = ErrorCode::invalid_argument;
      e.message = "the server does not understand the model source '" + std::string(source) +
                  "': give a path on the server, an http(s) URL or a Hugging Face repo id (owner/name)";
    }
    return tl::unexpected(e);
  }
  auto job = parse_install_job(*body);
  if (!job) return tl::unexpected(job.error());
  return InstallHandle(*this, std::move(*job), std::nullopt);
}

Result<InstallHandle> ModelsApi::install_handle(std::int64_t job_id) {
  auto job = get_job(job_id);
  if (!job) return tl::unexpected(job.error());
  return InstallHandle(*this, std::move(*job), std::nullopt);
}

Result<std::vector<ModelInstallJob>> ModelsApi::list_jobs() {
  auto body = session_->get(ApiRoot::v2, "/models/install");
  if (!body) return tl::unexpected(body.error());
  return parse_install_job_list(*body);
}

Result<ModelInstallJob> ModelsApi::get_job(std::int64_t id) {
  auto body = session_->get(ApiRoot::v2, job_path(id));
  if (!body) return tl::unexpected(body.error());
  return parse_install_job(*body);
}

Status ModelsApi::cancel_job(std::int64_t id) {
  ApiRequest r;
  r.method = "DELETE";
  r.root = ApiRoot::v2;
  r.path = job_path(id);
  auto response = session_->send(r);
  if (!response)
    // The server answers an unknown id with 415, not 404.
    return tl::unexpected(detail::remap_status(response.error(), 415, ErrorCode::not_found,
                                               "no install job " + std::to_string(id)));
  return {};
}

Status ModelsApi::prune_jobs() {
  ApiRequest r;
  r.method = "DELETE";
  r.root = ApiRoot::v2;
  r.path = "/models/install";
  auto response = session_->send(r);
  if (!response) return tl::unexpected(response.error());
  return {};
}

}  // namespace ivk
