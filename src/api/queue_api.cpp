// QueueApi: the session queue routes under /api/v1/queue/{queue_id}.
#include "ivk/api/queue_api.h"

#include "api/models_api_support.h"
#include "api/queue_parse.h"
#include "core/json_read.h"
#include "core/json_write.h"
#include "ivk/transport/server_session.h"

namespace ivk {
namespace {

std::string id_list_json(std::span<const std::int64_t> ids) {
  std::string out = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    detail::append_json_number(out, ids[i]);
  }
  return out + "]";
}

}  // namespace

QueueApi::QueueApi(ServerSession& session, std::string queue_id)
    : session_(&session), queue_id_(std::move(queue_id)) {}

std::string QueueApi::path(std::string_view rest) const {
  return "/queue/" + url_encode_path_segment(queue_id_) + std::string(rest);
}

Result<EnqueueResult> QueueApi::enqueue_batch(std::string_view body_json) {
  auto body = session_->send_json("POST", ApiRoot::v1, path("/enqueue_batch"), body_json, {},
                                  Idempotency::not_idempotent);
  if (!body)
    return tl::unexpected(detail::remap_status(body.error(), 422, ErrorCode::invalid_argument,
                                               "the server rejected the batch (graph or batch validation)"));
  return detail::parse_enqueue_result(*body);
}

Result<QueueStatus> QueueApi::status() {
  auto body = session_->get(ApiRoot::v1, path("/status"));
  if (!body) return tl::unexpected(body.error());
  return detail::parse_queue_status(*body);
}

Result<BatchStatus> QueueApi::batch_status(std::string_view batch_id) {
  auto body = session_->get(ApiRoot::v1, path("/b/" + url_encode_path_segment(batch_id) + "/status"));
  if (!body) return tl::unexpected(body.error());
  return detail::parse_batch_status(*body);
}

Result<DestinationCounts> QueueApi::counts_by_destination(std::string_view destination) {
  QueryBuilder q;
  q.add("destination", destination);
  auto body = session_->get(ApiRoot::v1, path("/counts_by_destination"), q.str());
  if (!body) return tl::unexpected(body.error());
  return detail::parse_destination_counts(*body);
}

Result<std::optional<QueueItem>> QueueApi::current() {
  auto body = session_->get(ApiRoot::v1, path("/current"));
  if (!body) return tl::unexpected(body.error());
  return detail::parse_optional_queue_item(*body);
}

Result<std::optional<QueueItem>> QueueApi::next() {
  auto body = session_->get(ApiRoot::v1, path("/next"));
  if (!body) return tl::unexpected(body.error());
  return detail::parse_optional_queue_item(*body);
}

Result<QueueItem> QueueApi::item(std::int64_t item_id) {
  auto body = session_->get(ApiRoot::v1, path("/i/" + std::to_string(item_id)));
  if (!body) return tl::unexpected(body.error());
  return detail::parse_queue_item(*body);
}

Result<std::vector<QueueItem>> QueueApi::items_by_ids(std::span<const std::int64_t> ids) {
  if (ids.empty()) return std::vector<QueueItem>{};
  // A read despite the POST: safe to retry.
  auto body = session_->send_json("POST", ApiRoot::v1, path("/items_by_ids"),
                                  "{\"item_ids\":" + id_list_json(ids) + "}", {}, Idempotency::idempotent);
  if (!body) return tl::unexpected(body.error());
  return detail::parse_queue_items(*body);
}

Result<std::vector<std::int64_t>> QueueApi::item_ids(std::string_view order_dir) {
  QueryBuilder q;
  q.add("order_dir", order_dir);
  auto body = session_->get(ApiRoot::v1, path("/item_ids"), q.str());
  if (!body) return tl::unexpected(body.error());
  return detail::parse_item_ids(*body);
}

Result<std::vector<QueueItem>> QueueApi::list_all(std::optional<std::string> destination) {
  QueryBuilder q;
  q.add_optional("destination", destination);
  auto body = session_->get(ApiRoot::v1, path("/list_all"), q.str());
  if (!body) return tl::unexpected(body.error());
  return detail::parse_queue_items(*body);
}

