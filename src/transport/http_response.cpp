// Header lookup on an HTTP response. HTTP field names are case-insensitive (RFC 9110 section 5.1), and
// servers and proxies do change their case (HTTP/2 lowercases everything), so callers must never
// compare them exactly.
#include <string_view>

#include "core/ascii_case.h"
#include "ivk/transport/http.h"

namespace ivk {

std::optional<std::string_view> HttpResponse::header(std::string_view name) const {
  for (const auto& h : headers)
    if (detail::equals_ignoring_ascii_case(h.name, name)) return std::string_view(h.value);
  return std::nullopt;
}

}  // namespace ivk
