// Engine.IO over a WebSocket (Boost.Beast): ws:// on plain TCP, wss:// through OpenSSL (the server's
// certificate checked against the system's trust store and the host name unless verify_tls is off;
// ADR 0009). Every operation is asynchronous on a private io_context that only the stream's thread
// runs, one completion at a time, until the operation is done, its deadline passes, or the stop flag
// is set. That gives every wait a timeout without cancelling reads halfway: a receive() that times out
// leaves its read pending, and the next receive() picks up its result. wake() posts an empty handler so
// a thread blocked in run_one_until() gets to look at the stop flag at once.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <string>
#include <utility>

#include "events/event_stream_transport.h"
#include "ivk/version.h"

namespace ivk::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

// One class for both schemes: only the stream type and the TLS handshake step differ.
template <bool Tls>
class WebSocketTransport final : public EngineTransport {
  using Ws = std::conditional_t<Tls, websocket::stream<beast::ssl_stream<tcp::socket>>,
                                websocket::stream<tcp::socket>>;

 public:
  explicit WebSocketTransport(TransportConfig config) : config_(std::move(config)) {}

  ~WebSocketTransport() override { abort_io(); }

  Result<eio::OpenHandshake> open(Clock::time_point deadline) override {
    // Resolve.
    tcp::resolver resolver(ioc_);
    bool done = false;
    beast::error_code ec;
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(config_.url.host(), std::to_string(config_.url.port()),
                           [&](beast::error_code e, tcp::resolver::results_type r) {
                             ec = e;
                             endpoints = std::move(r);
                             done = true;
                           });
    if (auto s = run_until(done, deadline, true, [&] { resolver.cancel(); }); !s)
      return tl::unexpected(s.error());
    if (ec)
      return fail_here(ErrorCode::transport, "cannot resolve " + config_.url.host() + ": " + ec.message());

    // TCP connect.
    done = false;
    asio::async_connect(socket(), endpoints, [&](beast::error_code e, const tcp::endpoint&) {
      ec = e;
      done = true;
    });
    if (auto s = run_until(done, deadline, true, [&] { close_socket(); }); !s)
      return tl::unexpected(s.error());
    if (ec)
      return fail_here(ErrorCode::transport,
                       "cannot connect to " + config_.url.authority() + ": " + ec.message());
    beast::error_code ignored;
    socket().set_option(tcp::no_delay(true), ignored);
    if constexpr (Tls) {
      if (auto s = tls_handshake(deadline); !s) return tl::unexpected(s.error());
    }

    // WebSocket upgrade, with the bearer token on the request (servers take it there or in CONNECT auth).
    ws_.set_option(websocket::stream_base::decorator([this](websocket::request_type& req) {
      req.set(http::field::user_agent, "ivk/" + std::string(ivk::version()));
      if (config_.token) req.set(http::field::authorization, "Bearer " + *config_.token);
    }));
    websocket::response_type response;
    done = false;
    ws_.async_handshake(response, config_.url.authority(), target(), [&](beast::error_code e) {
      ec = e;
      done = true;
    });
    if (auto s = run_until(done, deadline, true, [&] { close_socket(); }); !s)
      return tl::unexpected(s.error());
    if (ec) {
      const int status = static_cast<int>(response.result_int());
      if (status == 401 || status == 403)
        return fail_here(ErrorCode::auth, "the server refused the WebSocket handshake with HTTP " +
                                              std::to_string(status) + ": check the token");
      if (status != 0 && status != 101) {
        auto err =
            make_error(ErrorCode::http,
                       "the server answered the WebSocket upgrade with HTTP " + std::to_string(status) +
                           " (a proxy without WebSocket support? the polling transport may work)",
                       where());
        err.http_status = status;
        return tl::unexpected(err);
      }
      return fail_here(ErrorCode::transport, "WebSocket handshake failed: " + ec.message());
    }
    ws_.text(true);
    open_ = true;

    // The first frame is the Engine.IO open packet.
    auto first = receive(deadline);
    if (!first) return tl::unexpected(first.error());
    if (first->empty()) {
      if (config_.stop->load()) return fail_here(ErrorCode::cancelled, "closed while connecting");
      return fail_here(ErrorCode::timeout, "no Engine.IO open packet before the connect timeout");
    }
    const eio::Packet head = first->front();
    for (std::size_t i = 1; i < first->size(); ++i) inbox_.push_back(std::move((*first)[i]));
    auto handshake = open_handshake_from(head);
    if (!handshake) return fail_here(ErrorCode::transport, handshake.error().message);
    return handshake;
  }

