#pragma once
// A list of callbacks that one thread calls while others add and remove entries. The promise kept:
// once remove() returns (on another thread than the caller's), the callback is not running and never
// runs again. That is why calls happen under call_mutex_ and remove() takes it once before returning;
// on the calling thread itself (a handler unsubscribing) it cannot wait, and the entry's `alive` flag
// alone stops later calls.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace ivk::detail {

template <class Fn>
class HandlerList {
 public:
  void add(std::uint64_t id, Fn fn) {
    auto entry = std::make_shared<Entry>();
    entry->fn = std::move(fn);
    std::lock_guard lock(list_mutex_);
    entries_.emplace(id, std::move(entry));
  }

  // True when the id was here. `on_calling_thread`: called from inside one of the callbacks.
  bool remove(std::uint64_t id, bool on_calling_thread) {
    std::shared_ptr<Entry> entry;
    {
      std::lock_guard lock(list_mutex_);
      auto it = entries_.find(id);
      if (it == entries_.end()) return false;
      entry = std::move(it->second);
      entries_.erase(it);
    }
    entry->alive.store(false);
    if (!on_calling_thread) std::lock_guard wait_for_running_call(call_mutex_);
    return true;
  }

  // Calls every live callback with args, in subscription order. Exceptions are swallowed: a faulty
  // handler must not take the stream down (and the library never throws across its API).
  template <class... Args>
  void call(const Args&... args) {
    std::vector<std::shared_ptr<Entry>> snapshot;
    {
      std::lock_guard lock(list_mutex_);
      if (entries_.empty()) return;
      snapshot.reserve(entries_.size());
      for (const auto& [id, entry] : entries_) snapshot.push_back(entry);
    }
    std::lock_guard calling(call_mutex_);
    for (const auto& entry : snapshot) {
      if (!entry->alive.load() || !entry->fn) continue;
      try {
        entry->fn(args...);
      } catch (...) {  // NOLINT(bugprone-empty-catch): see above
      }
    }
  }

 private:
  struct Entry {
    Fn fn;
    std::atomic<bool> alive{true};
  };
  std::mutex list_mutex_;
  std::mutex call_mutex_;
  std::map<std::uint64_t, std::shared_ptr<Entry>> entries_;  // ids grow: map order = subscription order
};

}  // namespace ivk::detail
