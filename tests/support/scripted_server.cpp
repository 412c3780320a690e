// The scripted test server (see scripted_server.h). Asynchronous Beast on one io_context thread, so
// a delayed answer on one connection does not hold up another, and shutdown is just stop + join.
#include "support/scripted_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <deque>
#include <mutex>
#include <thread>

namespace ivk::test {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> RecordedRequest::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (equal_ignoring_case(n, name)) return v;
  return std::nullopt;
}

struct ScriptedServer::Impl {
  net::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::uint16_t port = 0;

  mutable std::mutex mutex;
  std::deque<ScriptedResponse> queue;
  ScriptedResponse fallback{
      500, {{"Content-Type", "application/json"}}, R"({"detail":"scripted server: no response queued"})"};
  std::vector<RecordedRequest> requests;
  std::size_t connections = 0;

  void accept();

  ScriptedResponse record(RecordedRequest request) {
    std::lock_guard lock(mutex);
    requests.push_back(std::move(request));
    if (queue.empty()) return fallback;
    ScriptedResponse next = std::move(queue.front());
    queue.pop_front();
    return next;
  }
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ScriptedServer::Impl& server, tcp::socket socket, std::size_t id)
      : server_(server), stream_(std::move(socket)), timer_(stream_.get_executor()), id_(id) {}

  void read() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec) return close();  // the client closed (or sent garbage): this connection is done
    RecordedRequest r;
    r.method = std::string(request_.method_string());
    r.target = std::string(request_.target());
    for (const auto& field : request_)
      r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    r.body = request_.body();
    r.received_at = std::chrono::steady_clock::now();
    r.connection = id_;
    ScriptedResponse script = server_.record(std::move(r));
    if (script.delay.count() > 0) {
      timer_.expires_after(script.delay);
      timer_.async_wait([self = shared_from_this(), script = std::move(script)](beast::error_code) {
        self->answer(script);
      });
    } else {
      answer(script);
    }
  }

  void answer(const ScriptedResponse& script) {
    if (script.close_without_answer) return close();
    response_ = {};
    response_.version(request_.version());
    response_.result(static_cast<unsigned>(script.status));
    for (const auto& [name, value] : script.headers) response_.insert(name, value);
    // A HEAD answer announces the body's length but carries no body.
    if (request_.method() != http::verb::head) response_.body() = script.body;
    response_.content_length(script.body.size());
    response_.keep_alive(request_.keep_alive());
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || !self->response_.keep_alive()) return self->close();
      self->read();
    });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  ScriptedServer::Impl& server_;
  beast::tcp_stream stream_;
  net::steady_timer timer_;
  std::size_t id_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

}  // namespace

void ScriptedServer::Impl::accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) return;  // the acceptor was closed
    std::size_t id = 0;
    {
      std::lock_guard lock(mutex);
      id = ++connections;
    }
    std::make_shared<Session>(*this, std::move(socket), id)->read();
    accept();
  });
}

ScriptedServer::ScriptedServer() : impl_(std::make_unique<Impl>()) {
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

ScriptedServer::~ScriptedServer() {
  // Pending reads and delayed answers are dropped with the io_context: tests never wait for them.
  impl_->io.stop();
  impl_->thread.join();
}

std::uint16_t ScriptedServer::port() const { return impl_->port; }

std::string ScriptedServer::url() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }

void ScriptedServer::enqueue(ScriptedResponse response) {
  std::lock_guard lock(impl_->mutex);
  impl_->queue.push_back(std::move(response));
}

void ScriptedServer::set_fallback(ScriptedResponse response) {
  std::lock_guard lock(impl_->mutex);
  impl_->fallback = std::move(response);
}

std::vector<RecordedRequest> ScriptedServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

std::size_t ScriptedServer::request_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests.size();
}

std::size_t ScriptedServer::connection_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->connections;
}

std::uint16_t unused_port() {
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
  // Closing without listening leaves the port free; the kernel hands out ephemeral ports in
  // sequence, so it is not reused by another test in the meantime.
}

}  // namespace ivk::test
