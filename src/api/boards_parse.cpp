// Reading the boards answers. Loose like every server read: only board_id is required;
// the members that come and go between versions are optional.
#include "api/boards_parse.h"

#include "core/json_read.h"

namespace ivk::detail {

Result<Board> board_from(dom::element element, const std::string& where) {
  dom::object o;
  if (element.get_object().get(o) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "board is not a JSON object", where);
  Board b;
  b.board_id = string_member(o, "board_id");
  if (b.board_id.empty()) return fail(ErrorCode::parse_error, "board: missing board_id", where + ".board_id");
  b.board_name = string_member(o, "board_name");
  b.created_at = string_member(o, "created_at");
  b.updated_at = string_member(o, "updated_at");
  b.deleted_at = optional_string_member(o, "deleted_at");
  b.cover_image_name = optional_string_member(o, "cover_image_name");
  b.archived = bool_member(o, "archived");
  b.image_count = int_member(o, "image_count").value_or(0);
  b.asset_count = int_member(o, "asset_count");
  b.is_private = optional_bool_member(o, "is_private");
  b.board_visibility = optional_string_member(o, "board_visibility");
  b.user_id = optional_string_member(o, "user_id");
  b.raw_json = simdjson::minify(element);
  return b;
}

Result<Board> parse_board(std::string_view json) {
  dom::parser parser;
  auto doc = parse_json(parser, json, "board");
  if (!doc) return tl::unexpected(doc.error());
  return board_from(*doc, "$");
}

namespace {

Result<std::vector<Board>> boards_from(dom::array items, const std::string& where) {
  std::vector<Board> out;
  std::size_t i = 0;
  for (dom::element e : items) {
    auto b = board_from(e, where + "[" + std::to_string(i++) + "]");
    if (!b) return tl::unexpected(b.error());
    out.push_back(std::move(*b));
  }
  return out;
}

}  // namespace

Result<std::vector<Board>> parse_board_list(std::string_view json) {
  dom::parser parser;
  auto doc = parse_json(parser, json, "board list");
  if (!doc) return tl::unexpected(doc.error());
  dom::array items;
  if (doc->get_array().get(items) == simdjson::SUCCESS) return boards_from(items, "$");
  dom::object page;
  if (doc->get_object().get(page) == simdjson::SUCCESS &&
      page.at_key("items").get_array().get(items) == simdjson::SUCCESS)
    return boards_from(items, "$.items");
  return fail(ErrorCode::parse_error, "board list is neither an array nor a page with \"items\"", "$");
}

Result<BoardPage> parse_board_page(std::string_view json) {
  dom::parser parser;
  auto o = parse_object(parser, json, "board page");
  if (!o) return tl::unexpected(o.error());
  dom::array items;
  if (o->at_key("items").get_array().get(items) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "board page: missing array \"items\"", "$.items");
  auto boards = boards_from(items, "$.items");
  if (!boards) return tl::unexpected(boards.error());
  BoardPage page;
  page.items = std::move(*boards);
  page.offset = int_member(*o, "offset").value_or(0);
  page.limit = int_member(*o, "limit").value_or(0);
  page.total = int_member(*o, "total").value_or(static_cast<std::int64_t>(page.items.size()));
  return page;
}

Result<BoardDeleteResult> parse_board_delete(std::string_view json) {
  dom::parser parser;
  auto o = parse_object(parser, json, "board delete answer");
  if (!o) return tl::unexpected(o.error());
  return BoardDeleteResult{string_member(*o, "board_id"), string_array_member(*o, "deleted_board_images"),
                           string_array_member(*o, "deleted_images")};
}

Result<BoardImagesResult> parse_board_images_result(std::string_view json, std::string_view list_key) {
  dom::parser parser;
  auto o = parse_object(parser, json, "board images answer");
  if (!o) return tl::unexpected(o.error());
  return BoardImagesResult{string_array_member(*o, list_key), string_array_member(*o, "affected_boards")};
}

Result<std::vector<std::string>> parse_string_list(std::string_view json, std::string_view what) {
  dom::parser parser;
  auto doc = parse_json(parser, json, what);
  if (!doc) return tl::unexpected(doc.error());
  dom::array a;
  if (doc->get_array().get(a) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, std::string(what) + " is not a JSON array", "$");
  std::vector<std::string> out;
  std::size_t i = 0;
  for (dom::element e : a) {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS)
      return fail(ErrorCode::parse_error, std::string(what) + ": item is not a string",
                  "$[" + std::to_string(i) + "]");
    out.emplace_back(s);
    ++i;
  }
  return out;
}

}  // namespace ivk::detail
