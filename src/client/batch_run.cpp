// BatchRun: submit, then wait with events as hints and the queue item as truth. See batch_run.h.
#include "ivk/client/batch_run.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <span>
#include <utility>

#include "client/batch_run_events.h"
#include "client/batch_tracker.h"
#include "ivk/events/event_stream.h"

namespace ivk {

namespace {

using Clock = std::chrono::steady_clock;

// Events that arrive before the enqueue answer names the batch are kept, up to this many.
constexpr std::size_t kEarlyEventLimit = 100000;
// How often wait() wakes up to look at cancel_requested when nothing else happens.
constexpr auto kCancelCheck = std::chrono::milliseconds(50);

// The tracker's two reads, made over the queue.
class QueueReads final : public detail::BatchReads {
 public:
  explicit QueueReads(QueueApi& queue) : queue_(queue) {}
  Result<std::vector<QueueItem>> items_by_ids(std::span<const std::int64_t> ids) override {
    return queue_.items_by_ids(ids);
  }
  Result<BatchStatus> batch_status(const std::string& batch_id) override {
    return queue_.batch_status(batch_id);
  }

 private:
  QueueApi& queue_;
};

Error timeout_error(std::chrono::milliseconds timeout, const std::string& queue_id,
                    const detail::BatchTracker& tracker) {
  const auto ms = timeout.count();
  const RunProgress& progress = tracker.progress();
  Error err = make_error(
      ErrorCode::timeout,
      "batch " + tracker.batch_id() + " did not finish within " +
          (ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms") + ": " +
          std::to_string(progress.finished()) + " of " + std::to_string(progress.total) + " items finished",
      "POST queue/" + queue_id + "/enqueue_batch");
  if (tracker.last_read_error()) err.detail = "last poll failed: " + tracker.last_read_error()->message;
  return err;
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

  // What arrived while waiting (until wake at the latest), taken from the shared state.
  struct News {
    std::deque<detail::BatchEvent> events;
    std::deque<std::pair<bool, std::string>> stream_changes;
    bool reconcile_now = false;
    bool live = false;
  };
  News wait_for_news(Clock::time_point wake) {
    News news;
    std::unique_lock lock(mutex);
    cv.wait_until(lock, wake, [&] { return !inbox.empty() || reconcile_now || !stream_changes.empty(); });
    news.events.swap(inbox);
    news.stream_changes.swap(stream_changes);
    news.reconcile_now = std::exchange(reconcile_now, false);
    news.live = live;
    return news;
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
  QueueReads reads(s.queue);
  detail::BatchTracker tracker(s.enqueued, s.options.keep_item_json, on_event, start);

  auto next_poll = start;  // reconcile once at once: the batch may be done already
  while (!tracker.done()) {
    const auto now = Clock::now();
    if (now >= deadline) return tl::unexpected(timeout_error(s.options.timeout, s.queue.queue_id(), tracker));
    if (!s.cancel_sent && s.options.cancel_requested && s.options.cancel_requested()) {
      if (auto c = cancel(); !c) return tl::unexpected(c.error());
      next_poll = now;
    }
    auto wake = std::min(next_poll, deadline);
    if (s.options.cancel_requested && !s.cancel_sent) wake = std::min(wake, now + kCancelCheck);
    Impl::News news = s.wait_for_news(wake);

    tracker.set_live(news.live);
    for (auto& [restored, why] : news.stream_changes) tracker.on_stream_change(restored, std::move(why));
    for (const auto& be : news.events) tracker.on_event(be);
    tracker.fetch_marked(reads);
    if (news.reconcile_now || Clock::now() >= next_poll) {
      tracker.reconcile(reads);
      const bool events_flowing = s.events != nullptr && news.live;
      next_poll =
          Clock::now() + (events_flowing ? s.options.poll_with_events : s.options.poll_without_events);
    }
  }
  return tracker.take_summary(s.cancel_sent);
}

}  // namespace ivk
