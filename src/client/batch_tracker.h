#pragma once
// The bookkeeping of BatchRun::wait, without threads, sockets or waiting: which items are pending,
// which an event says must be read, which finished; the progress and the summary's counters. Events
// are hints, the queue item is the truth: an item only finishes when a read returns it terminal.
// Private to src/client.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "client/batch_run_events.h"
#include "ivk/api/queue_api.h"
#include "ivk/client/batch_run.h"
#include "ivk/error.h"

namespace ivk::detail {

// The two server reads the tracker makes; QueueApi in BatchRun, a fake in tests.
struct BatchReads {
  virtual ~BatchReads() = default;
  virtual Result<std::vector<QueueItem>> items_by_ids(std::span<const std::int64_t> ids) = 0;
  virtual Result<BatchStatus> batch_status(const std::string& batch_id) = 0;
};

class BatchTracker {
 public:
  using Clock = std::chrono::steady_clock;
  // items_by_ids requests carry at most this many ids (a URL-free POST body, but keep answers modest).
  static constexpr std::size_t kFetchChunk = 200;

  // Follows enqueued's items from `start` (the ETA's origin). on_event must outlive the tracker; it
  // sees each RunEvent with the progress after it. `now` is the clock (tests pass their own).
  BatchTracker(const EnqueueResult& enqueued, bool keep_item_json, const BatchRun::EventCallback& on_event,
               Clock::time_point start, std::function<Clock::time_point()> now = &Clock::now);

  // One event of this batch: reported, or for a terminal status or a node error marked for a read.
  // Events of items that are not pending are counted and otherwise ignored.
  void on_event(const BatchEvent& event);
  // The event socket dropped (restored false, why says why) or came back.
  void on_stream_change(bool restored, std::string why);
  void set_live(bool live) noexcept { progress_.live_events = live; }

  // Reads the items events marked, once: an item a failed read missed is found by the next
  // reconciliation, not by spinning. False when a read failed.
  bool fetch_marked(BatchReads& reads);
  // The server's count of finished items against ours; reads the items that must have changed.
  void reconcile(BatchReads& reads);

  [[nodiscard]] bool done() const noexcept { return pending_.empty(); }
  [[nodiscard]] const RunProgress& progress() const noexcept { return progress_; }
  [[nodiscard]] const std::set<std::int64_t>& pending() const noexcept { return pending_; }
  [[nodiscard]] const std::set<std::int64_t>& marked() const noexcept { return to_fetch_; }
  // The error of the last read that failed, until a later item read succeeds.
  [[nodiscard]] const std::optional<Error>& last_read_error() const noexcept { return last_read_error_; }
  [[nodiscard]] const std::string& batch_id() const noexcept { return summary_.batch_id; }

  // The summary: counts, the finished items by ascending id, polls and events. Call once, at the end.
  RunSummary take_summary(bool cancel_sent);

 private:
  void emit(const RunEvent& e);
  void finish(QueueItem item);
  // Reads the given items in chunks and finishes the terminal ones. False when a read failed.
  bool fetch(BatchReads& reads, std::span<const std::int64_t> ids);

  const BatchRun::EventCallback& on_event_;
  std::function<Clock::time_point()> now_;
  Clock::time_point start_;
  bool keep_item_json_;
  std::vector<std::int64_t> order_;  // every item id, ascending
  std::set<std::int64_t> pending_;
  std::set<std::int64_t> to_fetch_;
  std::map<std::int64_t, QueueItem> finished_;
  RunProgress progress_;
  RunSummary summary_;  // batch_id, polls and events as they go; the rest at take_summary
  std::optional<Error> last_read_error_;
};

}  // namespace ivk::detail
