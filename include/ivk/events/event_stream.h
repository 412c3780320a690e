#pragma once
// The client side of InvokeAI's Socket.IO event stream: one background thread keeps an
// Engine.IO v4 / Socket.IO v5 session open (WebSocket, or HTTP long-polling when the WebSocket upgrade
// is refused), subscribes to the queues, answers heartbeats, reconnects with backoff when the
// connection drops, drops the duplicate events some servers send, and hands every event to the
// subscribed handlers in arrival order.
//
//   auto stream = ivk::EventStream::connect(url);           // connected and subscribed on return
//   if (!stream) return stream.error();
//   auto id = (*stream)->subscribe([](const ivk::ServerEvent& e) { ... });  // on the stream's thread
//   ...
//   (*stream)->close();                                      // or let the destructor do it
//
// Events are not buffered across a reconnect: the server does not replay what was emitted while the
// socket was down, so after `connected` follows a `reconnecting`, callers reconcile by polling the REST
// API. Nothing here throws or prints.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ivk/error.h"
#include "ivk/transport/server_url.h"

namespace ivk {

struct ServerEvent {
  std::string name;          // "invocation_complete"
  std::string payload_json;  // the first argument, JSON text verbatim ("null" for an event without one)
  // EventDeduper said "replace": a better copy (with the preview image) of an event already delivered.
  bool replaces_previous = false;
};

// automatic: WebSocket, falling back to polling when the server answers the WebSocket upgrade with
// an HTTP error (a proxy that does not pass WebSockets). The choice made at connect() sticks for
// reconnects.
enum class EventTransport { automatic, websocket, polling };
enum class StreamState { connecting, connected, reconnecting, closed };

std::string_view to_string(EventTransport transport) noexcept;  // "automatic", "websocket", "polling"
std::string_view to_string(StreamState state) noexcept;         // "connecting", "connected", ...

struct EventStreamOptions {
  EventTransport transport = EventTransport::automatic;
  // Returns the current bearer token, asked before every connect (token refresh): the first time on
  // connect()'s thread, later on the stream's thread. An empty function or nullopt means anonymous.
  std::function<std::optional<std::string>()> token;
  std::vector<std::string> queue_ids{"default"};     // subscribe_queue for each after every (re)connect
  std::chrono::milliseconds connect_timeout{10000};  // one connect: handshake + CONNECT + subscriptions
  // Exponential backoff between reconnect attempts, each delay drawn in [d/2, d] (jitter) so that
  // many clients of one restarted server do not come back in lockstep.
  std::chrono::milliseconds reconnect_delay_min{200}, reconnect_delay_max{5000};
  int max_reconnect_attempts = -1;  // -1 unlimited; after giving up the state is `closed`
  bool dedupe = true;               // drop duplicate invocation/status events (EventDeduper)
  // https servers: check the certificate chain (system trust store) and the host name, on wss:// and
  // on polling alike. Off only for self-signed test servers.
  bool verify_tls = true;
};

class EventStream {
 public:
  using Handler = std::function<void(const ServerEvent&)>;
  // `why` is the error that caused `reconnecting` (sent again after every failed attempt) or a
  // final `closed` after giving up; nullptr otherwise. Valid only during the call.
  using StateHandler = std::function<void(StreamState, const Error* why)>;
  using Subscription = std::uint64_t;

  // Connects and subscribes before returning. Errors (where = the socket URL): transport (refused,
  // reset, protocol), timeout (connect_timeout ran out), auth (the server refused the CONNECT, e.g.
  // "Connection rejected by server", or answered the handshake with 401/403), http (the handshake got
  // another HTTP error), invalid_argument (options). An https server is reached over wss:// (TLS).
  static Result<std::unique_ptr<EventStream>> connect(const ServerUrl& url, EventStreamOptions options = {});

  ~EventStream();  // close()
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  // Every handler receives every delivered event, in arrival order, on the stream's own thread.
  // Exceptions thrown by handlers are caught and ignored: they cannot stop the stream.
  Subscription subscribe(Handler handler);
  // After it returns the handler is never called again: from another thread it waits for a running
  // call of the stream's handlers to finish (so a handler must not block on a thread that is
  // unsubscribing); from inside a handler it returns at once. Works for on_state ids too; unknown ids
  // are ignored.
  void unsubscribe(Subscription id);
  // Connection changes after connect() returned: reconnecting (with the error), connected (after a
  // reconnect: events may have been missed, reconcile by polling), closed (close() or giving up).
  Subscription on_state(StateHandler handler);

  // Idempotent; sends the Socket.IO disconnect (bounded by a short timeout), stops and joins the
  // stream's thread. From inside a handler it only asks the thread to stop (it cannot join itself).
  void close();

  [[nodiscard]] StreamState state() const;
  [[nodiscard]] EventTransport active_transport() const;  // websocket or polling
  [[nodiscard]] std::uint64_t reconnect_count() const;    // successful reconnections so far
  // Events received from the server, duplicates included; and how many of them dedupe dropped.
  [[nodiscard]] std::uint64_t events_received() const;
  [[nodiscard]] std::uint64_t events_dropped_as_duplicates() const;

 private:
  struct Core;  // the shared state of the stream and its thread (opaque)
  explicit EventStream(std::shared_ptr<Core> core);
  std::shared_ptr<Core> core_;
};

}  // namespace ivk
