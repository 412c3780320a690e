// BatchTracker: the state of one batch being waited for. See batch_tracker.h.
#include "client/batch_tracker.h"

#include <algorithm>
#include <utility>

namespace ivk::detail {

namespace {

bool is_terminal(std::string_view status) {
  return status == "completed" || status == "failed" || status == "canceled";
}

}  // namespace

BatchTracker::BatchTracker(const EnqueueResult& enqueued, bool keep_item_json,
                           const BatchRun::EventCallback& on_event, Clock::time_point start,
                           std::function<Clock::time_point()> now)
    : on_event_(on_event),
      now_(std::move(now)),
      start_(start),
      keep_item_json_(keep_item_json),
      order_(enqueued.item_ids) {
  summary_.batch_id = enqueued.batch_id;
  // Servers list item ids newest first; the summary goes in execution (id) order.
  std::sort(order_.begin(), order_.end());
  pending_.insert(order_.begin(), order_.end());
  progress_.total = order_.size();
}

void BatchTracker::emit(const RunEvent& e) {
  if (on_event_) on_event_(e, progress_);
}

void BatchTracker::finish(QueueItem item) {
  const std::int64_t id = item.item_id;
  if (pending_.erase(id) == 0) return;
  to_fetch_.erase(id);
  if (item.status == "completed")
    ++progress_.completed;
  else if (item.status == "failed")
    ++progress_.failed;
  else
    ++progress_.canceled;
  if (progress_.current_item == id) {
    progress_.current_item.reset();
    progress_.current_node_type.clear();
    progress_.step_fraction.reset();
  }
  const double elapsed = std::chrono::duration<double>(now_() - start_).count();
  progress_.eta_seconds = elapsed / static_cast<double>(progress_.finished()) *
                          static_cast<double>(progress_.total - progress_.finished());
  RunEvent e;
  e.kind = RunEvent::Kind::item_finished;
  e.item_id = id;
  e.status = item.status;
  auto [it, inserted] = finished_.emplace(id, std::move(item));
  e.item = &it->second;
  emit(e);
  if (!keep_item_json_) {
    it->second.session_json.clear();
    it->second.raw_json.clear();
    it->second.session_json.shrink_to_fit();
    it->second.raw_json.shrink_to_fit();
  }
}

bool BatchTracker::fetch(BatchReads& reads, std::span<const std::int64_t> ids) {
  for (std::size_t i = 0; i < ids.size(); i += kFetchChunk) {
    const std::size_t n = std::min(kFetchChunk, ids.size() - i);
    ++summary_.polls;
    auto items = reads.items_by_ids(ids.subspan(i, n));
    if (!items) {
      last_read_error_ = items.error();
      return false;
    }
    for (auto& item : *items)
      if (is_terminal(item.status)) finish(std::move(item));
  }
  last_read_error_.reset();
  return true;
}

bool BatchTracker::fetch_marked(BatchReads& reads) {
  if (to_fetch_.empty()) return true;
  const std::vector<std::int64_t> ids(to_fetch_.begin(), to_fetch_.end());
  to_fetch_.clear();
  return fetch(reads, ids);
}

void BatchTracker::reconcile(BatchReads& reads) {
  ++summary_.polls;
  auto status = reads.batch_status(summary_.batch_id);
  if (!status) {
    last_read_error_ = status.error();
    return;
  }
  const auto& c = status->counts;
  const auto server_finished = static_cast<std::size_t>(c.completed + c.failed + c.canceled);
  if (server_finished <= progress_.finished() || pending_.empty()) return;
  // Items run in id order within a priority: the lowest pending ids are the likeliest to be the
  // ones that finished, so read those first and everything only when that was not enough.
  const std::size_t missing = server_finished - progress_.finished();
  const std::vector<std::int64_t> ids(pending_.begin(), pending_.end());
  const std::size_t first = std::min(ids.size(), missing + 8);
  const std::size_t before = progress_.finished();
  const std::span<const std::int64_t> all(ids);
  if (!fetch(reads, all.first(first))) return;
  if (progress_.finished() - before < missing && first < ids.size()) fetch(reads, all.subspan(first));
}

void BatchTracker::on_event(const BatchEvent& be) {
  ++summary_.events;
  if (pending_.count(be.item_id) == 0) return;
  RunEvent e;
  e.item_id = be.item_id;
  e.node_id = be.node_id;
  e.node_type = be.node_type;
  using K = BatchEvent::Kind;
  switch (be.kind) {
    case K::status_changed:
      if (is_terminal(be.status)) {
        to_fetch_.insert(be.item_id);  // the item itself is the truth: read it
        return;
      }
      if (be.status != "in_progress") return;
      progress_.current_item = be.item_id;
      e.kind = RunEvent::Kind::item_started;
      e.status = be.status;
      break;
    case K::node_started:
      progress_.current_item = be.item_id;
      progress_.current_node_type = be.node_type;
      progress_.step_fraction.reset();
      e.kind = RunEvent::Kind::node_started;
      break;
    case K::node_progress:
      progress_.current_item = be.item_id;
      progress_.current_node_type = be.node_type;
      progress_.step_fraction = be.percentage;
      e.kind = RunEvent::Kind::node_progress;
      e.percentage = be.percentage;
      e.message = be.message;
      break;
    case K::node_completed: e.kind = RunEvent::Kind::node_completed; break;
    case K::node_error: to_fetch_.insert(be.item_id); return;
    default: return;
  }
  emit(e);
}

void BatchTracker::on_stream_change(bool restored, std::string why) {
  RunEvent e;
  e.kind = restored ? RunEvent::Kind::stream_restored : RunEvent::Kind::stream_lost;
  e.message = std::move(why);
  emit(e);
}

RunSummary BatchTracker::take_summary(bool cancel_sent) {
  RunSummary summary = std::move(summary_);
  summary.completed = progress_.completed;
  summary.failed = progress_.failed;
  summary.canceled = progress_.canceled;
  summary.cancel_sent = cancel_sent;
  summary.items.reserve(order_.size());
  for (std::int64_t id : order_)
    if (auto it = finished_.find(id); it != finished_.end()) summary.items.push_back(std::move(it->second));
  return summary;
}

}  // namespace ivk::detail
