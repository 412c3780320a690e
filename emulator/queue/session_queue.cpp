// The queue's state and its operations: enqueue with expansion, status counts, cancel,
// delete, clear, prune, retry. Events are collected under the lock and emitted after it.
#include <algorithm>
#include <chrono>

#include "core/uuid.h"
#include "queue/queue_persistence.h"
#include "queue/queue_service.h"

namespace ivk::emu {
namespace {

Json counts(const std::vector<const QueueItem*>& items) {
  Json j = Json::object();
  std::int64_t pending = 0, in_progress = 0, completed = 0, failed = 0, canceled = 0;
  for (const auto* item : items) {
    if (item->status == "pending") ++pending;
    if (item->status == "in_progress") ++in_progress;
    if (item->status == "completed") ++completed;
    if (item->status == "failed") ++failed;
    if (item->status == "canceled") ++canceled;
  }
  j["pending"] = pending;
  j["in_progress"] = in_progress;
  j["completed"] = completed;
  j["failed"] = failed;
  j["canceled"] = canceled;
  j["total"] = static_cast<std::int64_t>(items.size());
  return j;
}

}  // namespace

Result<std::unique_ptr<SessionQueue>> SessionQueue::create(const EmulatorOptions& options, ImageStore& images,
                                                           EventSink events, std::shared_ptr<StateDb> db) {
  LoadedQueue loaded;
  if (db) {
    auto stored = load_queue(*db);
    if (!stored) return tl::unexpected(stored.error());
    loaded = std::move(*stored);
    // The server's start-up: an item that was in progress when it stopped cannot resume, so it
    // becomes canceled (no event: nobody is connected yet). Its timestamps move as the server's
    // SQLite triggers move them.
    const std::string now = queue_now();
    std::vector<const QueueItem*> interrupted;
    for (auto& item : loaded.items)
      if (item.status == "in_progress") {
        item.status = "canceled";
        item.updated_at = now;
        item.completed_at = now;
        interrupted.push_back(&item);
      }
    auto saved = db->transaction([&]() -> Status {
      for (const QueueItem* item : interrupted)
        if (auto s = save_queue_item_status(*db, *item); !s) return s;
      return {};
    });
    if (!saved) return tl::unexpected(saved.error());
  }
  return std::unique_ptr<SessionQueue>(std::make_unique<QueueService>(
      options, images, std::move(events), std::move(db), std::move(loaded.items), loaded.next_item_id));
}

QueueService::QueueService(const EmulatorOptions& options, ImageStore& images, EventSink events,
                           std::shared_ptr<StateDb> db, std::vector<QueueItem> items,
                           std::int64_t next_item_id)
    : options_(options),
      images_(images),
      events_(std::move(events)),
      db_(std::move(db)),
      next_item_id_(next_item_id) {
  for (auto& item : items) {
    const std::int64_t id = item.item_id;
    items_.emplace(id, std::move(item));
  }
  worker_ = std::thread([this] { worker_loop(); });
}

void QueueService::persist_status_locked(const QueueItem& item) {
  if (db_) (void)save_queue_item_status(*db_, item);
}

void QueueService::persist_session_locked(const QueueItem& item) {
  if (db_) (void)save_queue_item_session(*db_, item);
}

void QueueService::persist_deleted_locked(const std::vector<std::int64_t>& item_ids) {
  if (db_) (void)delete_queue_items(*db_, item_ids);
}

void QueueService::in_transaction_locked(const std::function<void()>& body) {
  if (!db_) {
    body();
    return;
  }
  (void)db_->transaction([&body]() -> Status {
    body();
    return {};
  });
}

QueueService::~QueueService() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void QueueService::emit(Events events) const {
  if (!events_) return;
  std::lock_guard order(event_order_);
  for (auto& [name, payload] : events)
    events_(name, payload.dump(-1, ' ', false, Json::error_handler_t::replace));
}

QueueItem* QueueService::find_locked(const std::string& queue_id, std::int64_t item_id) {
  auto it = items_.find(item_id);
  return it == items_.end() || it->second.queue_id != queue_id ? nullptr : &it->second;
}

const QueueItem* QueueService::find_locked(const std::string& queue_id, std::int64_t item_id) const {
  auto it = items_.find(item_id);
  return it == items_.end() || it->second.queue_id != queue_id ? nullptr : &it->second;
}

Json QueueService::queue_status_locked(const std::string& queue_id) const {
  std::vector<const QueueItem*> in_queue;
  const QueueItem* current = nullptr;
  for (const auto& [id, item] : items_)
    if (item.queue_id == queue_id) {
      in_queue.push_back(&item);
      if (item.status == "in_progress") current = &item;
    }
  Json j = Json::object();
  j["queue_id"] = queue_id;
  j["item_id"] = current ? Json(current->item_id) : Json();
  j["batch_id"] = current ? Json(current->batch_id) : Json();
  j["session_id"] = current ? Json(current->session_id) : Json();
  j.update(counts(in_queue));
  return j;
}

Json QueueService::batch_status_locked(const std::string& queue_id, const std::string& batch_id) const {
  std::vector<const QueueItem*> in_batch;
  for (const auto& [id, item] : items_)
    if (item.queue_id == queue_id && item.batch_id == batch_id) in_batch.push_back(&item);
  Json j = Json::object();
  j["queue_id"] = queue_id;
  j["batch_id"] = batch_id;
  j["origin"] = in_batch.empty() ? Json() : in_batch.front()->origin;
  j["destination"] = in_batch.empty() ? Json() : in_batch.front()->destination;
  j.update(counts(in_batch));
  return j;
}

Json QueueService::item_event_base_locked(const QueueItem& item) const {
  return Json{{"timestamp", queue_event_timestamp()},
              {"queue_id", item.queue_id},
              {"item_id", item.item_id},
              {"batch_id", item.batch_id},
              {"origin", item.origin},
              {"destination", item.destination},
              {"user_id", item.user_id}};
}

Json QueueService::status_changed_locked(const QueueItem& item) const {
  Json j = item_event_base_locked(item);
  j["status"] = item.status;
  j["error_type"] = item.error_type;
  j["error_message"] = item.error_message;
  j["error_traceback"] = item.error_traceback;
  j["created_at"] = item.created_at;
  j["updated_at"] = item.updated_at;
  j["started_at"] = item.started_at;
  j["completed_at"] = item.completed_at;
  j["batch_status"] = batch_status_locked(item.queue_id, item.batch_id);
  j["queue_status"] = queue_status_locked(item.queue_id);
  j["session_id"] = item.session_id;
  return j;
}

void QueueService::set_status_locked(QueueItem& item, const std::string& status, Events& events) {
  item.status = status;
  item.updated_at = queue_now();
  if (status == "in_progress") item.started_at = item.updated_at;
  if (is_terminal_queue_status(status)) item.completed_at = item.updated_at;
  persist_status_locked(item);
  events.emplace_back("queue_item_status_changed", status_changed_locked(item));
}

Result<Json> QueueService::enqueue(const std::string& queue_id, EnqueueBody body) {
  // Held until batch_enqueued is out: a worker that picks a new item at once waits in emit().
  std::lock_guard order(event_order_);
  Events events;
  Json result = Json::object();
  {
    std::lock_guard lock(mutex_);
    // The server's arithmetic: only pending items count against max_queue_size, and the sessions
    // beyond what is left are dropped without a word (enqueued < requested, possibly 0).
    std::int64_t pending = 0;
    std::int64_t top_priority = 0;
    for (const auto& [id, item] : items_)
      if (item.queue_id == queue_id && item.status == "pending") {
        ++pending;
        top_priority = std::max(top_priority, item.priority);
      }
    const std::uint64_t requested = requested_sessions(body.batch);
    const std::int64_t room = options_.max_queue_size - pending;
    const std::uint64_t space = room <= 0 ? 0 : static_cast<std::uint64_t>(room);
    const std::int64_t priority = body.prepend ? top_priority + 1 : 0;
    auto sessions = expand_batch(body.batch, space);
    const std::string now = queue_now();
    const std::string batch_id = body.batch["batch_id"].get<std::string>();
    std::vector<QueueItem> created;
    created.reserve(sessions.size());
    for (auto& s : sessions) {
      QueueItem item;
      item.item_id = next_item_id_ + static_cast<std::int64_t>(created.size());
      item.queue_id = queue_id;
      item.priority = priority;
      item.batch_id = batch_id;
      item.origin = body.batch["origin"];
      item.destination = body.batch["destination"];
      item.session_id = detail::uuid4();
      item.created_at = now;
      item.updated_at = now;
      item.field_values = std::move(s.field_values);
      item.session = fresh_session(item.session_id, std::move(s.graph));
      item.workflow = body.batch["workflow"];
      created.push_back(std::move(item));
    }
    if (db_) {
      std::vector<const QueueItem*> rows;
      rows.reserve(created.size());
      for (const auto& item : created) rows.push_back(&item);
      if (auto stored = insert_queue_items(*db_, rows); !stored) {
        Error e = stored.error();
        e.message = "Unexpected error while enqueuing batch: " + e.message;  // the server's 500 detail
        return tl::unexpected(std::move(e));
      }
    }
    next_item_id_ += static_cast<std::int64_t>(created.size());
    for (auto& item : created) {
      const std::int64_t id = item.item_id;
      items_.emplace(id, std::move(item));
    }
    // The server answers every item of the batch id, ORDER BY item_id DESC: with a client-chosen
    // batch_id used before, the earlier items are listed too.
    Json ids = Json::array();
    for (const auto& [id, item] : items_)
      if (item.batch_id == batch_id) ids.push_back(id);
    std::reverse(ids.begin(), ids.end());
    result["queue_id"] = queue_id;
    result["enqueued"] = static_cast<std::int64_t>(sessions.size());
    result["requested"] = requested > 9223372036854775807ull ? std::int64_t{9223372036854775807}
                                                             : static_cast<std::int64_t>(requested);
    result["batch"] = body.batch;
    result["priority"] = priority;
    result["item_ids"] = std::move(ids);
    events.emplace_back("batch_enqueued", Json{{"timestamp", queue_event_timestamp()},
                                               {"queue_id", queue_id},
                                               {"batch_id", body.batch["batch_id"]},
                                               {"enqueued", result["enqueued"]},
                                               {"requested", result["requested"]},
                                               {"priority", priority},
                                               {"origin", body.batch["origin"]},
                                               {"user_id", "system"}});
  }
  wake_.notify_all();
  emit(std::move(events));
  return result;
}

Json QueueService::status(const std::string& queue_id) const {
  std::lock_guard lock(mutex_);
  Json j = Json::object();
  j["queue"] = queue_status_locked(queue_id);
  bool processing = false;
  for (const auto& [id, item] : items_) processing = processing || item.status == "in_progress";
  j["processor"] = Json{{"is_started", !paused_}, {"is_processing", processing}};
  return j;
}

Json QueueService::processor_status() const {
  std::lock_guard lock(mutex_);
  bool processing = false;
  for (const auto& [id, item] : items_) processing = processing || item.status == "in_progress";
  return Json{{"is_started", !paused_}, {"is_processing", processing}};
}

Json QueueService::set_paused(bool paused) {
  {
    std::lock_guard lock(mutex_);
    paused_ = paused;
  }
  wake_.notify_all();
  return processor_status();
}

Json QueueService::batch_status(const std::string& queue_id, const std::string& batch_id) const {
  std::lock_guard lock(mutex_);
  return batch_status_locked(queue_id, batch_id);
}

std::optional<Json> QueueService::item(const std::string& queue_id, std::int64_t item_id) const {
  std::lock_guard lock(mutex_);
  const QueueItem* item = find_locked(queue_id, item_id);
  if (item == nullptr) return std::nullopt;
  return queue_item_json(*item);
}

Json QueueService::current(const std::string& queue_id) const {
  std::lock_guard lock(mutex_);
  for (const auto& [id, item] : items_)
    if (item.queue_id == queue_id && item.status == "in_progress") return queue_item_json(item);
  return nullptr;
}

Json QueueService::next(const std::string& queue_id) const {
  std::lock_guard lock(mutex_);
  const QueueItem* best = nullptr;
  for (const auto& [id, item] : items_)
    if (item.queue_id == queue_id && item.status == "pending" &&
        (best == nullptr || item.priority > best->priority))
      best = &item;
  return best ? queue_item_json(*best) : Json();
}

Json QueueService::list_all(const std::string& queue_id,
                            const std::optional<std::string>& destination) const {
  std::lock_guard lock(mutex_);
  Json out = Json::array();
  for (const auto& [id, item] : items_)
    if (item.queue_id == queue_id && (!destination || item.destination == *destination))
      out.push_back(queue_item_json(item));
  return out;
}

Json QueueService::item_ids(const std::string& queue_id, bool descending) const {
  std::lock_guard lock(mutex_);
  Json ids = Json::array();
  for (const auto& [id, item] : items_)
    if (item.queue_id == queue_id) ids.push_back(id);
  if (descending) std::reverse(ids.begin(), ids.end());
  const auto total = static_cast<std::int64_t>(ids.size());
  return Json{{"item_ids", std::move(ids)}, {"total_count", total}};
}

Json QueueService::items_by_ids(const std::string& queue_id, const std::vector<std::int64_t>& ids) const {
  std::lock_guard lock(mutex_);
  Json out = Json::array();
  for (const auto id : ids)
    if (const QueueItem* item = find_locked(queue_id, id)) out.push_back(queue_item_json(*item));
  return out;
}

Json QueueService::counts_by_destination(const std::string& queue_id, const std::string& destination) const {
  std::lock_guard lock(mutex_);
  std::vector<const QueueItem*> matching;
  for (const auto& [id, item] : items_)
    if (item.queue_id == queue_id && item.destination == destination) matching.push_back(&item);
  Json j{{"queue_id", queue_id}, {"destination", destination}};
  j.update(counts(matching));
  return j;
}

std::optional<Json> QueueService::cancel_item(const std::string& queue_id, std::int64_t item_id) {
  Events events;
  Json out;
  {
    std::lock_guard lock(mutex_);
    QueueItem* item = find_locked(queue_id, item_id);
    if (item == nullptr) return std::nullopt;
    if (!is_terminal_queue_status(item->status)) set_status_locked(*item, "canceled", events);
    out = queue_item_json(*item);
  }
  emit(std::move(events));
  return out;
}

bool QueueService::delete_item(const std::string& queue_id, std::int64_t item_id) {
  std::lock_guard lock(mutex_);
  if (find_locked(queue_id, item_id) == nullptr) return false;
  items_.erase(item_id);  // a running item notices at its next step and stops
  persist_deleted_locked({item_id});
  return true;
}

template <class Pred>
std::int64_t QueueService::cancel_where_locked(const std::string& queue_id, Pred pred, Events& events) {
  std::int64_t n = 0;
  in_transaction_locked([&] {
    for (auto& [id, item] : items_)
      if (item.queue_id == queue_id && !is_terminal_queue_status(item.status) && pred(item)) {
        set_status_locked(item, "canceled", events);
        ++n;
      }
  });
  return n;
}

template <class Pred>
std::int64_t QueueService::delete_where_locked(const std::string& queue_id, Pred pred) {
  std::vector<std::int64_t> deleted;
  for (auto it = items_.begin(); it != items_.end();)
    if (it->second.queue_id == queue_id && pred(it->second)) {
      deleted.push_back(it->first);
      it = items_.erase(it);
    } else {
      ++it;
    }
  persist_deleted_locked(deleted);
  return static_cast<std::int64_t>(deleted.size());
}

std::int64_t QueueService::cancel_by_batch_ids(const std::string& queue_id,
                                               const std::vector<std::string>& batch_ids) {
  Events events;
  std::int64_t n = 0;
  {
    std::lock_guard lock(mutex_);
    n = cancel_where_locked(
        queue_id,
        [&](const QueueItem& i) {
          return std::find(batch_ids.begin(), batch_ids.end(), i.batch_id) != batch_ids.end();
        },
        events);
  }
  emit(std::move(events));
  return n;
}

std::int64_t QueueService::cancel_by_destination(const std::string& queue_id,
                                                 const std::string& destination) {
  Events events;
  std::int64_t n = 0;
  {
    std::lock_guard lock(mutex_);
    n = cancel_where_locked(
        queue_id, [&](const QueueItem& i) { return i.destination == destination; }, events);
  }
  emit(std::move(events));
  return n;
}

std::int64_t QueueService::cancel_all_except_current(const std::string& queue_id) {
  Events events;
  std::int64_t n = 0;
  {
    std::lock_guard lock(mutex_);
    n = cancel_where_locked(
        queue_id, [](const QueueItem& i) { return i.status == "pending"; }, events);
  }
  emit(std::move(events));
  return n;
}

std::int64_t QueueService::delete_all_except_current(const std::string& queue_id) {
  std::lock_guard lock(mutex_);
  return delete_where_locked(queue_id, [](const QueueItem& i) { return i.status == "pending"; });
}

std::int64_t QueueService::delete_by_destination(const std::string& queue_id,
                                                 const std::string& destination) {
  std::lock_guard lock(mutex_);
  return delete_where_locked(queue_id, [&](const QueueItem& i) { return i.destination == destination; });
}

std::int64_t QueueService::clear(const std::string& queue_id) {
  std::int64_t n = 0;
  {
    std::lock_guard lock(mutex_);
    n = delete_where_locked(queue_id, [](const QueueItem&) { return true; });
  }
  emit(Events{{"queue_cleared", Json{{"timestamp", queue_event_timestamp()}, {"queue_id", queue_id}}}});
  return n;
}

std::int64_t QueueService::prune(const std::string& queue_id) {
  std::lock_guard lock(mutex_);
  return delete_where_locked(queue_id, [](const QueueItem& i) { return is_terminal_queue_status(i.status); });
}

Result<Json> QueueService::retry(const std::string& queue_id, const std::vector<std::int64_t>& ids) {
  Json retried = Json::array();
  {
    std::lock_guard lock(mutex_);
    std::vector<QueueItem> created;
    for (const auto id : ids) {
      const QueueItem* old = find_locked(queue_id, id);
      if (old == nullptr || (old->status != "failed" && old->status != "canceled")) continue;
      QueueItem item;
      item.item_id = next_item_id_ + static_cast<std::int64_t>(created.size());
      item.queue_id = queue_id;
      item.priority = old->priority;
      item.batch_id = old->batch_id;
      item.origin = old->origin;
      item.destination = old->destination;
      item.session_id = detail::uuid4();
      item.created_at = item.updated_at = queue_now();
      item.field_values = old->field_values;
      item.session = fresh_session(item.session_id, old->session["graph"]);
      item.workflow = old->workflow;
      item.retried_from_item_id = id;
      created.push_back(std::move(item));
      retried.push_back(id);
    }
    if (db_) {
      std::vector<const QueueItem*> rows;
      rows.reserve(created.size());
      for (const auto& item : created) rows.push_back(&item);
      if (auto stored = insert_queue_items(*db_, rows); !stored) return tl::unexpected(stored.error());
    }
    next_item_id_ += static_cast<std::int64_t>(created.size());
    for (auto& item : created) {
      const std::int64_t id = item.item_id;
      items_.emplace(id, std::move(item));
    }
  }
  wake_.notify_all();
  if (!retried.empty())
    emit(Events{{"queue_items_retried", Json{{"timestamp", queue_event_timestamp()},
                                             {"queue_id", queue_id},
                                             {"retried_item_ids", retried}}}});
  return Json{{"queue_id", queue_id}, {"retried_item_ids", retried}};
}

}  // namespace ivk::emu
