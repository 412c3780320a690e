// The Socket.IO server's Engine.IO core: sessions, the outgoing queues, the heartbeat, event routing
// and shutdown. The transports (socketio_polling.cpp, socketio_websocket.cpp) and the Socket.IO packets
// (socketio_socket.cpp) build on it.
#include "socketio/socketio_server.h"

#include <algorithm>
#include <random>
#include <utility>

#include <nlohmann/json.hpp>

#include "socketio/socketio_session.h"

namespace ivk::emu {

using sio_detail::Clock;
using sio_detail::Transport;

namespace sio_detail {

Response engineio_error(int code, std::string_view message) {
  nlohmann::json body = {{"code", code}, {"message", message}};
  return Response::json(400, body.dump());
}

std::string random_sid() {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string sid(20, '\0');
  for (char& c : sid) c = kAlphabet[rng() % kAlphabet.size()];
  return sid;
}

}  // namespace sio_detail

namespace {

// How long stop() waits for WebSockets to write their close packet.
constexpr auto kStopGrace = std::chrono::seconds(2);

// Which sockets an event reaches (spec §8.2, the "≤ 6.11" row).
enum class Route { queue_room, everyone, bulk_download_room, nobody };

Route route_of(std::string_view event) {
  // Dispatched internally by the server, never sent to clients (spec §8.2).
  if (event == "model_install_download_started" || event == "download_paused" ||
      event == "user_access_changed")
    return Route::nobody;
  if (event.starts_with("model_") || event.starts_with("download_")) return Route::everyone;
  if (event.starts_with("bulk_download_")) return Route::bulk_download_room;
  return Route::queue_room;
}

}  // namespace

bool SocketIoServer::handles(std::string_view path) noexcept {
  return path == "/ws/socket.io" || path == "/ws/socket.io/";
}

SocketIoServer::SocketIoServer(SocketIoOptions options, const Auth& auth)
    : impl_(std::make_shared<Impl>(options, auth)) {
  impl_->heartbeat = std::thread([raw = impl_.get()] { raw->heartbeat_loop(); });
}

SocketIoServer::~SocketIoServer() { stop(); }

std::size_t SocketIoServer::session_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->sessions.size();
}

void SocketIoServer::stop() {
  std::vector<Impl::SessionPtr> live;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
    for (auto& [sid, s] : impl_->sessions) live.push_back(s);
  }
  impl_->heartbeat_cv.notify_all();
  for (auto& s : live) impl_->close(s, true);
  if (impl_->heartbeat.joinable()) impl_->heartbeat.join();
  std::unique_lock lock(impl_->mutex);
  impl_->links_cv.wait_for(lock, kStopGrace, [this] { return impl_->busy_links == 0; });
}

void SocketIoServer::Impl::link_busy() {
  std::lock_guard lock(mutex);
  ++busy_links;
}

void SocketIoServer::Impl::link_done() {
  std::lock_guard lock(mutex);
  --busy_links;
  links_cv.notify_all();
}

void SocketIoServer::emit(const std::string& event, const std::string& payload_json) {
  const Route route = route_of(event);
  if (route == Route::nobody) return;
  std::vector<Impl::SessionPtr> targets;
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopping) return;
    targets.reserve(impl_->sessions.size());
    for (auto& [sid, s] : impl_->sessions) targets.push_back(s);
  }
  if (targets.empty()) return;
  std::string room;
  if (route != Route::everyone) {
    const auto payload = nlohmann::json::parse(payload_json, nullptr, false);
    const char* key = route == Route::queue_room ? "queue_id" : "bulk_download_id";
    if (!payload.is_object() || !payload.contains(key) || !payload[key].is_string()) return;
    room = payload[key].get<std::string>();
  }
  const std::string frame = sio::encode_event(event, {payload_json});
  std::vector<Impl::SessionPtr> overflowed;
  for (auto& s : targets) {
    std::lock_guard lock(s->mutex);
    if (!s->connected || s->closed) continue;
    if (route == Route::queue_room && !s->queue_rooms.contains(room)) continue;
    if (route == Route::bulk_download_room && !s->bulk_download_rooms.contains(room)) continue;
    if (!impl_->push_locked(*s, frame)) overflowed.push_back(s);
  }
  for (auto& s : overflowed) impl_->close(s, false);
}

