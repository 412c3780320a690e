#pragma once
// Reading the session queue's answers into the QueueApi types. Private to src/api.
#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/api/queue_api.h"

namespace ivk::detail {

// One item object; `where` is its JSON path for errors ("$", "$[3]").
Result<QueueItem> queue_item_from(simdjson::dom::element item, const std::string& where);
Result<QueueItem> parse_queue_item(std::string_view json);
// An item or null (GET /current, /next).
Result<std::optional<QueueItem>> parse_optional_queue_item(std::string_view json);
Result<std::vector<QueueItem>> parse_queue_items(std::string_view json);
Result<EnqueueResult> parse_enqueue_result(std::string_view json);
Result<QueueStatus> parse_queue_status(std::string_view json);
Result<BatchStatus> parse_batch_status(std::string_view json);
Result<DestinationCounts> parse_destination_counts(std::string_view json);
Result<ProcessorStatus> parse_processor_status(std::string_view json);
Result<std::vector<std::int64_t>> parse_item_ids(std::string_view json);
Result<std::vector<std::int64_t>> parse_retried_ids(std::string_view json);

}  // namespace ivk::detail
