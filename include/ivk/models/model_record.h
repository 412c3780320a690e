#pragma once
// Model records as the InvokeAI server lists them (GET /api/v2/models/), the identifiers that
// workflows carry for them, and a searchable catalog of records.
//
// Enums are open: base, type and format are plain strings, so a model of a base or type that
// ivk does not know (a newer InvokeAI, an API model such as base "veo3", type "video") is kept
// as it is, never an error. Pure data: nothing here does I/O.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"

namespace ivk {

// One installed model (AnyModelConfig), loosely read. Strings are empty when absent or null.
struct ModelRecord {
  std::string key;  // the id used in URLs and graphs
  std::string hash;
  std::string name;
  std::string base;    // "sdxl", "flux", "any", ... or a value ivk does not know
  std::string type;    // "main", "vae", "t5_encoder", ...
  std::string format;  // "checkpoint", "diffusers", ...
  std::string path;
  std::string description;
  std::string source;
  std::string source_type;
  std::string variant;
  std::string prediction_type;
  std::string repo_variant;
  std::string cover_image;
  std::optional<std::int64_t> file_size;
  std::vector<std::string> trigger_phrases;
  std::optional<std::string> default_settings_json;  // compact JSON, when present and not null
  std::string raw_json;                              // the whole record as the server sent it, compact
};

// Parses a `{"models": [...]}` body. Records need string key, hash, name, base and type; an
// error names the JSON path of the first missing one ("$.models[3].key").
Result<std::vector<ModelRecord>> parse_model_list(std::string_view body);
// Parses one record (GET /api/v2/models/i/{key}).
Result<ModelRecord> parse_model_record(std::string_view json);

// A ModelIdentifierField: how a graph refers to a model (the server loads it by key).
struct ModelIdentifier {
  std::string key;
  std::string hash;
  std::string name;
  std::string base;
  std::string type;
  std::optional<std::string> submodel_type;

  // Compact JSON, keys in the order key, hash, name, base, type, submodel_type (null when absent).
  [[nodiscard]] std::string to_json() const;
  // {key, hash, name, base, type} of a record; no submodel_type.
  static ModelIdentifier from_record(const ModelRecord& record);

  friend bool operator==(const ModelIdentifier&, const ModelIdentifier&) = default;
};

// Parses an identifier object. "key" and "name" must be strings; hash, base and type are read
// when they are strings (empty otherwise); submodel_type when it is a string.
Result<ModelIdentifier> parse_model_identifier(std::string_view json);

// The models a server has, with lookups. Records keep the server's order.
class ModelCatalog {
 public:
  using Clock = std::chrono::system_clock;

  ModelCatalog() = default;
  explicit ModelCatalog(std::vector<ModelRecord> records, Clock::time_point fetched_at = Clock::now());
  // parse_model_list + the constructor.
  static Result<ModelCatalog> from_json(std::string_view body, Clock::time_point fetched_at = Clock::now());

  [[nodiscard]] const ModelRecord* find_by_key(std::string_view key) const noexcept;
  // The first record with this hash (nullptr when none or hash is empty).
  [[nodiscard]] const ModelRecord* find_by_hash(std::string_view hash) const noexcept;
  // Every record with exactly this name, in catalog order.
  [[nodiscard]] std::vector<const ModelRecord*> find_by_name(std::string_view name) const;
  // Records of this base and type; an empty base or type matches every value.
  [[nodiscard]] std::vector<const ModelRecord*> filter(std::string_view base, std::string_view type) const;

  [[nodiscard]] std::size_t size() const noexcept { return records_.size(); }
  [[nodiscard]] const std::vector<ModelRecord>& records() const noexcept { return records_; }

  [[nodiscard]] Clock::time_point fetched_at() const noexcept { return fetched_at_; }
  // True when the catalog is older than ttl at `now`.
  [[nodiscard]] bool is_stale(std::chrono::seconds ttl, Clock::time_point now = Clock::now()) const noexcept {
    return now - fetched_at_ > ttl;
  }

 private:
  std::vector<ModelRecord> records_;
  Clock::time_point fetched_at_{};
};

}  // namespace ivk
