#pragma once
// Reading the boards and board_images answers into the BoardsApi types. Private to src/api.
#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "ivk/api/boards_api.h"

namespace ivk::detail {

Result<Board> board_from(simdjson::dom::element element, const std::string& where);
Result<Board> parse_board(std::string_view json);
// A bare array of boards, or a page's items (servers answer ?all=true with an array).
Result<std::vector<Board>> parse_board_list(std::string_view json);
Result<BoardPage> parse_board_page(std::string_view json);
Result<BoardDeleteResult> parse_board_delete(std::string_view json);
// `list_key`: "added_images" or "removed_images".
Result<BoardImagesResult> parse_board_images_result(std::string_view json, std::string_view list_key);
Result<std::vector<std::string>> parse_string_list(std::string_view json, std::string_view what);

}  // namespace ivk::detail
