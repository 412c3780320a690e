#pragma once
// Internals of the Socket.IO server shared by its files: one Engine.IO session (whatever its transport),
// the server's state, and the interface of a WebSocket link (socketio_websocket.cpp) so that this header
// stays free of Boost. Private to socketio_*.cpp.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "events/socketio_codec.h"
#include "socketio/socketio_server.h"

namespace ivk::emu {
namespace eio = ivk::detail::eio;
namespace sio = ivk::detail::sio;
}  // namespace ivk::emu

namespace ivk::emu::sio_detail {

using Clock = std::chrono::steady_clock;

// A WebSocket carrying a session (or probing an upgrade). wake() asks it, from any thread, to write
// what the session's outbox holds, or to close when the session has closed; it never blocks.
class WsLink {
 public:
  virtual ~WsLink() = default;
  virtual void wake() = 0;
};

enum class Transport { polling, websocket };

// One Engine.IO session and the Socket.IO socket on it. Every member is guarded by mutex.
struct Session {
  std::string sid;
  std::mutex mutex;
  Transport transport = Transport::polling;
  bool closed = false;

  // Engine.IO text packets ("42[...]") waiting for the transport, oldest first.
  std::deque<std::string> outbox;
  Respond pending_get;            // polling: the GET waiting for packets
  std::shared_ptr<WsLink> ws;     // websocket: the link that writes the outbox
  std::shared_ptr<WsLink> probe;  // a WebSocket probing the upgrade of a polling session
  bool upgraded = false;          // "5" received on the probe: polling requests are refused from now on

  // Heartbeat: a ping goes out at next_ping; a pong must come back before pong_deadline.
  Clock::time_point next_ping;
  std::optional<Clock::time_point> pong_deadline;

  // Socket.IO (namespace "/").
  std::optional<std::string> header_token;  // "Authorization: Bearer" of the handshake request
  bool connected = false;
  std::string socket_sid;
  std::set<std::string> queue_rooms;
  std::set<std::string> bulk_download_rooms;
};

}  // namespace ivk::emu::sio_detail

namespace ivk::emu {

struct SocketIoServer::Impl {
  using Session = sio_detail::Session;
  using Transport = sio_detail::Transport;
  using SessionPtr = std::shared_ptr<Session>;

  SocketIoOptions options;
  const Auth& auth;

  mutable std::mutex mutex;  // guards sessions and stopping; taken before any Session::mutex
  std::map<std::string, SessionPtr, std::less<>> sessions;
  bool stopping = false;
  std::condition_variable heartbeat_cv;
  std::thread heartbeat;
  // WebSocket links that have not yet written their last frame: stop() gives them a moment, so that
  // clients see the close packet before the I/O threads end.
  int busy_links = 0;  // guarded by mutex
  std::condition_variable links_cv;
  void link_busy();
  void link_done();

  Impl(SocketIoOptions opts, const Auth& a) : options(opts), auth(a) {}

  // Engine.IO (socketio_server.cpp)
  // A new session with its open packet queued; nullptr when stopping.
  SessionPtr open_session(Transport transport, const Request& req);
  SessionPtr find(std::string_view sid) const;
  // Queues a packet and wakes the transport. Caller holds s.mutex. False when the queue is full
  // (the caller then drops the session) or the session is closed.
  bool push_locked(Session& s, std::string packet);
  void flush_locked(Session& s);
  // Ends a session: with a close packet when say_close, else silently (a dead or overflowing client).
  void close(const SessionPtr& s, bool say_close);
  // A packet from the client, over either transport (not the upgrade's probe packets).
  void on_packet(const SessionPtr& s, const eio::Packet& packet);
  void heartbeat_loop();

  // Socket.IO (socketio_socket.cpp): the data of an Engine.IO message. Caller holds s.mutex.
  void on_message_locked(Session& s, std::string_view data);
  void on_event_locked(Session& s, const sio::Event& event);

  // Polling (socketio_polling.cpp)
  void polling_get(const SessionPtr& s, const Respond& respond);
  void polling_post(const SessionPtr& s, const Request& req, const Respond& respond);
};

namespace sio_detail {

// The JSON error body python-engineio's JavaScript sibling sends: {"code":1,"message":"Session ID unknown"}.
Response engineio_error(int code, std::string_view message);
// A random session id: 20 characters of [A-Za-z0-9_-].
std::string random_sid();

}  // namespace sio_detail
}  // namespace ivk::emu
