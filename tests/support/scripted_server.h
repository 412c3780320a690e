#pragma once
// A scripted HTTP/1.1 server for transport tests: it answers each request with the next queued
// ScriptedResponse (or a fallback), and records every request it received. Boost.Beast on a
// background thread, listening on 127.0.0.1 with a port chosen by the OS. Thread-safe.
//
//   ivk::test::ScriptedServer server;
//   server.enqueue({.status = 503, .headers = {{"Retry-After", "0"}}});
//   server.enqueue({.status = 200, .body = R"({"version":"6.13.8"})"});
//   ... send to server.url() ...
//   EXPECT_EQ(server.request_count(), 2u);
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ivk::test {

struct ScriptedResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // sent in this order
  std::string body;                                          // sent as is (may be gzip bytes)
  std::chrono::milliseconds delay{0};                        // wait this long before answering
  bool close_without_answer = false;                         // read the request, then close the socket
};

struct RecordedRequest {
  std::string method;
  std::string target;  // "/api/v1/app/version?x=1", as on the request line
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::steady_clock::time_point received_at;
  std::size_t connection = 0;  // 1-based number of the TCP connection that carried it

  // First header with this name, compared case-insensitively.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

class ScriptedServer {
 public:
  ScriptedServer();
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] std::string url() const;  // "http://127.0.0.1:PORT"

  void enqueue(ScriptedResponse response);
  // Answer when the queue is empty; by default 500 {"detail":"scripted server: no response queued"},
  // so a test that sends more than it scripted fails visibly.
  void set_fallback(ScriptedResponse response);

  [[nodiscard]] std::vector<RecordedRequest> requests() const;
  [[nodiscard]] std::size_t request_count() const;
  [[nodiscard]] std::size_t connection_count() const;

  struct Impl;  // opaque; public only so the connection handlers in the .cpp can name it

 private:
  std::unique_ptr<Impl> impl_;
};

// A loopback port nobody listens on (bound, then released), for "connection refused" tests.
std::uint16_t unused_port();

}  // namespace ivk::test
