// BatchRun: submit, then wait with events as hints and the queue item as truth. See batch_run.h.
#include "ivk/client/batch_run.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>

#include "batch_run_events.h"
#include "ivk/events/event_stream.h"

namespace ivk {

namespace {

using Clock = std::chrono::steady_clock;

// Events that arrive before the enqueue answer names the batch are kept, up to this many.
constexpr std::size_t kEarlyEventLimit = 100000;
// items_by_ids requests carry at most this many ids (a URL-free POST body, but keep answers modest).
constexpr std::size_t kFetchChunk = 200;
// How often wait() wakes up to look at cancel_requested when nothing else happens.
constexpr auto kCancelCheck = std::chrono::milliseconds(50);

bool is_terminal(std::string_view status) {
  return status == "completed" || status == "failed" || status == "canceled";
}

}  // namespace

struct BatchRun::Impl {
  QueueApi& queue;
  EventStream* events;
  RunOptions options;
  EnqueueResult enqueued;
  EventStream::Subscription event_sub = 0;
  EventStream::Subscription state_sub = 0;

  std::mutex mutex;
  std::condition_variable cv;
  std::deque<detail::BatchEvent> inbox;  // guarded by mutex
  std::string batch_id;                  // guarded by mutex; empty until the enqueue answer
  bool reconcile_now = false;            // guarded: the socket came back, or the queue was cleared
  std::deque<std::pair<bool, std::string>> stream_changes;  // guarded: (restored?, why)
  bool live = false;                                        // guarded: the socket is connected

  bool cancel_sent = false;

  Impl(QueueApi& q, EventStream* e, RunOptions o) : queue(q), events(e), options(std::move(o)) {}

  void on_server_event(const ServerEvent& event) {
    auto parsed = detail::parse_batch_event(event.name, event.payload_json);
    if (!parsed) return;
    std::lock_guard lock(mutex);
    if (parsed->kind == detail::BatchEvent::Kind::queue_cleared) {
      reconcile_now = true;
    } else if (batch_id.empty()) {
      if (inbox.size() < kEarlyEventLimit) inbox.push_back(std::move(*parsed));
    } else if (parsed->batch_id == batch_id) {
      inbox.push_back(std::move(*parsed));
    } else {
      return;
    }
    cv.notify_all();
  }

  void on_stream_state(StreamState state, const Error* why) {
    std::lock_guard lock(mutex);
    if (state == StreamState::connected) {
      if (!live) stream_changes.emplace_back(true, "");
      live = true;
      reconcile_now = true;  // events may have been missed while it was down
    } else if (state == StreamState::reconnecting || state == StreamState::closed) {
      if (live)
        stream_changes.emplace_back(false, why != nullptr ? why->message : std::string("socket closed"));
      live = false;
    }
    cv.notify_all();
  }

