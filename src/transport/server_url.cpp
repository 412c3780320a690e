// ServerUrl parsing and URL building; server configuration resolution (no network).
#include "ivk/transport/server_url.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <system_error>
#include "core/ascii_case.h"

namespace ivk {

namespace {

constexpr std::uint16_t kInvokeAiPort = 9090;
constexpr std::string_view kExample =
    "a good URL looks like http://127.0.0.1:9090, https://invoke.example.com or "
    "http://host:9090/proxy/invoke";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The URL as it may be shown in a message: user-info (which may hold a password) replaced by "***@".
std::string shown(std::string_view text) {
  const auto scheme_end = text.find("://");
  const std::size_t start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const auto auth_end = text.find_first_of("/?#", start);
  const auto authority = text.substr(start, auth_end == std::string_view::npos ? auth_end : auth_end - start);
  const auto at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(text);
  std::string out(text.substr(0, start));
  out += "***@";
  out += text.substr(start + at + 1);
  return out;
}

tl::unexpected<Error> bad_url(std::string_view text, std::string_view what) {
  std::string message = "invalid server URL \"" + shown(text) + "\": ";
  message += what;
  message += "; ";
  message += kExample;
  return fail(ErrorCode::invalid_argument, std::move(message));
}

bool valid_reg_name(std::string_view host) {
  return std::all_of(host.begin(), host.end(), [](char c) {
    return detail::is_ascii_alpha(c) || detail::is_ascii_digit(c) || c == '-' || c == '.' || c == '_';
  });
}

bool valid_ipv6(std::string_view host) {
  if (host.find(':') == std::string_view::npos) return false;
  return std::all_of(host.begin(), host.end(),
                     [](char c) { return detail::is_ascii_hex(c) || c == ':' || c == '.'; });
}

bool valid_path_char(char c) {
  // RFC 3986 pchar (unreserved, sub-delims, ':', '@', '%') plus '/'.
  if (detail::is_ascii_alpha(c) || detail::is_ascii_digit(c)) return true;
  return std::string_view("-._~!$&'()*+,;=:@%/").find(c) != std::string_view::npos;
}

// Joins prefix and path with exactly one '/' between them; path's own trailing slash is kept.
std::string join(std::string prefix, std::string_view path) {
  if (path.empty()) return prefix;
  while (path.size() > 1 && path[0] == '/' && path[1] == '/') path.remove_prefix(1);
  if (path.front() != '/') prefix += '/';
  prefix += path;
  return prefix;
}

}  // namespace

ServerUrl::ServerUrl() : scheme_("http"), host_("127.0.0.1"), port_(kInvokeAiPort) {}

Result<ServerUrl> ServerUrl::parse(std::string_view text) {
  const std::string_view input = trim(text);
  if (input.empty()) return bad_url(text, "it is empty");
  if (std::any_of(input.begin(), input.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
    return bad_url(input, "it contains a space or a control character");

  ServerUrl url;
  std::string_view rest = input;
  bool explicit_scheme = false;
  if (const auto sep = rest.find("://"); sep != std::string_view::npos) {
    const std::string scheme = detail::ascii_lower(rest.substr(0, sep));
    if (scheme.empty()) return bad_url(input, "the scheme before \"://\" is missing");
    if (scheme != "http" && scheme != "https")
      return bad_url(input, "the scheme must be http or https, not \"" + scheme + "\"");
    url.scheme_ = scheme;
    explicit_scheme = true;
    rest.remove_prefix(sep + 3);
  }
  if (rest.find('?') != std::string_view::npos)
    return bad_url(input, "a query (\"?...\") is not allowed in a server URL");
  if (rest.find('#') != std::string_view::npos)
    return bad_url(input, "a fragment (\"#...\") is not allowed in a server URL");

  const auto authority_end = rest.find('/');
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view path =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos)
    return bad_url(input,
                   "user names and passwords (\"user:pass@\") are not allowed in the URL; pass the token on "
                   "its own instead (a token option, or INVOKEAI_TOKEN)");
  if (authority.empty()) return bad_url(input, "the host name is missing");

  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad_url(input, "the IPv6 address has no closing ']'");
    host = authority.substr(1, close - 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return bad_url(input, "only \":port\" may follow an IPv6 address in brackets");
      port_text = after.substr(1);
      has_port = true;
    }
    if (!valid_ipv6(host)) return bad_url(input, "\"" + std::string(host) + "\" is not an IPv6 address");
  } else {
    const auto colons = std::count(authority.begin(), authority.end(), ':');
    if (colons > 1)
      return bad_url(input, "an IPv6 address must be written in brackets, e.g. http://[::1]:9090");
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
    }
    if (host.empty()) return bad_url(input, "the host name is missing");
    if (!valid_reg_name(host))
      return bad_url(input, "\"" + std::string(host) + "\" is not a valid host name");
  }
  if (has_port) {
    if (port_text.empty()) return bad_url(input, "the port after ':' is missing");
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() ||
        !std::all_of(port_text.begin(), port_text.end(), detail::is_ascii_digit))
      return bad_url(input, "the port \"" + std::string(port_text) + "\" is not a number");
    if (value < 1 || value > 65535)
      return bad_url(input, "the port " + std::string(port_text) + " is out of range (1-65535)");
    url.port_ = static_cast<std::uint16_t>(value);
  } else if (!explicit_scheme) {
    url.port_ = kInvokeAiPort;
  } else {
    url.port_ = url.scheme_ == "https" ? 443 : 80;
  }
  url.host_ = detail::ascii_lower(host);

  if (!std::all_of(path.begin(), path.end(), valid_path_char))
    return bad_url(input, "the path contains a character that must be percent-encoded");
  // Collapse repeated slashes and drop the trailing one: "/proxy//invoke/" -> "/proxy/invoke".
  std::string base;
  for (char c : path) {
    if (c == '/' && !base.empty() && base.back() == '/') continue;
    base += c;
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  for (std::size_t pos = 0; pos < base.size();) {
    const auto next = base.find('/', pos + 1);
    const auto segment =
        std::string_view(base).substr(pos + 1, next == std::string::npos ? next : next - pos - 1);
    if (segment == "." || segment == "..")
      return bad_url(input, R"(the path may not contain "." or ".." segments)");
    pos = next == std::string::npos ? base.size() : next;
  }
  // Python-client habit: a URL ending in the API prefix names the server, not a sub-path.
  for (std::string_view api : {"/api/v1", "/api/v2", "/api"}) {
    if (base.size() >= api.size() && std::string_view(base).substr(base.size() - api.size()) == api) {
      base.resize(base.size() - api.size());
      break;
    }
  }
  url.base_path_ = std::move(base);
  return url;
}

std::string ServerUrl::authority() const {
  std::string out = is_ipv6() ? "[" + host_ + "]" : host_;
  const bool default_port = (scheme_ == "http" && port_ == 80) || (scheme_ == "https" && port_ == 443);
  if (!default_port) out += ":" + std::to_string(port_);
  return out;
}

std::string ServerUrl::origin() const { return scheme_ + "://" + authority(); }
std::string ServerUrl::to_string() const { return origin() + base_path_; }
std::string ServerUrl::url(std::string_view path) const { return join(to_string(), path); }
std::string ServerUrl::v1(std::string_view path) const { return join(to_string() + "/api/v1", path); }
std::string ServerUrl::v2(std::string_view path) const { return join(to_string() + "/api/v2", path); }
std::string ServerUrl::socket_path() const { return base_path_ + "/ws/socket.io"; }

std::string ServerUrl::websocket_url() const {
  return (is_https() ? "wss://" : "ws://") + authority() + socket_path() + "/?EIO=4&transport=websocket";
}

}  // namespace ivk
