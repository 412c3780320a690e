// The fault-injecting loopback proxy (see tcp_proxy.h). One io_context thread; each connection is
// two coroutines, one per direction, that share the connection's state without locks (they run on
// that one thread). The faults and counters live in Impl behind a mutex, since tests switch them
// from their own thread.
#include "support/tcp_proxy.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <exception>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio.hpp>

#include "support/http_framing.h"

namespace ivk::test {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace {

class Link;

struct DropRule {
  std::string method;
  std::string path_substring;
  int remaining = 0;
};

// What the proxy does with one request.
enum class Verdict { forward, drop_answer, answer_503 };

constexpr std::string_view kInjected503 =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 48\r\n"
    "\r\n"
    R"({"detail":"fault proxy: injected 503 for a GET"})";
static_assert(kInjected503.size() - kInjected503.find("\r\n\r\n") - 4 == 48);

// How often a stalled pump looks again whether the stall is over.
constexpr auto kStallPoll = 10ms;

auto ignore_exception = [](const std::exception_ptr&) {};

}  // namespace

struct TcpProxy::Impl {
  explicit Impl(std::uint16_t listen_port)
      : acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), listen_port)) {}

  net::io_context ioc;
  tcp::acceptor acceptor;
  std::thread thread;

  mutable std::mutex mutex;  // guards every member below
  std::uint16_t upstream_port = 0;
  bool stalled = false;
  std::size_t trickle_rate = 0;
  double fail_probability = 0;
  std::uint64_t fail_state = 0;  // splitmix64: the same draws for the same seed on every platform
  std::vector<DropRule> drops;
  ProxyStats stats;
  std::vector<std::weak_ptr<Link>> links;

  std::uint16_t upstream() const {
    std::lock_guard lock(mutex);
    return upstream_port;
  }
  bool is_stalled() const {
    std::lock_guard lock(mutex);
    return stalled;
  }
  std::size_t rate() const {
    std::lock_guard lock(mutex);
    return trickle_rate;
  }
  void count_drop() {
    std::lock_guard lock(mutex);
    ++stats.responses_dropped;
  }

  // Counts the request and decides its fate. A drop rule wins over a 503 draw, so the draws of a
  // seed stay the same whether or not a drop rule matched a GET.
  Verdict judge(const MessageHead& head) {
    std::lock_guard lock(mutex);
    const std::string path = head.path();
    ++stats.requests[{head.method, path}];
    for (auto it = drops.begin(); it != drops.end(); ++it) {
      if (it->method != head.method || path.find(it->path_substring) == std::string::npos) continue;
      if (--it->remaining <= 0) drops.erase(it);
      return Verdict::drop_answer;
    }
    if (head.method == "GET" && fail_probability > 0 && next_unit() < fail_probability) {
      ++stats.gets_failed;
      return Verdict::answer_503;
    }
    return Verdict::forward;
  }

  double next_unit() {
    std::uint64_t z = (fail_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-53;
  }
};

namespace {

// One client connection and its upstream twin.
class Link : public std::enable_shared_from_this<Link> {
 public:
  Link(TcpProxy::Impl& proxy, tcp::socket client)
      : proxy_(proxy), client_(std::move(client)), upstream_(proxy.ioc), wake_(proxy.ioc) {}

  // `self` keeps the link alive for as long as a coroutine of it runs.
  net::awaitable<void> run(std::shared_ptr<Link> self) {
    boost::system::error_code ec;
    const tcp::endpoint to(net::ip::make_address("127.0.0.1"), proxy_.upstream());
    co_await upstream_.async_connect(to, net::redirect_error(net::use_awaitable, ec));
    if (ec || closed_) {
      close();  // the client sees its connection closed, as with a server that is down
      co_return;
    }
    net::co_spawn(proxy_.ioc, answers(self), ignore_exception);
    co_await requests();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ec;
    client_.shutdown(tcp::socket::shutdown_both, ec);
    upstream_.shutdown(tcp::socket::shutdown_both, ec);
    client_.close(ec);
    upstream_.close(ec);
    wake_.cancel();
  }

 private:
  struct Expected {
    bool answers_head = false;  // the request was HEAD: its answer has no body
    bool drop = false;
  };

