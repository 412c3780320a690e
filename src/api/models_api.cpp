// ModelsApi query routes: GET /api/v2/models/... and the parsing of their answers.
#include "ivk/api/models_api.h"

#include "api/model_manager_parse.h"
#include "api/models_api_support.h"
#include "ivk/transport/server_session.h"

namespace ivk {

Result<std::vector<ModelRecord>> ModelsApi::list(const ModelFilter& filter) {
  QueryBuilder q;
  q.add_list("base_models", filter.bases);
  q.add_optional("model_type", filter.type);
  q.add_optional("model_name", filter.name);
  q.add_optional("model_format", filter.format);
  q.add_optional("order_by", filter.order_by);
  q.add_optional("direction", filter.direction);
  auto body = session_->get(ApiRoot::v2, "/models/", q.str());
  if (!body) return tl::unexpected(body.error());
  return parse_model_list(*body);
}

Result<ModelRecord> ModelsApi::get(std::string_view key) {
  auto body = session_->get(ApiRoot::v2, detail::model_path("/models/i/", key));
  if (!body) return tl::unexpected(body.error());
  return parse_model_record(*body);
}

Result<ModelRecord> ModelsApi::get_by_attrs(std::string_view name, std::string_view type,
                                            std::string_view base) {
  QueryBuilder q;
  q.add("name", name).add("type", type).add("base", base);
  auto body = session_->get(ApiRoot::v2, "/models/get_by_attrs", q.str());
  if (!body) return tl::unexpected(body.error());
  return parse_model_record(*body);
}

Result<ModelRecord> ModelsApi::get_by_hash(std::string_view hash) {
  QueryBuilder q;
  q.add("hash", hash);
  auto body = session_->get(ApiRoot::v2, "/models/get_by_hash", q.str());
  if (!body) return tl::unexpected(body.error());
  return parse_model_record(*body);
}

Result<std::vector<ModelRecord>> ModelsApi::missing() {
  auto body = session_->get(ApiRoot::v2, "/models/missing");
  if (!body) return tl::unexpected(body.error());
  return parse_model_list(*body);
}

Result<std::vector<FoundModel>> ModelsApi::scan_folder(std::string_view path) {
  QueryBuilder q;
  q.add("scan_path", path);
  auto body = session_->get(ApiRoot::v2, "/models/scan_folder", q.str());
  if (!body)
    return tl::unexpected(detail::remap_status(
        body.error(), 400, ErrorCode::not_found,
        "the server cannot scan '" + std::string(path) + "': give a folder that exists on the server"));
  return detail::parse_found_models(*body);
}

Result<HfRepoInfo> ModelsApi::hugging_face(std::string_view repo_id) {
  QueryBuilder q;
  q.add("hugging_face_repo", repo_id);
  auto body = session_->get(ApiRoot::v2, "/models/hugging_face", q.str());
  if (!body)
    return tl::unexpected(detail::remap_status(body.error(), 400, ErrorCode::not_found,
                                               "no Hugging Face repository '" + std::string(repo_id) + "'"));
  return detail::parse_hf_repo_info(*body);
}

Result<StarterModels> ModelsApi::starter_models() {
  auto body = session_->get(ApiRoot::v2, "/models/starter_models");
  if (!body) return tl::unexpected(body.error());
  return detail::parse_starter_models(*body);
}

Result<std::optional<CacheStats>> ModelsApi::stats() {
  auto body = session_->get(ApiRoot::v2, "/models/stats");
  if (!body) return tl::unexpected(body.error());
  return detail::parse_cache_stats(*body);
}

}  // namespace ivk
