#pragma once
// Parsers for the smaller model manager answers (ivk/model_manager_types.h). Private to src/api.
#include <optional>
#include <string_view>
#include <vector>

#include "ivk/api/model_manager_types.h"
#include "ivk/error.h"

namespace ivk::detail {

// [{"path", "is_installed"}, ...]
Result<std::vector<FoundModel>> parse_found_models(std::string_view json);
// null -> nullopt; else the CacheStats object.
Result<std::optional<CacheStats>> parse_cache_stats(std::string_view json);
// "valid" | "invalid" | "unknown" (a JSON string); another string reads as unknown.
Result<HfTokenStatus> parse_hf_token_status(std::string_view json);
// {"starter_models": [...], "starter_bundles": {...}}
Result<StarterModels> parse_starter_models(std::string_view json);
// {"urls": [...] | null, "is_diffusers": bool}
Result<HfRepoInfo> parse_hf_repo_info(std::string_view json);

// {"deleted": [key], "failed": [{"key", "error"}]}
Result<BulkDeleteResult> parse_bulk_delete(std::string_view json);

}  // namespace ivk::detail
