#pragma once
// JSON values in SQLite columns: strings as text, other JSON as its serialization, null as NULL.
// Shared by the persistence files of the emulator. Private to the emulator.
#include <optional>
#include <string>

#include "http/fastapi_errors.h"  // Json
#include "storage/state_db.h"

namespace ivk::emu {

inline std::string sql_dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

// A string-or-null field (origin, error_message, started_at, ...).
inline SqlValue sql_text(const Json& j) {
  if (j.is_null()) return nullptr;
  if (j.is_string()) return j.get<std::string>();
  return sql_dump(j);
}
// A JSON-valued field (session, field_values, workflow), NULL for JSON null.
inline SqlValue sql_json(const Json& j) {
  if (j.is_null()) return nullptr;
  return sql_dump(j);
}
inline SqlValue sql_optional(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return *s;
}
inline SqlValue sql_int(std::int64_t n) { return n; }

inline Json column_text(const SqlRow& row, int column) {
  if (row.is_null(column)) return nullptr;
  return row.text(column);
}
// Parses a JSON column; text that is not JSON (never written by us) reads as null.
inline Json column_json(const SqlRow& row, int column) {
  if (row.is_null(column)) return nullptr;
  Json parsed = Json::parse(row.text(column), nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? Json() : parsed;
}
inline std::optional<std::string> column_optional(const SqlRow& row, int column) {
  if (row.is_null(column)) return std::nullopt;
  return row.text(column);
}

}  // namespace ivk::emu
