// ClientOptions from the process environment, and the configuration + login half of Client::connect:
// everything that turns options into a ready ServerSession.
#include <cstdlib>
#include <exception>

#include "ivk/client.h"
#include "ivk/client/server_config.h"

namespace ivk {
namespace {

constexpr const char* kEnvironmentNames[] = {"INVOKEAI_URL",      "INVOKEAI_TOKEN",  "INVOKEAI_EMAIL",
                                             "INVOKEAI_PASSWORD", "XDG_CONFIG_HOME", "HOME"};

// An option, else the environment's value; empty values count as unset (like resolve_server_config).
std::string option_or_environment(const std::optional<std::string>& option,
                                  const std::map<std::string, std::string>& env, const std::string& name) {
  if (option) return *option;
  auto it = env.find(name);
  return it == env.end() ? std::string() : it->second;
}

}  // namespace

ClientOptions ClientOptions::from_environment() {
  ClientOptions options;
  for (const char* name : kEnvironmentNames)
    if (const char* value = std::getenv(name); value != nullptr) options.environment[name] = value;
  return options;
}

Result<std::unique_ptr<ServerSession>> open_server_session(const ClientOptions& options) {
  try {
    auto config = resolve_server_config(options.url, options.token, options.environment,
                                        default_config_path(options.environment));
    if (!config) return tl::unexpected(std::move(config.error()));
    const bool has_token = config->token.has_value();
    SessionOptions session_options = options.session;
    session_options.transport.verify_tls = options.verify_tls;
    auto session = std::make_unique<ServerSession>(std::move(*config), std::move(session_options));

    const std::string email = option_or_environment(options.email, options.environment, "INVOKEAI_EMAIL");
    const std::string password =
        option_or_environment(options.password, options.environment, "INVOKEAI_PASSWORD");
    if (!has_token && !email.empty() && !password.empty()) {
      // Only multi-user servers (6.12+) have accounts; a 404 here means a single-user server.
      auto status = session->auth_status();
      if (!status) return tl::unexpected(std::move(status.error()));
      if (*status && (*status)->multiuser_enabled)
        if (auto s = session->login(email, password); !s) return tl::unexpected(std::move(s.error()));
    }
    return session;
  } catch (const std::exception& e) {  // std::bad_alloc
    return fail(ErrorCode::internal, std::string("opening the server session failed: ") + e.what());
  }
}

}  // namespace ivk
