// Read-only model routes: the list with its filters, one record by key, by attributes
// or by hash, records whose files are gone, and a model's cover image.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "model_manager/model_configs.h"
#include "model_manager/model_manager_impl.h"

namespace ivk::emu {
namespace {

Response models_list(const ModelStore& store, const std::vector<Json>& records) {
  Json list = Json::array();
  for (const Json& r : records) list.push_back(store.for_response(r));
  return model_json_response(200, Json{{"models", list}});
}

Response list_models(ModelStore& store, const Request& req) {
  Validation v;
  ModelQuery q;
  q.bases = v.query_enum_list(req, "base_models", base_model_types());
  if (req.query_value("model_type")) q.type = v.query_enum(req, "model_type", model_types());
  q.name = req.query_value("model_name");
  if (req.query_value("model_format")) q.format = v.query_enum(req, "model_format", model_formats());
  if (!v.ok()) return v.response();
  // order_by/direction arrived in 6.13; a 6.8 server ignores them, so unknown values are ignored.
  static const std::vector<std::string> kOrders{"default", "type",       "base",       "name", "format",
                                                "size",    "created_at", "updated_at", "path"};
  if (const auto order = req.query_value("order_by");
      order && std::find(kOrders.begin(), kOrders.end(), *order) != kOrders.end())
    q.order_by = *order;
  q.descending = req.query_value("direction") == std::optional<std::string>("DESC");
  return models_list(store, store.list(q));
}

Response get_by_attrs(ModelStore& store, const Request& req) {
  Validation v;
  const auto name = v.query_string(req, "name");
  const auto type = v.query_enum(req, "type", model_types());
  const auto base = v.query_enum(req, "base", base_model_types());
  if (!v.ok()) return v.response();
  const auto found = store.find([&](const Json& m) {
    return m.value("name", "") == *name && m.value("type", "") == *type && m.value("base", "") == *base;
  });
  if (!found) return Response::detail(404, "No model found with these attributes");
  return model_json_response(200, store.for_response(*found));
}

Response get_by_hash(ModelStore& store, const Request& req) {
  Validation v;
  const auto hash = v.query_string(req, "hash");
  if (!v.ok()) return v.response();
  const auto found = store.find([&](const Json& m) { return m.value("hash", "") == *hash; });
  if (!found) return Response::detail(404, "No model found with this hash");
  return model_json_response(200, store.for_response(*found));
}

// Cover images are stored as uploaded; name their type by their first bytes.
std::string image_content_type(const std::string& bytes) {
  if (bytes.rfind("\xff\xd8\xff", 0) == 0) return "image/jpeg";
  if (bytes.rfind("GIF8", 0) == 0) return "image/gif";
  if (bytes.rfind("RIFF", 0) == 0 && bytes.size() > 12 && bytes.compare(8, 4, "WEBP") == 0)
    return "image/webp";
  return "image/png";
}

Response get_image(ModelStore& store, const Request& req) {
  const std::string key = req.params.at("key");
  std::ifstream in(store.cover_image_file(key), std::ios::binary);
  if (!store.get(key) || !in) return Response::detail(404, "Model image not found");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  Response r;
  r.status = 200;
  r.body = std::move(bytes).str();
  r.content_type = image_content_type(r.body);
  // The UI caches cover images; the server marks them cacheable too.
  r.headers.emplace_back("Cache-Control", "max-age=31536000");
  return r;
}

}  // namespace

void add_model_query_routes(Router& router, ModelManagerImpl& models) {
  ModelStore& store = models.store();
  const std::string p = kModelsPrefix;
  router.add("GET", p + "/", Access::user, [&store](const Request& req) { return list_models(store, req); });
  router.add("GET", p + "/get_by_attrs", Access::user,
             [&store](const Request& req) { return get_by_attrs(store, req); });
  // get_by_hash and missing are ≥6.12 routes; a 6.8 client never calls them, newer ones may.
  router.add("GET", p + "/get_by_hash", Access::user,
             [&store](const Request& req) { return get_by_hash(store, req); });
  router.add("GET", p + "/missing", Access::user,
             [&store](const Request&) { return models_list(store, store.missing()); });
  router.add("GET", p + "/i/{key}", Access::user, [&store](const Request& req) {
    const auto found = store.get(req.params.at("key"));
    if (!found) return Response::detail(404, "model not found");
    return model_json_response(200, store.for_response(*found));
  });
  router.add("GET", p + "/i/{key}/image", Access::user,
             [&store](const Request& req) { return get_image(store, req); });
}

}  // namespace ivk::emu