  void detach() {
    if (events == nullptr) return;
    if (event_sub != 0) events->unsubscribe(event_sub);
    if (state_sub != 0) events->unsubscribe(state_sub);
    event_sub = state_sub = 0;
  }
};

BatchRun::BatchRun(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

BatchRun::~BatchRun() {
  if (impl_) impl_->detach();
}

const EnqueueResult& BatchRun::enqueued() const noexcept { return impl_->enqueued; }

Result<std::unique_ptr<BatchRun>> BatchRun::submit(QueueApi& queue, EventStream* events,
                                                   std::string_view body_json, RunOptions options) {
  auto impl = std::make_unique<Impl>(queue, events, std::move(options));
  Impl* raw = impl.get();
  if (events != nullptr) {
    // Listen first: the server starts the first item before the enqueue answer can arrive.
    impl->live = events->state() == StreamState::connected;
    impl->event_sub = events->subscribe([raw](const ServerEvent& e) { raw->on_server_event(e); });
    impl->state_sub =
        events->on_state([raw](StreamState s, const Error* why) { raw->on_stream_state(s, why); });
  }
  auto enqueued = queue.enqueue_batch(body_json);
  if (!enqueued) {
    impl->detach();
    return tl::unexpected(enqueued.error());
  }
  {
    std::lock_guard lock(impl->mutex);
    impl->enqueued = std::move(*enqueued);
    impl->batch_id = impl->enqueued.batch_id;
    // Early events of other batches go; ours stay, in arrival order.
    std::erase_if(impl->inbox, [&](const detail::BatchEvent& e) { return e.batch_id != impl->batch_id; });
  }
  return std::unique_ptr<BatchRun>(new BatchRun(std::move(impl)));
}

Status BatchRun::cancel() {
  const std::vector<std::string> ids{impl_->enqueued.batch_id};
  auto canceled = impl_->queue.cancel_by_batch_ids(ids);
  if (!canceled) return tl::unexpected(canceled.error());
  impl_->cancel_sent = true;
  return {};
}

Result<RunSummary> BatchRun::wait(const EventCallback& on_event) {
  Impl& s = *impl_;
  const auto start = Clock::now();
  const auto deadline = start + s.options.timeout;

  RunSummary summary;
  summary.batch_id = s.enqueued.batch_id;
  // Servers list item ids newest first; the summary goes in execution (id) order.
  std::vector<std::int64_t> order = s.enqueued.item_ids;
  std::sort(order.begin(), order.end());
  std::set<std::int64_t> pending(order.begin(), order.end());
  std::set<std::int64_t> to_fetch;
  std::map<std::int64_t, QueueItem> finished;
  RunProgress progress;
  progress.total = order.size();
  std::optional<Error> last_read_error;

  auto emit = [&](const RunEvent& e) {
    if (on_event) on_event(e, progress);
  };

  auto finish = [&](QueueItem item) {
    const std::int64_t id = item.item_id;
    if (pending.erase(id) == 0) return;
    to_fetch.erase(id);
    if (item.status == "completed")
      ++progress.completed;
    else if (item.status == "failed")
      ++progress.failed;
    else
      ++progress.canceled;
    if (progress.current_item == id) {
      progress.current_item.reset();
      progress.current_node_type.clear();
      progress.step_fraction.reset();
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    progress.eta_seconds = elapsed / static_cast<double>(progress.finished()) *
                           static_cast<double>(progress.total - progress.finished());
    RunEvent e;
    e.kind = RunEvent::Kind::item_finished;
    e.item_id = id;
    e.status = item.status;
    auto [it, inserted] = finished.emplace(id, std::move(item));
    e.item = &it->second;
    emit(e);
    if (!s.options.keep_item_json) {
      it->second.session_json.clear();
      it->second.raw_json.clear();
      it->second.session_json.shrink_to_fit();
      it->second.raw_json.shrink_to_fit();
    }
  };

  // Reads the given items and finishes the terminal ones. False when a read failed.
  auto fetch = [&](std::vector<std::int64_t> ids) -> bool {
    for (std::size_t i = 0; i < ids.size(); i += kFetchChunk) {
      const std::size_t n = std::min(kFetchChunk, ids.size() - i);
      ++summary.polls;
      auto items = s.queue.items_by_ids(std::span<const std::int64_t>(ids.data() + i, n));
      if (!items) {
        last_read_error = items.error();
        return false;
      }
      for (auto& item : *items)
        if (is_terminal(item.status)) finish(std::move(item));
    }
    last_read_error.reset();
    return true;
  };

  // The server's count of finished items against ours; reads the items that must have changed.
  auto reconcile = [&]() {
    ++summary.polls;
    auto status = s.queue.batch_status(summary.batch_id);
    if (!status) {
      last_read_error = status.error();
      return;
    }
    const auto& c = status->counts;
    const auto server_finished = static_cast<std::size_t>(c.completed + c.failed + c.canceled);
    if (server_finished <= progress.finished() || pending.empty()) return;
    // Items run in id order within a priority: the lowest pending ids are the likeliest to be the
    // ones that finished, so read those first and everything only when that was not enough.
    const std::size_t missing = server_finished - progress.finished();
    std::vector<std::int64_t> ids(pending.begin(), pending.end());
    const std::size_t first = std::min(ids.size(), missing + 8);
    const std::size_t before = progress.finished();
    if (!fetch(std::vector<std::int64_t>(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(first))))
      return;
    if (progress.finished() - before < missing && first < ids.size())
      fetch(std::vector<std::int64_t>(ids.begin() + static_cast<std::ptrdiff_t>(first), ids.end()));
  };

  auto apply = [&](const detail::BatchEvent& be) {
    ++summary.events;
    if (pending.count(be.item_id) == 0) return;
    RunEvent e;
    e.item_id = be.item_id;
    e.node_id = be.node_id;
    e.node_type = be.node_type;
    using K = detail::BatchEvent::Kind;
    switch (be.kind) {
      case K::status_changed:
        if (is_terminal(be.status)) {
          to_fetch.insert(be.item_id);  // the item itself is the truth: read it
          return;
        }
        if (be.status != "in_progress") return;
        progress.current_item = be.item_id;
        e.kind = RunEvent::Kind::item_started;
        e.status = be.status;
        break;
      case K::node_started:
        progress.current_item = be.item_id;
        progress.current_node_type = be.node_type;
        progress.step_fraction.reset();
        e.kind = RunEvent::Kind::node_started;
        break;
      case K::node_progress:
        progress.current_item = be.item_id;
        progress.current_node_type = be.node_type;
        progress.step_fraction = be.percentage;
        e.kind = RunEvent::Kind::node_progress;
        e.percentage = be.percentage;
        e.message = be.message;
        break;
      case K::node_completed: e.kind = RunEvent::Kind::node_completed; break;
      case K::node_error: to_fetch.insert(be.item_id); return;
      default: return;
    }
    emit(e);
  };

  auto next_poll = start;  // reconcile once at once: the batch may be done already
  while (!pending.empty()) {
    const auto now = Clock::now();
    if (now >= deadline) {
      const auto ms = s.options.timeout.count();
      Error err = fail(ErrorCode::timeout,
                       "batch " + summary.batch_id + " did not finish within " +
                           (ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms") +
                           ": " + std::to_string(progress.finished()) + " of " +
                           std::to_string(progress.total) + " items finished",
                       "POST queue/" + s.queue.queue_id() + "/enqueue_batch")
                      .value();
      if (last_read_error) err.detail = "last poll failed: " + last_read_error->message;
      return tl::unexpected(std::move(err));
    }
    if (!s.cancel_sent && s.options.cancel_requested && s.options.cancel_requested()) {
      if (auto c = cancel(); !c) return tl::unexpected(c.error());
      summary.cancel_sent = true;
      next_poll = now;
    }

    std::deque<detail::BatchEvent> batch;
    std::deque<std::pair<bool, std::string>> changes;
    bool reconcile_now = false;
    bool live = false;
    {
      std::unique_lock lock(s.mutex);
      auto wake = std::min(next_poll, deadline);
      if (s.options.cancel_requested && !s.cancel_sent) wake = std::min(wake, now + kCancelCheck);
      s.cv.wait_until(lock, wake,
                      [&] { return !s.inbox.empty() || s.reconcile_now || !s.stream_changes.empty(); });
      batch.swap(s.inbox);
      changes.swap(s.stream_changes);
      reconcile_now = s.reconcile_now;
      s.reconcile_now = false;
      live = s.live;
    }
    progress.live_events = live;
    for (auto& [restored, why] : changes) {
      RunEvent e;
      e.kind = restored ? RunEvent::Kind::stream_restored : RunEvent::Kind::stream_lost;
      e.message = why;
      emit(e);
    }
    for (const auto& be : batch) apply(be);
    if (!to_fetch.empty()) {
      // Read once; an item a failed read missed is found by the next reconciliation, not by spinning.
      std::vector<std::int64_t> ids(to_fetch.begin(), to_fetch.end());
      to_fetch.clear();
      fetch(std::move(ids));
    }
    const auto after = Clock::now();
    if (reconcile_now || after >= next_poll) {
      reconcile();
      const bool events_flowing = s.events != nullptr && live;
      next_poll =
          Clock::now() + (events_flowing ? s.options.poll_with_events : s.options.poll_without_events);
    }
  }

  summary.completed = progress.completed;
  summary.failed = progress.failed;
  summary.canceled = progress.canceled;
  summary.cancel_sent = summary.cancel_sent || s.cancel_sent;
  summary.items.reserve(order.size());
  for (std::int64_t id : order)
    if (auto it = finished.find(id); it != finished.end()) summary.items.push_back(std::move(it->second));
  return summary;
}

}  // namespace ivk
