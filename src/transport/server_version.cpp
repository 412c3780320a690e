// Lenient server version parsing (PEP 440 and semver mixed).
#include "ivk/transport/server_version.h"

#include <simdjson.h>

#include <charconv>
#include <exception>
#include <tuple>
#include "core/ascii_case.h"

namespace ivk {

namespace {

// Reads a run of digits into out; false when there are none or the number overflows int.
bool read_number(std::string_view& s, int& out) {
  std::size_t n = 0;
  while (n < s.size() && detail::is_ascii_digit(s[n])) ++n;
  if (n == 0) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + n, out);
  if (ec != std::errc{}) return false;
  s.remove_prefix(n);
  return true;
}

ServerVersion::Phase phase_of(std::string_view label) {
  std::string l(label);
  for (auto& c : l) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  using P = ServerVersion::Phase;
  if (l == "a" || l == "alpha") return P::alpha;
  if (l == "b" || l == "beta") return P::beta;
  if (l == "rc" || l == "c" || l == "pre" || l == "preview") return P::rc;
  if (l == "post" || l == "rev" || l == "r") return P::post;
  return P::dev;  // "dev" and anything unknown: below every other phase of the same release
}

tl::unexpected<Error> bad_version(std::string_view text, std::string_view what) {
  return fail(ErrorCode::parse_error, "cannot read the server version \"" + std::string(text) + "\": " +
                                          std::string(what) + " (expected e.g. 6.13.8 or 6.14.0rc1)");
}

}  // namespace

Result<ServerVersion> ServerVersion::parse(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  if (!s.empty() && (s.front() == 'v' || s.front() == 'V')) s.remove_prefix(1);
  if (const auto plus = s.find('+'); plus != std::string_view::npos) s = s.substr(0, plus);  // local part

  ServerVersion v;
  if (!read_number(s, v.major)) return bad_version(text, "it does not start with a number");
  if (s.empty() || s.front() != '.') return bad_version(text, "it has no minor version");
  s.remove_prefix(1);
  if (!read_number(s, v.minor)) return bad_version(text, "the minor version is not a number");
  if (!s.empty() && s.front() == '.' && s.size() > 1 && detail::is_ascii_digit(s[1])) {
    s.remove_prefix(1);
    if (!read_number(s, v.patch)) return bad_version(text, "the patch version is not a number");
    // Further release numbers ("6.8.1.2") do not change any route: skip them.
    while (s.size() > 1 && s.front() == '.' && detail::is_ascii_digit(s[1])) {
      int ignored = 0;
      s.remove_prefix(1);
      if (!read_number(s, ignored)) return bad_version(text, "a release number is too large");
    }
  }
  if (s.empty()) return v;

  if (s.front() == '.' || s.front() == '-' || s.front() == '_') s.remove_prefix(1);
  v.prerelease = std::string(s);
  std::size_t n = 0;
  while (n < s.size() && detail::is_ascii_alpha(s[n])) ++n;
  if (n == 0) return bad_version(text, "the suffix \"" + std::string(s) + "\" does not start with a label");
  v.phase = phase_of(s.substr(0, n));
  s.remove_prefix(n);
  if (!s.empty() && (s.front() == '.' || s.front() == '-' || s.front() == '_') && s.size() > 1 &&
      detail::is_ascii_digit(s[1]))
    s.remove_prefix(1);
  if (!s.empty() && detail::is_ascii_digit(s.front()) && !read_number(s, v.phase_number))
    return bad_version(text, "the suffix number is too large");
  // Anything after that ("6.8.1.post1.dev0") is kept in `prerelease` but does not affect ordering.
  return v;
}

Result<ServerVersion> ServerVersion::from_version_response(std::string_view json) {
  try {
    simdjson::dom::parser parser;
    std::string_view text;
    if (parser.parse(json.data(), json.size()).at_key("version").get_string().get(text))
      return fail(ErrorCode::parse_error,
                  "the version response is not a JSON object with a \"version\" string (expected e.g. "
                  "{\"version\":\"6.13.8\"}); is this an InvokeAI server?");
    return parse(text);
  } catch (const std::exception& e) {
    return fail(ErrorCode::internal, std::string("reading the version response failed: ") + e.what());
  }
}

std::string ServerVersion::to_string() const {
  std::string out = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  if (!prerelease.empty()) out += "-" + prerelease;
  return out;
}

bool ServerVersion::at_least(int want_major, int want_minor, int want_patch) const noexcept {
  return std::tie(major, minor, patch) >= std::tie(want_major, want_minor, want_patch);
}

std::strong_ordering operator<=>(const ServerVersion& a, const ServerVersion& b) noexcept {
  return std::tie(a.major, a.minor, a.patch, a.phase, a.phase_number) <=>
         std::tie(b.major, b.minor, b.patch, b.phase, b.phase_number);
}

bool operator==(const ServerVersion& a, const ServerVersion& b) noexcept { return std::is_eq(a <=> b); }

}  // namespace ivk
