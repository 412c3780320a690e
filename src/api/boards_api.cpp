// BoardsApi: /api/v1/boards and the name helpers built on it.
#include "ivk/api/boards_api.h"

#include "api/boards_parse.h"
#include "ivk/json_text.h"
#include "ivk/transport/server_session.h"

namespace ivk {
namespace {

std::string board_path(std::string_view board_id, std::string_view rest = {}) {
  return "/boards/" + url_encode_path_segment(board_id) + std::string(rest);
}

}  // namespace

Result<std::vector<Board>> BoardsApi::list_all(bool include_archived) {
  QueryBuilder q;
  q.add_bool("all", true);
  if (include_archived) q.add_bool("include_archived", true);
  auto body = session_->get(ApiRoot::v1, "/boards/", q.str());
  if (!body) return tl::unexpected(body.error());
  return detail::parse_board_list(*body);
}

Result<BoardPage> BoardsApi::list(std::int64_t offset, std::int64_t limit, bool include_archived) {
  QueryBuilder q;
  q.add_int("offset", offset).add_int("limit", limit);
  if (include_archived) q.add_bool("include_archived", true);
  auto body = session_->get(ApiRoot::v1, "/boards/", q.str());
  if (!body) return tl::unexpected(body.error());
  return detail::parse_board_page(*body);
}

Result<Board> BoardsApi::create(std::string_view board_name, std::optional<bool> is_private) {
  QueryBuilder q;
  q.add("board_name", board_name);
  if (is_private) q.add_bool("is_private", *is_private);
  // No body: the name goes in the query. Never retried: a lost answer may still have created it.
  auto body = session_->send_json("POST", ApiRoot::v1, "/boards/", {}, q.str(), Idempotency::not_idempotent);
  if (!body) return tl::unexpected(body.error());
  return detail::parse_board(*body);
}

Result<Board> BoardsApi::get(std::string_view board_id) {
  auto body = session_->get(ApiRoot::v1, board_path(board_id));
  if (!body) return tl::unexpected(body.error());
  return detail::parse_board(*body);
}

Result<Board> BoardsApi::update(std::string_view board_id, const BoardChanges& changes) {
  JsonBuilder b;
  b.begin_object();
  if (changes.board_name) b.key("board_name").string(*changes.board_name);
  if (changes.cover_image_name) b.key("cover_image_name").string(*changes.cover_image_name);
  if (changes.archived) b.key("archived").boolean(*changes.archived);
  b.end_object();
  // Setting fields to given values: repeating it changes nothing, so it may be retried.
  auto body =
      session_->send_json("PATCH", ApiRoot::v1, board_path(board_id), b.str(), {}, Idempotency::idempotent);
  if (!body) return tl::unexpected(body.error());
  return detail::parse_board(*body);
}

Result<Board> BoardsApi::update(std::string_view board_id, std::optional<std::string> board_name,
                                std::optional<std::string> cover_image_name, std::optional<bool> archived) {
  return update(board_id, BoardChanges{std::move(board_name), std::move(cover_image_name), archived});
}

Result<BoardDeleteResult> BoardsApi::remove(std::string_view board_id, bool include_images) {
  QueryBuilder q;
  q.add_bool("include_images", include_images);
  auto body = session_->send_json("DELETE", ApiRoot::v1, board_path(board_id), {}, q.str());
  if (!body) return tl::unexpected(body.error());
  return detail::parse_board_delete(*body);
}

Result<std::vector<std::string>> BoardsApi::image_names(std::string_view board_id,
                                                        std::span<const std::string> categories,
                                                        std::optional<bool> is_intermediate) {
  QueryBuilder q;
  q.add_list("categories", categories);
  if (is_intermediate) q.add_bool("is_intermediate", *is_intermediate);
  auto body = session_->get(ApiRoot::v1, board_path(board_id, "/image_names"), q.str());
  if (!body) return tl::unexpected(body.error());
  return detail::parse_string_list(*body, "board image names");
}

Result<std::optional<Board>> BoardsApi::find_by_name(std::string_view board_name) {
  auto all = list_all(true);
  if (!all) return tl::unexpected(all.error());
  std::optional<Board> found;
  for (auto& b : *all) {
    if (b.board_name != board_name) continue;
    if (!b.archived) return std::optional<Board>(std::move(b));
    if (!found) found = std::move(b);
  }
  return found;
}

Result<Board> BoardsApi::get_or_create(std::string_view board_name) {
  auto found = find_by_name(board_name);
  if (!found) return tl::unexpected(found.error());
  if (*found) return std::move(**found);
  return create(board_name);
}

}  // namespace ivk
