#pragma once
// A thin RAII layer over SQLite's C API for the run journal: one connection, prepared statements with
// bound parameters, and errors as ivk::Error naming the database file. Private to src/client.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ivk/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ivk::detail {

class SqliteStatement {
 public:
  SqliteStatement() = default;
  // `lent`: the statement belongs to SqliteDb's cache; this handle resets it when done and clears
  // the flag instead of finalizing it.
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, std::string source, bool* lent = nullptr);
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Parameters are 1-based, as in SQL's ?1, ?2...
  SqliteStatement& bind(int index, std::int64_t value);
  SqliteStatement& bind(int index, std::string_view value);
  SqliteStatement& bind_optional(int index, std::optional<std::string_view> value);  // nullopt: NULL
  SqliteStatement& bind_null(int index);

  // true: a row is ready (read it with the column accessors); false: done. Errors name the file.
  Result<bool> step();
  // Steps to completion (statements without rows), then resets for the next use.
  Status run();
  void reset();

  [[nodiscard]] std::int64_t column_int(int index) const;
  [[nodiscard]] std::string column_text(int index) const;
  [[nodiscard]] std::optional<std::string> column_optional_text(int index) const;
  [[nodiscard]] bool column_is_null(int index) const;

 private:
  void release() noexcept;

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::string source_;
  bool* lent_ = nullptr;
};

class SqliteDb {
 public:
  // Opens (creating when missing) the database file. Errors: io, naming the file.
  static Result<SqliteDb> open(const std::filesystem::path& path);
  SqliteDb() = default;
  ~SqliteDb();
  SqliteDb(SqliteDb&& other) noexcept;
  SqliteDb& operator=(SqliteDb&& other) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements without parameters.
  Status exec(std::string_view sql);
  // A statement for `sql`, compiled once per connection and kept: the journal runs the same few
  // statements for every item, and compiling them was a tenth of a run's CPU. When the cached one
  // is in use (a query inside another's loop), a fresh one is compiled for the caller.
  Result<SqliteStatement> prepare(std::string_view sql);
  [[nodiscard]] std::int64_t changes() const;
  [[nodiscard]] const std::string& source() const noexcept { return source_; }

 private:
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool lent = false;
  };
  void close() noexcept;

  sqlite3* db_ = nullptr;
  std::string source_;
  std::unordered_map<std::string, Cached> cache_;  // nodes never move: lent flags stay put
};

}  // namespace ivk::detail
