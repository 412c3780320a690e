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

#include "ivk/error.h"
#include "router.h"

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

class HttpServer {
 public:
  // Binds and starts the I/O threads. Errors: io (bad host, port in use).
  static Result<std::unique_ptr<HttpServer>> start(HttpServerOptions options, HttpHandler handler);
  ~HttpServer();  // stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept;
  // Stops accepting, closes idle keep-alive connections, lets requests in flight finish (a few
  // seconds at most), joins the threads. Idempotent; must not be called from a handler.
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
