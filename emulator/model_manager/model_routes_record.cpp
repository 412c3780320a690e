// Model record mutations: PATCH and DELETE of a record, its cover image, and the
// checkpoint -> diffusers conversion.
#include <fstream>
#include <system_error>

#include "model_manager/model_changes.h"
#include "model_manager/model_configs.h"
#include "model_manager/model_files.h"
#include "model_manager/model_manager_impl.h"
#include "model_manager/model_multipart.h"

namespace ivk::emu {
namespace {

// Only files inside the models folder belong to the server; in-place models stay on disk.
void remove_owned_files(const ModelStore& store, const Json& record) {
  if (store.owns_files(record)) remove_model_files(store.absolute_path(record));
}

Response patch_record(ModelStore& store, const Request& req) {
  Validation v;
  const auto body = v.json_object_body(req);
  Json changes = body ? validate_record_changes(v, *body) : Json::object();
  if (!v.ok()) return v.response();
  auto updated = store.update(req.params.at("key"), changes);
  if (!updated) {
    if (updated.error().code == ErrorCode::not_found) return Response::detail(404, "model not found");
    return Response::detail(409, updated.error().message);
  }
  return model_json_response(200, store.for_response(*updated));
}

Response delete_record(ModelStore& store, const Request& req) {
  const std::string key = req.params.at("key");
  const auto record = store.get(key);
  if (!record || !store.remove(key)) return Response::detail(404, "model not found");
  remove_owned_files(store, *record);
  std::error_code ec;
  std::filesystem::remove(store.cover_image_file(key), ec);
  return Response::no_content();
}

bool looks_like_image(const std::string& bytes) {
  auto starts = [&](std::string_view magic) { return bytes.compare(0, magic.size(), magic) == 0; };
  return starts("\x89PNG\r\n\x1a\n") || starts("\xff\xd8\xff") || starts("GIF8") ||
         (starts("RIFF") && bytes.size() > 12 && bytes.compare(8, 4, "WEBP") == 0);
}

Response patch_image(ModelStore& store, const Request& req) {
  const std::string key = req.params.at("key");
  const auto part = find_form_part(req.header("content-type").value_or(""), req.body, "image");
  if (!part)
    return validation_response_one("missing", Json::array({"body", "image"}), "Field required", nullptr);
  if (part->content_type.rfind("image", 0) != 0 || !looks_like_image(part->data))
    return Response::detail(415, "Not an image");
  if (!store.get(key)) return Response::detail(404, "model not found");
  const std::filesystem::path file = store.cover_image_file(key);
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << part->data;
  if (!out) return Response::detail(400, "Failed to save the model image");
  return model_json_response(200, nullptr);
}

Response delete_image(ModelStore& store, const Request& req) {
  std::error_code ec;
  if (!std::filesystem::remove(store.cover_image_file(req.params.at("key")), ec))
    return Response::detail(404, "Model image not found");
  return Response::no_content();
}

Response convert(ModelStore& store, const Request& req) {
  const std::string key = req.params.at("key");
  const auto record = store.get(key);
  if (!record) return Response::detail(424, "Unknown model: " + key);
  const std::string base = record->value("base", "");
  if (record->value("type", "") != "main" || record->value("format", "") != "checkpoint" ||
      (base != "sd-1" && base != "sd-2" && base != "sdxl"))
    return Response::detail(400, "The model with key " + key + " is not a main SD 1/2/XL checkpoint model.");
  // The diffusers copy gets a new key and hash and lives in a folder named after the model.
  ConfigSeed seed;
  seed.name = record->value("name", "");
  seed.base = base;
  seed.type = "main";
  seed.format = "diffusers";
  seed.path = base + "/main/" + seed.name;
  seed.hash = content_hash(record->value("hash", "") + "|diffusers");
  seed.file_size = record->value("file_size", std::uint64_t{0});
  if (const auto d = record->find("description"); d != record->end() && d->is_string())
    seed.description = d->get<std::string>();
  seed.source = record->value("source", "");
  seed.source_type = record->value("source_type", "path");
  if (const auto v = record->find("variant"); v != record->end() && v->is_string())
    seed.variant = v->get<std::string>();
  seed.trigger_phrases = record->value("trigger_phrases", Json(nullptr));
  seed.default_settings = record->value("default_settings", Json(nullptr));
  Json converted = make_config(seed);
  if (store.owns_files(converted)) create_placeholder(store.absolute_path(converted), converted);
  auto replaced = store.replace(key, converted);
  if (!replaced) return Response::detail(424, "Unknown model: " + key);
  remove_owned_files(store, *record);
  return model_json_response(200, store.for_response(*replaced));
}

}  // namespace

void add_model_record_routes(Router& router, ModelManagerImpl& models) {
  ModelStore& store = models.store();
  const std::string p = kModelsPrefix;
  router.add("PATCH", p + "/i/{key}", Access::admin,
             [&store](const Request& req) { return patch_record(store, req); });
  router.add("DELETE", p + "/i/{key}", Access::admin,
             [&store](const Request& req) { return delete_record(store, req); });
  router.add("PATCH", p + "/i/{key}/image", Access::admin,
             [&store](const Request& req) { return patch_image(store, req); });
  router.add("DELETE", p + "/i/{key}/image", Access::admin,
             [&store](const Request& req) { return delete_image(store, req); });
  router.add("PUT", p + "/convert/{key}", Access::admin,
             [&store](const Request& req) { return convert(store, req); });
}

}  // namespace ivk::emu
