#pragma once
// The state an EventStream shares with its thread. The thread owns the session (transport, deduper,
// heartbeat); other threads touch only the atomics, the handler lists, and wake the thread through
// request_stop().
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "events/event_dedupe.h"
#include "events/event_stream_handlers.h"
#include "events/event_stream_session.h"
#include "ivk/events/event_stream.h"

namespace ivk {

struct EventStream::Core {
  Core(ServerUrl u, EventStreamOptions o) : url(std::move(u)), options(std::move(o)) {}

  // --- set up before the thread starts, then read-only ---
  ServerUrl url;
  EventStreamOptions options;
  EventTransport chosen_transport = EventTransport::websocket;  // what connect() settled on

  // --- shared with other threads ---
  std::atomic<bool> stop{false};
  std::atomic<StreamState> state{StreamState::connecting};
  std::atomic<EventTransport> active{EventTransport::websocket};
  std::atomic<std::uint64_t> reconnects{0}, received{0}, dropped{0};
  std::atomic<std::uint64_t> next_id{1};
  detail::HandlerList<Handler> handlers;
  detail::HandlerList<StateHandler> state_handlers;
  std::atomic<std::thread::id> thread_id{};
  std::mutex thread_mutex;  // guards `thread` (join/detach)
  std::thread thread;

  std::mutex transport_mutex;  // guards `waking` (the transport wake() may reach)
  detail::EngineTransport* waking = nullptr;
  std::mutex wait_mutex;  // with wait_cv: the backoff sleep, cut short by request_stop()
  std::condition_variable wait_cv;

  // --- the thread's own ---
  detail::Session session;
  EventDeduper deduper;
  std::mt19937_64 rng{std::random_device{}()};

  // Any thread: sets `stop` and wakes the thread wherever it waits.
  void request_stop();
  [[nodiscard]] bool on_stream_thread() const { return std::this_thread::get_id() == thread_id.load(); }

  // The thread's body: serve the session, reconnect when it ends, until stop or giving up.
  void run();

  // Opens a session with the options' transport (or `kind`), tracking the transport for wake().
  Result<detail::Session> open(EventTransport kind);
  void install(detail::Session s);  // makes s the current session (and wake() target)

 private:
  Error serve();  // until the connection is lost (returns why) or stop (the returned error is unused)
  Status handle(const detail::eio::Packet& packet, detail::Clock::time_point& heartbeat);
  void deliver(const detail::sio::Event& event);
  bool reconnect(std::optional<Error>& last_error);
  void set_state(StreamState s, const Error* why);
  void end_session();
};

}  // namespace ivk
