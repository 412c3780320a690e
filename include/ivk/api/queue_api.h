#pragma once
// The session queue of an InvokeAI server (/api/v1/queue/{queue_id}): one
// method per route, typed. Errors come from ServerSession (not_found with the server's detail for a
// 404, http, auth, transport, timeout); answers that are not the documented shape give parse_error
// naming the item and member. Nothing here throws or prints; every call is one request.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"

namespace ivk {

class ServerSession;

// Item counts by status. `waiting` exists on the newest servers only (0 elsewhere).
struct QueueCounts {
  std::int64_t pending = 0, in_progress = 0, completed = 0, failed = 0, canceled = 0, total = 0;
  std::int64_t waiting = 0;
};

// One SessionQueueItem. Servers drop null members (exclude_none), so optional members are nullopt
// both when absent and when null.
struct QueueItem {
  std::int64_t item_id = 0;
  std::string status;  // "pending","in_progress","completed","failed","canceled" (unknown values kept)
  std::string queue_id, batch_id, session_id;
  int priority = 0;
  std::optional<std::string> error_type, error_message, error_traceback;
  std::string created_at, updated_at;
  std::optional<std::string> started_at, completed_at, origin, destination;
  std::optional<std::int64_t> retried_from_item_id;
  std::string field_values_json;  // the "field_values" array, minified; "null" when absent
  std::string session_json;       // the "session" object, minified; "null" when absent
  std::string workflow_json;      // the "workflow" object, minified; "null" when absent
  std::string raw_json;           // the whole item, minified

  // completed, failed or canceled: the item will not change any more.
  [[nodiscard]] bool is_terminal() const noexcept;
};

struct EnqueueResult {
  std::string queue_id, batch_id;
  std::int64_t enqueued = 0, requested = 0;  // enqueued < requested when the queue was full
  int priority = 0;
  std::vector<std::int64_t> item_ids;  // as the server lists them (descending); empty before 5.7
  std::string raw_json;
};

struct QueueStatus {
  std::string queue_id;
  // The in-progress item, when there is one.
  std::optional<std::int64_t> item_id;
  std::optional<std::string> batch_id, session_id;
  QueueCounts counts;
  bool processor_started = false, processor_processing = false;
};

struct BatchStatus {
  std::string queue_id, batch_id;
  std::optional<std::string> origin, destination;
  QueueCounts counts;
};

struct DestinationCounts {
  std::string queue_id, destination;
  QueueCounts counts;
};

struct ProcessorStatus {
  bool is_started = false, is_processing = false;
};

class QueueApi {
 public:
  // The session must outlive this object.
  explicit QueueApi(ServerSession& session, std::string queue_id = "default");

  // POST /enqueue_batch. body_json is the whole body ({"prepend":..,"batch":{...}}) as
  // build_enqueue_body makes it. Never retried: a lost answer may still have enqueued the batch.
  // 422 (graph or batch validation) -> invalid_argument with the server's detail.
  Result<EnqueueResult> enqueue_batch(std::string_view body_json);

  // GET /status: counts plus the processor state.
  Result<QueueStatus> status();
  // GET /b/{batch_id}/status.
  Result<BatchStatus> batch_status(std::string_view batch_id);
  // GET /counts_by_destination?destination=.
  Result<DestinationCounts> counts_by_destination(std::string_view destination);

  // GET /current, GET /next: nullopt when the server answers null (idle / nothing pending).
  Result<std::optional<QueueItem>> current();
  Result<std::optional<QueueItem>> next();
  // GET /i/{id}. 404 -> not_found ("Queue item with id N not found in queue default").
  Result<QueueItem> item(std::int64_t item_id);
  // POST /items_by_ids (6.7+): the items in the order asked, missing ids skipped. No request for
  // an empty span.
  Result<std::vector<QueueItem>> items_by_ids(std::span<const std::int64_t> ids);
  // GET /item_ids?order_dir= (6.7+): every item id, ordered by creation ("ASC" or "DESC").
  Result<std::vector<std::int64_t>> item_ids(std::string_view order_dir = "DESC");
  // GET /list_all[?destination=] (6.0+): full items (heavy: each carries its session).
  Result<std::vector<QueueItem>> list_all(std::optional<std::string> destination = std::nullopt);

  // PUT /i/{id}/cancel: the updated item. 404 -> not_found.
  Result<QueueItem> cancel_item(std::int64_t item_id);
  // DELETE /i/{id} (6.0+). 404 -> not_found.
  Status delete_item(std::int64_t item_id);
  // The number of items canceled / deleted.
  Result<std::int64_t> cancel_by_batch_ids(std::span<const std::string> batch_ids);  // PUT
  Result<std::int64_t> cancel_by_destination(std::string_view destination);          // PUT
  Result<std::int64_t> cancel_all_except_current();                                  // PUT
  Result<std::int64_t> delete_all_except_current();                                  // PUT (6.0+)
  Result<std::int64_t> delete_by_destination(std::string_view destination);          // DELETE (6.0+)
  Result<std::int64_t> clear();  // PUT /clear: deletes every item, canceling the running one
  Result<std::int64_t> prune();  // PUT /prune: deletes completed, failed and canceled items
  // PUT /retry_items_by_id (5.7+): enqueues a copy of each failed or canceled item (others are
  // skipped) and returns the ids that were retried, i.e. the originals; the copies have new ids and
  // retried_from_item_id set. Never retried itself: each call enqueues again.
  Result<std::vector<std::int64_t>> retry_items(std::span<const std::int64_t> ids);

  // PUT /processor/pause and /resume (admin on multi-user servers).
  Result<ProcessorStatus> pause_processor();
  Result<ProcessorStatus> resume_processor();

  [[nodiscard]] const std::string& queue_id() const noexcept { return queue_id_; }
  [[nodiscard]] ServerSession& session() const noexcept { return *session_; }

 private:
  // "/queue/<id>" + rest, the queue id percent-encoded.
  [[nodiscard]] std::string path(std::string_view rest) const;
  ServerSession* session_;
  std::string queue_id_;
};

}  // namespace ivk
