#pragma once
// The front door of the library: one object that owns the conversation with an InvokeAI server (the
// ServerSession), the typed API classes on top of it and the one shared event socket, so that a user
// needs neither to wire eight objects together nor to remember to hand the socket the session's token.
//
//   auto client = ivk::Client::connect("http://127.0.0.1:9090");
//   if (!client) return client.error();
//   auto status = (*client)->queue().status();
//   auto events = (*client)->events();               // the socket opens on first use
//
// Nothing here throws or prints.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ivk/error.h"
#include "ivk/events/event_stream.h"
#include "ivk/transport/server_session.h"
#include "ivk/transport/server_url.h"
#include "ivk/transport/server_version.h"

namespace ivk {

class QueueApi;
class ImagesApi;
class BoardsApi;
class ModelsApi;
class UtilitiesApi;
class WorkflowsApi;

// InvokeAI's default GET /app/runtime_config config.max_queue_size.
inline constexpr std::int64_t kDefaultMaxQueueSize = 10000;

struct ClientOptions {
  // nullopt: INVOKEAI_URL from `environment`, else the config file, else http://127.0.0.1:9090
  // (resolve_server_config's precedence, this member taking the flag's place).
  std::optional<std::string> url;
  // nullopt: INVOKEAI_TOKEN from `environment`, else the config file. An empty string means "no token"
  // and hides both.
  std::optional<std::string> token;
  // Multi-user login, done by connect() when no token is configured and the server is multi-user.
  // nullopt: INVOKEAI_EMAIL / INVOKEAI_PASSWORD from `environment`.
  std::optional<std::string> email, password;
  // The variables the configuration reads: INVOKEAI_URL, INVOKEAI_TOKEN, INVOKEAI_EMAIL,
  // INVOKEAI_PASSWORD, XDG_CONFIG_HOME, HOME (the config file's place). The library never reads the
  // process environment by itself: from_environment() is the explicit opt-in.
  std::map<std::string, std::string> environment;
  // Checks https certificates, for REST and the event socket alike. Wins over
  // session.transport.verify_tls.
  bool verify_tls = true;
  bool events = true;  // false: events() never opens the socket (polling only)
  EventTransport event_transport = EventTransport::automatic;
  std::string queue_id = "default";  // queue() talks to it; the event socket subscribes to it
  SessionOptions session;            // retries, transport timeouts

  // Default options whose `environment` holds the process environment's variables listed above.
  static ClientOptions from_environment();
};

class Client {
 public:
  // Resolves the configuration, checks that the server answers (GET /api/v1/app/version, kept for
  // version()) and logs in when an email and a password are given, no token is configured and the
  // server is multi-user. Errors: invalid_argument (a bad URL or token, `source` naming where it came
  // from: "ClientOptions::url", "INVOKEAI_URL" or the config file), io / parse_error (config file),
  // transport / timeout (no answer), http / parse_error (not an InvokeAI server), auth (login refused).
  static Result<std::unique_ptr<Client>> connect(ClientOptions options = ClientOptions::from_environment());
  // ClientOptions::from_environment() with this URL: the token and login still come from the
  // environment or the config file.
  static Result<std::unique_ptr<Client>> connect(std::string_view url);

  ~Client();  // closes the event socket
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // All share the one session (and its token); valid as long as the Client.
  ServerSession& session();
  QueueApi& queue();  // ClientOptions::queue_id
  ImagesApi& images();
  BoardsApi& boards();
  ModelsApi& models();
  UtilitiesApi& utilities();
  WorkflowsApi& workflows();

  // The one shared event socket, connected and subscribed to queue_id on the first call that succeeds,
  // with the session's current token (refreshed ones too) and the TLS setting; later calls return the
  // same stream. Errors: invalid_argument when events are off, else EventStream::connect's (a failed
  // connect is tried again by the next call). Thread-safe; the stream lives as long as the Client.
  Result<EventStream*> events();

  // The server version: asked once by connect(), then cached.
  Result<ServerVersion> version();

  // GET /api/v1/app/runtime_config -> config.max_queue_size. kDefaultMaxQueueSize (InvokeAI's
  // default) when the server predates the route (before 5.9, or it answers 404), forbids it (403: a
  // non-admin on a multi-user server) or the field is absent. Cached once known; errors are not.
  Result<std::int64_t> max_queue_size();

  [[nodiscard]] const ServerUrl& url() const;

 private:
  struct Impl;  // opaque
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The configuration and login half of Client::connect, for code that wants only a ServerSession:
// resolves the URL and token, makes the session (ClientOptions::session, verify_tls) and logs in as
// connect() does. Asks nothing else of the server; the errors are connect()'s.
Result<std::unique_ptr<ServerSession>> open_server_session(const ClientOptions& options);

}  // namespace ivk
