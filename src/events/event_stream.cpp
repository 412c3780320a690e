// EventStream's public surface: connect() opens the first session on the caller's thread (so its
// errors come back directly), then hands it to the stream's thread.
#include "ivk/events/event_stream.h"

#include <utility>

#include "events/event_stream_core.h"

namespace ivk {

std::string_view to_string(EventTransport transport) noexcept {
  switch (transport) {
    case EventTransport::automatic: return "automatic";
    case EventTransport::websocket: return "websocket";
    case EventTransport::polling: return "polling";
  }
  return "unknown";
}

std::string_view to_string(StreamState state) noexcept {
  switch (state) {
    case StreamState::connecting: return "connecting";
    case StreamState::connected: return "connected";
    case StreamState::reconnecting: return "reconnecting";
    case StreamState::closed: return "closed";
  }
  return "unknown";
}

Result<std::unique_ptr<EventStream>> EventStream::connect(const ServerUrl& url, EventStreamOptions options) {
  const auto where = url.websocket_url();
  if (options.connect_timeout.count() <= 0)
    return fail(ErrorCode::invalid_argument, "connect_timeout must be positive", where);
  if (options.reconnect_delay_min.count() < 0 || options.reconnect_delay_max < options.reconnect_delay_min)
    return fail(ErrorCode::invalid_argument, "reconnect delays must satisfy 0 <= min <= max", where);

  auto core = std::make_shared<Core>(url, std::move(options));
  auto opened = core->open(core->options.transport);
  if (!opened) return tl::unexpected(opened.error());
  core->chosen_transport = opened->transport->kind();
  core->install(std::move(*opened));
  core->state.store(StreamState::connected);
  try {
    std::lock_guard lock(core->thread_mutex);
    core->thread = std::thread([core] { core->run(); });  // the thread keeps the core alive
  } catch (const std::exception& e) {
    return fail(ErrorCode::internal, std::string("cannot start the event stream thread: ") + e.what(), where);
  }
  return std::unique_ptr<EventStream>(new EventStream(std::move(core)));
}

EventStream::EventStream(std::shared_ptr<Core> core) : core_(std::move(core)) {}

EventStream::~EventStream() { close(); }

EventStream::Subscription EventStream::subscribe(Handler handler) {
  const auto id = core_->next_id.fetch_add(1);
  core_->handlers.add(id, std::move(handler));
  return id;
}

EventStream::Subscription EventStream::on_state(StateHandler handler) {
  const auto id = core_->next_id.fetch_add(1);
  core_->state_handlers.add(id, std::move(handler));
  return id;
}

void EventStream::unsubscribe(Subscription id) {
  const bool inside = core_->on_stream_thread();
  if (!core_->handlers.remove(id, inside)) core_->state_handlers.remove(id, inside);
}

void EventStream::close() {
  core_->request_stop();
  if (core_->on_stream_thread()) {
    // A handler closing its own stream: the thread cannot join itself and ends by itself. When another
    // thread is already joining (it holds the mutex), leave the thread to it; try_lock avoids waiting
    // for that join, which waits for us.
    std::unique_lock lock(core_->thread_mutex, std::try_to_lock);
    if (lock.owns_lock() && core_->thread.joinable()) core_->thread.detach();
    return;
  }
  std::lock_guard lock(core_->thread_mutex);
  if (core_->thread.joinable()) core_->thread.join();
}

StreamState EventStream::state() const { return core_->state.load(); }
EventTransport EventStream::active_transport() const { return core_->active.load(); }
std::uint64_t EventStream::reconnect_count() const { return core_->reconnects.load(); }
std::uint64_t EventStream::events_received() const { return core_->received.load(); }
std::uint64_t EventStream::events_dropped_as_duplicates() const { return core_->dropped.load(); }

}  // namespace ivk
