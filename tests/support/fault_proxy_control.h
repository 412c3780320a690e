#pragma once
// The control language of ivk-fault-proxy (tests/tools/fault_proxy_main.cpp): one command a line,
// one answer a line, on a loopback TCP port, so shell scripts and other processes can inject the
// faults of TcpProxy into a running program.
//
//   cut                                     close every open connection          -> ok
//   stall on | stall off                    hold every byte / let them flow       -> ok
//   drop-response METHOD PATH_PART [COUNT]  lose the answers of the next COUNT (1) matching requests
//   trickle BYTES_PER_SECOND                pace answers (0: off)                 -> ok
//   fail-gets PROBABILITY SEED              answer GETs with 503 (0: off)         -> ok
//   upstream PORT                           new connections go to this port       -> ok
//   clear                                   all faults off (counters kept)        -> ok
//   stats                                   -> accepted=N responses_dropped=N gets_failed=N
//                                              requests=N [METHOD:PATH=N ...]  (sorted)
//   shutdown                                stop the program                       -> ok
// Anything else answers "error: <why>".
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "support/tcp_proxy.h"

namespace ivk::test {

struct ProxyCommandResult {
  std::string reply;      // one line, without the newline
  bool shutdown = false;  // the command was `shutdown`
};

ProxyCommandResult run_proxy_command(TcpProxy& proxy, std::string_view line);

// The `stats` line: "accepted=2 responses_dropped=1 gets_failed=0 requests=3 GET:/api/v1/app/version=2 ...".
std::string format_proxy_stats(const ProxyStats& stats);

// Serves the commands on 127.0.0.1:port (0: a free port), many lines per connection. Throws
// boost::system::system_error when the port cannot be bound.
class ProxyControlServer {
 public:
  explicit ProxyControlServer(TcpProxy& proxy, std::uint16_t port = 0);
  ~ProxyControlServer();
  ProxyControlServer(const ProxyControlServer&) = delete;
  ProxyControlServer& operator=(const ProxyControlServer&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  // Waits up to `timeout` for a `shutdown` command; true when one came.
  bool wait_for_shutdown(std::chrono::milliseconds timeout);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ivk::test
