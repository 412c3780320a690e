#pragma once
// Boards and board membership of an InvokeAI server (/api/v1/boards and /api/v1/board_images).
// "none" is the pseudo-board of uncategorized images wherever a board id
// goes into a path. Errors come from ServerSession (not_found with the server's detail for a 404,
// http, auth, transport, timeout); answers that are not the documented shape give parse_error.
// Nothing here throws or prints; every call is one request unless its comment says otherwise.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"

namespace ivk {

class ServerSession;

// One BoardDTO. Members that only some versions send are optional.
struct Board {
  std::string board_id, board_name;
  std::string created_at, updated_at;
  std::optional<std::string> deleted_at, cover_image_name;
  bool archived = false;
  std::int64_t image_count = 0;
  std::optional<std::int64_t> asset_count;      // 6.5.1+
  std::optional<bool> is_private;               // up to 6.11
  std::optional<std::string> board_visibility;  // 6.13+: private, shared, public
  std::optional<std::string> user_id;           // 6.12+
  std::string raw_json;
};

struct BoardPage {
  std::vector<Board> items;
  std::int64_t offset = 0, limit = 0, total = 0;
};

// BoardChanges; unset members are not sent.
struct BoardChanges {
  std::optional<std::string> board_name;
  std::optional<std::string> cover_image_name;
  std::optional<bool> archived;
};

struct BoardDeleteResult {
  std::string board_id;
  std::vector<std::string> deleted_board_images;  // images that were on the board
  std::vector<std::string> deleted_images;        // images deleted with it (include_images)
};

// AddImagesToBoardResult / RemoveImagesFromBoardResult.
struct BoardImagesResult {
  std::vector<std::string> images;           // added_images / removed_images
  std::vector<std::string> affected_boards;  // board ids, "none" for uncategorized
};

class BoardsApi {
 public:
  // The session must outlive this object.
  explicit BoardsApi(ServerSession& session) : session_(&session) {}

  // GET /boards/?all=true: every board.
  Result<std::vector<Board>> list_all(bool include_archived = false);
  // GET /boards/?offset=&limit=: one page.
  Result<BoardPage> list(std::int64_t offset, std::int64_t limit, bool include_archived = false);
  // POST /boards/?board_name= (201), never retried. is_private is sent only when set (servers up
  // to 6.11 know it).
  Result<Board> create(std::string_view board_name, std::optional<bool> is_private = std::nullopt);
  // GET /boards/{id}. 404 -> not_found ("Board not found").
  Result<Board> get(std::string_view board_id);
  // PATCH /boards/{id}: the updated board.
  Result<Board> update(std::string_view board_id, const BoardChanges& changes);
  Result<Board> update(std::string_view board_id, std::optional<std::string> board_name,
                       std::optional<std::string> cover_image_name = std::nullopt,
                       std::optional<bool> archived = std::nullopt);
  // DELETE /boards/{id}?include_images=: with include_images false the images become uncategorized.
  Result<BoardDeleteResult> remove(std::string_view board_id, bool include_images = false);
  // GET /boards/{id}/image_names; "none" for uncategorized images. Filters are sent only when set.
  Result<std::vector<std::string>> image_names(std::string_view board_id,
                                               std::span<const std::string> categories = {},
                                               std::optional<bool> is_intermediate = std::nullopt);

  // POST /board_images/: puts the image on the board (taking it off any other).
  Result<BoardImagesResult> add_image(std::string_view board_id, std::string_view image_name);
  // DELETE /board_images/: makes the image uncategorized.
  Result<BoardImagesResult> remove_image(std::string_view image_name);
  // POST /board_images/batch and /batch/delete.
  Result<BoardImagesResult> add_images(std::string_view board_id, std::span<const std::string> image_names);
  Result<BoardImagesResult> remove_images(std::span<const std::string> image_names);

  // The first board named exactly `board_name` (archived ones too, unarchived preferred), or
  // nullopt. One list_all request.
  Result<std::optional<Board>> find_by_name(std::string_view board_name);
  // find_by_name, then create when there is none. Not atomic: two clients racing can both create.
  Result<Board> get_or_create(std::string_view board_name);

  [[nodiscard]] ServerSession& session() const noexcept { return *session_; }

 private:
  ServerSession* session_;
};

}  // namespace ivk
