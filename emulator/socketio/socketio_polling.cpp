// Engine.IO's HTTP long-polling transport: GET opens a session or waits for its packets, POST delivers
// the client's packets. A GET with nothing to send is parked in the session and answered from whichever
// thread queues the next packet (an event, a ping, the upgrade's noop, the close), so no I/O thread waits.
#include <utility>

#include "socketio/socketio_session.h"

namespace ivk::emu {

using sio_detail::engineio_error;

namespace {

// python-socketio runs with cors_allowed_origins="*": it echoes the Origin and allows credentials.
void add_cors(const Request& req, Response& response) {
  if (auto origin = req.header("origin")) {
    response.headers.emplace_back("Access-Control-Allow-Origin", *origin);
    response.headers.emplace_back("Access-Control-Allow-Credentials", "true");
  }
}

}  // namespace

void SocketIoServer::handle_polling(const Request& req, const Respond& respond) {
  Impl& impl = *impl_;
  auto answer = [&req, &respond](Response response) {
    add_cors(req, response);
    respond(std::move(response));
  };
  if (req.method == "OPTIONS") {
    Response preflight = Response::json(200, "");
    preflight.content_type = "text/plain";
    preflight.headers.emplace_back("Access-Control-Allow-Methods", "OPTIONS, GET, POST");
    if (auto headers = req.header("access-control-request-headers"))
      preflight.headers.emplace_back("Access-Control-Allow-Headers", *headers);
    return answer(std::move(preflight));
  }
  if (req.query_value("EIO") != "4") return answer(engineio_error(5, "Unsupported protocol version"));
  const auto transport = req.query_value("transport");
  if (transport != "polling") {
    // A plain GET with transport=websocket is a WebSocket handshake that lost its upgrade headers.
    return answer(transport == "websocket" ? engineio_error(3, "Bad request")
                                           : engineio_error(0, "Transport unknown"));
  }
  // A parked GET may be answered after this call returns: the Respond carries its own copy of the Origin.
  Respond deferred = [respond, origin = req.header("origin")](Response r) {
    if (origin) {
      r.headers.emplace_back("Access-Control-Allow-Origin", *origin);
      r.headers.emplace_back("Access-Control-Allow-Credentials", "true");
    }
    respond(std::move(r));
  };
  const auto sid = req.query_value("sid");
  if (!sid) {
    if (req.method != "GET") return answer(engineio_error(2, "Bad handshake method"));
    auto session = impl.open_session(Impl::Transport::polling, req);
    if (!session) return answer(engineio_error(3, "Bad request"));  // stopping
    return impl.polling_get(session, deferred);                     // answered at once with the open packet
  }
  auto session = impl.find(*sid);
  if (!session) return answer(engineio_error(1, "Session ID unknown"));
  if (req.method == "GET") return impl.polling_get(session, deferred);
  if (req.method == "POST") return impl.polling_post(session, req, deferred);
  return answer(engineio_error(2, "Bad handshake method"));
}

void SocketIoServer::Impl::polling_get(const SessionPtr& s, const Respond& respond) {
  bool overlap = false;
  {
    std::lock_guard lock(s->mutex);
    if (s->closed) return respond(engineio_error(1, "Session ID unknown"));
    if (s->upgraded) return respond(engineio_error(3, "Bad request"));
    overlap = static_cast<bool>(s->pending_get);
    if (!overlap) {
      s->pending_get = respond;
      flush_locked(*s);
      return;
    }
  }
  // Two GETs at once: the client is broken. engine.io closes the session, and so do we.
  respond(engineio_error(3, "Bad request"));
  close(s, true);
}

void SocketIoServer::Impl::polling_post(const SessionPtr& s, const Request& req, const Respond& respond) {
  {
    std::lock_guard lock(s->mutex);
    if (s->closed) return respond(engineio_error(1, "Session ID unknown"));
    if (s->upgraded) return respond(engineio_error(3, "Bad request"));
  }
  if (static_cast<std::int64_t>(req.body.size()) > options.max_payload) {
    respond(engineio_error(3, "Bad request"));
    return close(s, true);
  }
  auto packets = eio::decode_payload(req.body);
  if (!packets) {
    respond(engineio_error(3, "Bad request"));
    return close(s, true);
  }
  for (const auto& packet : *packets) on_packet(s, packet);
  Response ok;
  ok.content_type = "text/html; charset=UTF-8";
  ok.body = "ok";
  respond(std::move(ok));
}

}  // namespace ivk::emu
