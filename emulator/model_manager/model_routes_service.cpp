// Model manager service routes: folder scan, Hugging Face lookups and token,
// starter models, and the model cache counters.
#include <algorithm>
#include <cctype>
#include <set>

#include "model_manager/model_changes.h"
#include "model_manager/model_manager_impl.h"
#include "model_manager/model_scan.h"
#include "model_manager/model_source.h"
#include "model_manager/model_starters.h"

namespace ivk::emu {
namespace {

std::string normal(const std::filesystem::path& p) {
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

Response scan_folder(ModelStore& store, const Request& req) {
  const auto scan_path = req.query_value("scan_path");
  // An absent path is Python's None in the server's message.
  const std::string shown = scan_path.value_or("None");
  const auto found = scan_path ? scan_for_models(*scan_path) : std::nullopt;
  if (!found) return Response::detail(400, "The search path '" + shown + "' could not be scanned");
  // A found model is installed when a record points at it or was installed from it.
  std::set<std::string> known;
  for (const Json& m : store.all()) {
    known.insert(normal(store.absolute_path(m)));
    if (const auto s = m.find("source"); s != m.end() && s->is_string())
      known.insert(normal(s->get<std::string>()));
  }
  Json out = Json::array();
  for (const auto& path : *found)
    out.push_back(Json{{"path", path.string()}, {"is_installed", known.count(normal(path)) > 0}});
  return model_json_response(200, out);
}

Response hugging_face(const Request& req) {
  const auto repo = req.query_value("hugging_face_repo");
  const auto parsed = repo ? parse_model_source(*repo, false, std::nullopt) : std::nullopt;
  if (!parsed || parsed->kind != ModelSource::Kind::hf || parsed->subfolder)
    return Response::detail(400, "No HuggingFace repository found");
  std::string lowered = parsed->repo_id;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // Single-file repositories (LoRAs, most checkpoints on the hub) list their weights; diffusers
  // repositories are installed as a whole.
  if (lowered.find("lora") != std::string::npos) {
    const std::string name = parsed->repo_id.substr(parsed->repo_id.find('/') + 1);
    return model_json_response(200, Json{{"urls", Json::array({"https://huggingface.co/" + parsed->repo_id +
                                                               "/resolve/main/" + name + ".safetensors"})},
                                         {"is_diffusers", false}});
  }
  return model_json_response(200, Json{{"urls", nullptr}, {"is_diffusers", true}});
}

Response hf_login(ModelManagerImpl& models, const Request& req) {
  Validation v;
  const auto body = v.json_object_body(req);
  std::optional<std::string> token;
  if (body) token = v.field_string(*body, "token", Json::array({"body", "token"}));
  if (!v.ok()) return v.response();
  return model_json_response(200, models.set_hf_token(*token));
}

}  // namespace

void add_model_service_routes(Router& router, ModelManagerImpl& models) {
  ModelStore& store = models.store();
  const std::string p = kModelsPrefix;
  router.add("GET", p + "/scan_folder", Access::admin,
             [&store](const Request& req) { return scan_folder(store, req); });
  router.add("GET", p + "/hugging_face", Access::admin, [](const Request& req) { return hugging_face(req); });
  router.add("GET", p + "/starter_models", Access::admin,
             [&store](const Request&) { return model_json_response(200, starter_models_response(store)); });
  router.add("GET", p + "/stats", Access::admin,
             [&models](const Request&) { return model_json_response(200, models.cache_stats()); });
  router.add("POST", p + "/empty_model_cache", Access::admin, [&models](const Request&) {
    models.empty_model_cache();
    return model_json_response(200, nullptr);
  });
  router.add("GET", p + "/hf_login", Access::admin,
             [&models](const Request&) { return model_json_response(200, models.hf_token_status()); });
  router.add("POST", p + "/hf_login", Access::admin,
             [&models](const Request& req) { return hf_login(models, req); });
  router.add("DELETE", p + "/hf_login", Access::admin, [&models](const Request&) {
    return model_json_response(200, models.set_hf_token(std::nullopt));
  });
}

}  // namespace ivk::emu
