#include "events/codec_support.h"

namespace ivk::detail {

std::string excerpt(std::string_view text, std::size_t limit) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  const std::size_t n = text.size() < limit ? text.size() : limit;
  out.reserve(n + 8);
  for (std::size_t i = 0; i < n; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      out += static_cast<char>(byte);
    } else if (byte == '\\') {
      out += "\\\\";
    } else {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    }
  }
  if (text.size() > n) out += "...";
  return out;
}

tl::unexpected<Error> parse_fail(std::string_view what, std::string_view input) {
  std::string message(what);
  message += " in \"";
  message += excerpt(input);
  message += '"';
  return fail(ErrorCode::parse_error, std::move(message));
}

}  // namespace ivk::detail
