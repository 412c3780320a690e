#include "queue/queue_persistence.h"

#include <algorithm>

#include "storage/sql_json.h"

namespace ivk::emu {

Result<LoadedQueue> load_queue(StateDb& db) {
  LoadedQueue out;
  auto rows = db.query(
      "SELECT item_id, queue_id, status, priority, batch_id, origin, destination, session_id, error_type, "
      "error_message, error_traceback, created_at, updated_at, started_at, completed_at, field_values, "
      "retried_from_item_id, session, workflow, user_id FROM session_queue ORDER BY item_id",
      {}, [&out](const SqlRow& row) {
        QueueItem item;
        item.item_id = row.integer(0);
        item.queue_id = row.text(1);
        item.status = row.text(2);
        item.priority = row.integer(3);
        item.batch_id = row.text(4);
        item.origin = column_text(row, 5);
        item.destination = column_text(row, 6);
        item.session_id = row.text(7);
        item.error_type = column_text(row, 8);
        item.error_message = column_text(row, 9);
        item.error_traceback = column_text(row, 10);
        item.created_at = row.text(11);
        item.updated_at = row.text(12);
        item.started_at = column_text(row, 13);
        item.completed_at = column_text(row, 14);
        item.field_values = column_json(row, 15);
        item.retried_from_item_id = row.is_null(16) ? Json() : Json(row.integer(16));
        item.session = column_json(row, 17);
        item.workflow = column_json(row, 18);
        item.user_id = row.text(19);
        out.items.push_back(std::move(item));
      });
  if (!rows) return tl::unexpected(rows.error());
  for (const auto& item : out.items) out.next_item_id = std::max(out.next_item_id, item.item_id + 1);
  // AUTOINCREMENT remembers the highest id ever inserted, so ids of deleted items are not reused.
  auto seq = db.query(
      "SELECT seq FROM sqlite_sequence WHERE name = 'session_queue'", {},
      [&out](const SqlRow& row) { out.next_item_id = std::max(out.next_item_id, row.integer(0) + 1); });
  if (!seq) return tl::unexpected(seq.error());
  return out;
}

Status insert_queue_items(StateDb& db, const std::vector<const QueueItem*>& items) {
  if (items.empty()) return {};
  return db.transaction([&]() -> Status {
    for (const QueueItem* item : items) {
      auto inserted = db.run(
          "INSERT INTO session_queue (item_id, queue_id, status, priority, batch_id, origin, destination, "
          "session_id, error_type, error_message, error_traceback, created_at, updated_at, started_at, "
          "completed_at, field_values, retried_from_item_id, session, workflow, user_id) VALUES "
          "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
          {item->item_id,
           item->queue_id,
           item->status,
           item->priority,
           item->batch_id,
           sql_text(item->origin),
           sql_text(item->destination),
           item->session_id,
           sql_text(item->error_type),
           sql_text(item->error_message),
           sql_text(item->error_traceback),
           item->created_at,
           item->updated_at,
           sql_text(item->started_at),
           sql_text(item->completed_at),
           sql_json(item->field_values),
           item->retried_from_item_id.is_number_integer()
               ? SqlValue(item->retried_from_item_id.get<std::int64_t>())
               : SqlValue(nullptr),
           sql_dump(item->session),
           sql_json(item->workflow),
           item->user_id});
      if (!inserted) return inserted;
    }
    return {};
  });
}

Status save_queue_item_status(StateDb& db, const QueueItem& item) {
  return db.run(
      "UPDATE session_queue SET status = ?2, error_type = ?3, error_message = ?4, error_traceback = ?5, "
      "updated_at = ?6, started_at = ?7, completed_at = ?8 WHERE item_id = ?1",
      {item.item_id, item.status, sql_text(item.error_type), sql_text(item.error_message),
       sql_text(item.error_traceback), item.updated_at, sql_text(item.started_at),
       sql_text(item.completed_at)});
}

Status save_queue_item_session(StateDb& db, const QueueItem& item) {
  return db.run("UPDATE session_queue SET session = ?2 WHERE item_id = ?1",
                {item.item_id, sql_dump(item.session)});
}

Status delete_queue_items(StateDb& db, const std::vector<std::int64_t>& item_ids) {
  if (item_ids.empty()) return {};
  return db.transaction([&]() -> Status {
    for (const auto id : item_ids)
      if (auto deleted = db.run("DELETE FROM session_queue WHERE item_id = ?1", {id}); !deleted)
        return deleted;
    return {};
  });
}

}  // namespace ivk::emu
