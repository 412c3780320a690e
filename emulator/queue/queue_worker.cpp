// The worker thread: one item at a time (highest priority, then oldest), run by an ItemExecutor
// over this queue. The lock is never held while the executor sleeps, encodes or stores an image:
// it takes the lock only through start_item, running and update_item.
#include "queue/queue_service.h"

namespace ivk::emu {

void QueueService::worker_loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    const QueueItem* best = nullptr;
    wake_.wait(lock, [&] {
      if (stop_) return true;
      best = nullptr;
      if (paused_) return false;
      for (const auto& [id, item] : items_)
        if (item.status == "pending" && (best == nullptr || item.priority > best->priority)) best = &item;
      return best != nullptr;
    });
    if (stop_) return;
    const std::int64_t id = best->item_id;
    Events events;
    set_status_locked(items_.at(id), "in_progress", events);
    lock.unlock();
    emit(std::move(events));
    ItemExecutor(*this, images_, ExecutorOptions{options_.step_ms, options_.fail_node_type, {}}, id).run();
    lock.lock();
  }
}

std::optional<ItemStart> QueueService::start_item(std::int64_t item_id) {
  std::lock_guard lock(mutex_);
  auto it = items_.find(item_id);
  if (it == items_.end()) return std::nullopt;
  return ItemStart{it->second.session["graph"], it->second.workflow, item_event_base_locked(it->second),
                   it->second.session_id};
}

bool QueueService::running(std::int64_t item_id) {
  std::lock_guard lock(mutex_);
  auto it = items_.find(item_id);
  return !stop_ && it != items_.end() && it->second.status == "in_progress";
}

bool QueueService::update_item(std::int64_t item_id, const std::function<void(QueueItem&, Events&)>& change) {
  Events events;
  {
    std::lock_guard lock(mutex_);
    auto it = items_.find(item_id);
    if (it == items_.end() || it->second.status != "in_progress") return false;
    change(it->second, events);
  }
  emit(std::move(events));
  return true;
}

}  // namespace ivk::emu
