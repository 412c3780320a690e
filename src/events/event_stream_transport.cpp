// What the WebSocket and the polling transport share.
#include "events/event_stream_transport.h"

#include <string>

namespace ivk::detail {

Result<eio::OpenHandshake> open_handshake_from(const eio::Packet& first) {
  if (first.type != eio::PacketType::open)
    return fail(ErrorCode::transport,
                "expected the Engine.IO open packet, got " + std::string(eio::to_string(first.type)));
  auto handshake = eio::parse_open(first.data);
  if (!handshake)
    return fail(ErrorCode::transport, "bad Engine.IO open packet: " + handshake.error().message);
  return handshake;
}

std::chrono::milliseconds remaining(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 1 ? std::chrono::milliseconds(1) : left;
}

}  // namespace ivk::detail
