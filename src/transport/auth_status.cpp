// Reading the body of GET /api/v1/auth/status.
#include "ivk/transport/auth_status.h"

#include <simdjson.h>

#include <exception>

namespace ivk {

Result<AuthStatus> parse_auth_status(std::string_view json) {
  try {
    simdjson::dom::parser parser;
    simdjson::dom::object root;
    if (parser.parse(json.data(), json.size()).get_object().get(root))
      return fail(ErrorCode::parse_error,
                  "the auth status response is not a JSON object (expected e.g. "
                  "{\"setup_required\":false,\"multiuser_enabled\":false})");
    AuthStatus status;
    auto flag = [&](const char* key, bool& out) {
      bool value = false;
      if (!root.at_key(key).get_bool().get(value)) out = value;
    };
    flag("setup_required", status.setup_required);
    flag("multiuser_enabled", status.multiuser_enabled);
    flag("strict_password_checking", status.strict_password_checking);
    std::string_view email;
    if (!root.at_key("admin_email").get_string().get(email)) status.admin_email = std::string(email);
    return status;
  } catch (const std::exception& e) {
    return fail(ErrorCode::internal, std::string("reading the auth status failed: ") + e.what());
  }
}

}  // namespace ivk
