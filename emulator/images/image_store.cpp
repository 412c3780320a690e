// ImageLibrary: the emulator's image records and boards. State lives in memory under one mutex, the
// PNG files under data_dir/images; with --persist the records and boards are also written through
// to the database (image_persistence.h) before each operation answers.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <set>
#include <system_error>

#include "core/uuid.h"
#include "images/image_library.h"
#include "images/image_persistence.h"

namespace ivk::emu {
namespace {

const std::vector<std::string> kAssetCategories = {"control", "mask", "user", "other"};

bool is_asset(const std::string& category) {
  return std::find(kAssetCategories.begin(), kAssetCategories.end(), category) != kAssetCategories.end();
}

Json optional_string(const std::optional<std::string>& value) { return value ? Json(*value) : Json(nullptr); }

std::string board_key(const std::optional<std::string>& board_id) { return board_id.value_or("none"); }

void add_unique(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

bool matches(const ImageRecord& r, const ImageFilter& f) {
  if (f.image_origin && r.image_origin != *f.image_origin) return false;
  if (!f.categories.empty() &&
      std::find(f.categories.begin(), f.categories.end(), r.image_category) == f.categories.end())
    return false;
  if (f.is_intermediate && r.is_intermediate != *f.is_intermediate) return false;
  if (f.board_id) {
    if (*f.board_id == "none" ? r.board_id.has_value() : r.board_id != f.board_id) return false;
  }
  if (f.search_term && !f.search_term->empty()) {
    // The real server searches the metadata text and the creation time.
    const std::string& term = *f.search_term;
    const bool hit = r.image_name.find(term) != std::string::npos ||
                     r.created_at.find(term) != std::string::npos ||
                     (r.metadata_json && r.metadata_json->find(term) != std::string::npos);
    if (!hit) return false;
  }
  return true;
}

// SQLite's "YYYY-MM-DD HH:MM:SS.mmm" (UTC), the text the real server stores and returns.
std::string now_text() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[96];  // room for any int the compiler imagines in the fields
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return text;
}

}  // namespace

ImageLibrary::ImageLibrary(std::filesystem::path images_dir, std::filesystem::path data_dir,
                           std::shared_ptr<StateDb> db)
    : images_dir_(std::move(images_dir)), data_dir_(std::move(data_dir)), db_(std::move(db)) {}

void ImageLibrary::restore(std::vector<ImageRecord> images, std::vector<BoardRecord> boards,
                           std::uint64_t next_sequence) {
  std::lock_guard lock(mutex_);
  images_ = std::move(images);
  boards_ = std::move(boards);
  next_sequence_ = std::max(next_sequence_, next_sequence);
}

void ImageLibrary::persist_locked(const std::function<Status(StateDb&)>& writes) {
  if (!db_) return;
  StateDb& db = *db_;
  (void)db.transaction([&]() { return writes(db); });
}

void ImageLibrary::persist_images_locked(const std::vector<std::string>& names) {
  persist_locked([&](StateDb& db) -> Status {
    for (const auto& r : images_)
      if (std::find(names.begin(), names.end(), r.image_name) != names.end())
        if (auto saved = save_image_record(db, r); !saved) return saved;
    return {};
  });
}

bool ImageLibrary::safe_name(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos && name.find('\\') == std::string::npos &&
         name.find("..") == std::string::npos && name.find('\0') == std::string::npos;
}

Result<std::string> ImageLibrary::add_image(NewImage image) {
  if (image.board_id && !board_exists(*image.board_id))
    return fail(ErrorCode::not_found, "no board " + *image.board_id);
  std::string name = detail::uuid4() + ".png";
  {
    std::ofstream out(file_of(name), std::ios::binary | std::ios::trunc);
    out.write(image.png.data(), static_cast<std::streamsize>(image.png.size()));
    if (!out) return fail(ErrorCode::io, "cannot write " + file_of(name).string());
  }
  ImageRecord r;
  r.image_name = name;
  r.width = image.width;
  r.height = image.height;
  r.image_origin = std::move(image.image_origin);
  r.image_category = std::move(image.image_category);
  r.is_intermediate = image.is_intermediate;
  r.board_id = std::move(image.board_id);
  r.session_id = std::move(image.session_id);
  r.node_id = std::move(image.node_id);
  r.metadata_json = std::move(image.metadata_json);
  r.workflow_json = std::move(image.workflow_json);
  r.graph_json = std::move(image.graph_json);
  r.user_id = image.user_id.empty() ? "system" : std::move(image.user_id);
  r.created_at = now_text();
  r.updated_at = r.created_at;
  std::lock_guard lock(mutex_);
  r.sequence = next_sequence_++;
  if (db_) {
    // The record must be stored before anyone hears of the image.
    if (auto saved = save_image_record(*db_, r); !saved) {
      std::error_code ec;
      std::filesystem::remove(file_of(name), ec);
      return tl::unexpected(saved.error());
    }
  }
  images_.push_back(std::move(r));
  return name;
}

Json ImageLibrary::dto_locked(const ImageRecord& r) const {
  Json j = Json::object();
  j["image_name"] = r.image_name;
  j["image_url"] = "api/v1/images/i/" + r.image_name + "/full";
  j["thumbnail_url"] = "api/v1/images/i/" + r.image_name + "/thumbnail";
  j["image_origin"] = r.image_origin;
  j["image_category"] = r.image_category;
  j["width"] = r.width;
  j["height"] = r.height;
  j["created_at"] = r.created_at;
  j["updated_at"] = r.updated_at;
  j["deleted_at"] = nullptr;
  j["is_intermediate"] = r.is_intermediate;
  j["session_id"] = optional_string(r.session_id);
  j["node_id"] = optional_string(r.node_id);
  j["starred"] = r.starred;
  j["has_workflow"] = r.workflow_json.has_value();
  j["board_id"] = optional_string(r.board_id);
  return j;
}

std::optional<std::string> ImageLibrary::image_dto_json(const std::string& image_name) const {
  auto dto = image_dto(image_name);
  if (!dto) return std::nullopt;
  return dto->dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<ImageRecord> ImageLibrary::image(const std::string& image_name) const {
  std::lock_guard lock(mutex_);
  for (const auto& r : images_)
    if (r.image_name == image_name) return r;
  return std::nullopt;
}

std::optional<Json> ImageLibrary::image_dto(const std::string& image_name) const {
  std::lock_guard lock(mutex_);
  for (const auto& r : images_)
    if (r.image_name == image_name) return dto_locked(r);
  return std::nullopt;
}

std::vector<ImageRecord> ImageLibrary::select(const ImageFilter& filter) const {
  std::vector<ImageRecord> out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& r : images_)
      if (matches(r, filter)) out.push_back(r);
  }
  std::stable_sort(out.begin(), out.end(), [&filter](const ImageRecord& a, const ImageRecord& b) {
    if (filter.starred_first && a.starred != b.starred) return a.starred;
    return filter.ascending ? a.sequence < b.sequence : a.sequence > b.sequence;
  });
  return out;
}

