#include "model_manager/model_store.h"

#include <algorithm>
#include <set>
#include <system_error>

#include "ivk/files.h"
#include "model_manager/model_persistence.h"

namespace ivk::emu {
namespace {

std::string str_field(const Json& j, const char* name) {
  const auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The sort key of one record for an order_by value.
Json order_key(const Json& j, const std::string& order_by) {
  if (order_by == "size") return j.value("file_size", Json(0));
  if (order_by == "type" || order_by == "base" || order_by == "name" || order_by == "format" ||
      order_by == "path")
    return str_field(j, order_by.c_str());
  // "default": the way the model manager UI groups models.
  return Json::array({str_field(j, "base"), str_field(j, "type"), str_field(j, "name")});
}

// ModelRecordChanges members that update a record; anything else in a PATCH body is ignored, as
// pydantic ignores unknown fields there.
const std::vector<std::string>& change_fields() {
  static const std::vector<std::string> v{"source",
                                          "source_type",
                                          "source_api_response",
                                          "name",
                                          "path",
                                          "description",
                                          "base",
                                          "type",
                                          "key",
                                          "hash",
                                          "file_size",
                                          "format",
                                          "trigger_phrases",
                                          "default_settings",
                                          "variant",
                                          "prediction_type",
                                          "upcast_attention",
                                          "config_path"};
  return v;
}

}  // namespace

ModelStore::ModelStore(std::filesystem::path data_dir, std::shared_ptr<StateDb> db)
    : data_dir_(std::move(data_dir)), models_dir_(data_dir_ / "models"), db_(std::move(db)) {}

Result<Json> ModelStore::read_catalog_file(const std::filesystem::path& file) {
  auto text = ivk::read_file(file);
  if (!text) return tl::unexpected(text.error());
  Json doc = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("models") || !doc["models"].is_array())
    return tl::unexpected(make_error(ErrorCode::parse_error,
                                     "a model catalog must be a JSON object {\"models\": [...]}", {},
                                     file.string()));
  Json models = Json::array();
  for (auto& m : doc["models"])
    if (m.is_object() && m.contains("key") && m["key"].is_string()) models.push_back(std::move(m));
  return models;
}

void ModelStore::reset(Json models_array) {
  std::lock_guard lock(mu_);
  models_.clear();
  for (auto& m : models_array) models_.push_back(std::move(m));
}

std::vector<Json> ModelStore::list(const ModelQuery& q) const {
  std::vector<Json> out;
  {
    std::lock_guard lock(mu_);
    for (const Json& m : models_) {
      if (!q.bases.empty() &&
          std::find(q.bases.begin(), q.bases.end(), str_field(m, "base")) == q.bases.end())
        continue;
      if (q.type && str_field(m, "type") != *q.type) continue;
      if (q.name && str_field(m, "name") != *q.name) continue;
      if (q.format && str_field(m, "format") != *q.format) continue;
      out.push_back(m);
    }
  }
  if (q.order_by && *q.order_by != "created_at" && *q.order_by != "updated_at") {
    const std::string by = *q.order_by;
    std::stable_sort(out.begin(), out.end(),
                     [&](const Json& a, const Json& b) { return order_key(a, by) < order_key(b, by); });
  }
  if (q.descending) std::reverse(out.begin(), out.end());
  return out;
}

std::vector<Json> ModelStore::all() const {
  std::lock_guard lock(mu_);
  return models_;
}

std::optional<std::size_t> ModelStore::index_locked(const std::string& key) const {
  for (std::size_t i = 0; i < models_.size(); ++i)
    if (str_field(models_[i], "key") == key) return i;
  return std::nullopt;
}

std::optional<Json> ModelStore::get(const std::string& key) const {
  std::lock_guard lock(mu_);
  if (const auto i = index_locked(key)) return models_[*i];
  return std::nullopt;
}

std::optional<Json> ModelStore::find(const std::function<bool(const Json&)>& pred) const {
  std::lock_guard lock(mu_);
  for (const Json& m : models_)
    if (pred(m)) return m;
  return std::nullopt;
}

std::vector<Json> ModelStore::missing() const {
  std::vector<Json> out;
  for (const Json& m : all()) {
    std::error_code ec;
    if (!std::filesystem::exists(absolute_path(m), ec)) out.push_back(m);
  }
  return out;
}

Status ModelStore::add(Json config) {
  std::lock_guard lock(mu_);
  const std::string key = str_field(config, "key");
  const std::string path = str_field(config, "path");
  for (const Json& m : models_) {
    if (str_field(m, "key") == key)
      return ivk::fail(ErrorCode::conflict, "A model with key '" + key + "' is already installed");
    if (str_field(m, "path") == path)
      return ivk::fail(ErrorCode::conflict, "A model with path '" + path + "' is already installed");
  }
  models_.push_back(std::move(config));
  persist_locked();
  return {};
}

Result<Json> ModelStore::update(const std::string& key, const Json& changes) {
  std::lock_guard lock(mu_);
  const auto i = index_locked(key);
  if (!i) return ivk::fail(ErrorCode::not_found, "unknown model key '" + key + "'");
  Json updated = models_[*i];
  for (const std::string& field : change_fields()) {
    const auto it = changes.find(field);
    if (it == changes.end() || it->is_null()) continue;
    if (field == "trigger_phrases" && it->is_array()) {
      // A set on the server: keep the first of each phrase.
      Json unique = Json::array();
      std::set<std::string> seen;
      for (const Json& p : *it)
        if (p.is_string() && seen.insert(p.get<std::string>()).second) unique.push_back(p);
      updated[field] = unique;
      continue;
    }
    updated[field] = *it;
  }
  const std::string new_key = str_field(updated, "key");
  if (new_key != key && index_locked(new_key))
    return ivk::fail(ErrorCode::conflict, "A model with key '" + new_key + "' already exists");
  models_[*i] = updated;
  persist_locked();
  return updated;
}

Result<Json> ModelStore::replace(const std::string& key, Json config) {
  std::lock_guard lock(mu_);
  const auto i = index_locked(key);
  if (!i) return ivk::fail(ErrorCode::not_found, "unknown model key '" + key + "'");
  models_[*i] = std::move(config);
  persist_locked();
  return models_[*i];
}

bool ModelStore::remove(const std::string& key) {
  std::lock_guard lock(mu_);
  const auto i = index_locked(key);
  if (!i) return false;
  models_.erase(models_.begin() + static_cast<std::ptrdiff_t>(*i));
  persist_locked();
  return true;
}

std::filesystem::path ModelStore::absolute_path(const Json& config) const {
  const std::filesystem::path p = str_field(config, "path");
  return p.is_absolute() ? p : models_dir_ / p;
}

bool ModelStore::owns_files(const Json& config) const {
  const std::filesystem::path p = str_field(config, "path");
  if (p.empty() || p.is_absolute()) return false;
  const std::filesystem::path normal = p.lexically_normal();
  return !normal.empty() && *normal.begin() != ".." && normal != ".";
}

std::filesystem::path ModelStore::cover_image_file(const std::string& key) const {
  // Keys come from URLs: keep only a plain file name so "../x" cannot escape the folder.
  std::string safe;
  safe.reserve(key.size() + 4);
  for (const char c : key) safe.push_back(c == '/' || c == '\\' || c == '.' ? '_' : c);
  safe.append(".png");
  return data_dir_ / "model_images" / safe;
}

Json ModelStore::for_response(Json config) const {
  const std::string key = str_field(config, "key");
  std::error_code ec;
  config["cover_image"] = std::filesystem::exists(cover_image_file(key), ec)
                              ? Json("api/v2/models/i/" + key + "/image")
                              : Json(nullptr);
  return config;
}

void ModelStore::persist_locked() const {
  if (!db_) return;
  // A failed commit leaves the previous catalog: the next change writes it again.
  (void)save_models(*db_, models_);
}

}  // namespace ivk::emu