SocketIoServer::Impl::SessionPtr SocketIoServer::Impl::open_session(Transport transport, const Request& req) {
  auto s = std::make_shared<Session>();
  s->transport = transport;
  s->next_ping = Clock::now() + std::chrono::milliseconds(options.ping_interval_ms);
  if (auto header = req.header("authorization")) {
    std::string_view v = *header;
    if (v.size() > 7 && (v.substr(0, 7) == "Bearer " || v.substr(0, 7) == "bearer ")) {
      v.remove_prefix(7);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      if (!v.empty()) s->header_token = std::string(v);
    }
  }
  eio::OpenHandshake open;
  open.ping_interval_ms = options.ping_interval_ms;
  open.ping_timeout_ms = options.ping_timeout_ms;
  open.max_payload = options.max_payload;
  if (transport == Transport::polling) open.upgrades = {"websocket"};
  std::lock_guard lock(mutex);
  if (stopping) return nullptr;
  do {
    s->sid = sio_detail::random_sid();
  } while (sessions.contains(s->sid));
  open.sid = s->sid;
  s->outbox.push_back(eio::encode_text(eio::PacketType::open, eio::open_json(open)));
  sessions.emplace(s->sid, s);
  return s;
}

SocketIoServer::Impl::SessionPtr SocketIoServer::Impl::find(std::string_view sid) const {
  std::lock_guard lock(mutex);
  const auto it = sessions.find(sid);
  return it == sessions.end() ? nullptr : it->second;
}

bool SocketIoServer::Impl::push_locked(Session& s, std::string packet) {
  if (s.closed) return false;
  if (s.outbox.size() >= options.max_queued_packets) return false;
  s.outbox.push_back(std::move(packet));
  flush_locked(s);
  return true;
}

void SocketIoServer::Impl::flush_locked(Session& s) {
  if (s.transport == Transport::websocket) {
    if (s.ws) s.ws->wake();
    return;
  }
  if (!s.pending_get || s.outbox.empty()) return;
  std::string body;
  for (auto& text : s.outbox) {
    if (!body.empty()) body += eio::kRecordSeparator;
    body += text;
  }
  s.outbox.clear();
  Respond respond = std::move(s.pending_get);
  s.pending_get = nullptr;
  Response response;
  response.content_type = "text/plain; charset=UTF-8";
  response.body = std::move(body);
  respond(std::move(response));  // only posts to the connection's strand
}

void SocketIoServer::Impl::close(const SessionPtr& s, bool say_close) {
  {
    std::lock_guard lock(s->mutex);
    if (!s->closed) {
      if (!say_close) s->outbox.clear();
      // A client that is told nothing more is dropped at once: what it had queued goes with it.
      if (say_close) s->outbox.push_back(std::string(eio::kClose));
      if (s->transport == Transport::polling && s->pending_get) {
        if (s->outbox.empty()) s->outbox.push_back(std::string(eio::kNoop));
        flush_locked(*s);
      }
      s->closed = true;
      s->connected = false;
      s->queue_rooms.clear();
      s->bulk_download_rooms.clear();
      // The links see `closed`, drain the outbox (the close packet) and close their WebSockets.
      if (s->ws) s->ws->wake();
      if (s->probe) s->probe->wake();
      s->ws.reset();  // the links keep themselves alive; this breaks the session <-> link cycle
      s->probe.reset();
    }
  }
  std::lock_guard lock(mutex);
  if (auto it = sessions.find(s->sid); it != sessions.end() && it->second == s) sessions.erase(it);
}

void SocketIoServer::Impl::on_packet(const SessionPtr& s, const eio::Packet& packet) {
  switch (packet.type) {
    case eio::PacketType::close: close(s, false); return;
    case eio::PacketType::pong: {
      std::lock_guard lock(s->mutex);
      s->pong_deadline.reset();
      s->next_ping = Clock::now() + std::chrono::milliseconds(options.ping_interval_ms);
      return;
    }
    case eio::PacketType::message: {
      if (packet.binary) return;  // no client event of InvokeAI carries binary data
      std::lock_guard lock(s->mutex);
      on_message_locked(*s, packet.data);
      return;
    }
    default: return;  // pings from a v3 client, stray noops: nothing to do
  }
}

void SocketIoServer::Impl::heartbeat_loop() {
  // Ticks finely enough that pings and timeouts happen within a small fraction of their interval.
  const auto tick = std::chrono::milliseconds(
      std::clamp<std::int64_t>(std::min(options.ping_interval_ms, options.ping_timeout_ms) / 10, 5, 500));
  std::unique_lock lock(mutex);
  while (!stopping) {
    heartbeat_cv.wait_for(lock, tick);
    if (stopping) break;
    std::vector<SessionPtr> live;
    for (auto& [sid, s] : sessions) live.push_back(s);
    lock.unlock();
    const auto now = Clock::now();
    std::vector<SessionPtr> dead;
    for (auto& s : live) {
      std::lock_guard session_lock(s->mutex);
      if (s->closed) continue;
      if (s->pong_deadline) {
        if (now >= *s->pong_deadline) dead.push_back(s);
      } else if (now >= s->next_ping) {
        s->pong_deadline = now + std::chrono::milliseconds(options.ping_timeout_ms);
        if (!push_locked(*s, std::string(eio::kPing))) dead.push_back(s);
      }
    }
    for (auto& s : dead) close(s, false);
    lock.lock();
  }
}

}  // namespace ivk::emu
