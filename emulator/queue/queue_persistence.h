#pragma once
// Queue items in the emulator's database (--persist): the rows QueueService writes through on every
// change, and what it loads at start. Private to the emulator.
#include <cstdint>
#include <vector>

#include "ivk/error.h"
#include "queue/queue_item.h"
#include "storage/state_db.h"

namespace ivk::emu {

struct LoadedQueue {
  std::vector<QueueItem> items;   // by item_id
  std::int64_t next_item_id = 1;  // after the highest id ever given, deleted ones included
};

// Every stored item, and the next free id.
Result<LoadedQueue> load_queue(StateDb& db);

// New items (enqueue, retry), in one commit.
Status insert_queue_items(StateDb& db, const std::vector<const QueueItem*>& items);
// Status, error fields and timestamps.
Status save_queue_item_status(StateDb& db, const QueueItem& item);
// The GraphExecutionState, after a node ran.
Status save_queue_item_session(StateDb& db, const QueueItem& item);
Status delete_queue_items(StateDb& db, const std::vector<std::int64_t>& item_ids);

}  // namespace ivk::emu
