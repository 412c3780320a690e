#pragma once
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "ivk/error.h"

namespace ivk::detail {

// Rewrites a schema 1.x/2.x workflow as schema 3.0.0 (pretty-printed, key order kept).
Result<std::string> migrate_to_v3(std::string_view text);

// Indented JSON (2 spaces) with numbers in their shortest round-trip form.
std::string to_pretty_json(const boost::json::value& v);

}  // namespace ivk::detail
