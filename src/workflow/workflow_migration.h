#pragma once
#include <string>
#include <string_view>

#include "ivk/error.h"

namespace ivk::detail {

// Rewrites a schema 1.x/2.x workflow as schema 3.0.0: pretty-printed (2-space indent, "key": value),
// key order kept, every number copied as its source text so no value changes.
Result<std::string> migrate_to_v3(std::string_view text);

}  // namespace ivk::detail
