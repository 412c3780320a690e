#pragma once
// Where an InvokeAI server lives, and how every request URL is built from that.
//
// ServerUrl::parse accepts what people type (see docs/adr/0005-server-urls-and-retries.md):
//   localhost            -> http://localhost:9090   (no scheme and no port: InvokeAI's default port)
//   localhost:9090       -> http://localhost:9090   (no scheme: http)
//   https://host         -> https://host            (scheme without port: 443, or 80 for http)
//   [::1]:9090, http://[::1]      IPv6 literals, kept in brackets in every URL
//   http://host/proxy/invoke/     a reverse-proxy sub-path; the trailing slash is dropped
// The sub-path prefixes v1, v2 and the Socket.IO path alike (the Python client forgets it for v2
// and the socket). User-info, queries and fragments are rejected.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ivk/error.h"

namespace ivk {

class ServerUrl {
 public:
  // http://127.0.0.1:9090, InvokeAI's default bind address.
  ServerUrl();

  // Errors are ErrorCode::invalid_argument with a message that says what is wrong and shows a good URL.
  static Result<ServerUrl> parse(std::string_view text);

  [[nodiscard]] const std::string& scheme() const noexcept { return scheme_; }  // "http" or "https"
  [[nodiscard]] const std::string& host() const noexcept { return host_; }      // lowercase, no brackets
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  // "" or a sub-path such as "/proxy/invoke" (starts with '/', never ends with '/').
  [[nodiscard]] const std::string& base_path() const noexcept { return base_path_; }
  [[nodiscard]] bool is_https() const noexcept { return scheme_ == "https"; }
  [[nodiscard]] bool is_ipv6() const noexcept { return host_.find(':') != std::string::npos; }

  // "http://[::1]:9090"; the port is left out when it is the scheme's default (80, 443).
  [[nodiscard]] std::string origin() const;
  // "[::1]:9090" or "host": the value of a Host header.
  [[nodiscard]] std::string authority() const;
  // origin + base_path + "/api/v1" + path. The path is joined exactly: one '/' between the parts,
  // a caller's trailing slash kept ("/boards/" stays "/boards/": trailing slashes matter on InvokeAI).
  [[nodiscard]] std::string v1(std::string_view path = {}) const;
  // origin + base_path + "/api/v2" + path (model manager, custom nodes).
  [[nodiscard]] std::string v2(std::string_view path = {}) const;
  // origin + base_path + path, for routes outside /api (e.g. "/openapi.json").
  [[nodiscard]] std::string url(std::string_view path) const;
  // base_path + "/ws/socket.io": the Socket.IO path on the server.
  [[nodiscard]] std::string socket_path() const;
  // "ws://host:9090/proxy/ws/socket.io/?EIO=4&transport=websocket" (wss:// for https).
  [[nodiscard]] std::string websocket_url() const;
  // origin + base_path, the canonical form: parse(to_string()) gives an equal ServerUrl.
  [[nodiscard]] std::string to_string() const;

  friend bool operator==(const ServerUrl&, const ServerUrl&) = default;

 private:
  std::string scheme_;
  std::string host_;
  std::uint16_t port_ = 0;
  std::string base_path_;
};

// Percent-encodes everything except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~).
// A space becomes %20. Suitable for query keys and values and for one path segment (an id).
std::string url_encode_query_value(std::string_view value);
inline std::string url_encode_path_segment(std::string_view segment) {
  return url_encode_query_value(segment);
}

// Builds "?k=v&k2=v2" with every key and value encoded; list parameters repeat their key
// (?base_models=sdxl&base_models=sd-1), as FastAPI expects. str() is "" when nothing was added.
class QueryBuilder {
 public:
  QueryBuilder& add(std::string_view key, std::string_view value);
  QueryBuilder& add_int(std::string_view key, std::int64_t value);
  QueryBuilder& add_bool(std::string_view key, bool value);  // "true" / "false"
  QueryBuilder& add_list(std::string_view key, std::span<const std::string> values);
  QueryBuilder& add_optional(std::string_view key, const std::optional<std::string>& value);
  [[nodiscard]] const std::string& str() const noexcept { return text_; }
  [[nodiscard]] bool empty() const noexcept { return text_.empty(); }

 private:
  std::string text_;
};

// Where a setting came from, for `ivk config` style reports and error messages.
enum class ConfigSource { flag, environment, config_file, default_value };
std::string_view to_string(ConfigSource source) noexcept;

struct ServerConfig {
  ServerUrl url;
  // Bearer token for multi-user servers; never printed (use redacted()).
  std::optional<std::string> token;
  ConfigSource url_source = ConfigSource::default_value;
  ConfigSource token_source = ConfigSource::default_value;

  // "http://127.0.0.1:9090 (default), token: <redacted> (environment)": safe to log.
  [[nodiscard]] std::string redacted() const;
};

// "<redacted>" for a present token, "<none>" when there is none: never any character of the token.
std::string redacted_token(const std::optional<std::string>& token);

}  // namespace ivk
