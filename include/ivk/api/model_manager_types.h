#pragma once
// The smaller answers of the model manager routes (/api/v2/models): folder scans, cache
// statistics, the Hugging Face token state, starter models and per-key delete outcomes. Pure data.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"

namespace ivk {

// One model file or folder found by GET /api/v2/models/scan_folder.
struct FoundModel {
  std::string path;  // absolute, on the server
  bool is_installed = false;
};

// GET /api/v2/models/stats (the server's CacheStats, typed as the server sends it).
struct CacheStats {
  std::int64_t hits = 0;
  std::int64_t misses = 0;
  std::int64_t high_watermark = 0;
  std::int64_t in_cache = 0;
  std::int64_t cleared = 0;
  std::int64_t cache_size = 0;
  std::map<std::string, std::int64_t> loaded_model_sizes;  // model key -> bytes
  std::string raw_json;
};

// GET/POST/DELETE /api/v2/models/hf_login. A value ivk does not know reads as unknown.
enum class HfTokenStatus { valid, invalid, unknown };
std::string_view to_string(HfTokenStatus status) noexcept;

// One entry of GET /api/v2/models/starter_models.
struct StarterModel {
  std::string name;
  std::string source;  // what to pass to ModelsApi::install
  std::string base;
  std::string type;
  std::string format;
  std::string description;
  bool is_installed = false;
  std::vector<std::string> dependency_sources;  // sources of the models it needs too
  std::string raw_json;
};

struct StarterModels {
  std::vector<StarterModel> models;
  std::string bundles_json;  // "starter_bundles" as sent ({"sd-1": {"name", "models"}, ...}), or "{}"
};

// GET /api/v2/models/hugging_face: what a Hugging Face repository offers.
struct HfRepoInfo {
  std::optional<std::vector<std::string>> urls;  // nullopt when the server sends null
  bool is_diffusers = false;
};

// The outcome of deleting several models one by one: every key is either deleted or failed.
struct DeleteReport {
  struct Failure {
    std::string key;
    Error error;
  };
  std::vector<std::string> deleted;
  std::vector<Failure> failed;
  [[nodiscard]] bool ok() const noexcept { return failed.empty(); }
};

// POST /api/v2/models/i/bulk_delete: what the server deleted and what it could not.
struct BulkDeleteResult {
  struct Failure {
    std::string key;
    std::string error;  // the server's message
  };
  std::vector<std::string> deleted;
  std::vector<Failure> failed;
};

}  // namespace ivk
