#pragma once
// Reading the /api/v1/images answers into the ImagesApi types. Private to src/api.
#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/api/images_api.h"

namespace ivk::detail {

// One ImageDTO object; `where` is its JSON path for errors.
Result<ImageDto> image_dto_from(simdjson::dom::element element, const std::string& where);
Result<ImageDto> parse_image_dto(std::string_view json);
Result<std::vector<ImageDto>> parse_image_dtos(std::string_view json);
Result<ImagePage> parse_image_page(std::string_view json);
Result<ImageNames> parse_image_names(std::string_view json);
Result<std::optional<std::string>> parse_image_metadata(std::string_view json);
Result<ImageWorkflow> parse_image_workflow(std::string_view json);
Result<ImageUrls> parse_image_urls(std::string_view json);
Result<DeleteImagesResult> parse_delete_images(std::string_view json);
// `list_key`: "starred_images" or "unstarred_images".
Result<StarResult> parse_star_result(std::string_view json, std::string_view list_key);
// A bare JSON integer (GET/DELETE /intermediates).
Result<std::int64_t> parse_bare_int(std::string_view json, std::string_view what);

}  // namespace ivk::detail
