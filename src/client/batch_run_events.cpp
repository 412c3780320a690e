#include "batch_run_events.h"

#include "core/json_read.h"

namespace ivk::detail {

namespace {

std::optional<BatchEvent::Kind> kind_of(std::string_view name) {
  using K = BatchEvent::Kind;
  if (name == "queue_item_status_changed") return K::status_changed;
  if (name == "invocation_started") return K::node_started;
  if (name == "invocation_progress") return K::node_progress;
  if (name == "invocation_complete") return K::node_completed;
  if (name == "invocation_error") return K::node_error;
  if (name == "queue_cleared") return K::queue_cleared;
  return std::nullopt;
}

}  // namespace

std::optional<BatchEvent> parse_batch_event(std::string_view name, std::string_view payload_json) {
  const auto kind = kind_of(name);
  if (!kind) return std::nullopt;
  // One parser per thread: events arrive by the thousand, and a parser's buffers are worth keeping.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object o;
  if (parser.parse(payload_json.data(), payload_json.size()).get_object().get(o) != simdjson::SUCCESS)
    return std::nullopt;
  BatchEvent e;
  e.kind = *kind;
  e.batch_id = string_member(o, "batch_id");
  e.item_id = int_member(o, "item_id").value_or(0);
  e.status = string_member(o, "status");
  e.node_id = string_member(o, "invocation_source_id");
  e.message = string_member(o, "message");
  simdjson::dom::object invocation;
  if (o.at_key("invocation").get_object().get(invocation) == simdjson::SUCCESS)
    e.node_type = string_member(invocation, "type");
  double pct = 0;
  if (o.at_key("percentage").get_double().get(pct) == simdjson::SUCCESS) e.percentage = pct;
  if (e.kind == BatchEvent::Kind::node_error) e.message = string_member(o, "error_message");
  return e;
}

}  // namespace ivk::detail
