// ModelsApi mutation routes (changes to model records) and the Hugging Face token routes.
#include "api/model_manager_parse.h"
#include "api/models_api_support.h"
#include "core/json_read.h"
#include "ivk/api/models_api.h"
#include "ivk/json_text.h"
#include "ivk/transport/server_session.h"
#include "transport/secret_redaction.h"

namespace ivk {
namespace {

ApiRequest v2_request(std::string method, std::string path) {
  ApiRequest r;
  r.method = std::move(method);
  r.root = ApiRoot::v2;
  r.path = std::move(path);
  return r;
}

}  // namespace

Result<ModelRecord> ModelsApi::update(std::string_view key, std::string_view changes_json) {
  dom::parser parser;
  auto doc = parse_json(parser, changes_json, "model changes");
  if (!doc || !doc->is_object())
    return fail(ErrorCode::invalid_argument,
                R"(model changes must be a JSON object such as {"name": "new name"})");
  auto body = session_->send_json("PATCH", ApiRoot::v2, detail::model_path("/models/i/", key), changes_json);
  if (!body) return tl::unexpected(body.error());
  return parse_model_record(*body);
}

Status ModelsApi::delete_model(std::string_view key) {
  auto response = session_->send(v2_request("DELETE", detail::model_path("/models/i/", key)));
  if (!response) return tl::unexpected(response.error());
  return {};
}

DeleteReport ModelsApi::delete_models(std::span<const std::string> keys) {
  DeleteReport report;
  for (const auto& key : keys) {
    if (auto s = delete_model(key); s)
      report.deleted.push_back(key);
    else
      report.failed.push_back({key, s.error()});
  }
  return report;
}

Result<ModelRecord> ModelsApi::convert(std::string_view key) {
  ApiRequest r = v2_request("PUT", detail::model_path("/models/convert/", key));
  // The converted model gets a new key: a repeated PUT would fail on the old one.
  r.idempotency = Idempotency::not_idempotent;
  auto response = session_->send(r);
  if (!response) {
    Error e = detail::remap_status(response.error(), 424, ErrorCode::not_found,
                                   "no model with key '" + std::string(key) + "'");
    return tl::unexpected(detail::remap_status(std::move(e), 400, ErrorCode::invalid_argument,
                                               "only main SD 1, SD 2 and SDXL checkpoints can be converted"));
  }
  return parse_model_record(response->body);
}

Status ModelsApi::empty_cache() {
  auto response = session_->send(v2_request("POST", "/models/empty_model_cache"));
  if (!response) return tl::unexpected(response.error());
  return {};
}

Result<HfTokenStatus> ModelsApi::hf_login_status() {
  auto body = session_->get(ApiRoot::v2, "/models/hf_login");
  if (!body) return tl::unexpected(body.error());
  return detail::parse_hf_token_status(*body);
}

Result<HfTokenStatus> ModelsApi::hf_login(std::string_view token) {
  JsonBuilder b;
  b.begin_object().key("token").string(token).end_object();
  auto body = session_->send_json("POST", ApiRoot::v2, "/models/hf_login", b.str());
  if (!body) {
    // A 422 detail may echo the request body: keep the token out of every error.
    Error e = body.error();
    redact_secret(e, token);
    return tl::unexpected(e);
  }
  return detail::parse_hf_token_status(*body);
}

Result<HfTokenStatus> ModelsApi::hf_logout() {
  auto response = session_->send(v2_request("DELETE", "/models/hf_login"));
  if (!response) return tl::unexpected(response.error());
  return detail::parse_hf_token_status(response->body);
}

}  // namespace ivk
