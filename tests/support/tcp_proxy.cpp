#include "support/tcp_proxy.h"

#include <array>
#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio.hpp>

namespace ivk::test {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// One forwarded connection: two sockets and a pump in each direction.
struct Link : std::enable_shared_from_this<Link> {
  explicit Link(net::io_context& ioc) : client(ioc), upstream(ioc) {}
  tcp::socket client;
  tcp::socket upstream;
  std::array<char, 16384> up_buf{};
  std::array<char, 16384> down_buf{};

  void close() {
    boost::system::error_code ec;
    client.shutdown(tcp::socket::shutdown_both, ec);
    upstream.shutdown(tcp::socket::shutdown_both, ec);
    client.close(ec);
    upstream.close(ec);
  }

  void pump(tcp::socket& from, tcp::socket& to, std::array<char, 16384>& buf) {
    auto self = shared_from_this();
    from.async_read_some(
        net::buffer(buf), [self, &from, &to, &buf](boost::system::error_code ec, std::size_t n) {
          if (ec) return self->close();
          net::async_write(to, net::buffer(buf.data(), n),
                           [self, &from, &to, &buf](boost::system::error_code wec, std::size_t) {
                             if (wec) return self->close();
                             self->pump(from, to, buf);
                           });
        });
  }
};

}  // namespace

struct TcpProxy::Impl {
  net::io_context ioc;
  tcp::acceptor acceptor{ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)};
  std::uint16_t upstream_port = 0;
  std::mutex mutex;
  std::vector<std::weak_ptr<Link>> links;
  std::atomic<int> accepted{0};
  std::thread thread;

  void accept() {
    auto link = std::make_shared<Link>(ioc);
    acceptor.async_accept(link->client, [this, link](boost::system::error_code ec) {
      if (ec) return;
      ++accepted;
      boost::system::error_code cec;
      link->upstream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), upstream_port), cec);
      if (cec) {
        link->close();
      } else {
        {
          std::lock_guard lock(mutex);
          links.push_back(link);
        }
        link->pump(link->client, link->upstream, link->up_buf);
        link->pump(link->upstream, link->client, link->down_buf);
      }
      accept();
    });
  }
};

TcpProxy::TcpProxy(std::uint16_t upstream_port) : impl_(std::make_shared<Impl>()) {
  impl_->upstream_port = upstream_port;
  impl_->accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

TcpProxy::~TcpProxy() {
  cut_all();
  impl_->ioc.stop();
  impl_->thread.join();
  // Handlers still queued hold the last references to their links; destroying the io_context (with
  // Impl) destroys them and closes what is left.
}

std::uint16_t TcpProxy::port() const { return impl_->acceptor.local_endpoint().port(); }

void TcpProxy::cut_all() {
  // On the proxy's thread, and wait for it: when cut_all() returns, the connections are gone.
  std::promise<void> done;
  net::post(impl_->ioc, [impl = impl_.get(), &done] {
    std::lock_guard lock(impl->mutex);
    for (auto& weak : impl->links)
      if (auto link = weak.lock()) link->close();
    impl->links.clear();
    done.set_value();
  });
  done.get_future().wait();
}

int TcpProxy::accepted() const { return impl_->accepted.load(); }

}  // namespace ivk::test
