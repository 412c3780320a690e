// Following a durable run's server items: events as hints, the queue item as the truth. A change in a
// batch's counts (or an event) makes the run read the items concerned; an item the server no longer
// has, or one canceled without this run asking, is enqueued again (up to spec.retries times).
#include <algorithm>

#include "run_engine.h"

namespace ivk {

namespace {

// Items per items_by_ids request: an item with its session and workflow is ~30 KB of JSON, so 50
// keep each answer and its parse near 1.5 MB (200 made the client's peak RSS ~75 MB).
constexpr std::size_t kFetchChunk = 50;
// Finished items read together: up to this many, or after this long.
constexpr std::size_t kFetchGroup = 25;
constexpr auto kFetchDelay = std::chrono::milliseconds(100);

bool is_terminal(std::string_view status) {
  return status == "completed" || status == "failed" || status == "canceled";
}

}  // namespace

void Run::Impl::track(std::int64_t item_id, std::uint64_t index, const std::string& batch_id) {
  open[item_id] = OpenItem{index, batch_id, "pending"};
  batches[batch_id].open_ids.insert(item_id);
}

// Forgets a server item (it ended or vanished); drops its batch once nothing of it is open.
void Run::Impl::untrack(std::int64_t item_id) {
  Run::Impl& s = *this;
  auto it = s.open.find(item_id);
  if (it == s.open.end()) return;
  auto batch = s.batches.find(it->second.batch_id);
  if (batch != s.batches.end()) {
    batch->second.open_ids.erase(item_id);
    if (batch->second.open_ids.empty()) s.batches.erase(batch);
  }
  if (s.counts.current_item == item_id) {
    s.counts.current_item.reset();
    s.counts.current_node_type.clear();
    s.counts.step_fraction.reset();
  }
  s.open.erase(it);
}

RunNotice Run::Impl::finished_notice(std::uint64_t index, std::int64_t item_id, std::string status) {
  Run::Impl& s = *this;
  RunNotice n;
  n.kind = RunNotice::Kind::item_finished;
  n.index = index;
  n.item_id = item_id;
  n.status = std::move(status);
  if (auto item = s.journal->item(index)) {
    n.inputs = s.inputs_of(item->values_json);
    n.error_type = item->error_type;
    n.error_message = item->error_message;
  }
  return n;
}

// The item is gone or was interrupted: run it again while retries last, else it has failed.
Status Run::Impl::retry_or_fail(std::uint64_t index, std::int64_t item_id, const std::string& why) {
  Run::Impl& s = *this;
  auto item = s.journal->item(index);
  if (!item) return tl::unexpected(item.error());
  if (item->attempts <= s.spec.retries) {
    if (auto ok = s.journal->requeue_item(index, "server item " + std::to_string(item_id) + " " + why); !ok)
      return ok;
    ++s.counts.requeued;
    RunNotice n;
    n.kind = RunNotice::Kind::item_requeued;
    n.index = index;
    n.item_id = item_id;
    n.message = "item " + std::to_string(index) + " (server item " + std::to_string(item_id) + ") " + why +
                "; enqueued again";
    s.notify(n);
    return {};
  }
  const std::string message = "server item " + std::to_string(item_id) + " " + why + " (after " +
                              std::to_string(item->attempts) + " attempt(s); --retries " +
                              std::to_string(s.spec.retries) + ")";
  if (auto ok = s.journal->fail_item(index, "ivk_item_lost", message); !ok) return ok;
  ++s.finished_this_execute;
  s.notify(s.finished_notice(index, item_id, "failed"));
  return {};
}

Status Run::Impl::on_terminal(const QueueItem& item) {
  Run::Impl& s = *this;
  const auto it = s.open.find(item.item_id);
  if (it == s.open.end()) return {};
  const std::uint64_t index = it->second.index;
  s.untrack(item.item_id);
  if (item.status == "completed") return s.collect(index, item);
  if (item.status == "failed") {
    if (auto ok =
            s.journal->set_item_status(index, item.item_id, "failed", item.error_type, item.error_message);
        !ok)
      return ok;
    ++s.finished_this_execute;
    s.notify(s.finished_notice(index, item.item_id, "failed"));
    return {};
  }
  // canceled
  if (s.cancel_sent) {
    if (auto ok = s.journal->set_item_status(index, item.item_id, "canceled"); !ok) return ok;
    ++s.finished_this_execute;
    s.notify(s.finished_notice(index, item.item_id, "canceled"));
    return {};
  }
  return s.retry_or_fail(
      index, item.item_id,
      "was canceled on the server without this run asking (InvokeAI cancels what was running "
      "when it restarts)");
}

Status Run::Impl::fetch_items(const std::vector<std::int64_t>& ids) {
  for (std::size_t i = 0; i < ids.size(); i += kFetchChunk) {
    const std::size_t n = std::min(kFetchChunk, ids.size() - i);
    std::span<const std::int64_t> page(ids.data() + i, n);
    auto items = client.queue().items_by_ids(page);
    if (!items) return tl::unexpected(items.error());
    std::map<std::int64_t, const QueueItem*> by_id;
    for (const auto& item : *items) by_id[item.item_id] = &item;
    if (auto ok = journal->begin(); !ok) return ok;
    for (std::int64_t id : page) {
      auto mine = open.find(id);
      if (mine == open.end()) continue;
      auto found = by_id.find(id);
      // Another batch's item under our id: the server was replaced (restarted without its database).
      if (found == by_id.end() || found->second->batch_id != mine->second.batch_id) {
        const std::uint64_t index = mine->second.index;
        untrack(id);
        if (auto ok = retry_or_fail(index, id, "is gone from the server (queue cleared or server reset)");
            !ok) {
          journal->rollback();
          return ok;
        }
        continue;
      }
      const QueueItem& item = *found->second;
      if (is_terminal(item.status)) {
        if (auto ok = on_terminal(item); !ok) {
          journal->rollback();
          return ok;
        }
      } else if (item.status != mine->second.status) {
        mine->second.status = item.status;
        (void)journal->set_item_status(mine->second.index, id, item.status);
      }
    }
    if (auto ok = journal->commit(); !ok) return ok;
  }
  return {};
}

Status Run::Impl::apply_events() {
  std::deque<detail::BatchEvent> batch;
  std::deque<std::pair<bool, std::string>> changes;
  {
    std::lock_guard lock(mutex);
    batch.swap(inbox);
    changes.swap(stream_changes);
    counts.live_events = live;
  }
  for (auto& [restored, why] : changes) {
    RunNotice n;
    n.kind = restored ? RunNotice::Kind::stream_restored : RunNotice::Kind::stream_lost;
    n.message = why;
    notify(n);
  }
  using K = detail::BatchEvent::Kind;
  bool progressed = false;
  for (const auto& e : batch) {
    auto it = open.find(e.item_id);
    if (it == open.end() || it->second.batch_id != e.batch_id) continue;
    switch (e.kind) {
      case K::status_changed:
        if (is_terminal(e.status))
          to_fetch.insert(e.item_id);
        else
          it->second.status = e.status;
        break;
      case K::node_started:
      case K::node_progress:
        counts.current_item = e.item_id;
        counts.current_node_type = e.node_type;
        counts.step_fraction = e.kind == K::node_progress ? e.percentage : std::nullopt;
        it->second.status = "in_progress";
        progressed = true;
        break;
      case K::node_error: to_fetch.insert(e.item_id); break;
      default: break;
    }
  }
  if (progressed) {
    RunNotice n;
    n.kind = RunNotice::Kind::node_progress;
    if (counts.current_item) n.item_id = *counts.current_item;
    notify(n);
  }
  if (to_fetch.empty()) return {};
  // Items finish one after another: read them a few at a time rather than one request and one
  // journal commit (an fsync) each. The first waits at most kFetchDelay.
  const auto now = Clock::now();
  if (!fetch_due) fetch_due = now + kFetchDelay;
  if (to_fetch.size() < kFetchGroup && now < *fetch_due) return {};
  fetch_due.reset();
  std::vector<std::int64_t> ids(to_fetch.begin(), to_fetch.end());
  to_fetch.clear();
  return fetch_items(ids);
}

Status Run::Impl::poll() {
  std::vector<std::int64_t> ids;
  for (auto& [batch_id, track] : batches) {
    auto status = client.queue().batch_status(batch_id);
    if (!status) return tl::unexpected(status.error());
    const auto& c = status->counts;
    const std::int64_t finished = c.completed + c.failed + c.canceled;
    track.in_progress = c.in_progress;
    if (finished == track.last_finished && c.total == track.last_total) continue;
    ids.insert(ids.end(), track.open_ids.begin(), track.open_ids.end());
    track.last_finished = finished;
    track.last_total = c.total;
  }
  for (auto it = absent_watch.begin(); it != absent_watch.end();) {
    if (Clock::now() > it->second) {
      it = absent_watch.erase(it);
      continue;
    }
    auto status = client.queue().batch_status(it->first);
    if (!status) return tl::unexpected(status.error());
    if (status->counts.total > 0) {
      // The request arrived after all: its items were already sent again in another batch.
      if (auto ok = cancel_late_batch(it->first, status->counts.total); !ok) return ok;
      RunNotice n;
      n.kind = RunNotice::Kind::batch_absent;
      n.batch_id = it->first;
      n.message = "batch " + it->first + " reached the server late; canceled, its items were sent again";
      notify(n);
      it = absent_watch.erase(it);
      continue;
    }
    ++it;
  }
  std::uint64_t running = 0;
  for (const auto& [id, track] : batches)
    running += static_cast<std::uint64_t>(std::max<std::int64_t>(0, track.in_progress));
  counts.running = running;
  if (ids.empty()) return {};
  // Read the batch's items that may have changed; a later change in counts brings the rest.
  return fetch_items(ids);
}

Status Run::Impl::cancel_on_server() {
  cancel_sent = true;
  std::vector<std::string> ids;
  for (const auto& [batch_id, track] : batches) ids.push_back(batch_id);
  if (!ids.empty())
    if (auto canceled = client.queue().cancel_by_batch_ids(ids); !canceled)
      return tl::unexpected(canceled.error());
  // What finished before the cancel took effect is collected as usual; the rest is canceled.
  std::vector<std::int64_t> open_ids;
  for (const auto& [id, item] : open) open_ids.push_back(id);
  return fetch_items(open_ids);
}

}  // namespace ivk
