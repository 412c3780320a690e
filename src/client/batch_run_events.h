#pragma once
// The few fields of a queue/invocation event that BatchRun needs, read from its payload JSON.
// Private to src/client.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ivk::detail {

struct BatchEvent {
  enum class Kind {
    status_changed,
    node_started,
    node_progress,
    node_completed,
    node_error,
    queue_cleared,
    other
  };
  Kind kind = Kind::other;
  std::string batch_id;
  std::int64_t item_id = 0;
  std::string status;     // status_changed
  std::string node_id;    // invocation_source_id
  std::string node_type;  // invocation.type
  std::optional<double> percentage;
  std::string message;
};

// nullopt for events BatchRun ignores and for payloads that are not JSON objects.
std::optional<BatchEvent> parse_batch_event(std::string_view name, std::string_view payload_json);

}  // namespace ivk::detail
