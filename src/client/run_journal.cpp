// The run journal on SQLite. See run_journal.h for the item states and docs/adr/0011 for why.
#include "run_journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "sqlite_db.h"

namespace ivk::detail {

namespace {

constexpr std::string_view kSchema = R"sql(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=FULL;
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items(
  idx INTEGER PRIMARY KEY, values_json TEXT NOT NULL, state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, item_id INTEGER, batch_id TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT '', error_type TEXT, error_message TEXT, updated_ms INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS items_by_state ON items(state, idx);
CREATE TABLE IF NOT EXISTS batches(
  batch_id TEXT PRIMARY KEY, state TEXT NOT NULL, requested INTEGER NOT NULL,
  enqueued INTEGER, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS batch_items(
  batch_id TEXT NOT NULL, position INTEGER NOT NULL, idx INTEGER NOT NULL, PRIMARY KEY(batch_id, position));
CREATE TABLE IF NOT EXISTS server_items(
  item_id INTEGER NOT NULL, batch_id TEXT NOT NULL, idx INTEGER NOT NULL, status TEXT NOT NULL,
  duplicate INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(item_id, batch_id));
CREATE TABLE IF NOT EXISTS images(
  file_name TEXT PRIMARY KEY, idx INTEGER NOT NULL, item_id INTEGER NOT NULL, position INTEGER NOT NULL,
  image_name TEXT NOT NULL, state TEXT NOT NULL, bytes INTEGER NOT NULL DEFAULT 0,
  sha256 TEXT NOT NULL DEFAULT '', error TEXT);
CREATE INDEX IF NOT EXISTS images_by_item ON images(idx, position);
-- counts() runs twice a second: these keep it to a scan of small index entries, not of every row.
CREATE INDEX IF NOT EXISTS images_by_state ON images(state);
CREATE INDEX IF NOT EXISTS server_item_duplicates ON server_items(status) WHERE duplicate = 1;
CREATE TABLE IF NOT EXISTS notes(
  id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, idx INTEGER, what TEXT NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('journal_format', '1'), ('next_index', '0');
)sql";

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

JournalItem read_item(const SqliteStatement& s) {
  JournalItem item;
  item.index = static_cast<std::uint64_t>(s.column_int(0));
  item.values_json = s.column_text(1);
  item.state = s.column_text(2);
  item.attempts = static_cast<int>(s.column_int(3));
  if (!s.column_is_null(4)) item.server_item_id = s.column_int(4);
  item.batch_id = s.column_text(5);
  item.status = s.column_text(6);
  item.error_type = s.column_optional_text(7);
  item.error_message = s.column_optional_text(8);
  return item;
}

constexpr std::string_view kItemColumns =
    "idx, values_json, state, attempts, item_id, batch_id, status, error_type, error_message";

JournalImage read_image(const SqliteStatement& s) {
  JournalImage image;
  image.file_name = s.column_text(0);
  image.index = static_cast<std::uint64_t>(s.column_int(1));
  image.item_id = s.column_int(2);
  image.position = static_cast<int>(s.column_int(3));
  image.image_name = s.column_text(4);
  image.state = s.column_text(5);
  image.bytes = s.column_int(6);
  image.sha256 = s.column_text(7);
  image.error = s.column_optional_text(8);
  return image;
}

constexpr std::string_view kImageColumns =
    "file_name, idx, item_id, position, image_name, state, bytes, sha256, error";

}  // namespace

struct RunJournal::Impl {
  std::filesystem::path path;
  int lock_fd = -1;
  SqliteDb db;
  int depth = 0;

  ~Impl() {
    if (lock_fd >= 0) ::close(lock_fd);  // releases the flock
  }

  Result<SqliteStatement> prepare(std::string_view sql) { return db.prepare(sql); }
  // A statement without parameters or rows (BEGIN, COMMIT...), from the statement cache.
  Status run_once(std::string_view sql) {
    auto stmt = db.prepare(sql);
    if (!stmt) return tl::unexpected(stmt.error());
    return stmt->run();
  }

  // Runs one parameterised statement inside its own transaction unless one is open.
  template <class Bind>
  Status run(std::string_view sql, Bind&& bind) {
    auto stmt = db.prepare(sql);
    if (!stmt) return tl::unexpected(stmt.error());
    bind(*stmt);
    return stmt->run();
  }

  Status note(std::optional<std::uint64_t> index, std::string_view what) {
    return run("INSERT INTO notes(at_ms, idx, what) VALUES (?1, ?2, ?3)", [&](SqliteStatement& s) {
      s.bind(1, now_ms());
      if (index)
        s.bind(2, static_cast<std::int64_t>(*index));
      else
        s.bind_null(2);
      s.bind(3, what);
    });
  }
};

RunJournal::RunJournal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RunJournal::~RunJournal() = default;

const std::filesystem::path& RunJournal::path() const noexcept { return impl_->path; }

Result<std::unique_ptr<RunJournal>> RunJournal::open(const std::filesystem::path& dir) {
  auto impl = std::make_unique<Impl>();
  impl->path = dir / kJournalFileName;
  const std::string file = impl->path.string();
  impl->lock_fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (impl->lock_fd < 0) {
    Error e = make_error(ErrorCode::io, std::string("cannot open the run journal: ") + std::strerror(errno));
    e.source = file;
    return tl::unexpected(std::move(e));
  }
  // SQLite's own locks are fcntl locks held only during transactions; the flock is held for the
  // whole run, so a second ivk on the same folder is refused instead of interleaving with this one.
  if (::flock(impl->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    // io, not conflict: the folder is busy here, no server said anything (exit 5, not 6).
    Error e = make_error(ErrorCode::io,
                         "another ivk run is using this output folder (its journal is locked); wait for it "
                         "to end or choose another --out");
    e.source = file;
    return tl::unexpected(std::move(e));
  }
  auto db = SqliteDb::open(impl->path);
  if (!db) return tl::unexpected(db.error());
  impl->db = std::move(*db);
  if (auto ok = impl->db.exec(kSchema); !ok) return tl::unexpected(ok.error());
  auto format = RunJournal(std::move(impl));
  auto version = format.meta("journal_format");
  if (!version) return tl::unexpected(version.error());
  if (*version != "1") {
    Error e = make_error(ErrorCode::unsupported, "the run journal has format " + version->value_or("?") +
                                                     ", which this ivk does not know (made by a newer ivk?)");
    e.source = file;
    return tl::unexpected(std::move(e));
  }
  return std::unique_ptr<RunJournal>(new RunJournal(std::move(format.impl_)));
}

Status RunJournal::begin() {
  if (impl_->depth++ > 0) return {};
  if (auto ok = impl_->run_once("BEGIN IMMEDIATE"); !ok) {
    impl_->depth = 0;
    return ok;
  }
  return {};
}

Status RunJournal::commit() {
  if (impl_->depth == 0) return {};
  if (--impl_->depth > 0) return {};
  return impl_->run_once("COMMIT");
}

void RunJournal::rollback() {
  if (impl_->depth == 0) return;
  impl_->depth = 0;
  (void)impl_->run_once("ROLLBACK");
}

Result<std::optional<std::string>> RunJournal::meta(std::string_view key) {
  auto s = impl_->prepare("SELECT value FROM meta WHERE key = ?1");
  if (!s) return tl::unexpected(s.error());
  s->bind(1, key);
  auto row = s->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(s->column_text(0));
}

Status RunJournal::set_meta(std::string_view key, std::string_view value) {
  return impl_->run("INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
                    [&](SqliteStatement& s) { s.bind(1, key).bind(2, value); });
}

Result<std::uint64_t> RunJournal::next_index() {
  auto value = meta("next_index");
  if (!value) return tl::unexpected(value.error());
  return value->has_value() ? std::stoull(**value) : 0;
}

Status RunJournal::add_items(const std::vector<std::pair<std::uint64_t, std::string>>& index_and_values) {
  if (index_and_values.empty()) return {};
  if (auto ok = begin(); !ok) return ok;
  auto s =
      impl_->prepare("INSERT INTO items(idx, values_json, state, updated_ms) VALUES (?1, ?2, 'new', ?3)");
  if (!s) {
    rollback();
    return tl::unexpected(s.error());
  }
  std::uint64_t next = 0;
  for (const auto& [index, values] : index_and_values) {
    s->bind(1, static_cast<std::int64_t>(index)).bind(2, values).bind(3, now_ms());
    if (auto ok = s->run(); !ok) {
      rollback();
      return ok;
    }
    next = std::max(next, index + 1);
  }
  auto current = next_index();
  if (!current) {
    rollback();
    return tl::unexpected(current.error());
  }
  if (next > *current)
    if (auto ok = set_meta("next_index", std::to_string(next)); !ok) {
      rollback();
      return ok;
    }
  return commit();
}

Result<JournalItem> RunJournal::item(std::uint64_t index) {
  auto s = impl_->prepare("SELECT " + std::string(kItemColumns) + " FROM items WHERE idx = ?1");
  if (!s) return tl::unexpected(s.error());
  s->bind(1, static_cast<std::int64_t>(index));
  auto row = s->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row)
    return fail(ErrorCode::not_found, "plan item " + std::to_string(index) + " is not in the journal");
  return read_item(*s);
}

Status RunJournal::add_batch(const std::string& batch_id, const std::vector<std::uint64_t>& indices) {
  if (auto ok = begin(); !ok) return ok;
  auto fail_with = [&](Status st) {
    rollback();
    return st;
  };
  if (auto ok = impl_->run(
          "INSERT INTO batches(batch_id, state, requested, created_ms) VALUES (?1, 'sending', ?2, ?3)",
          [&](SqliteStatement& s) {
            s.bind(1, batch_id).bind(2, static_cast<std::int64_t>(indices.size())).bind(3, now_ms());
          });
      !ok)
    return fail_with(ok);
  auto link = impl_->prepare("INSERT INTO batch_items(batch_id, position, idx) VALUES (?1, ?2, ?3)");
  auto move =
      impl_->prepare("UPDATE items SET state = 'sending', batch_id = ?2, updated_ms = ?3 WHERE idx = ?1");
  if (!link) return fail_with(tl::unexpected(link.error()));
  if (!move) return fail_with(tl::unexpected(move.error()));
  for (std::size_t pos = 0; pos < indices.size(); ++pos) {
    link->bind(1, batch_id)
        .bind(2, static_cast<std::int64_t>(pos))
        .bind(3, static_cast<std::int64_t>(indices[pos]));
    if (auto ok = link->run(); !ok) return fail_with(ok);
    move->bind(1, static_cast<std::int64_t>(indices[pos])).bind(2, batch_id).bind(3, now_ms());
    if (auto ok = move->run(); !ok) return fail_with(ok);
  }
  return commit();
}

Status RunJournal::accept_batch(const std::string& batch_id,
                                const std::vector<std::int64_t>& item_ids_in_order) {
  if (auto ok = begin(); !ok) return ok;
  auto fail_with = [&](Status st) {
    rollback();
    return st;
  };
  auto positions =
      impl_->prepare("SELECT position, idx FROM batch_items WHERE batch_id = ?1 ORDER BY position");
  if (!positions) return fail_with(tl::unexpected(positions.error()));
  positions->bind(1, batch_id);
  std::vector<std::uint64_t> indices;
  for (;;) {
    auto row = positions->step();
    if (!row) return fail_with(tl::unexpected(row.error()));
    if (!*row) break;
    indices.push_back(static_cast<std::uint64_t>(positions->column_int(1)));
  }
  auto queued = impl_->prepare(
      "UPDATE items SET state = 'queued', item_id = ?2, status = 'pending', attempts = attempts + 1, "
      "updated_ms = ?3 WHERE idx = ?1 AND batch_id = ?4");
  auto server = impl_->prepare(
      "INSERT OR IGNORE INTO server_items(item_id, batch_id, idx, status) VALUES (?1, ?2, ?3, 'pending')");
  auto back = impl_->prepare(
      "UPDATE items SET state = 'new', batch_id = '', updated_ms = ?2 WHERE idx = ?1 AND batch_id = ?3");
  if (!queued) return fail_with(tl::unexpected(queued.error()));
  if (!server) return fail_with(tl::unexpected(server.error()));
  if (!back) return fail_with(tl::unexpected(back.error()));
  for (std::size_t pos = 0; pos < indices.size(); ++pos) {
    const auto index = static_cast<std::int64_t>(indices[pos]);
    if (pos < item_ids_in_order.size()) {
      queued->bind(1, index).bind(2, item_ids_in_order[pos]).bind(3, now_ms()).bind(4, batch_id);
      if (auto ok = queued->run(); !ok) return fail_with(ok);
      server->bind(1, item_ids_in_order[pos]).bind(2, batch_id).bind(3, index);
      if (auto ok = server->run(); !ok) return fail_with(ok);
    } else {
      back->bind(1, index).bind(2, now_ms()).bind(3, batch_id);
      if (auto ok = back->run(); !ok) return fail_with(ok);
    }
  }
  if (item_ids_in_order.size() < indices.size())
    if (auto ok = impl_->note(std::nullopt, "batch " + batch_id + ": the server took " +
                                                std::to_string(item_ids_in_order.size()) + " of " +
                                                std::to_string(indices.size()) + " items; the rest go again");
        !ok)
      return fail_with(ok);
  if (auto ok = impl_->run("UPDATE batches SET state = 'accepted', enqueued = ?2 WHERE batch_id = ?1",
                           [&](SqliteStatement& s) {
                             s.bind(1, batch_id).bind(2, static_cast<std::int64_t>(item_ids_in_order.size()));
                           });
      !ok)
    return fail_with(ok);
  return commit();
}

Status RunJournal::mark_batch_absent(const std::string& batch_id) {
  if (auto ok = begin(); !ok) return ok;
  auto fail_with = [&](Status st) {
    rollback();
    return st;
  };
  if (auto ok = impl_->run("UPDATE items SET state = 'new', batch_id = '', updated_ms = ?2 "
                           "WHERE batch_id = ?1 AND state = 'sending'",
                           [&](SqliteStatement& s) { s.bind(1, batch_id).bind(2, now_ms()); });
      !ok)
    return fail_with(ok);
  if (auto ok = impl_->run("UPDATE batches SET state = 'absent', enqueued = 0 WHERE batch_id = ?1",
                           [&](SqliteStatement& s) { s.bind(1, batch_id); });
      !ok)
    return fail_with(ok);
  if (auto ok = impl_->note(std::nullopt, "batch " + batch_id + " is not on the server; its items go again");
      !ok)
    return fail_with(ok);
  return commit();
}

Result<std::vector<JournalBatch>> RunJournal::batches_in_state(std::string_view state) {
  auto s = impl_->prepare(
      "SELECT b.batch_id, b.state, b.created_ms, bi.idx FROM batches b JOIN batch_items bi ON bi.batch_id = "
      "b.batch_id WHERE b.state = ?1 ORDER BY b.created_ms, b.batch_id, bi.position");
  if (!s) return tl::unexpected(s.error());
  s->bind(1, state);
  std::vector<JournalBatch> out;
  for (;;) {
    auto row = s->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    std::string id = s->column_text(0);
    if (out.empty() || out.back().batch_id != id) {
      out.push_back({});
      out.back().batch_id = std::move(id);
      out.back().state = s->column_text(1);
      out.back().created_ms = s->column_int(2);
    }
    out.back().indices.push_back(static_cast<std::uint64_t>(s->column_int(3)));
  }
  return out;
}

Status RunJournal::set_item_status(std::uint64_t index, std::int64_t item_id, std::string_view status,
                                   std::optional<std::string_view> error_type,
                                   std::optional<std::string_view> error_message) {
  std::string_view state;
  if (status == "completed")
    state = "collecting";
  else if (status == "failed")
    state = "failed";
  else if (status == "canceled")
    state = "canceled";
  if (auto ok = begin(); !ok) return ok;
  auto fail_with = [&](Status st) {
    rollback();
    return st;
  };
  if (auto ok = impl_->run("UPDATE server_items SET status = ?2 WHERE item_id = ?1 AND idx = ?3",
                           [&](SqliteStatement& s) {
                             s.bind(1, item_id).bind(2, status).bind(3, static_cast<std::int64_t>(index));
                           });
      !ok)
    return fail_with(ok);
  const std::string sql =
      state.empty() ? "UPDATE items SET status = ?2, updated_ms = ?5 WHERE idx = ?1 AND item_id = ?6"
                    : "UPDATE items SET status = ?2, error_type = ?3, error_message = ?4, updated_ms = ?5, "
                      "state = ?7 WHERE idx = ?1 AND item_id = ?6";
  if (auto ok = impl_->run(sql,
                           [&](SqliteStatement& s) {
                             s.bind(1, static_cast<std::int64_t>(index)).bind(2, status);
                             if (!state.empty()) {
                               s.bind_optional(3, error_type).bind_optional(4, error_message).bind(7, state);
                             }
                             s.bind(5, now_ms()).bind(6, item_id);
                           });
      !ok)
    return fail_with(ok);
  return commit();
}

Status RunJournal::requeue_item(std::uint64_t index, std::string_view reason) {
  if (auto ok = begin(); !ok) return ok;
  auto fail_with = [&](Status st) {
    rollback();
    return st;
  };
  if (auto ok = impl_->run(
          "UPDATE items SET state = 'new', batch_id = '', item_id = NULL, status = '', "
          "error_type = NULL, error_message = NULL, updated_ms = ?2 WHERE idx = ?1",
          [&](SqliteStatement& s) { s.bind(1, static_cast<std::int64_t>(index)).bind(2, now_ms()); });
      !ok)
    return fail_with(ok);
  if (auto ok = impl_->note(index, std::string(reason)); !ok) return fail_with(ok);
  return commit();
}

Status RunJournal::fail_item(std::uint64_t index, std::string_view error_type,
                             std::string_view error_message) {
  return impl_->run(
      "UPDATE items SET state = 'failed', error_type = ?2, error_message = ?3, updated_ms = ?4 WHERE idx = "
      "?1",
      [&](SqliteStatement& s) {
        s.bind(1, static_cast<std::int64_t>(index))
            .bind(2, error_type)
            .bind(3, error_message)
            .bind(4, now_ms());
      });
}

Status RunJournal::record_duplicate(std::int64_t item_id, std::string_view batch_id, std::uint64_t index,
                                    std::string_view status) {
  return impl_->run(
      "INSERT OR REPLACE INTO server_items(item_id, batch_id, idx, status, duplicate) VALUES (?1, ?2, ?3, "
      "?4, 1)",
      [&](SqliteStatement& s) {
        s.bind(1, item_id).bind(2, batch_id).bind(3, static_cast<std::int64_t>(index)).bind(4, status);
      });
}

Status RunJournal::add_images(const std::vector<JournalImage>& images) {
  if (images.empty()) return {};
  if (auto ok = begin(); !ok) return ok;
  auto s = impl_->prepare(
      "INSERT INTO images(file_name, idx, item_id, position, image_name, state) VALUES (?1, ?2, ?3, ?4, ?5, "
      "?6)");
  if (!s) {
    rollback();
    return tl::unexpected(s.error());
  }
  for (const auto& image : images) {
    s->bind(1, image.file_name)
        .bind(2, static_cast<std::int64_t>(image.index))
        .bind(3, image.item_id)
        .bind(4, static_cast<std::int64_t>(image.position))
        .bind(5, image.image_name)
        .bind(6, std::string_view(image.state.empty() ? "pending" : image.state));
    if (auto ok = s->run(); !ok) {
      rollback();
      return ok;
    }
  }
  return commit();
}

Status RunJournal::image_saved(std::string_view file_name, std::int64_t bytes, std::string_view sha256) {
  return impl_->run(
      "UPDATE images SET state = 'saved', bytes = ?2, sha256 = ?3, error = NULL WHERE file_name = ?1",
      [&](SqliteStatement& s) { s.bind(1, file_name).bind(2, bytes).bind(3, sha256); });
}

Status RunJournal::image_failed(std::string_view file_name, std::string_view error) {
  return impl_->run("UPDATE images SET state = 'failed', error = ?2 WHERE file_name = ?1",
                    [&](SqliteStatement& s) { s.bind(1, file_name).bind(2, error); });
}

Status RunJournal::item_done(std::uint64_t index) {
  return impl_->run(
      "UPDATE items SET state = 'done', updated_ms = ?2 WHERE idx = ?1",
      [&](SqliteStatement& s) { s.bind(1, static_cast<std::int64_t>(index)).bind(2, now_ms()); });
}

Result<bool> RunJournal::file_name_taken(std::string_view file_name) {
  auto s = impl_->prepare("SELECT 1 FROM images WHERE file_name = ?1");
  if (!s) return tl::unexpected(s.error());
  s->bind(1, file_name);
  return s->step();
}

Result<std::vector<JournalItem>> RunJournal::items_in_state(std::string_view state, std::size_t limit) {
  auto s = impl_->prepare("SELECT " + std::string(kItemColumns) +
                          " FROM items WHERE state = ?1 ORDER BY idx LIMIT ?2");
  if (!s) return tl::unexpected(s.error());
  s->bind(1, state).bind(
      2, limit > static_cast<std::size_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(limit));
  std::vector<JournalItem> out;
  for (;;) {
    auto row = s->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(read_item(*s));
  }
  return out;
}

Result<std::vector<JournalImage>> RunJournal::images_of(std::uint64_t index) {
  auto s = impl_->prepare("SELECT " + std::string(kImageColumns) +
                          " FROM images WHERE idx = ?1 ORDER BY position");
  if (!s) return tl::unexpected(s.error());
  s->bind(1, static_cast<std::int64_t>(index));
  std::vector<JournalImage> out;
  for (;;) {
    auto row = s->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(read_image(*s));
  }
  return out;
}

Result<std::vector<JournalImage>> RunJournal::images_in_state(std::string_view state) {
  auto s = impl_->prepare("SELECT " + std::string(kImageColumns) +
                          " FROM images WHERE state = ?1 ORDER BY idx, position");
  if (!s) return tl::unexpected(s.error());
  s->bind(1, state);
  std::vector<JournalImage> out;
  for (;;) {
    auto row = s->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(read_image(*s));
  }
  return out;
}

Result<JournalCounts> RunJournal::counts() {
  JournalCounts c;
  auto s = impl_->prepare("SELECT state, COUNT(*) FROM items GROUP BY state");
  if (!s) return tl::unexpected(s.error());
  for (;;) {
    auto row = s->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    const std::string state = s->column_text(0);
    const auto n = static_cast<std::uint64_t>(s->column_int(1));
    if (state == "new")
      c.fresh = n;
    else if (state == "sending")
      c.sending = n;
    else if (state == "queued")
      c.queued = n;
    else if (state == "collecting")
      c.collecting = n;
    else if (state == "done")
      c.done = n;
    else if (state == "failed")
      c.failed = n;
    else if (state == "canceled")
      c.canceled = n;
  }
  auto images = impl_->prepare("SELECT state, COUNT(*) FROM images GROUP BY state");
  if (!images) return tl::unexpected(images.error());
  for (;;) {
    auto row = images->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    const std::string state = images->column_text(0);
    const auto n = static_cast<std::uint64_t>(images->column_int(1));
    if (state == "saved")
      c.images_saved = n;
    else if (state == "failed")
      c.images_failed = n;
  }
  auto dups =
      impl_->prepare("SELECT COUNT(*) FROM server_items WHERE duplicate = 1 AND status = 'completed'");
  if (!dups) return tl::unexpected(dups.error());
  if (auto row = dups->step(); !row) return tl::unexpected(row.error());
  c.duplicates = static_cast<std::uint64_t>(dups->column_int(0));
  return c;
}

Status RunJournal::for_each_item(
    const std::function<void(const JournalItem&, const std::vector<JournalImage>&)>& visit) {
  auto items = impl_->prepare("SELECT " + std::string(kItemColumns) + " FROM items ORDER BY idx");
  auto images =
      impl_->prepare("SELECT " + std::string(kImageColumns) + " FROM images ORDER BY idx, position");
  if (!items) return tl::unexpected(items.error());
  if (!images) return tl::unexpected(images.error());
  // Both cursors walk by index, so only one item's images are in memory at a time.
  auto image_row = images->step();
  if (!image_row) return tl::unexpected(image_row.error());
  std::vector<JournalImage> mine;
  for (;;) {
    auto row = items->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    JournalItem item = read_item(*items);
    mine.clear();
    while (*image_row) {
      JournalImage image = read_image(*images);
      if (image.index > item.index) break;
      if (image.index == item.index) mine.push_back(std::move(image));
      image_row = images->step();
      if (!image_row) return tl::unexpected(image_row.error());
    }
    visit(item, mine);
  }
  return {};
}

}  // namespace ivk::detail
