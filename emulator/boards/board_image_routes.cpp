// /api/v1/board_images/*: move images onto a board or back to uncategorized. Every
// mutation answers 201; the server turns any failure (unknown board or image) into a 500.
#include "images/image_routes.h"

namespace ivk::emu {
namespace {

const std::string kBoardImagesPrefix = "/api/v1/board_images";

std::optional<std::string> string_field(Validation& v, const Json& body, const char* key) {
  return v.field_string(body, key, Json::array({"body", key}));
}

Response add_one(ImageLibrary& lib, const Request& req) {
  Validation v;
  const auto body = v.json_object_body(req);
  std::optional<std::string> board_id;
  std::optional<std::string> image_name;
  if (body) {
    board_id = string_field(v, *body, "board_id");
    image_name = string_field(v, *body, "image_name");
  }
  if (!v.ok()) return v.response();
  if (!lib.board_exists(*board_id) || !lib.image(*image_name))
    return Response::detail(500, "Failed to add image to board");
  return json_response(201, board_change_json(lib.move_to_board({*image_name}, board_id), "added_images"));
}

Response remove_one(ImageLibrary& lib, const Request& req) {
  Validation v;
  const auto body = v.json_object_body(req);
  std::optional<std::string> image_name;
  if (body) image_name = string_field(v, *body, "image_name");
  if (!v.ok()) return v.response();
  if (!lib.image(*image_name)) return Response::detail(500, "Failed to remove image from board");
  return json_response(201,
                       board_change_json(lib.move_to_board({*image_name}, std::nullopt), "removed_images"));
}

Response add_batch(ImageLibrary& lib, const Request& req) {
  Validation v;
  const auto body = v.json_object_body(req);
  std::optional<std::string> board_id;
  std::optional<std::vector<std::string>> names;
  if (body) {
    board_id = string_field(v, *body, "board_id");
    names = string_list_field(v, *body, "image_names");
  }
  if (!v.ok()) return v.response();
  if (!lib.board_exists(*board_id)) return Response::detail(500, "Failed to add images to board");
  return json_response(201, board_change_json(lib.move_to_board(*names, board_id), "added_images"));
}

Response remove_batch(ImageLibrary& lib, const Request& req) {
  Validation v;
  const auto body = v.json_object_body(req);
  std::optional<std::vector<std::string>> names;
  if (body) names = string_list_field(v, *body, "image_names");
  if (!v.ok()) return v.response();
  return json_response(201, board_change_json(lib.move_to_board(*names, std::nullopt), "removed_images"));
}

}  // namespace

void add_board_image_routes(Router& router, ImageLibrary& lib) {
  const std::string p = kBoardImagesPrefix;
  auto add = [&router, &lib](const char* method, const std::string& path,
                             Response (*fn)(ImageLibrary&, const Request&)) {
    router.add(method, path, Access::user, [&lib, fn](const Request& req) { return fn(lib, req); });
  };
  add("POST", p + "/", add_one);
  add("DELETE", p + "/", remove_one);
  add("POST", p + "/batch", add_batch);
  add("POST", p + "/batch/delete", remove_batch);
}

}  // namespace ivk::emu
