#pragma once
// The SessionQueue implementation: queue items behind one mutex, the route operations, and the
// worker thread that runs items one at a time through ItemExecutor (queue_worker.cpp). With a database
// (--persist) every change is written through before the lock is released, so what a route answered survives
// a crash. Private to the emulator.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "queue/batch_expansion.h"
#include "queue/item_executor.h"
#include "queue/queue_item.h"
#include "queue/session_queue.h"
#include "storage/state_db.h"

namespace ivk::emu {

class QueueService final : public SessionQueue, private ExecutionHost {
 public:
  // items: what the database held (empty without one); next_item_id continues after them.
  QueueService(const EmulatorOptions& options, ImageStore& images, EventSink events,
               std::shared_ptr<StateDb> db = {}, std::vector<QueueItem> items = {},
               std::int64_t next_item_id = 1);
  ~QueueService() override;
  QueueService(const QueueService&) = delete;
  QueueService& operator=(const QueueService&) = delete;

  // EnqueueBatchResult. Error (io) only when the database cannot store the items: then nothing is
  // enqueued.
  Result<Json> enqueue(const std::string& queue_id, EnqueueBody body);
  Json status(const std::string& queue_id) const;  // SessionQueueAndProcessorStatus
  Json batch_status(const std::string& queue_id, const std::string& batch_id) const;
  std::optional<Json> item(const std::string& queue_id, std::int64_t item_id) const;
  Json current(const std::string& queue_id) const;  // the in-progress item or null
  Json next(const std::string& queue_id) const;     // the next pending item or null
  Json list_all(const std::string& queue_id, const std::optional<std::string>& destination) const;
  Json item_ids(const std::string& queue_id, bool descending) const;
  Json items_by_ids(const std::string& queue_id, const std::vector<std::int64_t>& ids) const;
  Json counts_by_destination(const std::string& queue_id, const std::string& destination) const;

  std::optional<Json> cancel_item(const std::string& queue_id, std::int64_t item_id);
  bool delete_item(const std::string& queue_id, std::int64_t item_id);
  std::int64_t cancel_by_batch_ids(const std::string& queue_id, const std::vector<std::string>& batch_ids);
  std::int64_t cancel_by_destination(const std::string& queue_id, const std::string& destination);
  std::int64_t cancel_all_except_current(const std::string& queue_id);
  std::int64_t delete_all_except_current(const std::string& queue_id);
  std::int64_t delete_by_destination(const std::string& queue_id, const std::string& destination);
  std::int64_t clear(const std::string& queue_id);
  std::int64_t prune(const std::string& queue_id);
  Result<Json> retry(const std::string& queue_id, const std::vector<std::int64_t>& ids);
  Json processor_status() const;
  Json set_paused(bool paused);

 private:
  using Events = QueueEvents;

  // Callers hold mutex_.
  Json queue_status_locked(const std::string& queue_id) const;
  Json batch_status_locked(const std::string& queue_id, const std::string& batch_id) const;
  Json status_changed_locked(const QueueItem& item) const;
  Json item_event_base_locked(const QueueItem& item) const;
  void set_status_locked(QueueItem& item, const std::string& status, Events& events) override;
  QueueItem* find_locked(const std::string& queue_id, std::int64_t item_id);
  const QueueItem* find_locked(const std::string& queue_id, std::int64_t item_id) const;
  template <class Pred>
  std::int64_t cancel_where_locked(const std::string& queue_id, Pred pred, Events& events);
  template <class Pred>
  std::int64_t delete_where_locked(const std::string& queue_id, Pred pred);
  // Write-through to the database (no-ops without one). Best effort: a failed write cannot undo
  // what the queue already did, and the next change of the item writes it again.
  void persist_status_locked(const QueueItem& item);
  void persist_session_locked(const QueueItem& item) override;
  void persist_deleted_locked(const std::vector<std::int64_t>& item_ids);
  // Runs `body` as one database commit when there is a database, else just runs it.
  void in_transaction_locked(const std::function<void()>& body);

  void emit(Events events) const override;  // without mutex_ (the sink may be slow); holds event_order_

  // queue_worker.cpp: the worker thread, and the queue as ItemExecutor sees it.
  void worker_loop();
  std::optional<ItemStart> start_item(std::int64_t item_id) override;
  bool running(std::int64_t item_id) override;
  bool update_item(std::int64_t item_id, const std::function<void(QueueItem&, Events&)>& change) override;

  EmulatorOptions options_;
  ImageStore& images_;
  EventSink events_;
  std::shared_ptr<StateDb> db_;  // null without --persist

  mutable std::mutex mutex_;
  // Serializes emission, and lets enqueue make "batch_enqueued" reach subscribers before the worker's
  // first event for the new items (the server's order). Taken before mutex_, never while holding it.
  mutable std::recursive_mutex event_order_;
  std::condition_variable wake_;
  std::map<std::int64_t, QueueItem> items_;  // by item_id (creation order)
  std::int64_t next_item_id_ = 1;
  bool paused_ = false;
  std::atomic<bool> stop_{false};
  std::thread worker_;  // last: started once everything above exists
};

}  // namespace ivk::emu
