// BoardsApi membership routes: /api/v1/board_images.
#include "api/boards_parse.h"
#include "core/json_write.h"
#include "ivk/api/boards_api.h"
#include "ivk/transport/server_session.h"

namespace ivk {
namespace {

void append_names(std::string& out, std::span<const std::string> names) {
  out += '[';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    detail::append_json_string(out, names[i]);
  }
  out += ']';
}

// Moving an image to a board (or off every board) ends in the same state however often it is
// repeated: these routes may be retried although they are POST and DELETE.
Result<BoardImagesResult> send(ServerSession& session, std::string_view method, std::string_view path,
                               const std::string& json, std::string_view list_key) {
  auto body = session.send_json(method, ApiRoot::v1, path, json, {}, Idempotency::idempotent);
  if (!body) return tl::unexpected(body.error());
  return detail::parse_board_images_result(*body, list_key);
}

}  // namespace

Result<BoardImagesResult> BoardsApi::add_image(std::string_view board_id, std::string_view image_name) {
  const std::string json = "{\"board_id\":" + detail::json_string(board_id) +
                           ",\"image_name\":" + detail::json_string(image_name) + "}";
  return send(*session_, "POST", "/board_images/", json, "added_images");
}

Result<BoardImagesResult> BoardsApi::remove_image(std::string_view image_name) {
  return send(*session_, "DELETE", "/board_images/",
              "{\"image_name\":" + detail::json_string(image_name) + "}", "removed_images");
}

Result<BoardImagesResult> BoardsApi::add_images(std::string_view board_id,
                                                std::span<const std::string> image_names) {
  std::string json = "{\"board_id\":" + detail::json_string(board_id) + ",\"image_names\":";
  append_names(json, image_names);
  json += '}';
  return send(*session_, "POST", "/board_images/batch", json, "added_images");
}

Result<BoardImagesResult> BoardsApi::remove_images(std::span<const std::string> image_names) {
  std::string json = "{\"image_names\":";
  append_names(json, image_names);
  json += '}';
  return send(*session_, "POST", "/board_images/batch/delete", json, "removed_images");
}

}  // namespace ivk
