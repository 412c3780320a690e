#pragma once
// Dropping the duplicate events that InvokeAI 6.12.0-6.13.8 deliver: those servers emit
// every invocation_* event separately to the room `user:<id>` and to the room `admin`, so a single-user
// socket (in both rooms) receives each one twice, and the admin copy of invocation_progress has
// "image": null. 6.13.x does the same with queue_item_status_changed and batch_enqueued. Pure functions
// and a bounded memory of recent keys: no I/O, no threads (callers serialise access).
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ivk {

// The identity of an event for dedupe, or nullopt when the event is never duplicated by a server
// (model, download, bulk download... events) or its payload lacks the fields that identify it (an
// event that cannot be identified is never dropped). The key is built from:
//   invocation_started/_progress/_complete/_error: name, item_id, invocation.id, timestamp, and for
//       invocation_progress also percentage and message (one node reports many progress steps per second);
//   queue_item_status_changed: name, item_id, status, status_sequence (when present), timestamp;
//   batch_enqueued: name, batch_id, timestamp.
// Values enter the key as compact JSON, so 3 and "3" stay different.
std::optional<std::string> event_dedupe_key(std::string_view event_name, std::string_view payload_json);

// True when `second`, a copy with the same key as the already-seen `first`, carries more than it: its
// "image" is a non-null value and the first's is null or absent. Both copies otherwise hold the same
// data, so the rule is "prefer the copy with a non-null image".
bool duplicate_should_replace(std::string_view first_payload_json, std::string_view second_payload_json);

// Remembers the keys of the last `capacity` identifiable events and classifies each new one.
class EventDeduper {
 public:
  enum class Verdict {
    deliver,  // first copy (or an event that is never deduplicated): hand it on
    drop,     // a copy of an event already handed on that adds nothing
    replace,  // a copy of an event already handed on, but better (it has the preview image): hand it on
              // as a replacement of the earlier one
  };

  // capacity 0 is treated as 1. A few hundred covers the gap between two copies of the same event,
  // which the server emits back to back.
  explicit EventDeduper(std::size_t capacity = 256);

  Verdict offer(std::string_view event_name, std::string_view payload_json);

  // Forgets every key, e.g. after a reconnect (timestamps make old keys harmless, this frees memory).
  void clear();

  [[nodiscard]] std::size_t size() const noexcept { return order_.size(); }

 private:
  std::size_t capacity_;
  std::deque<std::string> order_;                    // keys, oldest first, for eviction
  std::unordered_map<std::string, bool> has_image_;  // key -> whether the delivered copy had an image
};

}  // namespace ivk
