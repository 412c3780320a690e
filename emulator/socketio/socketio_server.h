#pragma once
// The emulator's Socket.IO server at /ws/socket.io (spec §8): Engine.IO v4 over WebSocket and HTTP
// long-polling (with the polling -> WebSocket upgrade), Socket.IO v5 on the default namespace, the
// subscribe_queue / subscribe_bulk_download rooms, and the routing of a 6.8 server (spec §8.2 "≤ 6.11"):
// queue and invocation events to the room of their queue_id, model and download events to everyone,
// bulk_download_* to the room of their bulk_download_id.
//
// emit() is called from the queue and install worker threads and never blocks on a client: each socket
// has a bounded outgoing queue, and a socket whose queue overflows is dropped. The framing comes from the
// shared codec (ivk/socketio_codec.h). Private to the emulator; Boost stays in the .cpp files.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "http/http_server.h"

namespace ivk::emu {

class Auth;

struct SocketIoOptions {
  std::int64_t ping_interval_ms = 25000;  // python-engineio's defaults
  std::int64_t ping_timeout_ms = 20000;
  std::int64_t max_payload = 1000000;      // largest polling POST body accepted, in bytes
  std::size_t max_queued_packets = 10000;  // per socket; beyond it the socket is dropped
};

class SocketIoServer {
 public:
  // auth decides CONNECTs in multi-user mode; it must outlive the server. Starts the heartbeat thread.
  SocketIoServer(SocketIoOptions options, const Auth& auth);
  ~SocketIoServer();  // stop()s
  SocketIoServer(const SocketIoServer&) = delete;
  SocketIoServer& operator=(const SocketIoServer&) = delete;

  // "/ws/socket.io" and "/ws/socket.io/": the paths this server answers.
  static bool handles(std::string_view path) noexcept;

  // A polling request (GET, POST, OPTIONS) for handles() paths: answered through respond, at once or,
  // for a GET with nothing to send yet, when a packet arrives (never blocks the calling I/O thread).
  void handle_polling(const Request& req, const Respond& respond);
  // A WebSocket upgrade request for handles() paths: takes the connection, or returns the HTTP error.
  Response handle_websocket(const Request& req, const TakeWebSocket& take);

  // Sends event (payload: a JSON object text) to the sockets its routing selects. Thread-safe,
  // non-blocking; a no-op after stop().
  void emit(const std::string& event, const std::string& payload_json);

  // Closes every socket (a close packet first), answers pending polling requests, joins the heartbeat
  // thread. Call it before the HTTP server stops. Idempotent.
  void stop();

  // Live Engine.IO sessions (for tests and diagnostics).
  [[nodiscard]] std::size_t session_count() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace ivk::emu
