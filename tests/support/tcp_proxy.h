#pragma once
// A loopback TCP proxy for tests: forwards every connection to an upstream port, and can cut every
// live connection at once (a dropped network, as a client sees it) while still accepting new ones.
#include <cstdint>
#include <memory>

namespace ivk::test {

class TcpProxy {
 public:
  explicit TcpProxy(std::uint16_t upstream_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  // Closes every connection open now (both sides); later connections are forwarded again.
  void cut_all();
  // How many connections were accepted so far.
  [[nodiscard]] int accepted() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace ivk::test
