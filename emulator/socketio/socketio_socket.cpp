// The Socket.IO layer of the emulator's server: CONNECT (with the multi-user token check of spec §8.1),
// DISCONNECT, and the four room events the web UI sends. Everything else a client may send is ignored,
// as python-socketio ignores events nobody handles.
#include <nlohmann/json.hpp>

#include "auth/auth.h"
#include "socketio/socketio_session.h"

namespace ivk::emu {

namespace {

// The string member `key` of a JSON object text, if it has one.
std::optional<std::string> string_member(std::string_view json_text, const char* key) {
  const auto value = nlohmann::json::parse(json_text, nullptr, false);
  if (!value.is_object()) return std::nullopt;
  const auto it = value.find(key);
  if (it == value.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

void SocketIoServer::Impl::on_message_locked(Session& s, std::string_view data) {
  auto packet = sio::decode(data);
  if (!packet) return;  // python-socketio drops what it cannot parse
  switch (packet->type) {
    case sio::PacketType::connect: {
      if (packet->nsp != "/") {
        push_locked(s, sio::encode_connect_error("Unable to connect", packet->nsp));
        return;
      }
      if (auth.multiuser()) {
        // The CONNECT's auth payload wins over the handshake's Authorization header.
        std::optional<std::string> token = string_member(packet->data, "token");
        if (!token) token = s.header_token;
        bool accepted = false;
        if (token)
          if (auto claims = auth.verify_token(*token))
            if (auto user = auth.find_user(claims->user_id))
              accepted = user->is_active && user->token_epoch == claims->token_epoch;
        if (!accepted) {
          push_locked(s, sio::encode_connect_error("Connection rejected by server"));
          return;
        }
      }
      if (!s.connected) s.socket_sid = sio_detail::random_sid();
      s.connected = true;
      push_locked(s, sio::encode_connect_reply(s.socket_sid));
      return;
    }
    case sio::PacketType::disconnect:
      if (packet->nsp != "/") return;
      s.connected = false;
      s.queue_rooms.clear();
      s.bulk_download_rooms.clear();
      return;
    case sio::PacketType::event: {
      if (!s.connected || packet->nsp != "/") return;
      auto event = sio::decode_event(*packet);
      if (!event) return;
      on_event_locked(s, *event);
      return;
    }
    default: return;  // acks (the server never asks for one) and binary packets
  }
}

void SocketIoServer::Impl::on_event_locked(Session& s, const sio::Event& event) {
  const std::string_view first_arg = event.args.empty() ? std::string_view("null") : event.args.front();
  if (event.name == "subscribe_queue" || event.name == "unsubscribe_queue") {
    // A payload without the key raises in the server's handler: nothing joins, nothing is answered.
    auto queue_id = string_member(first_arg, "queue_id");
    if (!queue_id) return;
    if (event.name == "subscribe_queue")
      s.queue_rooms.insert(*queue_id);
    else
      s.queue_rooms.erase(*queue_id);
  } else if (event.name == "subscribe_bulk_download" || event.name == "unsubscribe_bulk_download") {
    auto id = string_member(first_arg, "bulk_download_id");
    if (!id) return;
    if (event.name == "subscribe_bulk_download")
      s.bulk_download_rooms.insert(*id);
    else
      s.bulk_download_rooms.erase(*id);
  } else {
    return;  // no handler: python-socketio sends no ack either
  }
  // The handlers return None: the ack carries no arguments.
  if (event.ack_id) push_locked(s, sio::encode_ack(*event.ack_id, {}));
}

}  // namespace ivk::emu