  // Client to upstream, one exchange at a time: the next request is read only once this one is
  // answered, so an injected 503 never overtakes an answer still on its way (HTTP/1.1 answers come
  // in request order). A pipelining client just waits a little.
  net::awaitable<void> requests() {
    std::string buf;
    for (;;) {
      HeadParse parsed = parse_request_head(buf);
      while (parsed.state == HeadState::incomplete) {
        if (co_await read_some(client_, buf) == 0) co_return close();
        parsed = parse_request_head(buf);
      }
      if (parsed.state == HeadState::malformed) {
        // Not HTTP as far as the proxy can tell: pass everything through untouched from here on.
        tunnel_ = true;
        co_return co_await pipe(client_, upstream_, std::move(buf), false);
      }
      const MessageHead head = std::move(parsed.head);
      const Verdict verdict = proxy_.judge(head);
      std::string head_bytes = buf.substr(0, head.size);
      buf.erase(0, head.size);
      BodyFramer body = BodyFramer::for_request(head);

      const bool forward = verdict != Verdict::answer_503;
      if (forward) {
        // Expected before sent: the answer may arrive while the body is still being forwarded.
        expected_.push_back(Expected{head.method == "HEAD", verdict == Verdict::drop_answer});
        ++forwarded_;
        if (!co_await send(upstream_, head_bytes, false)) co_return;
      }
      while (!body.done()) {
        const std::size_t n = body.consume(buf);
        if (n > 0) {
          std::string piece = buf.substr(0, n);
          buf.erase(0, n);
          if (forward && !co_await send(upstream_, piece, false)) co_return;
        }
        if (body.done()) break;
        if (body.malformed() || co_await read_some(client_, buf) == 0) co_return close();
      }
      if (!forward) {
        if (!co_await send(client_, kInjected503, true)) co_return;
        continue;
      }
      while (!closed_ && answered_ < forwarded_) co_await wait_for_answer();
      if (closed_) co_return;
      if (tunnel_) co_return co_await pipe(client_, upstream_, std::move(buf), false);
    }
  }

  // Upstream to client: each answer is framed so that a dropped one is discarded whole, and a
  // 101 Switching Protocols turns the link into a plain pipe.
  net::awaitable<void> answers(std::shared_ptr<Link> /*self*/) {
    std::string buf;
    for (;;) {
      if (tunnel_) co_return co_await pipe(upstream_, client_, std::move(buf), true);
      const HeadParse parsed = parse_response_head(buf);
      if (parsed.state == HeadState::incomplete) {
        if (co_await read_some(upstream_, buf) == 0) co_return close();
        continue;
      }
      if (parsed.state == HeadState::malformed || expected_.empty()) {
        // Bytes nobody asked for, or not HTTP: forward them as they are from now on.
        tunnel_ = true;
        wake_.cancel();
        continue;
      }
      const Expected expected = expected_.front();
      const MessageHead& head = parsed.head;
      std::string out = buf.substr(0, head.size);
      buf.erase(0, head.size);
      if (head.status >= 100 && head.status < 200 && head.status != 101) {
        // An interim answer (100 Continue): the final one for the same request follows.
        if (!expected.drop && !co_await send(client_, out, true)) co_return;
        continue;
      }
      BodyFramer body = BodyFramer::for_response(head, expected.answers_head);
      bool upstream_ended = false;
      for (;;) {
        const std::size_t n = body.consume(buf);
        out.append(buf, 0, n);
        buf.erase(0, n);
        if (body.done()) break;
        if (body.malformed()) co_return close();
        if (!expected.drop && !out.empty()) {
          // Forward as it arrives: a long (or trickled) answer is not held back until its end.
          if (!co_await send(client_, out, true)) co_return;
          out.clear();
        }
        if (co_await read_some(upstream_, buf) == 0) {
          if (body.kind() != BodyFramer::Kind::until_close) co_return close();
          upstream_ended = true;  // the close is what ends this body
          break;
        }
      }
      if (expected.drop) {
        proxy_.count_drop();
        co_return close();
      }
      if (!co_await send(client_, out, true)) co_return;
      // Answered only once sent: the request side may then write to the client itself.
      expected_.pop_front();
      ++answered_;
      if (head.status == 101) tunnel_ = true;
      wake_.cancel();
      if (upstream_ended) co_return close();
    }
  }

  // Everything from `from` to `to` as it comes, `pending` first.
  net::awaitable<void> pipe(tcp::socket& from, tcp::socket& to, std::string pending, bool paced) {
    if (!pending.empty() && !co_await send(to, pending, paced)) co_return;
    std::string buf;
    for (;;) {
      buf.clear();
      if (co_await read_some(from, buf) == 0) co_return close();
      if (!co_await send(to, buf, paced)) co_return;
    }
  }

  // Appends what arrives to `buf`; 0 when the peer closed, the read failed or the link is closed.
  net::awaitable<std::size_t> read_some(tcp::socket& from, std::string& buf) {
    std::array<char, 16384> chunk;
    boost::system::error_code ec;
    const std::size_t n =
        co_await from.async_read_some(net::buffer(chunk), net::redirect_error(net::use_awaitable, ec));
    if (ec || closed_) co_return 0;
    buf.append(chunk.data(), n);
    co_return n;
  }

