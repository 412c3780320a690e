// The fault proxy's control commands and their loopback server (see fault_proxy_control.h).
#include "support/fault_proxy_control.h"

#include <charconv>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio.hpp>

namespace ivk::test {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

template <class Number>
bool parse_number(std::string_view text, Number& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

ProxyCommandResult error(std::string why) { return ProxyCommandResult{"error: " + std::move(why), false}; }
ProxyCommandResult ok() { return ProxyCommandResult{"ok", false}; }

}  // namespace

std::string format_proxy_stats(const ProxyStats& stats) {
  int total = 0;
  std::string per_route;
  for (const auto& [key, count] : stats.requests) {
    total += count;
    per_route += " " + key.first + ":" + key.second + "=" + std::to_string(count);
  }
  return "accepted=" + std::to_string(stats.accepted) +
         " responses_dropped=" + std::to_string(stats.responses_dropped) +
         " gets_failed=" + std::to_string(stats.gets_failed) + " requests=" + std::to_string(total) +
         per_route;
}

ProxyCommandResult run_proxy_command(TcpProxy& proxy, std::string_view line) {
  const std::vector<std::string_view> w = split_words(line);
  if (w.empty()) return error("empty command");
  const std::string_view cmd = w[0];
  const std::size_t args = w.size() - 1;
  if (cmd == "cut" && args == 0) {
    proxy.cut_all();
    return ok();
  }
  if (cmd == "stall" && args == 1 && (w[1] == "on" || w[1] == "off")) {
    proxy.stall(w[1] == "on");
    return ok();
  }
  if (cmd == "drop-response" && (args == 2 || args == 3)) {
    int count = 1;
    if (args == 3 && (!parse_number(w[3], count) || count < 1))
      return error("drop-response: COUNT must be a whole number of at least 1, not \"" + std::string(w[3]) +
                   "\"");
    proxy.drop_response(std::string(w[1]), std::string(w[2]), count);
    return ok();
  }
  if (cmd == "trickle" && args == 1) {
    std::size_t rate = 0;
    if (!parse_number(w[1], rate))
      return error("trickle: BYTES_PER_SECOND must be a whole number, not \"" + std::string(w[1]) + "\"");
    proxy.trickle(rate);
    return ok();
  }
  if (cmd == "fail-gets" && args == 2) {
    double probability = 0;
    std::uint64_t seed = 0;
    if (!parse_number(w[1], probability) || probability < 0 || probability > 1)
      return error("fail-gets: PROBABILITY must be a number from 0 to 1, not \"" + std::string(w[1]) + "\"");
    if (!parse_number(w[2], seed))
      return error("fail-gets: SEED must be a whole number, not \"" + std::string(w[2]) + "\"");
    proxy.fail_gets(probability, seed);
    return ok();
  }
  if (cmd == "upstream" && args == 1) {
    std::uint16_t port = 0;
    if (!parse_number(w[1], port) || port == 0)
      return error("upstream: PORT must be from 1 to 65535, not \"" + std::string(w[1]) + "\"");
    proxy.set_upstream(port);
    return ok();
  }
  if (cmd == "clear" && args == 0) {
    proxy.clear_faults();
    return ok();
  }
  if (cmd == "stats" && args == 0) return ProxyCommandResult{format_proxy_stats(proxy.stats()), false};
  if (cmd == "shutdown" && args == 0) return ProxyCommandResult{"ok", true};
  return error(
      "unknown command or wrong arguments: \"" + std::string(line.substr(0, 200)) +
      "\" (commands: cut, stall on|off, drop-response METHOD PATH_PART [COUNT], trickle BYTES_PER_SECOND, "
      "fail-gets PROBABILITY SEED, upstream PORT, clear, stats, shutdown)");
}

// Plain completion handlers: a line in, a line out, no coroutine needed.
struct ProxyControlServer::Impl {
  Impl(TcpProxy& p, std::uint16_t port)
      : proxy(p), acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), port)) {}

  // One control connection: reads a line, answers it, reads the next.
  struct Connection : std::enable_shared_from_this<Connection> {
    Connection(Impl& i, tcp::socket s) : impl(i), socket(std::move(s)) {}
    Impl& impl;
    tcp::socket socket;
    std::string buf;
    std::string reply;

    void read_line() {
      net::async_read_until(socket, net::dynamic_buffer(buf, 4096), '\n',
                            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                              if (!ec) self->answer(n);
                            });
    }

    void answer(std::size_t n) {
      const std::string line = buf.substr(0, n - 1);
      buf.erase(0, n);
      const ProxyCommandResult result = run_proxy_command(impl.proxy, line);
      reply = result.reply + "\n";
      net::async_write(socket, net::buffer(reply),
                       [self = shared_from_this(), stop = result.shutdown](
                           const boost::system::error_code& ec, std::size_t) {
                         if (stop) self->impl.signal_shutdown();
                         if (!ec) self->read_line();
                       });
    }
  };

  void accept_next() {
    acceptor.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
      if (ec) {
        if (!acceptor.is_open() || ec == net::error::operation_aborted) return;
      } else {
        std::make_shared<Connection>(*this, std::move(socket))->read_line();
      }
      accept_next();
    });
  }

  void signal_shutdown() {
    std::lock_guard lock(mutex);
    shutdown = true;
    cv.notify_all();
  }

  TcpProxy& proxy;
  net::io_context ioc;
  tcp::acceptor acceptor;
  std::thread thread;
  std::mutex mutex;
  std::condition_variable cv;
  bool shutdown = false;
};

ProxyControlServer::ProxyControlServer(TcpProxy& proxy, std::uint16_t port)
    : impl_(std::make_unique<Impl>(proxy, port)) {
  impl_->accept_next();
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

ProxyControlServer::~ProxyControlServer() {
  impl_->ioc.stop();
  impl_->thread.join();
}

std::uint16_t ProxyControlServer::port() const { return impl_->acceptor.local_endpoint().port(); }

bool ProxyControlServer::wait_for_shutdown(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  return impl_->cv.wait_for(lock, timeout, [this] { return impl_->shutdown; });
}

}  // namespace ivk::test
