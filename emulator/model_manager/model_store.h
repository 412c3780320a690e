#pragma once
// The model catalog of the emulator: 6.8-shaped config records in insertion order (the order a
// v6.8 server lists them in), with the filters of GET /api/v2/models/, lookups, updates from
// ModelRecordChanges and optional persistence to the emulator's database. Thread-safe.
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/fastapi_errors.h"
#include "ivk/error.h"
#include "storage/state_db.h"

namespace ivk::emu {

struct ModelQuery {
  std::vector<std::string> bases;  // any of these; empty: all
  std::optional<std::string> type;
  std::optional<std::string> name;  // exact match
  std::optional<std::string> format;
  // ≥6.13 ordering: default, type, base, name, format, size, created_at, updated_at, path.
  // Unset keeps insertion order (what 6.8 answers).
  std::optional<std::string> order_by;
  bool descending = false;
};

class ModelStore {
 public:
  // data_dir holds models/ (model files) and model_images/ (cover images). With a database
  // (--persist) the catalog is saved there after every change.
  ModelStore(std::filesystem::path data_dir, std::shared_ptr<StateDb> db);

  // Reads {"models": [...]} (parse_error when the shape is wrong, io/not_found when unreadable).
  static Result<Json> read_catalog_file(const std::filesystem::path& file);
  // Where emulators before the database kept the catalog (read when the database has none).
  [[nodiscard]] std::filesystem::path legacy_persist_file() const { return data_dir_ / "models.json"; }
  [[nodiscard]] const std::filesystem::path& models_dir() const { return models_dir_; }

  // Replaces the catalog (no persistence: the records came from where they are stored).
  void reset(Json models_array);

  [[nodiscard]] std::vector<Json> list(const ModelQuery& query) const;
  [[nodiscard]] std::vector<Json> all() const;
  [[nodiscard]] std::optional<Json> get(const std::string& key) const;
  [[nodiscard]] std::optional<Json> find(const std::function<bool(const Json&)>& pred) const;
  // Records whose file or folder no longer exists.
  [[nodiscard]] std::vector<Json> missing() const;

  // Adds a record; conflict when its key or path is already registered.
  Status add(Json config);
  // Applies ModelRecordChanges (null members mean "no change"); not_found or conflict (new key taken).
  Result<Json> update(const std::string& key, const Json& changes);
  // Replaces a record by another (conversion); not_found when key is unknown.
  Result<Json> replace(const std::string& key, Json config);
  bool remove(const std::string& key);

  // Where a record's model lives: absolute paths as they are, others under models_dir.
  [[nodiscard]] std::filesystem::path absolute_path(const Json& config) const;
  // True when the record's model lives inside models_dir (a relative path that does not climb out
  // with ".."): only such files may be created or removed by the emulator.
  [[nodiscard]] bool owns_files(const Json& config) const;
  [[nodiscard]] std::filesystem::path cover_image_file(const std::string& key) const;
  // The record as routes return it: cover_image is "api/v2/models/i/<key>/image" when the model
  // has an image, null otherwise.
  [[nodiscard]] Json for_response(Json config) const;

 private:
  void persist_locked() const;
  std::optional<std::size_t> index_locked(const std::string& key) const;

  std::filesystem::path data_dir_;
  std::filesystem::path models_dir_;
  std::shared_ptr<StateDb> db_;  // null without --persist
  mutable std::mutex mu_;
  std::vector<Json> models_;
};

}  // namespace ivk::emu
