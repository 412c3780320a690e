// Reading the session queue's answers. Loose like every server read: only item_id and
// status are required of an item; everything else may be absent, null or new.
#include "api/queue_parse.h"

#include "core/json_read.h"

namespace ivk {

bool QueueItem::is_terminal() const noexcept {
  return status == "completed" || status == "failed" || status == "canceled";
}

namespace detail {
namespace {

QueueCounts counts_from(dom::object o) {
  QueueCounts c;
  c.pending = int_member(o, "pending").value_or(0);
  c.in_progress = int_member(o, "in_progress").value_or(0);
  c.completed = int_member(o, "completed").value_or(0);
  c.failed = int_member(o, "failed").value_or(0);
  c.canceled = int_member(o, "canceled").value_or(0);
  c.total = int_member(o, "total").value_or(0);
  c.waiting = int_member(o, "waiting").value_or(0);
  return c;
}

}  // namespace

Result<QueueItem> queue_item_from(dom::element element, const std::string& where) {
  dom::object o;
  if (element.get_object().get(o) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "queue item is not a JSON object", where);
  auto id = int_member(o, "item_id");
  if (!id) return fail(ErrorCode::parse_error, "queue item: missing integer item_id", where + ".item_id");
  QueueItem item;
  item.item_id = *id;
  std::string_view status;
  if (o.at_key("status").get_string().get(status) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "queue item " + std::to_string(*id) + ": missing status",
                where + ".status");
  item.status = std::string(status);
  item.queue_id = string_member(o, "queue_id");
  item.batch_id = string_member(o, "batch_id");
  item.session_id = string_member(o, "session_id");
  item.priority = static_cast<int>(int_member(o, "priority").value_or(0));
  item.error_type = optional_string_member(o, "error_type");
  item.error_message = optional_string_member(o, "error_message");
  item.error_traceback = optional_string_member(o, "error_traceback");
  item.created_at = string_member(o, "created_at");
  item.updated_at = string_member(o, "updated_at");
  item.started_at = optional_string_member(o, "started_at");
  item.completed_at = optional_string_member(o, "completed_at");
  item.origin = optional_string_member(o, "origin");
  item.destination = optional_string_member(o, "destination");
  item.retried_from_item_id = int_member(o, "retried_from_item_id");
  item.field_values_json = raw_member(o, "field_values");
  item.session_json = raw_member(o, "session");
  item.workflow_json = raw_member(o, "workflow");
  item.raw_json = simdjson::minify(element);
  return item;
}

Result<QueueItem> parse_queue_item(std::string_view json) {
  dom::parser parser;
  auto doc = parse_json(parser, json, "queue item");
  if (!doc) return tl::unexpected(doc.error());
  return queue_item_from(*doc, "$");
}

Result<std::optional<QueueItem>> parse_optional_queue_item(std::string_view json) {
  dom::parser parser;
  auto doc = parse_json(parser, json, "queue item");
  if (!doc) return tl::unexpected(doc.error());
  if (doc->is_null()) return std::optional<QueueItem>();
  auto item = queue_item_from(*doc, "$");
  if (!item) return tl::unexpected(item.error());
  return std::optional<QueueItem>(std::move(*item));
}

Result<std::vector<QueueItem>> parse_queue_items(std::string_view json) {
  dom::parser parser;
  auto items = parse_array(parser, json, "queue item list");
  if (!items) return tl::unexpected(items.error());
  std::vector<QueueItem> out;
  std::size_t i = 0;
  for (dom::element e : *items) {
    auto item = queue_item_from(e, "$[" + std::to_string(i++) + "]");
    if (!item) return tl::unexpected(item.error());
    out.push_back(std::move(*item));
  }
  return out;
}

Result<EnqueueResult> parse_enqueue_result(std::string_view json) {
  dom::parser parser;
  auto o = parse_object(parser, json, "enqueue_batch answer");
  if (!o) return tl::unexpected(o.error());
  EnqueueResult r;
  r.queue_id = string_member(*o, "queue_id");
  auto enqueued = int_member(*o, "enqueued");
  if (!enqueued)
    return fail(ErrorCode::parse_error, "enqueue_batch answer: missing integer enqueued", "$.enqueued");
  r.enqueued = *enqueued;
  r.requested = int_member(*o, "requested").value_or(r.enqueued);
  r.priority = static_cast<int>(int_member(*o, "priority").value_or(0));
  dom::element ids;
  if (o->at_key("item_ids").get(ids) == simdjson::SUCCESS && !ids.is_null()) {
    auto parsed = int_array(ids);
    if (!parsed)
      return fail(ErrorCode::parse_error, "enqueue_batch answer: item_ids is not an array of integers",
                  "$.item_ids");
    r.item_ids = std::move(*parsed);
  }
  dom::object batch;
  if (o->at_key("batch").get_object().get(batch) == simdjson::SUCCESS)
    r.batch_id = string_member(batch, "batch_id");
  r.raw_json = simdjson::minify(*o);
  return r;
}

Result<QueueStatus> parse_queue_status(std::string_view json) {
  dom::parser parser;
  auto o = parse_object(parser, json, "queue status");
  if (!o) return tl::unexpected(o.error());
  dom::object queue;
  if (o->at_key("queue").get_object().get(queue) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "queue status: missing object \"queue\"", "$.queue");
  QueueStatus s;
  s.queue_id = string_member(queue, "queue_id");
  s.item_id = int_member(queue, "item_id");
  s.batch_id = optional_string_member(queue, "batch_id");
  s.session_id = optional_string_member(queue, "session_id");
  s.counts = counts_from(queue);
  dom::object processor;
  if (o->at_key("processor").get_object().get(processor) == simdjson::SUCCESS) {
    s.processor_started = bool_member(processor, "is_started");
    s.processor_processing = bool_member(processor, "is_processing");
  }
  return s;
}

Result<BatchStatus> parse_batch_status(std::string_view json) {
  dom::parser parser;
  auto o = parse_object(parser, json, "batch status");
  if (!o) return tl::unexpected(o.error());
  BatchStatus s;
  s.queue_id = string_member(*o, "queue_id");
  s.batch_id = string_member(*o, "batch_id");
  s.origin = optional_string_member(*o, "origin");
  s.destination = optional_string_member(*o, "destination");
  s.counts = counts_from(*o);
  return s;
}

Result<DestinationCounts> parse_destination_counts(std::string_view json) {
  dom::parser parser;
  auto o = parse_object(parser, json, "counts by destination");
  if (!o) return tl::unexpected(o.error());
  DestinationCounts c;
  c.queue_id = string_member(*o, "queue_id");
  c.destination = string_member(*o, "destination");
  c.counts = counts_from(*o);
  return c;
}

Result<ProcessorStatus> parse_processor_status(std::string_view json) {
  dom::parser parser;
  auto o = parse_object(parser, json, "processor status");
  if (!o) return tl::unexpected(o.error());
  return ProcessorStatus{bool_member(*o, "is_started"), bool_member(*o, "is_processing")};
}

namespace {

Result<std::vector<std::int64_t>> id_list_member(std::string_view json, std::string_view key,
                                                 std::string_view what) {
  dom::parser parser;
  auto o = parse_object(parser, json, what);
  if (!o) return tl::unexpected(o.error());
  dom::element ids;
  std::optional<std::vector<std::int64_t>> parsed;
  if (o->at_key(key).get(ids) == simdjson::SUCCESS) parsed = int_array(ids);
  if (!parsed)
    return fail(ErrorCode::parse_error,
                std::string(what) + ": missing array of integers \"" + std::string(key) + "\"",
                "$." + std::string(key));
  return std::move(*parsed);
}

}  // namespace

Result<std::vector<std::int64_t>> parse_item_ids(std::string_view json) {
  return id_list_member(json, "item_ids", "queue item ids");
}

Result<std::vector<std::int64_t>> parse_retried_ids(std::string_view json) {
  return id_list_member(json, "retried_item_ids", "retry_items_by_id answer");
}

}  // namespace detail
}  // namespace ivk
