// The ServerSession calls every client makes before anything else (GET /api/v1/app/version, then
// /api/v1/auth): the server version, whether it is multi-user, and logging in; and the app's runtime
// configuration (its limits, such as max_queue_size).
#include <simdjson.h>

#include <exception>

#include "ivk/json_text.h"
#include "ivk/transport/server_session.h"
#include "transport/secret_redaction.h"

namespace ivk {

Result<ServerVersion> ServerSession::version() {
  auto body = get(ApiRoot::v1, "/app/version");
  if (!body) return tl::unexpected(std::move(body.error()));
  auto parsed = ServerVersion::from_version_response(*body);
  if (!parsed) {
    parsed.error().where = "GET " + config_.url.v1("/app/version").substr(config_.url.origin().size());
    return tl::unexpected(std::move(parsed.error()));
  }
  return parsed;
}

Result<std::string> ServerSession::runtime_config() { return get(ApiRoot::v1, "/app/runtime_config"); }

Result<std::optional<AuthStatus>> ServerSession::auth_status() {
  auto body = get(ApiRoot::v1, "/auth/status");
  if (!body) {
    // Servers before 6.12 have no auth routes; their static UI mount answers 404 for the path.
    if (body.error().http_status == 404) return std::optional<AuthStatus>{};
    return tl::unexpected(std::move(body.error()));
  }
  auto status = parse_auth_status(*body);
  if (!status) return tl::unexpected(std::move(status.error()));
  return std::optional<AuthStatus>(std::move(*status));
}

Status ServerSession::login(std::string_view email, std::string_view password, bool remember_me) {
  JsonBuilder json;
  json.begin_object()
      .key("email")
      .string(email)
      .key("password")
      .string(password)
      .key("remember_me")
      .boolean(remember_me)
      .end_object();
  // A login is never retried: a second attempt after a lost answer could count as a failed login.
  auto answer = send_json("POST", ApiRoot::v1, "/auth/login", json.str(), {}, Idempotency::not_idempotent);
  if (!answer) {
    Error e = std::move(answer.error());
    redact_secret(e, password);  // a 422 echoes the submitted values back as "input"
    if (e.http_status == 401)
      e.message = "the server refused the login: check the email and password";
    else if (e.http_status == 403)
      e.message =
          "the server refused the login: the account may be disabled, or the server runs in single-user "
          "mode (then no login is needed)";
    return tl::unexpected(std::move(e));
  }
  try {
    simdjson::dom::parser parser;
    std::string_view token;
    if (parser.parse(answer->data(), answer->size()).at_key("token").get_string().get(token) || token.empty())
      return fail(ErrorCode::parse_error,
                  "the login answer has no token (expected {\"token\": \"...\"}); is this an InvokeAI 6.12+ "
                  "server?",
                  "POST " + config_.url.v1("/auth/login").substr(config_.url.origin().size()));
    set_token(std::string(token));
    return {};
  } catch (const std::exception& e) {
    return fail(ErrorCode::internal, std::string("reading the login answer failed: ") + e.what());
  }
}

}  // namespace ivk
