#pragma once
// The emulator's persisted state (--persist): one SQLite database, data_dir/emulator.db, shared by
// the queue, the images and boards, and the model catalog. Each of them keeps its state in memory
// and writes every change through here before it answers, so a crash (even kill -9) loses nothing
// that was already answered. WAL journal with synchronous=NORMAL: a commit reaches the operating
// system at once (enough for a killed process), without an fsync per commit. The database is
// opened in exclusive locking mode, so a second emulator on the same data directory fails to start
// instead of silently diverging. Thread-safe: one connection behind one mutex, always taken last.
// Private to the emulator.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ivk/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ivk::emu {

// A value bound to a statement parameter or read from a column.
using SqlValue = std::variant<std::nullptr_t, std::int64_t, std::string>;

// One result row: column values by index.
class SqlRow {
 public:
  explicit SqlRow(sqlite3_stmt* stmt) : stmt_(stmt) {}
  [[nodiscard]] bool is_null(int column) const;
  [[nodiscard]] std::int64_t integer(int column) const;
  [[nodiscard]] std::string text(int column) const;  // "" for NULL

 private:
  sqlite3_stmt* stmt_;
};

class StateDb {
 public:
  static constexpr const char* kFileName = "emulator.db";

  // Opens (or creates) data_dir/emulator.db and its tables. Errors: io (cannot open, not a
  // database, or another process holds it).
  static Result<std::shared_ptr<StateDb>> open(const std::filesystem::path& data_dir);
  ~StateDb();
  StateDb(const StateDb&) = delete;
  StateDb& operator=(const StateDb&) = delete;

  // One statement with positional parameters (?1, ?2, ...). Statements are prepared once and cached.
  Status run(std::string_view sql, const std::vector<SqlValue>& params = {});
  // Calls on_row for every row the query yields.
  Status query(std::string_view sql, const std::vector<SqlValue>& params,
               const std::function<void(const SqlRow&)>& on_row);
  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT (ROLLBACK when body fails): several writes become
  // one commit, all or nothing. body may call run() and query(); the lock is recursive.
  Status transaction(const std::function<Status()>& body);

  // meta table: small key/value facts (schema version, "models_saved").
  Result<std::string> meta(const std::string& key);  // "" when absent
  Status set_meta(const std::string& key, const std::string& value);

  [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }

 private:
  StateDb(sqlite3* db, std::filesystem::path file) : db_(db), file_(std::move(file)) {}
  Result<sqlite3_stmt*> prepare_locked(std::string_view sql);
  Status step_all_locked(std::string_view sql, const std::vector<SqlValue>& params,
                         const std::function<void(const SqlRow&)>* on_row);
  Error error_locked(const std::string& what) const;

  sqlite3* db_;
  std::filesystem::path file_;
  std::recursive_mutex mutex_;
  std::map<std::string, sqlite3_stmt*, std::less<>> statements_;
};

}  // namespace ivk::emu