std::optional<Json> ImageLibrary::update_image(const std::string& image_name, const Json& changes) {
  std::lock_guard lock(mutex_);
  for (auto& r : images_) {
    if (r.image_name != image_name) continue;
    // Null means "leave unchanged", as in ImageRecordChanges.
    if (const auto c = changes.find("image_category"); c != changes.end() && c->is_string())
      r.image_category = c->get<std::string>();
    if (const auto s = changes.find("session_id"); s != changes.end() && s->is_string())
      r.session_id = s->get<std::string>();
    if (const auto i = changes.find("is_intermediate"); i != changes.end() && i->is_boolean())
      r.is_intermediate = i->get<bool>();
    if (const auto s = changes.find("starred"); s != changes.end() && s->is_boolean())
      r.starred = s->get<bool>();
    r.updated_at = now_text();
    persist_locked([&r](StateDb& db) { return save_image_record(db, r); });
    return dto_locked(r);
  }
  return std::nullopt;
}

void ImageLibrary::remove_files_locked(const std::vector<std::string>& names) {
  for (const auto& name : names) {
    std::error_code ec;
    std::filesystem::remove(file_of(name), ec);  // best effort: the record is gone either way
  }
}

BoardChange ImageLibrary::delete_images(const std::vector<std::string>& names) {
  BoardChange out;
  std::lock_guard lock(mutex_);
  for (const auto& name : names) {
    const auto it = std::find_if(images_.begin(), images_.end(),
                                 [&name](const ImageRecord& r) { return r.image_name == name; });
    if (it == images_.end()) continue;
    add_unique(out.affected_boards, board_key(it->board_id));
    out.images.push_back(name);
    images_.erase(it);
  }
  remove_files_locked(out.images);
  // A board whose cover image is gone falls back to its newest image.
  std::vector<const BoardRecord*> uncovered;
  for (auto& b : boards_)
    if (b.cover_image_name &&
        std::find(out.images.begin(), out.images.end(), *b.cover_image_name) != out.images.end()) {
      b.cover_image_name.reset();
      uncovered.push_back(&b);
    }
  persist_locked([&](StateDb& db) -> Status {
    for (const auto& name : out.images)
      if (auto deleted = delete_image_record(db, name); !deleted) return deleted;
    for (const BoardRecord* b : uncovered)
      if (auto saved = save_board_record(db, *b); !saved) return saved;
    return {};
  });
  return out;
}

