#pragma once
// Following one enqueued batch to its end: the runner of ivk.
//
// Events are hints, the queue item is the truth. A BatchRun listens to the server's Socket.IO events
// (when an EventStream is given) to learn quickly that an item finished and to report live progress,
// but an item only counts as done once the queue item itself was read and is terminal. Reconciliation
// by polling (a cheap batch_status, then the items whose status changed) runs all along, more often
// without events, and at once after the socket reconnects: a missed or dropped event can delay a
// result by one poll interval, never lose it or hang the wait. Each item is reported exactly once.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/api/queue_api.h"
#include "ivk/error.h"

namespace ivk {

class EventStream;

struct RunOptions {
  // The whole wait. Every wait ends: there is no "forever".
  std::chrono::milliseconds timeout{std::chrono::hours(1)};
  // Reconciliation polls: with live events they only catch what events missed.
  std::chrono::milliseconds poll_with_events{2000};
  std::chrono::milliseconds poll_without_events{200};
  // Polled while waiting; when it returns true the batch is canceled on the server (once) and the
  // wait goes on until the items report canceled (or the timeout).
  std::function<bool()> cancel_requested;
  // Keep each finished item's session and raw JSON in the summary. Off: they are dropped after
  // on_event saw them (a sweep of thousands then holds kilobytes, not megabytes).
  bool keep_item_json = true;
};

// What happened, as it happened (one per server event or reconciliation finding).
struct RunEvent {
  enum class Kind {
    item_started,    // an item went in_progress
    node_started,    // invocation_started
    node_progress,   // invocation_progress
    node_completed,  // invocation_complete
    item_finished,   // the item is terminal; `item` holds the queue item as read from the server
    stream_lost,     // the event socket dropped (polling carries on)
    stream_restored,
  };
  Kind kind = Kind::node_progress;
  std::int64_t item_id = 0;
  std::string node_id;               // the enqueued graph's node id (invocation_source_id)
  std::string node_type;             // invocation.type
  std::optional<double> percentage;  // 0..1, node_progress only (null on the wire: nullopt)
  std::string message;               // node_progress: "Denoising"...; stream_lost: why
  std::string status;                // item_started / item_finished: the item's status
  const QueueItem* item = nullptr;   // item_finished only; valid during the callback
};

struct RunProgress {
  std::size_t total = 0;
  std::size_t completed = 0;
  std::size_t failed = 0;
  std::size_t canceled = 0;
  std::optional<std::int64_t> current_item;
  std::string current_node_type;
  std::optional<double> step_fraction;  // of the current node, when it reports one
  std::optional<double> eta_seconds;    // from the pace of finished items, once there is one
  bool live_events = false;             // an event socket is connected
  [[nodiscard]] std::size_t finished() const noexcept { return completed + failed + canceled; }
};

struct RunSummary {
  std::string batch_id;
  std::vector<QueueItem> items;  // every finished item, by ascending item id (the order they ran in)
  std::size_t completed = 0, failed = 0, canceled = 0;
  bool cancel_sent = false;
  std::uint64_t polls = 0;   // reconciliation requests made (batch_status + item reads)
  std::uint64_t events = 0;  // events of this batch received
};

class BatchRun {
 public:
  using EventCallback = std::function<void(const RunEvent&, const RunProgress&)>;

  // Starts listening (when events is non-null), then enqueues body_json (build_enqueue_body's output;
  // never retried). Events that arrive before the enqueue answer are kept and applied after it.
  // queue and events must outlive the BatchRun.
  static Result<std::unique_ptr<BatchRun>> submit(QueueApi& queue, EventStream* events,
                                                  std::string_view body_json, RunOptions options = {});
  ~BatchRun();
  BatchRun(const BatchRun&) = delete;
  BatchRun& operator=(const BatchRun&) = delete;

  [[nodiscard]] const EnqueueResult& enqueued() const noexcept;

  // Waits until every item is terminal. on_event runs on the calling thread. Errors: timeout (the
  // message gives how many items finished), or the server/transport error of a reconciliation read
  // that kept failing past the timeout. Items that failed on the server are not an error: see the
  // summary's counts and each item's error_type/error_message.
  Result<RunSummary> wait(const EventCallback& on_event = {});

  // Cancels every item of the batch that has not finished (one request). wait() then sees them end.
  Status cancel();

 private:
  struct Impl;
  explicit BatchRun(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ivk