  // Writes `bytes` unless the link closes first: held while the proxy stalls, and when `paced`,
  // in slices of a twentieth of the trickle rate, each followed by the time it is worth.
  // False when the link is (or got) closed.
  net::awaitable<bool> send(tcp::socket& to, std::string_view bytes, bool paced) {
    net::steady_timer timer(proxy_.ioc);
    boost::system::error_code ec;
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      while (!closed_ && proxy_.is_stalled()) {
        timer.expires_after(kStallPoll);
        co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
      }
      if (closed_) co_return false;
      const std::size_t rate = paced ? proxy_.rate() : 0;
      const std::size_t n = rate == 0 ? bytes.size() - sent
                                      : std::min(bytes.size() - sent, std::max<std::size_t>(1, rate / 20));
      co_await net::async_write(to, net::buffer(bytes.data() + sent, n),
                                net::redirect_error(net::use_awaitable, ec));
      if (ec || closed_) {
        close();
        co_return false;
      }
      sent += n;
      if (rate != 0) {
        timer.expires_after(std::chrono::microseconds(n * 1'000'000 / rate));
        co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
      }
    }
    co_return !closed_;
  }

  // Returns when answers() has moved on (or the link closed); callers re-check their condition.
  net::awaitable<void> wait_for_answer() {
    boost::system::error_code ec;
    wake_.expires_at(net::steady_timer::time_point::max());
    co_await wake_.async_wait(net::redirect_error(net::use_awaitable, ec));
  }

  TcpProxy::Impl& proxy_;
  tcp::socket client_;
  tcp::socket upstream_;
  net::steady_timer wake_;  // cancelled to wake requests() when an answer has gone out
  std::deque<Expected> expected_;
  std::uint64_t forwarded_ = 0;
  std::uint64_t answered_ = 0;
  bool tunnel_ = false;
  bool closed_ = false;
};

net::awaitable<void> accept_loop(TcpProxy::Impl* impl) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await impl->acceptor.async_accept(net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      if (!impl->acceptor.is_open() || ec == net::error::operation_aborted) co_return;
      continue;  // e.g. out of file descriptors for a moment
    }
    auto link = std::make_shared<Link>(*impl, std::move(socket));
    {
      std::lock_guard lock(impl->mutex);
      ++impl->stats.accepted;
      std::erase_if(impl->links, [](const std::weak_ptr<Link>& l) { return l.expired(); });
      impl->links.push_back(link);
    }
    net::co_spawn(impl->ioc, link->run(link), ignore_exception);
  }
}

}  // namespace

int ProxyStats::requests_seen(std::string_view method, std::string_view path) const {
  const auto it = requests.find({std::string(method), std::string(path)});
  return it == requests.end() ? 0 : it->second;
}

TcpProxy::TcpProxy(std::uint16_t upstream_port, std::uint16_t listen_port)
    : impl_(std::make_shared<Impl>(listen_port)) {
  impl_->upstream_port = upstream_port;
  net::co_spawn(impl_->ioc, accept_loop(impl_.get()), ignore_exception);
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

TcpProxy::~TcpProxy() {
  cut_all();
  impl_->ioc.stop();
  impl_->thread.join();
  // Coroutines still suspended hold the last references to their links; destroying the io_context
  // (with Impl) destroys them and closes what is left.
}

std::uint16_t TcpProxy::port() const { return impl_->acceptor.local_endpoint().port(); }

void TcpProxy::set_upstream(std::uint16_t upstream_port) {
  std::lock_guard lock(impl_->mutex);
  impl_->upstream_port = upstream_port;
}

void TcpProxy::cut_all() {
  // On the proxy's thread, and wait for it: when cut_all() returns, the connections are gone.
  std::promise<void> done;
  net::post(impl_->ioc, [impl = impl_.get(), &done] {
    std::vector<std::weak_ptr<Link>> links;
    {
      std::lock_guard lock(impl->mutex);
      links.swap(impl->links);
    }
    for (auto& weak : links)
      if (auto link = weak.lock()) link->close();
    done.set_value();
  });
  done.get_future().wait();
}

void TcpProxy::drop_response(std::string method, std::string path_substring, int count) {
  if (count <= 0) return;
  std::lock_guard lock(impl_->mutex);
  impl_->drops.push_back(DropRule{std::move(method), std::move(path_substring), count});
}

void TcpProxy::stall(bool on) {
  std::lock_guard lock(impl_->mutex);
  impl_->stalled = on;
}

void TcpProxy::trickle(std::size_t bytes_per_second) {
  std::lock_guard lock(impl_->mutex);
  impl_->trickle_rate = bytes_per_second;
}

void TcpProxy::fail_gets(double probability, std::uint64_t seed) {
  std::lock_guard lock(impl_->mutex);
  impl_->fail_probability = probability;
  impl_->fail_state = seed;
}

void TcpProxy::clear_faults() {
  std::lock_guard lock(impl_->mutex);
  impl_->stalled = false;
  impl_->trickle_rate = 0;
  impl_->fail_probability = 0;
  impl_->drops.clear();
}

ProxyStats TcpProxy::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

int TcpProxy::accepted() const { return stats().accepted; }

}  // namespace ivk::test
