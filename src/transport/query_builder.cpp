// Query strings and path segments, percent-encoded for InvokeAI's FastAPI routes.
#include <charconv>

#include "core/ascii_case.h"
#include "ivk/transport/server_url.h"

namespace ivk {

std::string url_encode_query_value(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (detail::is_ascii_alpha(c) || detail::is_ascii_digit(c) || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    }
  }
  return out;
}

QueryBuilder& QueryBuilder::add(std::string_view key, std::string_view value) {
  text_ += text_.empty() ? '?' : '&';
  text_ += url_encode_query_value(key);
  text_ += '=';
  text_ += url_encode_query_value(value);
  return *this;
}

QueryBuilder& QueryBuilder::add_int(std::string_view key, std::int64_t value) {
  return add(key, std::to_string(value));
}

QueryBuilder& QueryBuilder::add_bool(std::string_view key, bool value) {
  return add(key, value ? "true" : "false");
}

QueryBuilder& QueryBuilder::add_list(std::string_view key, std::span<const std::string> values) {
  for (const auto& value : values) add(key, value);
  return *this;
}

QueryBuilder& QueryBuilder::add_optional(std::string_view key, const std::optional<std::string>& value) {
  if (value) add(key, *value);
  return *this;
}

}  // namespace ivk
