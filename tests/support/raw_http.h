#pragma once
// A tiny synchronous HTTP/1.1 client for tests (Boost.Beast): one request per connection to
// 127.0.0.1:port, no retries, no redirects. Independent of ivk's own transport, so tests of the
// emulator do not depend on the client they are meant to check.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ivk::test {

struct RawResponse {
  int status = 0;                                            // 0: the request failed (see error)
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased, in order
  std::string body;
  std::string error;  // connect/read failure text; empty on success

  [[nodiscard]] std::optional<std::string> header(std::string_view lowercase_name) const;
};

// Sends METHOD target (path and query, e.g. "/api/v1/app/version") with body and extra headers
// (a JSON content type is added when body is not empty and none is given). Never throws.
RawResponse raw_http(std::uint16_t port, std::string method, std::string target, std::string body = {},
                     std::vector<std::pair<std::string, std::string>> headers = {});

}  // namespace ivk::test
