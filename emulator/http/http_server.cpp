#include "http/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <exception>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "http/http_server_upgrade.h"

namespace ivk::emu {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// An idle keep-alive connection, or a client that stalls mid-request, is dropped after this.
constexpr auto kReadTimeout = std::chrono::seconds(60);
constexpr auto kWriteTimeout = std::chrono::seconds(60);
// stop() waits this long for requests in flight before cutting them off.
constexpr auto kStopGrace = std::chrono::seconds(5);
constexpr std::uint32_t kHeaderLimit = 64 * 1024;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "Thu, 26 Nov 2026 12:00:00 GMT", the Date header uvicorn sends (the C locale's names).
std::string http_date() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 40> buf{};
  const std::size_t n = std::strftime(buf.data(), buf.size(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf.data(), n);
}

}  // namespace

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && c == '+') ? ' ' : c;
  }
  return out;
}

void split_target(std::string_view target, std::string& path,
                  std::vector<std::pair<std::string, std::string>>& query) {
  query.clear();
  // Absolute-form targets ("http://host/path", sent to proxies) carry the path after the authority.
  if (target.substr(0, 7) == "http://" || target.substr(0, 8) == "https://") {
    const auto authority = target.find("//") + 2;
    const auto slash = target.find('/', authority);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  if (const auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  const auto qmark = target.find('?');
  path = percent_decode(target.substr(0, qmark), false);
  if (path.empty()) path = "/";
  if (qmark == std::string_view::npos) return;
  std::string_view rest = target.substr(qmark + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;  // "a=1&&b=2": Starlette skips empty pairs
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos)
      query.emplace_back(percent_decode(pair, true), std::string());
    else
      query.emplace_back(percent_decode(pair.substr(0, eq), true), percent_decode(pair.substr(eq + 1), true));
  }
}

class Session;

struct HttpServer::Impl {
  HttpServerOptions options;
  HttpHandler handler;
  HttpHooks hooks;
  std::atomic<bool> stopping{false};
  std::mutex stop_mutex;  // serializes stop() callers
  bool stopped = false;

  // Live sessions, so stop() can close idle keep-alive connections.
  std::mutex sessions_mutex;
  std::condition_variable sessions_cv;
  std::map<Session*, std::weak_ptr<Session>> sessions;

  // Declared after what sessions touch in their destructors: members are destroyed in reverse
  // order, and destroying the io_context destroys any session still queued in it.
  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  tcp::acceptor acceptor{net::make_strand(ioc)};
  std::uint16_t port = 0;
  std::vector<std::thread> threads;

  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, HttpServer::Impl* server)
      : stream_(std::move(socket)), executor_(stream_.get_executor()), server_(server) {}

  ~Session() {
    std::lock_guard lock(server_->sessions_mutex);
    server_->sessions.erase(this);
    server_->sessions_cv.notify_all();
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
  }

  // Called through the session's strand by HttpServer::stop().
  void shutdown_if_idle() {
    if (idle_) close();
  }

  // Kept apart from stream_, which a WebSocket upgrade moves away.
  const net::any_io_executor& executor() const { return executor_; }

 private:
  void do_read() {
    if (server_->stopping) return close();
    parser_.emplace();
    parser_->body_limit(server_->options.body_limit);
    parser_->header_limit(kHeaderLimit);
    idle_ = true;
    stream_.expires_after(kReadTimeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    idle_ = false;
    if (ec) return on_read_error(ec);
    const auto& header = parser_->get();
    // curl sends "Expect: 100-continue" before large bodies and waits a second for the go-ahead.
    const auto expect = header[http::field::expect];
    if (beast::iequals(expect, "100-continue") && !parser_->is_done()) {
      continue_.emplace(http::status::continue_, header.version());
      http::async_write(stream_, *continue_, [self = shared_from_this()](beast::error_code wec, std::size_t) {
        if (wec) return self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    stream_.expires_after(kReadTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::body_limit) return send_error(413, R"({"detail":"Request body too large"})");
    if (ec == http::error::header_limit)
      return send_error(431, R"({"detail":"Request header fields too large"})");
    if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message)
      return send_error(400, R"({"detail":"Bad Request"})");
    close();  // the peer went away, a timeout, or stop()
  }

  void on_read(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    auto& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    split_target(std::string_view(msg.target().data(), msg.target().size()), req.path, req.query);
    for (const auto& field : msg)
      req.headers.emplace_back(
          lowercase(std::string_view(field.name_string().data(), field.name_string().size())),
          std::string(field.value()));
    const bool keep_alive = msg.keep_alive();
    const bool head = req.method == "HEAD";
    const unsigned version = msg.version();
    if (server_->hooks.websocket && beast::websocket::is_upgrade(msg)) return upgrade(req);
    req.body = std::move(msg.body());
    if (server_->hooks.defer) {
      bool taken = false;
      try {
        taken = server_->hooks.defer(req, make_respond(keep_alive, head, version));
      } catch (...) {
        return write(Response::json(500, R"({"detail":"Internal Server Error"})"), keep_alive, head, version);
      }
      if (taken) return;  // the answer comes through the Respond
    }
    Response response;
    try {
      response = server_->handler(req);
    } catch (...) {
      response = Response::json(500, R"({"detail":"Internal Server Error"})");
    }
    write(std::move(response), keep_alive, head, version);
  }

  // A Respond that writes on this session's strand, once; it keeps the session alive until called.
  Respond make_respond(bool keep_alive, bool head, unsigned version) {
    auto answered = std::make_shared<std::atomic<bool>>(false);
    return [self = shared_from_this(), answered, keep_alive, head, version](Response response) {
      if (answered->exchange(true)) return;
      net::post(self->executor_, [self, response = std::move(response), keep_alive, head, version]() mutable {
        self->write(std::move(response), keep_alive, head, version);
      });
    };
  }

  void upgrade(Request& req) {
    const bool keep_alive = parser_->get().keep_alive();
    const unsigned version = parser_->get().version();
    const TakeWebSocket take = [this]() -> std::unique_ptr<WebSocketUpgrade> {
      if (handed_off_) return nullptr;
      handed_off_ = true;  // the WebSocket owns the connection now; this session ends here
      return std::unique_ptr<WebSocketUpgrade>(new WebSocketUpgrade{std::move(stream_), parser_->release()});
    };
    Response response;
    try {
      response = server_->hooks.websocket(req, take);
    } catch (...) {
      response = Response::json(500, R"({"detail":"Internal Server Error"})");
    }
    if (!handed_off_) write(std::move(response), keep_alive, false, version);
  }

  void send_error(int status, std::string body) {
    write(Response::json(status, std::move(body)), false, false, 11);
  }

  void write(Response response, bool keep_alive, bool head, unsigned version) {
    res_.emplace();
    auto& res = *res_;
    res.version(version);
    // Beast throws on a status outside 100..999; a handler bug must not end the connection badly.
    if (response.status < 100 || response.status > 999)
      response = Response::detail(500, "Internal Server Error");
    res.result(static_cast<unsigned>(response.status));  // Beast supplies the reason phrase
    res.set(http::field::date, http_date());
    res.set(http::field::server, "uvicorn");
    if (!response.content_type.empty() && response.status != 204 && response.status != 304)
      res.set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) res.insert(name, value);
    const bool bodyless = response.status == 204 || response.status == 304 || response.status < 200;
    if (bodyless) {
      res.content_length(boost::none);
    } else if (head) {
      // HEAD: the length of the body a GET would get, and no body.
      res.content_length(response.body.size());
    } else {
      res.body() = std::move(response.body);
      res.prepare_payload();
    }
    res.keep_alive(keep_alive && !server_->stopping);
    close_after_write_ = !res.keep_alive();
    stream_.expires_after(kWriteTimeout);
    http::async_write(stream_, res,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    res_.reset();
    if (ec || close_after_write_) return close();
    do_read();
  }

  void close() {
    if (handed_off_) return;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  net::any_io_executor executor_;
  HttpServer::Impl* server_;  // outlives every session (see Impl's member order)
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<http::response<http::string_body>> res_;
  bool idle_ = false;  // waiting for the next request's first bytes: safe to close on stop
  bool close_after_write_ = false;
  bool handed_off_ = false;  // stream_ was moved to a WebSocket
};

void HttpServer::Impl::do_accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void HttpServer::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (stopping || ec == net::error::operation_aborted || !acceptor.is_open()) return;
  if (!ec) {
    auto session = std::make_shared<Session>(std::move(socket), this);
    {
      std::lock_guard lock(sessions_mutex);
      sessions[session.get()] = session;
    }
    session->start();
  }
  // Accept errors such as EMFILE are transient for a server: keep accepting.
  do_accept();
}

HttpServer::HttpServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { stop(); }

std::uint16_t HttpServer::port() const noexcept { return impl_->port; }

Result<std::unique_ptr<HttpServer>> HttpServer::start(HttpServerOptions options, HttpHandler handler,
                                                      HttpHooks hooks) {
  auto impl = std::make_shared<Impl>();
  impl->options = std::move(options);
  impl->handler = std::move(handler);
  impl->hooks = std::move(hooks);
  const std::string& host = impl->options.host;
  beast::error_code ec;
  net::ip::address address = net::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) {
    // A host name: resolve it (the first address wins).
    tcp::resolver resolver(impl->ioc);
    auto results = resolver.resolve(host, std::to_string(impl->options.port), ec);
    if (ec || results.empty())
      return fail(ErrorCode::io, "cannot resolve the emulator's host '" + host + "': " + ec.message());
    address = results.begin()->endpoint().address();
  }
  const tcp::endpoint endpoint(address, impl->options.port);
  const std::string where = host + ":" + std::to_string(impl->options.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail(ErrorCode::io, "cannot open a socket for " + where + ": " + ec.message());
  impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  impl->acceptor.bind(endpoint, ec);
  if (ec) return fail(ErrorCode::io, "cannot listen on " + where + ": " + ec.message());
  impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail(ErrorCode::io, "cannot listen on " + where + ": " + ec.message());
  impl->port = impl->acceptor.local_endpoint(ec).port();
  if (ec) return fail(ErrorCode::io, "cannot read the port of " + where + ": " + ec.message());

  impl->work.emplace(net::make_work_guard(impl->ioc));
  impl->do_accept();
  const int threads = std::max(1, impl->options.threads);
  try {
    for (int i = 0; i < threads; ++i)
      impl->threads.emplace_back([raw = impl.get()] {
        // A handler that throws past Session's catch would otherwise end the process.
        for (;;) {
          try {
            raw->ioc.run();
            return;
          } catch (...) {
          }
        }
      });
  } catch (const std::exception& e) {
    auto server = std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
    server->stop();
    return fail(ErrorCode::io, std::string("cannot start the emulator's threads: ") + e.what());
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

void HttpServer::stop() {
  if (!impl_) return;
  Impl& s = *impl_;
  std::lock_guard stop_lock(s.stop_mutex);
  if (s.stopped) return;
  s.stopped = true;
  s.stopping = true;
  // Close the listening socket on its strand, and wait for that: once stop() has begun, a new
  // connection must be refused, not left in the backlog of a socket nobody accepts from.
  auto closed = std::make_shared<std::promise<void>>();
  auto closed_future = closed->get_future();
  net::post(s.acceptor.get_executor(), [&s, closed] {
    beast::error_code ec;
    s.acceptor.close(ec);
    closed->set_value();
  });
  closed_future.wait_for(kStopGrace);
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(s.sessions_mutex);
    for (auto& [raw, weak] : s.sessions)
      if (auto session = weak.lock()) live.push_back(std::move(session));
  }
  // Outside the lock: dropping the last reference runs ~Session, which takes the lock.
  for (auto& session : live) net::post(session->executor(), [session] { session->shutdown_if_idle(); });
  live.clear();
  {
    // Requests in flight finish and their connections close after the response.
    std::unique_lock lock(s.sessions_mutex);
    s.sessions_cv.wait_for(lock, kStopGrace, [&s] { return s.sessions.empty(); });
  }
  s.work.reset();
  s.ioc.stop();
  for (auto& t : s.threads)
    if (t.joinable()) t.join();
  s.threads.clear();
  beast::error_code ec;
  s.acceptor.close(ec);  // in case the posted close never ran (every thread was busy)
}

}  // namespace ivk::emu
