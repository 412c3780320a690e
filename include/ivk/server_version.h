#pragma once
// The InvokeAI server version (GET /api/v1/app/version) and the routes each version has
// (spec/invokeai-api.md §13), plus the auth status (GET /api/v1/auth/status, since 6.12).

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

  // Feature gates (spec §13).
  [[nodiscard]] bool is_supported() const noexcept { return at_least(5, 0); }          // ivk's baseline
  [[nodiscard]] bool has_enqueue_item_ids() const noexcept { return at_least(5, 7); }  // + retry_items_by_id
  [[nodiscard]] bool has_runtime_config() const noexcept { return at_least(5, 9); }
  [[nodiscard]] bool has_list_all() const noexcept { return at_least(6, 0); }        // queue list_all
  [[nodiscard]] bool has_image_names() const noexcept { return at_least(6, 0); }     // images/names
  [[nodiscard]] bool has_cursor_list() const noexcept { return !at_least(6, 7); }    // queue list (cursor)
  [[nodiscard]] bool has_item_ids_route() const noexcept { return at_least(6, 7); }  // item_ids, items_by_ids
  [[nodiscard]] bool has_app_config() const noexcept { return !at_least(6, 9); }     // GET /app/config
  [[nodiscard]] bool has_patchmatch_status() const noexcept { return at_least(6, 9); }
  [[nodiscard]] bool has_new_model_configs() const noexcept { return at_least(6, 9); }  // config refactor
  [[nodiscard]] bool has_workflow_tags() const noexcept { return at_least(6, 10); }
  [[nodiscard]] bool has_bulk_model_delete() const noexcept { return at_least(6, 10); }
  [[nodiscard]] bool supports_multiuser() const noexcept { return at_least(6, 12); }  // /api/v1/auth/*
  [[nodiscard]] bool has_missing_models_route() const noexcept { return at_least(6, 12); }
  [[nodiscard]] bool has_refreshed_token() const noexcept { return at_least(6, 13); }  // X-Refreshed-Token
  [[nodiscard]] bool supports_connector_nodes() const noexcept { return at_least(6, 13); }  // workflow 4.0.0
  [[nodiscard]] bool has_download_queue() const noexcept { return !at_least(6, 13, 8); }
  [[nodiscard]] bool has_item_summaries() const noexcept { return at_least(6, 14); }
  // Server-side base_url sub-path (the socket path included); older servers need a proxy to strip it.
  [[nodiscard]] bool supports_base_url() const noexcept { return at_least(6, 14); }

  friend std::strong_ordering operator<=>(const ServerVersion& a, const ServerVersion& b) noexcept;
  // Equal when major, minor, patch, phase and phase_number are: "6.14.0rc1" == "6.14.0-rc1".
  friend bool operator==(const ServerVersion& a, const ServerVersion& b) noexcept;
};

// GET /api/v1/auth/status (6.12+; 404 on older servers, which are single-user).
struct AuthStatus {
  bool setup_required = false;
  bool multiuser_enabled = false;
  bool strict_password_checking = false;
  std::optional<std::string> admin_email;
};

// Missing keys take the defaults above; a body that is not a JSON object is a parse_error.
Result<AuthStatus> parse_auth_status(std::string_view json);

}  // namespace ivk
