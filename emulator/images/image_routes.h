#pragma once
// Shared pieces of the /images, /boards and /board_images route files. Private to the emulator.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/fastapi_errors.h"
#include "http/router.h"
#include "images/image_library.h"

namespace ivk::emu {

void add_board_routes(Router& router, ImageLibrary& library);
void add_board_image_routes(Router& router, ImageLibrary& library);

// The caller's user id for new records ("system" in single-user mode).
std::string caller_id(const Request& req);
// A JSON response with request-derived text made safe (invalid UTF-8 replaced).
Response json_response(int status, const Json& body);
// A required list[str] field of an object body; adds pydantic's items when missing or mistyped.
std::optional<std::vector<std::string>> string_list_field(Validation& v, const Json& body,
                                                          std::string_view key);
// Fills an ImageFilter's categories and is_intermediate from the query (422 items into v).
void read_category_filter(Validation& v, const Request& req, ImageFilter& filter);
// {"affected_boards": [...], "<key>": [...]}
Json board_change_json(const BoardChange& change, const char* key);

extern const std::vector<std::string> kImageCategories;

}  // namespace ivk::emu
