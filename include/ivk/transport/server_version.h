#pragma once
// The InvokeAI server version (GET /api/v1/app/version), compared release by release. Which release
// added or removed which route is listed in docs/server-versions.md.

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "ivk/error.h"

namespace ivk {

struct ServerVersion {
  // PEP 440 release phases in their order; a label ivk does not know sorts as `dev`.
  enum class Phase { dev, alpha, beta, rc, final, post };

  int major = 0;
  int minor = 0;
  int patch = 0;
  // The suffix as written, without its separator: "a1", "rc1", "alpha", "post1"; "" for a final release.
  std::string prerelease;
  Phase phase = Phase::final;
  int phase_number = 0;  // the 1 of "rc1"; 0 when absent

  // Lenient: "5.0.0", "v5.10.0a1", "6.9.0rc1", "6.13.0.rc1", "6.14.0-rc1", "6.14.0-alpha", "6.8.1.post1",
  // "6.8" (patch 0), "6.8.1+cu124" (local part ignored). Errors are parse_error.
  static Result<ServerVersion> parse(std::string_view text);
  // From the body of GET /api/v1/app/version: {"version": "6.13.8", "highlights": null}.
  static Result<ServerVersion> from_version_response(std::string_view json);

  // "6.14.0-rc1": major.minor.patch, then "-" + prerelease when there is one.
  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] bool is_prerelease() const noexcept { return phase < Phase::final; }

  // Release numbers only: a 6.12.0rc1 counts as 6.12.0, since pre-releases carry the new routes.
  [[nodiscard]] bool at_least(int want_major, int want_minor, int want_patch = 0) const noexcept;

  // ivk's baseline: InvokeAI 5.0 and later.
  [[nodiscard]] bool is_supported() const noexcept { return at_least(5, 0); }
  // Gates for the routes ivk calls only on the servers that have them (docs/server-versions.md).
  [[nodiscard]] bool has_runtime_config() const noexcept { return at_least(5, 9); }  // the queue limit

  friend std::strong_ordering operator<=>(const ServerVersion& a, const ServerVersion& b) noexcept;
  // Equal when major, minor, patch, phase and phase_number are: "6.14.0rc1" == "6.14.0-rc1".
  friend bool operator==(const ServerVersion& a, const ServerVersion& b) noexcept;
};

}  // namespace ivk