  Result<std::vector<eio::Packet>> receive(Clock::time_point deadline) override {
    if (inbox_.empty() && !read_error_ && open_) {
      if (!read_pending_) start_read();
      ioc_.restart();
      while (inbox_.empty() && !read_error_ && !config_.stop->load() && Clock::now() < deadline) {
        ioc_.run_one_until(deadline);
        if (ioc_.stopped()) ioc_.restart();
      }
    }
    if (!inbox_.empty()) {
      std::vector<eio::Packet> out(std::make_move_iterator(inbox_.begin()),
                                   std::make_move_iterator(inbox_.end()));
      inbox_.clear();
      return out;
    }
    if (read_error_) return tl::unexpected(*read_error_);
    if (!open_) return fail_here(ErrorCode::transport, "the WebSocket is not open");
    return std::vector<eio::Packet>{};
  }

  Status send(const std::vector<std::string>& packets, Clock::time_point deadline) override {
    for (const auto& text : packets) {
      if (!open_ || read_error_) return fail_here(ErrorCode::transport, "the WebSocket is closed");
      bool done = false;
      beast::error_code ec;
      ws_.async_write(asio::buffer(text), [&](beast::error_code e, std::size_t) {
        ec = e;
        done = true;
      });
      if (auto s = run_until(done, deadline, false, [this] { close_socket(); }); !s) return s;
      if (ec) return fail_here(ErrorCode::transport, "WebSocket write failed: " + ec.message());
    }
    return {};
  }

  void shutdown(Clock::time_point deadline) override {
    if (open_ && !read_error_) {
      bool done = false;
      ws_.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
      (void)run_until(done, deadline, false, [this] { close_socket(); });
    }
    abort_io();
  }

  void wake() override {
    asio::post(ioc_, [] {});
  }

  [[nodiscard]] EventTransport kind() const override { return EventTransport::websocket; }
  [[nodiscard]] std::string where() const override { return config_.url.websocket_url(); }

 private:
  tcp::socket& socket() { return beast::get_lowest_layer(ws_); }

  Ws make_stream() {
    if constexpr (Tls)
      return Ws(ioc_, tls_);
    else
      return Ws(ioc_);
  }