BoardChange ImageLibrary::star(const std::vector<std::string>& names, bool starred) {
  BoardChange out;
  std::lock_guard lock(mutex_);
  for (const auto& name : names)
    for (auto& r : images_) {
      if (r.image_name != name) continue;
      r.starred = starred;
      r.updated_at = now_text();
      add_unique(out.affected_boards, board_key(r.board_id));
      out.images.push_back(name);
    }
  persist_images_locked(out.images);
  return out;
}

std::vector<std::string> ImageLibrary::intermediate_names() const {
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  for (const auto& r : images_)
    if (r.is_intermediate) out.push_back(r.image_name);
  return out;
}

Json ImageLibrary::board_dto_locked(const BoardRecord& b) const {
  int image_count = 0;
  int asset_count = 0;
  const ImageRecord* newest = nullptr;
  for (const auto& r : images_) {
    if (r.board_id != b.board_id) continue;
    if (!r.is_intermediate) ++(is_asset(r.image_category) ? asset_count : image_count);
    if (newest == nullptr || r.sequence > newest->sequence) newest = &r;
  }
  Json j = Json::object();
  j["board_id"] = b.board_id;
  j["board_name"] = b.board_name;
  j["created_at"] = b.created_at;
  j["updated_at"] = b.updated_at;
  j["deleted_at"] = nullptr;
  // Without an explicit cover the server shows the board's most recent image.
  if (b.cover_image_name)
    j["cover_image_name"] = *b.cover_image_name;
  else
    j["cover_image_name"] = newest ? Json(newest->image_name) : Json(nullptr);
  j["archived"] = b.archived;
  j["is_private"] = b.is_private;
  j["image_count"] = image_count;
  j["asset_count"] = asset_count;
  j["video_count"] = 0;
  return j;
}

Json ImageLibrary::create_board(const std::string& name, bool is_private, const std::string& user_id) {
  BoardRecord b;
  b.board_id = detail::uuid4();
  b.board_name = name;
  b.user_id = user_id;
  b.created_at = now_text();
  b.updated_at = b.created_at;
  b.is_private = is_private;
  std::lock_guard lock(mutex_);
  b.sequence = next_sequence_++;
  boards_.push_back(b);
  persist_locked([&b](StateDb& db) { return save_board_record(db, b); });
  return board_dto_locked(boards_.back());
}

std::optional<Json> ImageLibrary::board_dto(const std::string& board_id) const {
  std::lock_guard lock(mutex_);
  for (const auto& b : boards_)
    if (b.board_id == board_id) return board_dto_locked(b);
  return std::nullopt;
}

bool ImageLibrary::board_exists(const std::string& board_id) const {
  std::lock_guard lock(mutex_);
  return std::any_of(boards_.begin(), boards_.end(),
                     [&](const BoardRecord& b) { return b.board_id == board_id; });
}

