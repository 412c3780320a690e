#include "queue/queue_item.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "core/uuid.h"

namespace ivk::emu {

std::string queue_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return text;
}

std::int64_t queue_event_timestamp() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Json fresh_session(const std::string& session_id, Json graph) {
  Json s = Json::object();
  s["id"] = session_id;
  s["graph"] = std::move(graph);
  s["execution_graph"] = Json{{"id", detail::uuid4()}, {"nodes", Json::object()}, {"edges", Json::array()}};
  s["executed"] = Json::array();
  s["executed_history"] = Json::array();
  s["results"] = Json::object();
  s["errors"] = Json::object();
  s["prepared_source_mapping"] = Json::object();
  s["source_prepared_mapping"] = Json::object();
  return s;
}

Json queue_item_json(const QueueItem& item) {
  Json j = Json::object();
  j["item_id"] = item.item_id;
  j["status"] = item.status;
  j["priority"] = item.priority;
  j["batch_id"] = item.batch_id;
  j["origin"] = item.origin;
  j["destination"] = item.destination;
  j["session_id"] = item.session_id;
  j["error_type"] = item.error_type;
  j["error_message"] = item.error_message;
  j["error_traceback"] = item.error_traceback;
  j["created_at"] = item.created_at;
  j["updated_at"] = item.updated_at;
  j["started_at"] = item.started_at;
  j["completed_at"] = item.completed_at;
  j["queue_id"] = item.queue_id;
  j["field_values"] = item.field_values;
  j["retried_from_item_id"] = item.retried_from_item_id;
  j["is_api_validation_run"] = false;  // 5.10-6.8 field; the emulator never runs validation runs
  j["published_workflow_id"] = nullptr;
  j["credits"] = nullptr;
  j["session"] = item.session;
  j["workflow"] = item.workflow;
  return j;
}

Json drop_null_members(Json value) {
  if (value.is_object()) {
    Json out = Json::object();
    for (auto& [key, member] : value.items())
      if (!member.is_null()) out[key] = drop_null_members(std::move(member));
    return out;
  }
  if (value.is_array())
    for (auto& element : value) element = drop_null_members(std::move(element));
  return value;
}

}  // namespace ivk::emu