Result<QueueItem> QueueApi::cancel_item(std::int64_t item_id) {
  auto body = session_->send_json("PUT", ApiRoot::v1, path("/i/" + std::to_string(item_id) + "/cancel"), {});
  if (!body) return tl::unexpected(body.error());
  return detail::parse_queue_item(*body);
}

Status QueueApi::delete_item(std::int64_t item_id) {
  auto body = session_->send_json("DELETE", ApiRoot::v1, path("/i/" + std::to_string(item_id)), {});
  if (!body) return tl::unexpected(body.error());
  return {};
}

Result<std::int64_t> QueueApi::cancel_by_batch_ids(std::span<const std::string> batch_ids) {
  std::string json = "{\"batch_ids\":[";
  for (std::size_t i = 0; i < batch_ids.size(); ++i) {
    if (i) json += ',';
    detail::append_json_string(json, batch_ids[i]);
  }
  json += "]}";
  auto body = session_->send_json("PUT", ApiRoot::v1, path("/cancel_by_batch_ids"), json);
  if (!body) return tl::unexpected(body.error());
  return parse_count(*body, "canceled", "cancel_by_batch_ids answer");
}

Result<std::int64_t> QueueApi::cancel_by_destination(std::string_view destination) {
  QueryBuilder q;
  q.add("destination", destination);
  auto body = session_->send_json("PUT", ApiRoot::v1, path("/cancel_by_destination"), {}, q.str());
  if (!body) return tl::unexpected(body.error());
  return parse_count(*body, "canceled", "cancel_by_destination answer");
}

Result<std::int64_t> QueueApi::cancel_all_except_current() {
  auto body = session_->send_json("PUT", ApiRoot::v1, path("/cancel_all_except_current"), {});
  if (!body) return tl::unexpected(body.error());
  return parse_count(*body, "canceled", "cancel_all_except_current answer");
}

Result<std::int64_t> QueueApi::delete_all_except_current() {
  auto body = session_->send_json("PUT", ApiRoot::v1, path("/delete_all_except_current"), {});
  if (!body) return tl::unexpected(body.error());
  return parse_count(*body, "deleted", "delete_all_except_current answer");
}

Result<std::int64_t> QueueApi::delete_by_destination(std::string_view destination) {
  auto body =
      session_->send_json("DELETE", ApiRoot::v1, path("/d/" + url_encode_path_segment(destination)), {});
  if (!body) return tl::unexpected(body.error());
  return parse_count(*body, "deleted", "delete by destination answer");
}

Result<std::int64_t> QueueApi::clear() {
  auto body = session_->send_json("PUT", ApiRoot::v1, path("/clear"), {});
  if (!body) return tl::unexpected(body.error());
  return parse_count(*body, "deleted", "queue clear answer");
}

Result<std::int64_t> QueueApi::prune() {
  auto body = session_->send_json("PUT", ApiRoot::v1, path("/prune"), {});
  if (!body) return tl::unexpected(body.error());
  return parse_count(*body, "deleted", "queue prune answer");
}

Result<std::vector<std::int64_t>> QueueApi::retry_items(std::span<const std::int64_t> ids) {
  // The body is a bare array of item ids. Not idempotent although a PUT: each call re-enqueues.
  auto body = session_->send_json("PUT", ApiRoot::v1, path("/retry_items_by_id"), id_list_json(ids), {},
                                  Idempotency::not_idempotent);
  if (!body) return tl::unexpected(body.error());
  return detail::parse_retried_ids(*body);
}

Result<ProcessorStatus> QueueApi::pause_processor() {
  auto body = session_->send_json("PUT", ApiRoot::v1, path("/processor/pause"), {});
  if (!body) return tl::unexpected(body.error());
  return detail::parse_processor_status(*body);
}

Result<ProcessorStatus> QueueApi::resume_processor() {
  auto body = session_->send_json("PUT", ApiRoot::v1, path("/processor/resume"), {});
  if (!body) return tl::unexpected(body.error());
  return detail::parse_processor_status(*body);
}

}  // namespace ivk
