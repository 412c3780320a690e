#include "server_options.h"

#include <cstdlib>
#include <map>

#include "common.h"
#include "ivk/models_api.h"

namespace ivk::cli {
namespace {

// The environment variables the configuration reads (resolve_server_config takes a map so that
// the library never reads the process environment itself).
std::map<std::string, std::string> server_environment() {
  std::map<std::string, std::string> env;
  for (const char* name : {"INVOKEAI_URL", "INVOKEAI_TOKEN", "XDG_CONFIG_HOME", "HOME"})
    if (const char* value = std::getenv(name); value != nullptr) env[name] = value;
  return env;
}

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

void add_server_options(CLI::App* sub, ServerOptions& opts, const std::string& token_flag) {
  opts.url_option =
      sub->add_option("--server", opts.url,
                      "InvokeAI server URL (default: $INVOKEAI_URL, else http://127.0.0.1:9090)")
          ->type_name("URL");
  opts.token_option = sub->add_option(token_flag, opts.token,
                                      "Bearer token for a multi-user server (default: $INVOKEAI_TOKEN; "
                                      "without one, $INVOKEAI_EMAIL and $INVOKEAI_PASSWORD log in)")
                          ->type_name("T");
  sub->add_flag("--insecure", opts.insecure,
                "Do not check the server's TLS certificate (an https server with a self-signed one)");
}

Result<std::unique_ptr<ServerSession>> open_session(const ServerOptions& opts) {
  const auto env = server_environment();
  std::optional<std::string> flag_url;
  if (opts.url_given()) flag_url = opts.url;
  std::optional<std::string> flag_token;
  if (opts.token_option != nullptr && opts.token_option->count() > 0) flag_token = opts.token;
  auto config = resolve_server_config(flag_url, flag_token, env, default_config_path(env));
  if (!config) {
    // The library names the flag generically; on this command line it is --server.
    Error e = config.error();
    if (e.source == "--url") e.source = "--server";
    return tl::unexpected(e);
  }
  const bool has_token = config->token.has_value();
  SessionOptions session_options;
  session_options.transport.verify_tls = !opts.insecure;
  auto session = std::make_unique<ServerSession>(std::move(*config), std::move(session_options));
  const std::string email = env_or_empty("INVOKEAI_EMAIL");
  const std::string password = env_or_empty("INVOKEAI_PASSWORD");
  if (!has_token && !email.empty() && !password.empty()) {
    // Only multi-user servers (6.12+) have accounts; a 404 here means a single-user server.
    auto status = session->auth_status();
    if (!status) return tl::unexpected(status.error());
    if (*status && (*status)->multiuser_enabled)
      if (auto s = session->login(email, password); !s) return tl::unexpected(s.error());
  }
  return session;
}

EventStreamOptions event_stream_options(const ServerOptions& opts, ServerSession& session) {
  EventStreamOptions out;
  out.token = [s = &session] { return s->token(); };
  out.verify_tls = !opts.insecure;
  return out;
}

bool models_source_conflict(const std::string& models_file, const ServerOptions& opts) {
  return !models_file.empty() && opts.url_given();
}

Result<ModelCatalog> load_catalog(const std::string& models_file, const ServerOptions& opts) {
  if (!models_file.empty()) return load_model_catalog(models_file);
  auto session = open_session(opts);
  if (!session) return tl::unexpected(session.error());
  ModelsApi api(**session);
  auto records = api.list();
  if (!records) return tl::unexpected(records.error());
  return ModelCatalog(std::move(*records));
}

}  // namespace ivk::cli
