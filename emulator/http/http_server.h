#pragma once
// The emulator's HTTP/1.1 server (Boost.Beast over Asio): an acceptor on host:port, keep-alive
// connections, a request body limit, N I/O threads, graceful stop. It turns each request into an
// emu::Request (decoded path, decoded query pairs, lowercased header names) and writes back the
// emu::Response the handler returns. Handlers run on the I/O threads, so several at once.
// Private to the emulator; Boost stays out of this header.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/router.h"
#include "ivk/error.h"

namespace ivk::emu {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: an ephemeral port
  int threads = 2;
  // Larger bodies get 413 and the connection is closed. Uploads of a few images fit easily.
  std::size_t body_limit = 64ull * 1024 * 1024;
};

// Must not throw (the server answers 500 if it does anyway).
using HttpHandler = std::function<Response(Request&)>;

// Answers a deferred request. Call it once, from any thread, now or much later (long-polling); later
// calls are ignored. Holding it keeps the connection open, so drop it once answered.
using Respond = std::function<void(Response)>;

// A connection handed over by a WebSocket upgrade request: the TCP stream and the parsed request, for
// whoever accepts the WebSocket. Defined in the Beast-level private header http_server_upgrade.h.
struct WebSocketUpgrade;
using TakeWebSocket = std::function<std::unique_ptr<WebSocketUpgrade>()>;

// Optional extensions of the plain request -> response handler.
struct HttpHooks {
  // Called before the handler. Returning true takes the request: it is then answered through respond
  // (possibly later, from another thread) and the I/O thread is free meanwhile. Must not throw.
  std::function<bool(Request&, const Respond&)> defer;
  // Called instead of the handler for WebSocket upgrade requests ("Connection: Upgrade" +
  // "Upgrade: websocket"). Calling take() (at most once, during the call) hands over the connection and
  // the returned response is ignored; otherwise the response is sent over HTTP. Unset: the handler
  // answers upgrade requests as plain ones.
  std::function<Response(Request&, const TakeWebSocket& take)> websocket;
};

class HttpServer {
 public:
  // Binds and starts the I/O threads. Errors: io (bad host, port in use).
  static Result<std::unique_ptr<HttpServer>> start(HttpServerOptions options, HttpHandler handler,
                                                   HttpHooks hooks = {});
  ~HttpServer();  // stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept;
  // Stops accepting, closes idle keep-alive connections, lets requests in flight finish (a few
  // seconds at most; a deferred request must be answered by then), joins the threads. Connections
  // handed to a WebSocket hook are not waited for: their pending handlers are dropped with the threads.
  // Idempotent; must not be called from a handler.
  void stop();

  struct Impl;

 private:
  explicit HttpServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

// Target parsing, exposed for tests: "/a%20b?x=1&y=a+b&x=2" -> path "/a b", query
// {{"x","1"},{"y","a b"},{"x","2"}}. Invalid %-escapes are kept as they are (like Python's
// urllib.parse.unquote); '+' means a space in the query only.
std::string percent_decode(std::string_view text, bool plus_is_space);
void split_target(std::string_view target, std::string& path,
                  std::vector<std::pair<std::string, std::string>>& query);

}  // namespace ivk::emu
