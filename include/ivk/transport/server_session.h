#pragma once
// A conversation with one InvokeAI server: URL building, the bearer token (and its sliding refresh
// through X-Refreshed-Token), retries of idempotent requests, and turning error statuses into
// ivk::Error. Every API class (ModelsApi, ...) sends through a ServerSession.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "ivk/error.h"
#include "ivk/transport/auth_status.h"
#include "ivk/transport/http.h"
#include "ivk/transport/retry_policy.h"
#include "ivk/transport/server_url.h"
#include "ivk/transport/server_version.h"

namespace ivk {

enum class ApiRoot { v1, v2, none };  // /api/v1, /api/v2, or the bare server root (/openapi.json)

struct ApiRequest {
  std::string method = "GET";
  ApiRoot root = ApiRoot::v1;
  std::string path;   // "/models/i/abc" (trailing slash kept exactly: "/models/")
  std::string query;  // QueryBuilder::str(): "" or "?k=v"
  std::string body;
  std::string content_type;  // "application/json" when body is set and this is empty
  // Default: from the method (default_idempotency). Enqueue, upload and install pass not_idempotent.
  std::optional<Idempotency> idempotency;
  std::optional<std::chrono::milliseconds> timeout;
  std::vector<HttpHeader> extra_headers;
};

struct SessionOptions {
  RetryPolicy retry;
  TransportOptions transport;
  // Called before each retry with the attempt number that failed and the delay chosen (for logs and
  // progress displays; the library itself never prints).
  std::function<void(int attempt, std::chrono::milliseconds delay, const Error& why)> on_retry;
};

class ServerSession {
 public:
  // Uses make_curl_transport(options.transport).
  explicit ServerSession(ServerConfig config, SessionOptions options = {});
  // Injects a transport (tests, custom stacks).
  ServerSession(ServerConfig config, std::unique_ptr<HttpTransport> transport, SessionOptions options = {});
  ~ServerSession();
  ServerSession(const ServerSession&) = delete;
  ServerSession& operator=(const ServerSession&) = delete;

  [[nodiscard]] const ServerUrl& url() const noexcept;

  // Sends with retries (idempotent requests, retryable outcomes only, RetryPolicy delays).
  // 2xx: the response. Any other status: error_from_response(...) (code http/auth/not_found/conflict,
  // http_status, detail). No answer: the transport's error (transport, timeout, cancelled).
  // An X-Refreshed-Token header on any answer replaces the stored token.
  Result<HttpResponse> send(const ApiRequest& request);

  // Convenience: GET and JSON-bodied requests; the response body on success.
  Result<std::string> get(ApiRoot root, std::string_view path, std::string_view query = {});
  Result<std::string> send_json(std::string_view method, ApiRoot root, std::string_view path,
                                std::string_view json_body, std::string_view query = {},
                                std::optional<Idempotency> idempotency = std::nullopt);

  // GET /api/v1/app/version, parsed leniently.
  Result<ServerVersion> version();
  // GET /api/v1/app/runtime_config (5.9+; admin only on a multi-user server): the body as sent,
  // {"set_fields": [...], "config": {"max_queue_size": 10000, ...}}.
  Result<std::string> runtime_config();
  // GET /api/v1/auth/status; nullopt when the route answers 404 (a server older than 6.12, which is
  // single-user), not an error.
  Result<std::optional<AuthStatus>> auth_status();
  // POST /api/v1/auth/login; stores the token on success. Errors are ErrorCode::auth with the
  // server's detail ("Incorrect email or password"); the password never appears in any error.
  Status login(std::string_view email, std::string_view password, bool remember_me = false);

  // The current token (after refreshes); nullopt when none. Never log it.
  [[nodiscard]] std::optional<std::string> token() const;
  void set_token(std::optional<std::string> token);

  // A deadline for everything sent from now on (a sweep's --timeout): each attempt's total and
  // connect timeouts are capped by the time left (so a trickling answer ends at it too), no retry is
  // slept for or attempted past it, and a request that would start after it fails at once. Those
  // failures are ErrorCode::timeout with a message saying the run's deadline was reached. nullopt
  // (the default) removes it. Thread-safe; an attempt already running keeps the cap it started with.
  void set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline);
  [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> deadline() const;

 private:
  ServerConfig config_;
  std::unique_ptr<HttpTransport> transport_;
  SessionOptions options_;
  mutable std::mutex token_mutex_;
  mutable std::mutex deadline_mutex_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
};

}  // namespace ivk
