// One Socket.IO session from nothing to "subscribed", over whichever transport applies.
#include "events/event_stream_session.h"

#include <algorithm>
#include <utility>

#include "core/json_write.h"

namespace ivk::detail {
namespace {

// The CONNECT packet: "40" anonymously, "40{"token":"..."}" with a token (socket.io-client's auth).
std::string connect_packet(const std::optional<std::string>& token) {
  if (!token) return sio::encode_connect();
  return sio::encode_connect("/", "{\"token\":" + detail::json_string(*token) + "}");
}

std::vector<std::string> subscribe_packets(const std::vector<std::string>& queue_ids) {
  std::vector<std::string> out;
  out.reserve(queue_ids.size());
  for (const auto& id : queue_ids)
    out.push_back(sio::encode_event("subscribe_queue", {"{\"queue_id\":" + detail::json_string(id) + "}"}));
  return out;
}

// After the open packet: sends CONNECT and waits for the reply, answering pings meanwhile.
Result<Session> connect_socketio(std::unique_ptr<EngineTransport> transport, const SessionRequest& request,
                                 Clock::time_point deadline) {
  auto open = transport->open(deadline);
  if (!open) return tl::unexpected(open.error());
  Session session;
  session.handshake = *open;
  const auto where = transport->where();
  if (auto sent = transport->send({connect_packet(request.token)}, deadline); !sent)
    return tl::unexpected(sent.error());

  while (session.sid.empty()) {
    auto packets = transport->receive(deadline);
    if (!packets) return tl::unexpected(packets.error());
    if (packets->empty()) {
      if (request.stop->load())
        return tl::unexpected(make_error(ErrorCode::cancelled, "closed while connecting", where));
      if (Clock::now() >= deadline)
        return tl::unexpected(
            make_error(ErrorCode::timeout, "no Socket.IO CONNECT reply before the connect timeout", where));
      continue;
    }
    for (auto& packet : *packets) {
      if (!session.sid.empty()) {
        session.early.push_back(std::move(packet));
        continue;
      }
      switch (packet.type) {
        case eio::PacketType::ping:
          if (auto s = transport->send({std::string(eio::kPong)}, deadline); !s)
            return tl::unexpected(s.error());
          break;
        case eio::PacketType::close:
          return tl::unexpected(
              make_error(ErrorCode::transport, "the server closed the session while connecting", where));
        case eio::PacketType::message: {
          auto sp = sio::decode(packet.data);
          if (!sp || sp->nsp != "/") break;  // not ours or unreadable: ignore, the reply may still come
          if (sp->type == sio::PacketType::connect_error) {
            auto why = sio::parse_connect_error(*sp);
            return tl::unexpected(make_error(
                ErrorCode::auth, why ? *why : std::string("Connection rejected by server"), where));
          }
          if (sp->type == sio::PacketType::connect) {
            auto sid = sio::parse_connect_reply(*sp);
            if (!sid)
              return tl::unexpected(
                  make_error(ErrorCode::transport, "bad CONNECT reply: " + sid.error().message, where));
            session.sid = *sid;
          } else {
            session.early.push_back(std::move(packet));
          }
          break;
        }
        default: break;  // noop, pong, upgrade: nothing to do
      }
    }
  }
  if (auto sent = transport->send(subscribe_packets(*request.queue_ids), deadline); !sent)
    return tl::unexpected(sent.error());
  session.transport = std::move(transport);
  return session;
}

Result<Session> open_on(EventTransport kind, const SessionRequest& request, Clock::time_point deadline) {
  TransportConfig config{*request.url, request.token, request.verify_tls, request.stop};
  auto transport = kind == EventTransport::polling ? make_polling_transport(std::move(config))
                                                   : make_websocket_transport(std::move(config));
  if (request.track) request.track(transport.get());
  // The tracker is cleared before the transport can be destroyed (on failure) or leave (on success).
  struct Untrack {
    const SessionRequest& r;
    ~Untrack() {
      if (r.track) r.track(nullptr);
    }
  } untrack{request};
  return connect_socketio(std::move(transport), request, deadline);
}

}  // namespace

Result<Session> open_session(const SessionRequest& request, Clock::time_point deadline) {
  const EventTransport kind = request.transport;
  if (kind != EventTransport::automatic) return open_on(kind, request, deadline);
  auto ws = open_on(EventTransport::websocket, request, deadline);
  // Fall back only when a server answered the upgrade with an HTTP error: a refused or dead port, a
  // timeout or an auth refusal would fail the same way over polling.
  if (ws || ws.error().code != ErrorCode::http) return ws;
  return open_on(EventTransport::polling, request, deadline);
}

std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds min,
                                        std::chrono::milliseconds max, std::mt19937_64& rng) {
  const auto lo = std::max<std::int64_t>(min.count(), 1);
  const auto hi = std::max<std::int64_t>(max.count(), lo);
  std::int64_t d = lo;
  for (int i = 0; i < attempt && d < hi; ++i) d *= 2;
  d = std::min(d, hi);
  std::uniform_int_distribution<std::int64_t> pick(d / 2, d);
  return std::chrono::milliseconds(pick(rng));
}

}  // namespace ivk::detail
