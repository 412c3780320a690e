#pragma once
// The concrete ImageStore behind the /images, /boards and /board_images routes: image records and
// boards in memory (one mutex), PNG bytes on disk under data_dir/images, and with a database
// (--persist) every record change written through before the lock is released. The routes need
// more than the queue-facing ImageStore interface, so they use this class. Private to the emulator.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/fastapi_errors.h"  // Json
#include "images/image_store.h"
#include "storage/state_db.h"

namespace ivk::emu {

struct ImageRecord {
  std::string image_name;
  int width = 0;
  int height = 0;
  std::string image_origin;
  std::string image_category;
  bool is_intermediate = false;
  std::optional<std::string> board_id;
  std::optional<std::string> session_id;
  std::optional<std::string> node_id;
  std::optional<std::string> metadata_json;
  std::optional<std::string> workflow_json;
  std::optional<std::string> graph_json;
  std::string user_id;
  std::string created_at;
  std::string updated_at;
  bool starred = false;
  std::uint64_t sequence = 0;  // creation order: timestamps tie within a millisecond
};

struct BoardRecord {
  std::string board_id;
  std::string board_name;
  std::string user_id;
  std::string created_at;
  std::string updated_at;
  std::optional<std::string> cover_image_name;
  bool archived = false;
  bool is_private = false;
  std::uint64_t sequence = 0;
};

// The filters shared by GET /images/, /images/names and /boards/{id}/image_names.
struct ImageFilter {
  std::optional<std::string> image_origin;
  std::vector<std::string> categories;  // empty: any
  std::optional<bool> is_intermediate;
  std::optional<std::string> board_id;  // "none": uncategorized
  bool ascending = false;
  bool starred_first = true;
  std::optional<std::string> search_term;
};

// The boards an operation touched ("none" for uncategorized) and the images it changed.
struct BoardChange {
  std::vector<std::string> affected_boards;
  std::vector<std::string> images;
};

class ImageLibrary final : public ImageStore {
 public:
  explicit ImageLibrary(std::filesystem::path images_dir, std::filesystem::path data_dir,
                        std::shared_ptr<StateDb> db = {});
  // The records a database held (only before the library is shared).
  void restore(std::vector<ImageRecord> images, std::vector<BoardRecord> boards, std::uint64_t next_sequence);

  Result<std::string> add_image(NewImage image) override;
  [[nodiscard]] std::optional<std::string> image_dto_json(const std::string& image_name) const override;

  // A usable image file name: no path separators or "..", so it cannot leave the images folder.
  static bool safe_name(const std::string& name);
  [[nodiscard]] std::filesystem::path file_of(const std::string& image_name) const {
    return images_dir_ / image_name;
  }
  [[nodiscard]] const std::filesystem::path& data_dir() const noexcept { return data_dir_; }

  [[nodiscard]] std::optional<ImageRecord> image(const std::string& image_name) const;
  [[nodiscard]] std::optional<Json> image_dto(const std::string& image_name) const;
  // Matching records in listing order (starred first if asked, then by creation).
  [[nodiscard]] std::vector<ImageRecord> select(const ImageFilter& filter) const;
  // PATCH /images/i/{name}: only the ImageRecordChanges fields present in `changes`.
  std::optional<Json> update_image(const std::string& image_name, const Json& changes);
  BoardChange delete_images(const std::vector<std::string>& names);
  BoardChange star(const std::vector<std::string>& names, bool starred);
  [[nodiscard]] std::vector<std::string> intermediate_names() const;

  Json create_board(const std::string& name, bool is_private, const std::string& user_id);
  [[nodiscard]] std::optional<Json> board_dto(const std::string& board_id) const;
  // Boards in order (created_at or board_name), as DTOs.
  [[nodiscard]] std::vector<Json> boards(bool by_name, bool ascending, bool include_archived) const;
  std::optional<Json> update_board(const std::string& board_id, const Json& changes);
  // nullopt when no such board; else the board's image names (deleted too if include_images).
  std::optional<std::vector<std::string>> delete_board(const std::string& board_id, bool include_images);
  [[nodiscard]] bool board_exists(const std::string& board_id) const;

  // Moves images onto a board (nullopt: uncategorized). Unknown images are skipped.
  BoardChange move_to_board(const std::vector<std::string>& names,
                            const std::optional<std::string>& board_id);

 private:
  Json dto_locked(const ImageRecord& record) const;
  Json board_dto_locked(const BoardRecord& board) const;
  void remove_files_locked(const std::vector<std::string>& names);
  // Runs the writes as one commit when there is a database. Best effort: the in-memory change is
  // made either way, and the record's next change writes it again.
  void persist_locked(const std::function<Status(StateDb&)>& writes);
  void persist_images_locked(const std::vector<std::string>& names);  // saves these records

  std::filesystem::path images_dir_;
  std::filesystem::path data_dir_;
  std::shared_ptr<StateDb> db_;  // null without --persist
  mutable std::mutex mutex_;
  std::vector<ImageRecord> images_;  // creation order
  std::vector<BoardRecord> boards_;
  std::uint64_t next_sequence_ = 1;
};

}  // namespace ivk::emu
