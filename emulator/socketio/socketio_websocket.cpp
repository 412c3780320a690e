// Engine.IO's WebSocket transport over Beast: a direct WebSocket session, or the probe that upgrades a
// polling session (2probe -> 3probe, noop to the parked GET, then 5). One Engine.IO packet per text frame.
// Reads and writes run on the connection's strand; other threads only post wake() to it.
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "http/http_server_upgrade.h"
#include "socketio/socketio_session.h"

namespace ivk::emu {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

namespace {

class WsConnection final : public sio_detail::WsLink, public std::enable_shared_from_this<WsConnection> {
 public:
  using SessionPtr = SocketIoServer::Impl::SessionPtr;

  // probing: the WebSocket of an upgrade, not yet carrying the session.
  WsConnection(WebSocketUpgrade& upgrade, std::shared_ptr<SocketIoServer::Impl> server, SessionPtr session,
               bool probing)
      : ws_(std::move(upgrade.stream)),
        request_(std::move(upgrade.request)),
        server_(std::move(server)),
        session_(std::move(session)),
        bound_(!probing) {
    server_->link_busy();
  }
  ~WsConnection() override { done(); }
  WsConnection(const WsConnection&) = delete;
  WsConnection& operator=(const WsConnection&) = delete;

  void start() {
    beast::get_lowest_layer(ws_).expires_never();  // the HTTP read timeout must not cut the socket
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "uvicorn"); }));
    ws_.read_message_max(static_cast<std::uint64_t>(server_->options.max_payload));
    ws_.async_accept(request_, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
  }

  void wake() override {
    net::post(ws_.get_executor(), [self = shared_from_this()] { self->pump(); });
  }

 private:
  void on_accept(beast::error_code ec) {
    request_ = {};
    if (ec) return on_error();
    accepted_ = true;
    do_read();
    pump();
  }

  void do_read() {
    ws_.async_read(buffer_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return on_error();
    const bool text = ws_.got_text();
    std::string frame = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (text) {
      auto packet = eio::decode_text(frame);
      if (!packet) {
        // Garbage on the wire: end the session (a probe just goes away).
        if (bound_) server_->close(session_, true);
        return close_socket();
      }
      if (bound_)
        server_->on_packet(session_, *packet);
      else
        on_probe_packet(*packet);
    }
    if (!closing_) do_read();
  }

  void on_probe_packet(const eio::Packet& packet) {
    if (packet.type == eio::PacketType::ping && packet.data == "probe") {
      direct_.emplace_back(eio::kProbePong);
      pump();
      // The parked GET returns now, so the client can pause polling and send "5".
      std::lock_guard lock(session_->mutex);
      server_->push_locked(*session_, std::string(eio::kNoop));
      return;
    }
    if (packet.type != eio::PacketType::upgrade) return;
    {
      std::lock_guard lock(session_->mutex);
      if (session_->closed) return close_socket();
      if (session_->pending_get) {
        // Nothing may stay parked on the old transport.
        if (session_->outbox.empty()) session_->outbox.emplace_back(eio::kNoop);
        server_->flush_locked(*session_);
      }
      // A noop queued for a GET that never came has no use on the WebSocket.
      std::erase(session_->outbox, std::string(eio::kNoop));
      session_->upgraded = true;
      session_->transport = sio_detail::Transport::websocket;
      session_->ws = shared_from_this();
      session_->probe.reset();
    }
    bound_ = true;
    pump();
  }

  void pump() {
    if (!accepted_ || writing_ || closing_) return;
    if (!direct_.empty()) {
      current_ = std::move(direct_.front());
      direct_.pop_front();
    } else {
      bool closed = false;
      {
        std::lock_guard lock(session_->mutex);
        if (bound_ && !session_->outbox.empty()) {
          current_ = std::move(session_->outbox.front());
          session_->outbox.pop_front();
        } else {
          closed = session_->closed;
          if (!closed) return;
        }
      }
      if (closed) return close_socket();
    }
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(current_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec) return self->on_error();
      self->pump();
    });
  }

  // Nothing more will be written (the close frame aside).
  void done() {
    if (done_) return;
    done_ = true;
    server_->link_done();
  }

  void close_socket() {
    if (closing_ || !accepted_) return;
    closing_ = true;
    done();
    ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {});
  }

  // The peer went away (or the socket was closed): a carrying link takes its session with it.
  void on_error() {
    closing_ = true;
    done();
    if (bound_) server_->close(session_, false);
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::http::request<beast::http::string_body> request_;
  std::shared_ptr<SocketIoServer::Impl> server_;
  SessionPtr session_;
  bool bound_;  // carries the session (its outbox goes out here)
  beast::flat_buffer buffer_;
  std::deque<std::string> direct_;  // upgrade replies that bypass the session's outbox
  std::string current_;             // the frame being written
  bool accepted_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool done_ = false;
};

}  // namespace

Response SocketIoServer::handle_websocket(const Request& req, const TakeWebSocket& take) {
  using sio_detail::engineio_error;
  if (req.query_value("EIO") != "4") return engineio_error(5, "Unsupported protocol version");
  if (req.query_value("transport") != "websocket") return engineio_error(0, "Transport unknown");
  SocketIoServer::Impl::SessionPtr session;
  const auto sid = req.query_value("sid");
  if (sid) {
    session = impl_->find(*sid);
    if (!session) return engineio_error(1, "Session ID unknown");
    std::lock_guard lock(session->mutex);
    if (session->closed || session->transport != Impl::Transport::polling || session->probe)
      return engineio_error(3, "Bad request");
  } else {
    session = impl_->open_session(Impl::Transport::websocket, req);
    if (!session) return engineio_error(3, "Bad request");  // stopping
  }
  auto upgrade = take();
  if (!upgrade) {
    if (!sid) impl_->close(session, false);
    return Response::detail(500, "Internal Server Error");
  }
  auto link = std::make_shared<WsConnection>(*upgrade, impl_, session, sid.has_value());
  {
    // A session closed meanwhile must not hold the link: that would be a cycle nobody breaks.
    std::lock_guard lock(session->mutex);
    if (!session->closed) (sid ? session->probe : session->ws) = link;
  }
  link->start();
  return Response{};
}

}  // namespace ivk::emu
