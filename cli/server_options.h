#pragma once
// --server, --token and --insecure for every subcommand that talks to a server, and building the
// Client (or a bare ServerSession, and the event stream options) from them: flag > INVOKEAI_URL /
// INVOKEAI_TOKEN > config file > http://127.0.0.1:9090.
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "ivk/client.h"
#include "ivk/error.h"
#include "ivk/events/event_stream.h"
#include "ivk/models/model_record.h"
#include "ivk/transport/server_session.h"

namespace ivk::cli {

struct ServerOptions {
  std::string url;
  std::string token;
  bool insecure = false;  // --insecure: no TLS certificate check (self-signed https servers)
  CLI::Option* url_option = nullptr;
  CLI::Option* token_option = nullptr;

  [[nodiscard]] bool url_given() const { return url_option != nullptr && url_option->count() > 0; }
};

// Adds `--server URL`, `--insecure` and the bearer-token option (named token_flag: "--token" except
// where a subcommand needs --token for something else) to sub.
void add_server_options(CLI::App* sub, ServerOptions& opts, const std::string& token_flag = "--token");

// The Client options of this command line: the flags over the process environment.
ClientOptions client_options(const ServerOptions& opts);

// Resolves the configuration and opens a session. On a multi-user server, when no token is
// configured and INVOKEAI_EMAIL and INVOKEAI_PASSWORD are set, logs in first.
Result<std::unique_ptr<ServerSession>> open_session(const ServerOptions& opts);

// Like open_session, then checks that the server answers (Client::connect): the session, the API
// classes and the event socket (which follows the session's token and --insecure) in one object.
Result<std::unique_ptr<Client>> open_client(const ServerOptions& opts);

// Event stream options that follow the session: its current token (refreshed ones too) and the TLS
// check of --insecure. The session must outlive the stream.
EventStreamOptions event_stream_options(const ServerOptions& opts, ServerSession& session);

// The model catalog from a saved GET /api/v2/models/ body (models_file non-empty) or else from the
// server. Giving both --models and --server is a usage error (ErrorCode::invalid_argument whose
// message callers print with usage_error; see models_source_conflict).
Result<ModelCatalog> load_catalog(const std::string& models_file, const ServerOptions& opts);

// True when the command line names both a file (--models) and a server (--server).
bool models_source_conflict(const std::string& models_file, const ServerOptions& opts);

}  // namespace ivk::cli
