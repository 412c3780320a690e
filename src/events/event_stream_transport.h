#pragma once
// The seam between the Engine.IO session logic (event_stream_session.cpp) and the two ways of carrying
// Engine.IO packets: a WebSocket (one text frame per packet) and HTTP long-polling (packets joined by
// the record separator). The session is written once against this interface.
//
// Threading: every operation runs on the stream's own thread, except wake(), which any thread may call
// to make a blocked receive() return early (close() uses it).
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "events/socketio_codec.h"
#include "ivk/error.h"
#include "ivk/events/event_stream.h"
#include "ivk/transport/server_url.h"

namespace ivk::detail {

using Clock = std::chrono::steady_clock;

struct TransportConfig {
  ServerUrl url;
  std::optional<std::string> token;  // sent as "Authorization: Bearer" on the handshake
  bool verify_tls = true;
  // Set by close(): open() and receive() give up promptly once it is true. Never null.
  const std::atomic<bool>* stop = nullptr;
};

class EngineTransport {
 public:
  virtual ~EngineTransport() = default;

  // Connects and reads the Engine.IO open packet. Errors: transport, timeout, cancelled (stop), auth
  // (401/403 on the handshake), http (any other non-success answer: the fallback signal).
  virtual Result<eio::OpenHandshake> open(Clock::time_point deadline) = 0;

  // The packets received next; empty when the deadline passed or stop was set first (the connection
  // stays usable). An error means the connection is gone.
  virtual Result<std::vector<eio::Packet>> receive(Clock::time_point deadline) = 0;

  // Sends Engine.IO text packets ("40", "3", "42[...]") in order. Not interrupted by stop, so a final
  // disconnect can still go out; bounded by the deadline.
  virtual Status send(const std::vector<std::string>& packets, Clock::time_point deadline) = 0;

  // Best-effort orderly end (WebSocket close frame); bounded by the deadline.
  virtual void shutdown(Clock::time_point deadline) = 0;

  // Thread-safe: makes a blocked receive() return soon (used together with the stop flag).
  virtual void wake() = 0;

  [[nodiscard]] virtual EventTransport kind() const = 0;
  // The URL errors name: "ws://host:9090/ws/socket.io/?EIO=4&transport=websocket" or the polling one.
  [[nodiscard]] virtual std::string where() const = 0;
};

// ws:// for http servers, wss:// (TLS, verified unless verify_tls is off) for https ones.
std::unique_ptr<EngineTransport> make_websocket_transport(TransportConfig config);
std::unique_ptr<EngineTransport> make_polling_transport(TransportConfig config);

// "http://host:9090/ws/socket.io/?EIO=4&transport=polling"
std::string polling_url(const ServerUrl& url);

// The handshake in the first packet a transport received: the message when it is not an Engine.IO
// open packet or does not parse (both transports report it as a transport error).
Result<eio::OpenHandshake> open_handshake_from(const eio::Packet& first);

// Milliseconds left until the deadline, at least 1 (0 means "no limit" to several APIs).
std::chrono::milliseconds remaining(Clock::time_point deadline);

}  // namespace ivk::detail
