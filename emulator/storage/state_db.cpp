#include "storage/state_db.h"

#include <sqlite3.h>

#include <system_error>

namespace ivk::emu {
namespace {

constexpr std::string_view kSchemaVersion = "1";

// The tables. Queue items keep the columns of the server's session_queue table (item_id
// AUTOINCREMENT, so ids are never reused, even after a clear); JSON-valued fields are stored as
// their text. Images keep their board in a column: an image is on at most one board.
constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS session_queue (
  item_id INTEGER PRIMARY KEY AUTOINCREMENT,
  queue_id TEXT NOT NULL,
  status TEXT NOT NULL,
  priority INTEGER NOT NULL,
  batch_id TEXT NOT NULL,
  origin TEXT,
  destination TEXT,
  session_id TEXT NOT NULL,
  error_type TEXT,
  error_message TEXT,
  error_traceback TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  started_at TEXT,
  completed_at TEXT,
  field_values TEXT,
  retried_from_item_id INTEGER,
  session TEXT NOT NULL,
  workflow TEXT,
  user_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS images (
  image_name TEXT PRIMARY KEY,
  sequence INTEGER NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  image_origin TEXT NOT NULL,
  image_category TEXT NOT NULL,
  is_intermediate INTEGER NOT NULL,
  board_id TEXT,
  session_id TEXT,
  node_id TEXT,
  metadata TEXT,
  workflow TEXT,
  graph TEXT,
  user_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  starred INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS boards (
  board_id TEXT PRIMARY KEY,
  sequence INTEGER NOT NULL,
  board_name TEXT NOT NULL,
  user_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  cover_image_name TEXT,
  archived INTEGER NOT NULL,
  is_private INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS models (position INTEGER PRIMARY KEY, config TEXT NOT NULL);
)sql";

std::string message_of(sqlite3* db) { return db != nullptr ? sqlite3_errmsg(db) : "out of memory"; }

}  // namespace

bool SqlRow::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::int64_t SqlRow::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string SqlRow::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  return data == nullptr ? std::string() : std::string(data, static_cast<std::size_t>(size));
}

Result<std::shared_ptr<StateDb>> StateDb::open(const std::filesystem::path& data_dir) {
  const std::filesystem::path file = data_dir / kFileName;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = message_of(raw);
    sqlite3_close(raw);
    return tl::unexpected(
        make_error(ErrorCode::io, "cannot open the emulator's database: " + why, {}, file.string()));
  }
  std::shared_ptr<StateDb> db(new StateDb(raw, file));
  sqlite3_busy_timeout(raw, 0);  // another emulator holding the file is an error, not a wait
  // Exclusive locking before WAL: the WAL index then lives in this process's memory, and the lock,
  // taken by the first write below and held until close, keeps a second emulator out.
  char* err = nullptr;
  const int pragmas =
      sqlite3_exec(raw, "PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                   nullptr, nullptr, &err);
  if (pragmas != SQLITE_OK) {
    std::string why = err != nullptr ? err : message_of(raw);
    sqlite3_free(err);
    if (pragmas == SQLITE_BUSY || pragmas == SQLITE_LOCKED)
      why = "the data directory is in use by another emulator (" + why + ")";
    return tl::unexpected(
        make_error(ErrorCode::io, "cannot use the emulator's database: " + why, {}, file.string()));
  }
  auto created = db->transaction([&db]() -> Status {
    std::lock_guard lock(db->mutex_);
    char* schema_err = nullptr;
    if (sqlite3_exec(db->db_, std::string(kSchema).c_str(), nullptr, nullptr, &schema_err) != SQLITE_OK) {
      const std::string why = schema_err != nullptr ? schema_err : message_of(db->db_);
      sqlite3_free(schema_err);
      return fail(ErrorCode::io, "cannot create the tables: " + why);
    }
    auto version = db->meta("schema_version");
    if (!version) return tl::unexpected(version.error());
    if (version->empty()) return db->set_meta("schema_version", std::string(kSchemaVersion));
    if (*version != kSchemaVersion)
      return fail(ErrorCode::io, "the database has schema version " + *version +
                                     "; this emulator reads version " + std::string(kSchemaVersion) +
                                     " (use another --data-dir)");
    return {};
  });
  if (!created) {
    Error e = created.error();
    if (e.source.empty()) e.source = file.string();
    return tl::unexpected(std::move(e));
  }
  return db;
}

StateDb::~StateDb() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Error StateDb::error_locked(const std::string& what) const {
  std::string message = what + ": " + message_of(db_);
  const int code = sqlite3_errcode(db_);
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
    message += " (is another emulator using this data directory?)";
  return make_error(ErrorCode::io, std::move(message), {}, file_.string());
}

Result<sqlite3_stmt*> StateDb::prepare_locked(std::string_view sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
    return tl::unexpected(error_locked("cannot prepare \"" + std::string(sql.substr(0, 60)) + "\""));
  statements_.emplace(std::string(sql), stmt);
  return stmt;
}

Status StateDb::step_all_locked(std::string_view sql, const std::vector<SqlValue>& params,
                                const std::function<void(const SqlRow&)>* on_row) {
  auto prepared = prepare_locked(sql);
  if (!prepared) return tl::unexpected(prepared.error());
  sqlite3_stmt* stmt = *prepared;
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    const SqlValue& value = params[i];
    if (const auto* n = std::get_if<std::int64_t>(&value)) {
      sqlite3_bind_int64(stmt, index, *n);
    } else if (const auto* s = std::get_if<std::string>(&value)) {
      // SQLITE_STATIC: the string outlives the statement's use (reset before we return).
      sqlite3_bind_text(stmt, index, s->data(), static_cast<int>(s->size()), SQLITE_STATIC);
    } else {
      sqlite3_bind_null(stmt, index);
    }
  }
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
    if (on_row != nullptr) (*on_row)(SqlRow(stmt));
  Status status;
  if (rc != SQLITE_DONE)
    status = tl::unexpected(error_locked("\"" + std::string(sql.substr(0, 60)) + "\" failed"));
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);  // the bound strings die with the caller's vector
  return status;
}

Status StateDb::run(std::string_view sql, const std::vector<SqlValue>& params) {
  std::lock_guard lock(mutex_);
  return step_all_locked(sql, params, nullptr);
}

Status StateDb::query(std::string_view sql, const std::vector<SqlValue>& params,
                      const std::function<void(const SqlRow&)>& on_row) {
  std::lock_guard lock(mutex_);
  return step_all_locked(sql, params, &on_row);
}

Status StateDb::transaction(const std::function<Status()>& body) {
  std::lock_guard lock(mutex_);
  if (auto begun = step_all_locked("BEGIN IMMEDIATE", {}, nullptr); !begun) return begun;
  Status result = body();
  if (result) result = step_all_locked("COMMIT", {}, nullptr);
  if (!result) (void)step_all_locked("ROLLBACK", {}, nullptr);  // nothing of a failed body stays
  return result;
}

Result<std::string> StateDb::meta(const std::string& key) {
  std::string value;
  auto status = query("SELECT value FROM meta WHERE key = ?1", {key},
                      [&value](const SqlRow& row) { value = row.text(0); });
  if (!status) return tl::unexpected(status.error());
  return value;
}

Status StateDb::set_meta(const std::string& key, const std::string& value) {
  return run("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
             {key, value});
}

}  // namespace ivk::emu
