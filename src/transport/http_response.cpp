// Header lookup on an HTTP response. HTTP field names are case-insensitive (RFC 9110 §5.1), and
// servers and proxies do change their case (HTTP/2 lowercases everything), so callers must never
// compare them exactly.
#include <string_view>

#include "ivk/http.h"

namespace ivk {

namespace {

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

}  // namespace

std::optional<std::string_view> HttpResponse::header(std::string_view name) const {
  for (const auto& h : headers)
    if (equal_ignoring_case(h.name, name)) return std::string_view(h.value);
  return std::nullopt;
}

}  // namespace ivk
