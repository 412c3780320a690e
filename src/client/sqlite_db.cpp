#include "sqlite_db.h"

#include <sqlite3.h>

#include <utility>

namespace ivk::detail {

namespace {

Error sqlite_error(sqlite3* db, const std::string& source, std::string_view what) {
  Error e = make_error(ErrorCode::io,
                       std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : "no database"));
  e.source = source;
  return e;
}

}  // namespace

SqliteStatement::SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, std::string source, bool* lent)
    : db_(db), stmt_(stmt), source_(std::move(source)), lent_(lent) {}

void SqliteStatement::release() noexcept {
  if (stmt_ == nullptr) return;
  if (lent_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *lent_ = false;
  } else {
    sqlite3_finalize(stmt_);
  }
  stmt_ = nullptr;
  lent_ = nullptr;
}

SqliteStatement::~SqliteStatement() { release(); }

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      source_(std::move(other.source_)),
      lent_(std::exchange(other.lent_, nullptr)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    release();
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
    source_ = std::move(other.source_);
    lent_ = std::exchange(other.lent_, nullptr);
  }
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

SqliteStatement& SqliteStatement::bind_optional(int index, std::optional<std::string_view> value) {
  if (value) return bind(index, *value);
  return bind_null(index);
}

SqliteStatement& SqliteStatement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error e = sqlite_error(db_, source_, "journal statement failed");
  sqlite3_reset(stmt_);
  return tl::unexpected(std::move(e));
}

Status SqliteStatement::run() {
  for (;;) {
    auto row = step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
  }
  reset();
  return {};
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t SqliteStatement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }

std::string SqliteStatement::column_text(int index) const {
  const auto* text = sqlite3_column_text(stmt_, index);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index)));
}

std::optional<std::string> SqliteStatement::column_optional_text(int index) const {
  if (column_is_null(index)) return std::nullopt;
  return column_text(index);
}

bool SqliteStatement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

Result<SqliteDb> SqliteDb::open(const std::filesystem::path& path) {
  SqliteDb out;
  out.source_ = path.string();
  const int rc = sqlite3_open_v2(out.source_.c_str(), &out.db_,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(out.db_, out.source_, "cannot open the run journal");
    return tl::unexpected(std::move(e));
  }
  // Another connection (a reader such as `sqlite3`) may hold a lock for a moment: wait, do not fail.
  sqlite3_busy_timeout(out.db_, 5000);
  return out;
}

void SqliteDb::close() noexcept {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  cache_.clear();
  if (db_ != nullptr) sqlite3_close(db_);
  db_ = nullptr;
}

SqliteDb::~SqliteDb() { close(); }

SqliteDb::SqliteDb(SqliteDb&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      source_(std::move(other.source_)),
      cache_(std::move(other.cache_)) {}

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
  if (this != &other) {
    close();
    db_ = std::exchange(other.db_, nullptr);
    source_ = std::move(other.source_);
    cache_ = std::move(other.cache_);
  }
  return *this;
}

Status SqliteDb::exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    Error e =
        make_error(ErrorCode::io, std::string("journal statement failed: ") + (message ? message : "?"));
    e.source = source_;
    sqlite3_free(message);
    return tl::unexpected(std::move(e));
  }
  return {};
}

Result<SqliteStatement> SqliteDb::prepare(std::string_view sql) {
  auto [entry, added] = cache_.try_emplace(std::string(sql));
  Cached& cached = entry->second;
  if (added &&
      sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &cached.stmt, nullptr) != SQLITE_OK) {
    cache_.erase(entry);
    return tl::unexpected(sqlite_error(db_, source_, "cannot prepare a journal statement"));
  }
  if (!cached.lent) {
    cached.lent = true;
    return SqliteStatement(db_, cached.stmt, source_, &cached.lent);
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
    return tl::unexpected(sqlite_error(db_, source_, "cannot prepare a journal statement"));
  return SqliteStatement(db_, stmt, source_);
}

std::int64_t SqliteDb::changes() const { return sqlite3_changes64(db_); }

}  // namespace ivk::detail
