#pragma once
// Private helpers shared by the Engine.IO and Socket.IO codecs: error messages that show where the
// input went wrong, and JSON whitespace rules.
#include <string>
#include <string_view>

#include "core/ascii_case.h"
#include "ivk/error.h"

namespace ivk::detail {

// At most `limit` bytes of text, printable ASCII kept and everything else as \xNN, with "..." when cut:
// a log line stays short and single-line even when the input is a 1 MB binary blob.
std::string excerpt(std::string_view text, std::size_t limit = 48);

// parse_error "<what> in "<excerpt of input>"".
tl::unexpected<Error> parse_fail(std::string_view what, std::string_view input);

inline bool is_json_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

inline std::size_t skip_json_space(std::string_view text, std::size_t pos) noexcept {
  while (pos < text.size() && is_json_space(text[pos])) ++pos;
  return pos;
}

}  // namespace ivk::detail
