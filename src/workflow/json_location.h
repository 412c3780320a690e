#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace ivk::detail {

struct JsonLocation {
  std::size_t offset = 0;
  std::size_t line = 1;
  std::size_t column = 1;
  std::string message;  // the parser's description of the problem
};

// Where a syntactically broken JSON text first goes wrong (1-based line and column).
JsonLocation locate_json_error(std::string_view text);

}  // namespace ivk::detail
