#pragma once
// Whether a server is multi-user and set up (GET /api/v1/auth/status, InvokeAI 6.12 and later).
#include <optional>
#include <string>
#include <string_view>

#include "ivk/error.h"

namespace ivk {

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