std::vector<Json> ImageLibrary::boards(bool by_name, bool ascending, bool include_archived) const {
  std::lock_guard lock(mutex_);
  std::vector<const BoardRecord*> list;
  for (const auto& b : boards_)
    if (include_archived || !b.archived) list.push_back(&b);
  std::stable_sort(list.begin(), list.end(), [&](const BoardRecord* a, const BoardRecord* b) {
    if (by_name && a->board_name != b->board_name)
      return ascending ? a->board_name < b->board_name : a->board_name > b->board_name;
    return ascending ? a->sequence < b->sequence : a->sequence > b->sequence;
  });
  std::vector<Json> out;
  out.reserve(list.size());
  for (const auto* b : list) out.push_back(board_dto_locked(*b));
  return out;
}

std::optional<Json> ImageLibrary::update_board(const std::string& board_id, const Json& changes) {
  std::lock_guard lock(mutex_);
  for (auto& b : boards_) {
    if (b.board_id != board_id) continue;
    if (const auto n = changes.find("board_name"); n != changes.end() && n->is_string())
      b.board_name = n->get<std::string>();
    if (const auto c = changes.find("cover_image_name"); c != changes.end() && c->is_string())
      b.cover_image_name = c->get<std::string>();
    if (const auto a = changes.find("archived"); a != changes.end() && a->is_boolean())
      b.archived = a->get<bool>();
    b.updated_at = now_text();
    persist_locked([&b](StateDb& db) { return save_board_record(db, b); });
    return board_dto_locked(b);
  }
  return std::nullopt;
}

std::optional<std::vector<std::string>> ImageLibrary::delete_board(const std::string& board_id,
                                                                   bool include_images) {
  std::lock_guard lock(mutex_);
  const auto it = std::find_if(boards_.begin(), boards_.end(),
                               [&](const BoardRecord& b) { return b.board_id == board_id; });
  if (it == boards_.end()) return std::nullopt;
  boards_.erase(it);
  std::vector<std::string> names;
  for (auto& r : images_)
    if (r.board_id == board_id) {
      names.push_back(r.image_name);
      r.board_id.reset();  // without include_images the images become uncategorized
    }
  if (include_images) {
    std::erase_if(images_, [&](const ImageRecord& r) {
      return std::find(names.begin(), names.end(), r.image_name) != names.end();
    });
    remove_files_locked(names);
  }
  persist_locked([&](StateDb& db) -> Status {
    if (auto deleted = delete_board_record(db, board_id); !deleted) return deleted;
    for (const auto& name : names) {
      if (include_images) {
        if (auto gone = delete_image_record(db, name); !gone) return gone;
        continue;
      }
      for (const auto& r : images_)
        if (r.image_name == name)
          if (auto saved = save_image_record(db, r); !saved) return saved;
    }
    return {};
  });
  return names;
}

BoardChange ImageLibrary::move_to_board(const std::vector<std::string>& names,
                                        const std::optional<std::string>& board_id) {
  BoardChange out;
  std::lock_guard lock(mutex_);
  for (const auto& name : names)
    for (auto& r : images_) {
      if (r.image_name != name) continue;
      // The target first, then the board the image left ("none" for uncategorized).
      add_unique(out.affected_boards, board_key(board_id));
      add_unique(out.affected_boards, board_key(r.board_id));
      r.board_id = board_id;
      r.updated_at = now_text();
      out.images.push_back(name);
    }
  persist_images_locked(out.images);
  return out;
}

Result<std::unique_ptr<ImageStore>> ImageStore::create(const std::filesystem::path& data_dir,
                                                       std::shared_ptr<StateDb> db) {
  std::error_code ec;
  const auto dir = data_dir / "images";
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    return fail(ErrorCode::io, "cannot create " + dir.string() + (ec ? ": " + ec.message() : std::string()));
  std::optional<LoadedImages> loaded;
  if (db) {
    auto stored = load_images(*db);
    if (!stored) return tl::unexpected(stored.error());
    loaded = std::move(*stored);
  }
  auto library = std::make_unique<ImageLibrary>(dir, data_dir, std::move(db));
  if (loaded) library->restore(std::move(loaded->images), std::move(loaded->boards), loaded->next_sequence);
  return std::unique_ptr<ImageStore>(std::move(library));
}

}  // namespace ivk::emu
