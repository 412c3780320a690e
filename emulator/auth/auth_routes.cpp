// /api/v1/auth routes. The CurrentUser-guarded ones are registered as public and check
// their caller themselves: the router's Access carries the CurrentUserOrDefault wording, and these
// routes answer with CurrentUser's (and require a token even in single-user mode).
#include <array>
#include <stdexcept>

#include <openssl/rand.h>

#include "auth/auth.h"
#include "http/fastapi_errors.h"

namespace ivk::emu {
namespace {

constexpr std::string_view kMultiuserDisabled =
    "Multiuser mode is disabled. Authentication is not required in single-user mode.";

// A CurrentUser / AdminUser check inside a handler: the error answer, or nullopt and the user.
std::optional<Response> require(const Auth& auth, const Request& req, Access access, User* user = nullptr) {
  auto outcome = auth.authenticate(req, access, AuthFlavor::current_user);
  if (outcome.error) return std::move(outcome.error);
  if (user != nullptr && outcome.user) *user = *outcome.user;
  return std::nullopt;
}

Response json_response(int status, const Json& body) {
  return Response::json(status, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

std::string random_password() {
  // Letters and digits only, so the password survives shells and URLs unquoted.
  constexpr std::string_view kChars = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  std::array<unsigned char, 16> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1)
    throw std::runtime_error("RAND_bytes failed");
  std::string out;
  for (unsigned char b : random) out += kChars[b % kChars.size()];
  return out;
}

}  // namespace

void add_auth_routes(Router& router, Auth& auth) {
  const std::string base = "/api/v1/auth";

  router.add("GET", base + "/status", Access::public_route, [&auth](const Request&) {
    Json body = Json::object();
    body["setup_required"] = auth.multiuser() && !auth.has_admin();
    body["multiuser_enabled"] = auth.multiuser();
    body["strict_password_checking"] = false;
    const auto admin = auth.multiuser() ? auth.admin_email() : std::nullopt;
    body["admin_email"] = admin ? Json(*admin) : Json(nullptr);
    return json_response(200, body);
  });

  router.add("POST", base + "/login", Access::public_route, [&auth](const Request& req) {
    Validation v;
    auto body = v.json_object_body(req);
    std::optional<std::string> email;
    std::optional<std::string> password;
    if (body) {
      email = v.field_string(*body, "email", Json::array({"body", "email"}));
      password = v.field_string(*body, "password", Json::array({"body", "password"}));
    }
    const auto remember =
        body ? v.field_bool(*body, "remember_me", Json::array({"body", "remember_me"}), false)
             : std::optional<bool>(false);
    if (!v.ok()) return v.response();
    if (!auth.multiuser()) return Response::detail(403, kMultiuserDisabled);
    UserRecord user;
    switch (auth.login(*email, *password, user)) {
      case Auth::LoginResult::bad_credentials: return Response::detail(401, "Incorrect email or password");
      case Auth::LoginResult::disabled: return Response::detail(403, "User account is disabled");
      case Auth::LoginResult::ok: break;
    }
    const bool remember_me = remember.value_or(false);
    Json out = Json::object();
    out["token"] = auth.issue_token(user, remember_me);
    out["user"] = Auth::user_dto(user);
    out["expires_in"] = Auth::lifetime_seconds(remember_me);
    return json_response(200, out);
  });

  router.add("POST", base + "/logout", Access::public_route, [&auth](const Request& req) {
    if (auto error = require(auth, req, Access::user)) return *error;
    // Stateless JWTs: nothing to revoke; the real server only clears its media cookie.
    return json_response(200, Json{{"success", true}});
  });

  router.add("GET", base + "/me", Access::public_route, [&auth](const Request& req) {
    User user;
    if (auto error = require(auth, req, Access::user, &user)) return *error;
    const auto record = auth.find_user(user.user_id);
    if (!record) return Response::detail(401, "User account is inactive or does not exist");
    return json_response(200, Auth::user_dto(*record));
  });

  router.add("POST", base + "/setup", Access::public_route, [&auth](const Request& req) {
    Validation v;
    auto body = v.json_object_body(req);
    std::optional<std::string> email;
    std::optional<std::string> display_name;
    std::optional<std::string> password;
    if (body) {
      email = v.field_string(*body, "email", Json::array({"body", "email"}));
      display_name = v.field_string(*body, "display_name", Json::array({"body", "display_name"}), false);
      password = v.field_string(*body, "password", Json::array({"body", "password"}));
    }
    if (!v.ok()) return v.response();
    if (!auth.multiuser()) return Response::detail(403, kMultiuserDisabled);
    if (auth.has_admin()) return Response::detail(400, "Administrator account already configured");
    EmulatorUser admin;
    admin.email = *email;
    admin.password = *password;
    admin.display_name = display_name.value_or("");
    admin.is_admin = true;
    auto created = auth.add_user(admin);
    if (!created) return Response::detail(400, "A user with this email already exists");
    Json out = Json::object();
    out["success"] = true;
    out["user"] = Auth::user_dto(*created);
    return json_response(200, out);
  });

  router.add("GET", base + "/generate-password", Access::public_route, [&auth](const Request& req) {
    if (auto error = require(auth, req, Access::user)) return *error;
    return json_response(200, Json{{"password", random_password()}});
  });

  router.add("GET", base + "/users", Access::public_route, [&auth](const Request& req) {
    if (auto error = require(auth, req, Access::admin)) return *error;
    Json out = Json::array();
    for (const auto& u : auth.users()) out.push_back(Auth::user_dto(u));  // "system" is never stored
    return json_response(200, out);
  });

  router.add("POST", base + "/users", Access::public_route, [&auth](const Request& req) {
    if (auto error = require(auth, req, Access::admin)) return *error;
    Validation v;
    auto body = v.json_object_body(req);
    std::optional<std::string> email;
    std::optional<std::string> display_name;
    std::optional<std::string> password;
    std::optional<bool> is_admin;
    if (body) {
      email = v.field_string(*body, "email", Json::array({"body", "email"}));
      display_name = v.field_string(*body, "display_name", Json::array({"body", "display_name"}), false);
      password = v.field_string(*body, "password", Json::array({"body", "password"}));
      is_admin = v.field_bool(*body, "is_admin", Json::array({"body", "is_admin"}), false);
    }
    if (!v.ok()) return v.response();
    EmulatorUser user;
    user.email = *email;
    user.password = *password;
    user.display_name = display_name.value_or("");
    user.is_admin = is_admin.value_or(false);
    auto created = auth.add_user(user);
    if (!created) return Response::detail(400, "A user with this email already exists");
    return json_response(201, Auth::user_dto(*created));
  });

  router.add("GET", base + "/users/{user_id}", Access::public_route, [&auth](const Request& req) {
    if (auto error = require(auth, req, Access::admin)) return *error;
    const auto user = auth.find_user(req.params.at("user_id"));
    if (!user) return Response::detail(404, "User not found");
    return json_response(200, Auth::user_dto(*user));
  });
}

}  // namespace ivk::emu
