#pragma once
// A loopback TCP proxy for tests that misbehaves on demand. It forwards every connection to an
// upstream port and, when told, cuts connections, stalls, trickles answers, loses the answer to one
// request after the server did its work, or answers GETs with 503 itself. It follows HTTP/1.1
// keep-alive exchanges (request bodies by Content-Length or chunks; answers by Content-Length,
// chunks or close) without rewriting a byte, and becomes a plain pipe after a WebSocket upgrade or
// on bytes it cannot read as HTTP. Thread-safe: faults may be switched from any thread, and take
// effect on connections already open. Also served as a program: tests/tools/fault_proxy_main.cpp.
//
//   ivk::test::TcpProxy proxy(emulator->port());
//   proxy.drop_response("POST", "/enqueue_batch");  // the next enqueue runs, its answer is lost
//   ... send to 127.0.0.1:proxy.port() ...
//   EXPECT_EQ(proxy.stats().responses_dropped, 1);
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace ivk::test {

struct ProxyStats {
  int accepted = 0;           // client connections accepted
  int responses_dropped = 0;  // answers read from upstream and thrown away (drop_response)
  int gets_failed = 0;        // GETs the proxy answered with 503 itself (fail_gets)
  // Requests seen, by (method, path without query); the ones answered with 503 by the proxy included.
  std::map<std::pair<std::string, std::string>, int> requests;

  [[nodiscard]] int requests_seen(std::string_view method, std::string_view path) const;
};

class TcpProxy {
 public:
  // Listens on 127.0.0.1:listen_port (0: a free port the OS picks). Throws boost::system::system_error
  // when the port cannot be bound (test support, not library code).
  explicit TcpProxy(std::uint16_t upstream_port, std::uint16_t listen_port = 0);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  // Connections accepted from now on go to this upstream port; open ones keep theirs (cut_all() ends
  // them), as when a restarted server comes back on another port.
  void set_upstream(std::uint16_t upstream_port);

  // Closes every connection open now (both sides); later connections are forwarded again.
  void cut_all();
  // The next `count` requests with this method whose path contains `path_substring` are forwarded
  // (the server does the work); each answer is read in full and thrown away, then the connection is
  // closed (both sides): the answer was lost after the server acted. Rules add up.
  void drop_response(std::string method, std::string path_substring, int count = 1);
  // While on, no byte moves in either direction; connections stay open, and new ones are accepted
  // (and stalled too). Off: everything held back flows again.
  void stall(bool on);
  // Paces upstream-to-client bytes to about this rate on each connection (0: no pacing).
  void trickle(std::size_t bytes_per_second);
  // Each GET is answered by the proxy with "503 Service Unavailable" (a small JSON body, the
  // connection kept alive) with this probability, without reaching upstream. The draws come from
  // `seed` in the order GETs arrive, so a sequential client sees the same failures every run.
  // 0 turns it off.
  void fail_gets(double probability, std::uint64_t seed);
  // Stall, trickle, fail_gets and pending drop_response rules off; counters kept.
  void clear_faults();

  [[nodiscard]] ProxyStats stats() const;
  [[nodiscard]] int accepted() const;

  struct Impl;  // opaque; public only so the connection code in the .cpp can name it

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace ivk::test
