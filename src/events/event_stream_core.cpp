// The stream's thread: read packets, answer pings, deliver events, notice a dead connection (no
// packet within pingInterval + pingTimeout, as Engine.IO v4 specifies), reconnect with backoff.
#include "events/event_stream_core.h"

#include <string>
#include <utility>

namespace ivk {

using detail::Clock;

namespace {

// How long a final disconnect / close frame may take at close(): short, close() must not hang.
constexpr auto kGoodbyeTimeout = std::chrono::milliseconds(1000);
constexpr auto kLostGoodbyeTimeout = std::chrono::milliseconds(250);

Clock::time_point heartbeat_deadline(const detail::eio::OpenHandshake& h) {
  return Clock::now() + std::chrono::milliseconds(h.ping_interval_ms + h.ping_timeout_ms);
}

}  // namespace

void EventStream::Core::request_stop() {
  stop.store(true);
  {
    std::lock_guard lock(transport_mutex);
    if (waking != nullptr) waking->wake();
  }
  { std::lock_guard lock(wait_mutex); }  // a thread between its predicate check and wait() sees stop
  wait_cv.notify_all();
}

Result<detail::Session> EventStream::Core::open(EventTransport kind) {
  detail::SessionRequest request;
  request.url = &url;
  request.transport = kind;
  if (options.token) {
    try {
      request.token = options.token();
    } catch (...) {  // a throwing token source is treated as "no token"; the server decides
      request.token.reset();
    }
  }
  request.queue_ids = &options.queue_ids;
  request.verify_tls = options.verify_tls;
  request.stop = &stop;
  request.track = [this](detail::EngineTransport* t) {
    std::lock_guard lock(transport_mutex);
    waking = t;
    if (t != nullptr && stop.load()) t->wake();
  };
  return detail::open_session(request, Clock::now() + options.connect_timeout);
}

void EventStream::Core::install(detail::Session s) {
  std::lock_guard lock(transport_mutex);
  session = std::move(s);
  waking = session.transport.get();
  active.store(session.transport->kind());
  if (stop.load()) waking->wake();
}

void EventStream::Core::end_session() {
  std::unique_ptr<detail::EngineTransport> old;
  {
    std::lock_guard lock(transport_mutex);
    waking = nullptr;
    old = std::move(session.transport);
  }
  session = {};
}

void EventStream::Core::set_state(StreamState s, const Error* why) {
  state.store(s);
  state_handlers.call(s, why);
}

void EventStream::Core::run() {
  thread_id.store(std::this_thread::get_id());
  std::optional<Error> final_error;
  while (!stop.load()) {
    Error lost = serve();
    if (stop.load()) break;
    // Best effort: a server that only dropped the Socket.IO socket still has the Engine.IO session
    // open; ending it frees its resources. Short, since the server may be the thing that is dead.
    session.transport->shutdown(Clock::now() + kLostGoodbyeTimeout);
    end_session();
    set_state(StreamState::reconnecting, &lost);
    final_error = lost;
    if (!reconnect(final_error)) break;
    final_error.reset();
  }
  if (session.transport) {
    // Leaving on purpose: tell the server (Socket.IO DISCONNECT, then the transport's own goodbye).
    const auto deadline = Clock::now() + kGoodbyeTimeout;
    (void)session.transport->send({detail::sio::encode_disconnect()}, deadline);
    session.transport->shutdown(deadline);
    end_session();
  }
  set_state(StreamState::closed, stop.load() ? nullptr : (final_error ? &*final_error : nullptr));
}

Error EventStream::Core::serve() {
  auto heartbeat = heartbeat_deadline(session.handshake);
  // Packets that came with the CONNECT reply are handled first, like any others.
  for (const auto& packet : std::exchange(session.early, {}))
    if (auto s = handle(packet, heartbeat); !s) return s.error();
  while (!stop.load()) {
    auto packets = session.transport->receive(heartbeat);
    if (!packets) return packets.error();
    if (packets->empty()) {
      if (!stop.load() && Clock::now() >= heartbeat)
        return make_error(
            ErrorCode::timeout,
            "no ping from the server within pingInterval + pingTimeout (" +
                std::to_string(session.handshake.ping_interval_ms + session.handshake.ping_timeout_ms) +
                " ms): the connection is dead",
            session.transport->where());
      continue;
    }
    for (const auto& packet : *packets) {
      if (auto s = handle(packet, heartbeat); !s) return s.error();
      if (stop.load()) break;
    }
  }
  return make_error(ErrorCode::cancelled, "closed");
}

Status EventStream::Core::handle(const detail::eio::Packet& packet, Clock::time_point& heartbeat) {
  // Any packet proves the server alive; pings are the ones it promises to send.
  heartbeat = heartbeat_deadline(session.handshake);
  const auto where = session.transport->where();
  switch (packet.type) {
    case detail::eio::PacketType::ping: {
      const auto deadline = Clock::now() + std::chrono::milliseconds(session.handshake.ping_timeout_ms);
      return session.transport->send({std::string(detail::eio::kPong)}, deadline);
    }
    case detail::eio::PacketType::close:
      return tl::unexpected(
          make_error(ErrorCode::transport, "the server closed the Engine.IO session", where));
    case detail::eio::PacketType::message: {
      if (packet.binary) return {};  // InvokeAI sends no binary events; nothing to deliver
      auto sp = detail::sio::decode(packet.data);
      if (!sp || sp->nsp != "/") return {};  // malformed or another namespace: skip, keep the session
      if (sp->type == detail::sio::PacketType::disconnect)
        return tl::unexpected(make_error(ErrorCode::transport, "the server disconnected this socket", where));
      if (sp->type == detail::sio::PacketType::event)
        if (auto event = detail::sio::decode_event(*sp)) deliver(*event);
      return {};
    }
    default: return {};  // pong, noop, upgrade, open: nothing to do mid-session
  }
}

void EventStream::Core::deliver(const detail::sio::Event& event) {
  received.fetch_add(1);
  ServerEvent out;
  out.name = event.name;
  out.payload_json = event.args.empty() ? std::string("null") : event.args.front();
  if (options.dedupe) {
    switch (deduper.offer(out.name, out.payload_json)) {
      case EventDeduper::Verdict::drop: dropped.fetch_add(1); return;
      case EventDeduper::Verdict::replace: out.replaces_previous = true; break;
      case EventDeduper::Verdict::deliver: break;
    }
  }
  handlers.call(out);
}

bool EventStream::Core::reconnect(std::optional<Error>& last_error) {
  const int limit = options.max_reconnect_attempts;
  for (int attempt = 0; limit < 0 || attempt < limit; ++attempt) {
    const auto delay =
        detail::backoff_delay(attempt, options.reconnect_delay_min, options.reconnect_delay_max, rng);
    {
      std::unique_lock lock(wait_mutex);
      if (wait_cv.wait_for(lock, delay, [this] { return stop.load(); })) return false;
    }
    auto opened = open(chosen_transport);
    if (stop.load()) return false;
    if (opened) {
      install(std::move(*opened));
      reconnects.fetch_add(1);
      set_state(StreamState::connected, nullptr);
      return true;
    }
    last_error = opened.error();
    set_state(StreamState::reconnecting, &*last_error);
  }
  return false;
}

}  // namespace ivk
