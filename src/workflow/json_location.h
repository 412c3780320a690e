#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace ivk::detail {

struct JsonLocation {
  std::size_t offset = 0;
  std::size_t line = 1;
  std::size_t column = 1;
  std::string message;  // what the text should have had there; empty for a valid document
};

// Where a syntactically broken JSON text (RFC 8259, strictly) first goes wrong: the offset of the
// first byte that no valid document could have there (the text size when it ends too early), with
// its 1-based line and column. For a valid document: no message, and the offset is the text size.
JsonLocation locate_json_error(std::string_view text);

// The same with a nesting limit: an object or array opened deeper than max_depth levels is an
// error at its bracket (locate_json_error(text) allows 10000 levels).
JsonLocation locate_json_error(std::string_view text, std::size_t max_depth);

}  // namespace ivk::detail