  // TLS over the connected socket: SNI for name-based virtual hosts (proxies serve many names on one
  // address), then the handshake, with the chain and the host name checked unless verify_tls is off.
  Status tls_handshake(Clock::time_point deadline) {
    auto& stream = ws_.next_layer();
    const std::string& host = config_.url.host();
    beast::error_code ec;
    (void)asio::ip::make_address(host, ec);
    const bool is_ip_literal = !ec || host.find(':') != std::string::npos;  // SNI never names an address
    // SSL_set_tlsext_host_name() is a macro over this call, with a C cast -Wold-style-cast rejects.
    if (!is_ip_literal && SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                                   TLSEXT_NAMETYPE_host_name, const_cast<char*>(host.c_str())) != 1)
      return fail_here(ErrorCode::transport, "cannot set the TLS server name " + host);
    if (config_.verify_tls) {
      tls_.set_default_verify_paths(ec);
      stream.set_verify_mode(ssl::verify_peer);
      stream.set_verify_callback(ssl::host_name_verification(host));
    } else {
      stream.set_verify_mode(ssl::verify_none);
    }
    bool done = false;
    stream.async_handshake(ssl::stream_base::client, [&](beast::error_code e) {
      ec = e;
      done = true;
    });
    if (auto s = run_until(done, deadline, true, [&] { close_socket(); }); !s) return s;
    if (ec) {
      std::string message = "TLS handshake with " + config_.url.authority() + " failed: " + ec.message();
      if (config_.verify_tls && SSL_get_verify_result(stream.native_handle()) != X509_V_OK)
        message +=
            " (the server's certificate is not trusted for this host name; a self-signed one needs "
            "verification turned off)";
      return fail_here(ErrorCode::transport, std::move(message));
    }
    return {};
  }

  std::string target() const { return config_.url.socket_path() + "/?EIO=4&transport=websocket"; }

  tl::unexpected<Error> fail_here(ErrorCode code, std::string message) const {
    return tl::unexpected(make_error(code, std::move(message), where()));
  }

  // Runs completions until `done`, the deadline (then `abort` is called, its handlers drained, and
  // timeout returned) or, when honor_stop, the stop flag (cancelled).
  template <class Abort>
  Status run_until(const bool& done, Clock::time_point deadline, bool honor_stop, Abort&& abort) {
    ioc_.restart();
    while (!done) {
      const bool stopping = honor_stop && config_.stop->load();
      if (stopping || Clock::now() >= deadline) {
        abort();
        drain(done);
        open_ = false;
        return stopping ? fail_here(ErrorCode::cancelled, "closed while connecting")
                        : fail_here(ErrorCode::timeout, "the server did not answer in time");
      }
      ioc_.run_one_until(deadline);
      if (ioc_.stopped()) ioc_.restart();
    }
    return {};
  }

  // After a cancel, lets the cancelled operation's handler run (it references locals of the caller).
  void drain(const bool& done) {
    const auto limit = Clock::now() + std::chrono::seconds(2);
    ioc_.restart();
    while (!done && Clock::now() < limit) {
      ioc_.run_one_until(limit);
      if (ioc_.stopped()) ioc_.restart();
    }
  }

  void start_read() {
    read_pending_ = true;
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      read_pending_ = false;
      if (ec) {
        read_error_ =
            ec == websocket::error::closed
                ? make_error(ErrorCode::transport, "the server closed the WebSocket", where())
                : make_error(ErrorCode::transport, "WebSocket read failed: " + ec.message(), where());
        return;
      }
      const auto data = buffer_.cdata();
      const std::string_view bytes(static_cast<const char*>(data.data()), data.size());
      if (ws_.got_binary()) {
        inbox_.push_back(eio::decode_binary_frame(bytes));
      } else if (auto packet = eio::decode_text(bytes)) {
        inbox_.push_back(std::move(*packet));
      } else {
        read_error_ =
            make_error(ErrorCode::transport, "bad Engine.IO frame: " + packet.error().message, where());
      }
      buffer_.consume(buffer_.size());
    });
  }

  void close_socket() {
    beast::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

  // Closes the socket and lets every pending handler finish, so nothing refers to this object after.
  void abort_io() {
    close_socket();
    open_ = false;
    if (read_pending_) {
      const auto limit = Clock::now() + std::chrono::seconds(2);
      ioc_.restart();
      while (read_pending_ && Clock::now() < limit) {
        ioc_.run_one_until(limit);
        if (ioc_.stopped()) ioc_.restart();
      }
    }
  }

  TransportConfig config_;
  asio::io_context ioc_;                        // declared before the stream: destroyed after it
  ssl::context tls_{ssl::context::tls_client};  // used by wss:// only
  Ws ws_{make_stream()};
  beast::flat_buffer buffer_;
  std::deque<eio::Packet> inbox_;
  std::optional<Error> read_error_;
  bool read_pending_ = false;
  bool open_ = false;
};

}  // namespace

std::unique_ptr<EngineTransport> make_websocket_transport(TransportConfig config) {
  if (config.url.is_https()) return std::make_unique<WebSocketTransport<true>>(std::move(config));
  return std::make_unique<WebSocketTransport<false>>(std::move(config));
}

}  // namespace ivk::detail
