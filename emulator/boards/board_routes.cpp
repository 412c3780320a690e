// /api/v1/boards/* as a v6.8 server has them: create, list (all or paged), get, patch, delete and
// a board's image names. Counts and the cover image are computed from the image records.
#include "images/image_routes.h"

namespace ivk::emu {
namespace {

const std::string kBoardsPrefix = "/api/v1/boards";
constexpr std::size_t kMaxBoardName = 300;

Json too_long_item(Json loc, const std::string& value) {
  return validation_item("string_too_long", std::move(loc), "String should have at most 300 characters",
                         value, Json{{"max_length", kMaxBoardName}});
}

Response create_board(ImageLibrary& lib, const Request& req) {
  Validation v;
  const auto name = v.query_string(req, "board_name");
  const auto is_private = v.query_bool(req, "is_private", false);
  if (name && name->size() > kMaxBoardName) v.add(too_long_item(Json::array({"query", "board_name"}), *name));
  if (!v.ok()) return v.response();
  return json_response(201, lib.create_board(*name, *is_private, caller_id(req)));
}

Response list_boards(ImageLibrary& lib, const Request& req) {
  Validation v;
  const auto order_by = v.query_enum(req, "order_by", {"created_at", "board_name"}, "created_at");
  const auto direction = v.query_enum(req, "direction", {"ASC", "DESC"}, "DESC");
  const auto include_archived = v.query_bool(req, "include_archived", false);
  std::optional<bool> all;
  std::optional<std::int64_t> offset;
  std::optional<std::int64_t> limit;
  if (req.query_value("all")) all = v.query_bool(req, "all");
  if (req.query_value("offset")) offset = v.query_int(req, "offset");
  if (req.query_value("limit")) limit = v.query_int(req, "limit");
  if (!v.ok()) return v.response();
  const auto boards = lib.boards(*order_by == "board_name", *direction == "ASC", *include_archived);
  if (all.value_or(false)) return json_response(200, Json(boards));
  if (!offset || !limit)
    return Response::detail(400, "Invalid request: Must provide either 'all' or both 'offset' and 'limit'");
  Json items = Json::array();
  const std::size_t first = *offset > 0 ? static_cast<std::size_t>(*offset) : 0;
  for (std::size_t i = first; i < boards.size(); ++i) {
    if (*limit >= 0 && items.size() >= static_cast<std::size_t>(*limit)) break;
    items.push_back(boards[i]);
  }
  Json body = Json::object();
  body["limit"] = *limit;
  body["offset"] = *offset;
  body["total"] = boards.size();
  body["items"] = std::move(items);
  return json_response(200, body);
}

Response get_board(ImageLibrary& lib, const Request& req) {
  const auto dto = lib.board_dto(req.params.at("board_id"));
  return dto ? json_response(200, *dto) : Response::detail(404, "Board not found");
}

Response patch_board(ImageLibrary& lib, const Request& req) {
  Validation v;
  const auto body = v.json_object_body(req);
  if (body) {
    // BoardChanges forbids extra keys; every field is optional and nullable.
    for (const auto& [key, value] : body->items()) {
      const Json loc = Json::array({"body", key});
      if (key == "board_name" || key == "cover_image_name") {
        if (!value.is_null() && !value.is_string())
          v.add(string_type_item(loc, value));
        else if (key == "board_name" && value.is_string() && value.get<std::string>().size() > kMaxBoardName)
          v.add(too_long_item(loc, value.get<std::string>()));
      } else if (key == "archived") {
        if (!value.is_null() && !value.is_boolean()) v.add(bool_type_item(loc, value));
      } else {
        v.add(validation_item("extra_forbidden", loc, "Extra inputs are not permitted", value));
      }
    }
  }
  if (!v.ok()) return v.response();
  const auto dto = lib.update_board(req.params.at("board_id"), *body);
  // The server wraps every failure of the update in this 500.
  return dto ? json_response(201, *dto) : Response::detail(500, "Failed to update board");
}

Response delete_board(ImageLibrary& lib, const Request& req) {
  Validation v;
  std::optional<bool> include_images;
  if (req.query_value("include_images")) include_images = v.query_bool(req, "include_images");
  if (!v.ok()) return v.response();
  const std::string board_id = req.params.at("board_id");
  const bool with_images = include_images.value_or(false);
  // An unknown board deletes nothing; the server answers with empty lists, not 404.
  const auto names = lib.delete_board(board_id, with_images).value_or(std::vector<std::string>{});
  Json body = Json::object();
  body["board_id"] = board_id;
  body["deleted_board_images"] = with_images ? std::vector<std::string>{} : names;
  body["deleted_images"] = with_images ? names : std::vector<std::string>{};
  return json_response(200, body);
}

Response board_image_names(ImageLibrary& lib, const Request& req) {
  Validation v;
  ImageFilter filter;
  read_category_filter(v, req, filter);
  if (!v.ok()) return v.response();
  filter.board_id = req.params.at("board_id");
  filter.starred_first = false;
  Json names = Json::array();
  for (const auto& r : lib.select(filter)) names.push_back(r.image_name);
  return json_response(200, names);
}

}  // namespace

void add_board_routes(Router& router, ImageLibrary& lib) {
  const std::string p = kBoardsPrefix;
  auto add = [&router, &lib](const char* method, const std::string& path,
                             Response (*fn)(ImageLibrary&, const Request&)) {
    router.add(method, path, Access::user, [&lib, fn](const Request& req) { return fn(lib, req); });
  };
  add("POST", p + "/", create_board);
  add("GET", p + "/", list_boards);
  add("GET", p + "/{board_id}", get_board);
  add("PATCH", p + "/{board_id}", patch_board);
  add("DELETE", p + "/{board_id}", delete_board);
  add("GET", p + "/{board_id}/image_names", board_image_names);
}

}  // namespace ivk::emu
