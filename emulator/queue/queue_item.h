#pragma once
// One row of the emulator's session queue (a SessionQueueItem) and its JSON forms. Private to the emulator.
#include <cstdint>
#include <string>

#include "http/fastapi_errors.h"  // Json

namespace ivk::emu {

struct QueueItem {
  std::int64_t item_id = 0;
  std::string queue_id = "default";
  std::string status = "pending";  // pending | in_progress | completed | failed | canceled
  std::int64_t priority = 0;
  std::string batch_id;
  Json origin = nullptr;
  Json destination = nullptr;
  std::string session_id;
  Json error_type = nullptr;
  Json error_message = nullptr;
  Json error_traceback = nullptr;
  std::string created_at;
  std::string updated_at;
  Json started_at = nullptr;
  Json completed_at = nullptr;
  Json field_values = nullptr;  // [{"node_path","field_name","value"}] or null
  Json retried_from_item_id = nullptr;
  Json session;  // GraphExecutionState
  Json workflow = nullptr;
  std::string user_id = "system";
};

// "2025-08-21 07:19:51.147": the server's SQLite timestamps (UTC, milliseconds, no zone).
std::string queue_now();

// The Unix seconds the server puts in every event's timestamp.
std::int64_t queue_event_timestamp();

// A GraphExecutionState before execution: the graph, an empty execution graph, nothing run yet.
Json fresh_session(const std::string& session_id, Json graph);

// SessionQueueItem in the 6.8 field order, nulls kept (list routes, /current, /next).
Json queue_item_json(const QueueItem& item);

// Removes null object members recursively, like pydantic's exclude_none (GET /queue/{q}/i/{id}).
Json drop_null_members(Json value);

inline bool is_terminal_queue_status(const std::string& status) {
  return status == "completed" || status == "failed" || status == "canceled";
}

}  // namespace ivk::emu
