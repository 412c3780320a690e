#pragma once
// Opening one Socket.IO session: Engine.IO handshake, CONNECT (with the token as auth payload),
// subscribe_queue per queue id; and the backoff between attempts. Used by connect() and by every
// reconnect, so both follow exactly the same steps.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "events/event_stream_transport.h"
#include "ivk/events/event_stream.h"

namespace ivk::detail {

struct Session {
  std::unique_ptr<EngineTransport> transport;
  eio::OpenHandshake handshake;
  std::string sid;  // the Socket.IO session id from the CONNECT reply
  // Packets that arrived with or after the CONNECT reply, before the subscriptions went out: the
  // caller handles them like any later packet.
  std::vector<eio::Packet> early;
};

struct SessionRequest {
  const ServerUrl* url = nullptr;
  EventTransport transport = EventTransport::automatic;  // automatic: WebSocket, then polling on refusal
  std::optional<std::string> token;
  const std::vector<std::string>* queue_ids = nullptr;
  bool verify_tls = true;
  const std::atomic<bool>* stop = nullptr;
  // Called with each transport while it is being opened (so close() can wake it) and with nullptr
  // before it is destroyed or handed back in the Session.
  std::function<void(EngineTransport*)> track;
};

// Errors name the socket URL in `where`; a CONNECT_ERROR is ErrorCode::auth with the server's message.
Result<Session> open_session(const SessionRequest& request, Clock::time_point deadline);

// The delay before reconnect attempt `attempt` (0-based): min * 2^attempt capped at max, then drawn
// uniformly in [d/2, d] from `rng`.
std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds min,
                                        std::chrono::milliseconds max, std::mt19937_64& rng);

}  // namespace ivk::detail
