// Reading the images routes' answers. Loose like every server read: only image_name is
// required of a DTO; newer servers add members (image_subfolder) that land in raw_json only.
#include "api/images_parse.h"

#include "core/json_read.h"

namespace ivk::detail {

Result<ImageDto> image_dto_from(dom::element element, const std::string& where) {
  dom::object o;
  if (element.get_object().get(o) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "image DTO is not a JSON object", where);
  ImageDto d;
  d.image_name = string_member(o, "image_name");
  if (d.image_name.empty())
    return fail(ErrorCode::parse_error, "image DTO: missing image_name", where + ".image_name");
  d.image_url = string_member(o, "image_url");
  d.thumbnail_url = string_member(o, "thumbnail_url");
  d.image_origin = string_member(o, "image_origin");
  d.image_category = string_member(o, "image_category");
  d.width = int_member(o, "width").value_or(0);
  d.height = int_member(o, "height").value_or(0);
  d.created_at = string_member(o, "created_at");
  d.updated_at = string_member(o, "updated_at");
  d.deleted_at = optional_string_member(o, "deleted_at");
  d.is_intermediate = bool_member(o, "is_intermediate");
  d.session_id = optional_string_member(o, "session_id");
  d.node_id = optional_string_member(o, "node_id");
  d.starred = bool_member(o, "starred");
  d.has_workflow = bool_member(o, "has_workflow");
  d.board_id = optional_string_member(o, "board_id");
  d.raw_json = simdjson::minify(element);
  return d;
}

Result<ImageDto> parse_image_dto(std::string_view json) {
  dom::parser parser;
  auto doc = parse_json(parser, json, "image DTO");
  if (!doc) return tl::unexpected(doc.error());
  return image_dto_from(*doc, "$");
}

namespace {

Result<std::vector<ImageDto>> dtos_from(dom::array items, const std::string& where) {
  std::vector<ImageDto> out;
  std::size_t i = 0;
  for (dom::element e : items) {
    auto dto = image_dto_from(e, where + "[" + std::to_string(i++) + "]");
    if (!dto) return tl::unexpected(dto.error());
    out.push_back(std::move(*dto));
  }
  return out;
}

}  // namespace

Result<std::vector<ImageDto>> parse_image_dtos(std::string_view json) {
  dom::parser parser;
  auto items = parse_array(parser, json, "image list");
  if (!items) return tl::unexpected(items.error());
  return dtos_from(*items, "$");
}

Result<ImagePage> parse_image_page(std::string_view json) {
  dom::parser parser;
  auto o = parse_object(parser, json, "image page");
  if (!o) return tl::unexpected(o.error());
  dom::array items;
  if (o->at_key("items").get_array().get(items) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "image page: missing array \"items\"", "$.items");
  auto dtos = dtos_from(items, "$.items");
  if (!dtos) return tl::unexpected(dtos.error());
  ImagePage page;
  page.items = std::move(*dtos);
  page.offset = int_member(*o, "offset").value_or(0);
  page.limit = int_member(*o, "limit").value_or(0);
  page.total = int_member(*o, "total").value_or(static_cast<std::int64_t>(page.items.size()));
  return page;
}

Result<ImageNames> parse_image_names(std::string_view json) {
  dom::parser parser;
  auto o = parse_object(parser, json, "image names");
  if (!o) return tl::unexpected(o.error());
  dom::array names;
  if (o->at_key("image_names").get_array().get(names) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "image names: missing array \"image_names\"", "$.image_names");
  ImageNames r;
  r.names = string_array_member(*o, "image_names");
  r.starred_count = int_member(*o, "starred_count").value_or(0);
  r.total = int_member(*o, "total_count").value_or(static_cast<std::int64_t>(r.names.size()));
  return r;
}

Result<std::optional<std::string>> parse_image_metadata(std::string_view json) {
  dom::parser parser;
  auto doc = parse_json(parser, json, "image metadata");
  if (!doc) return tl::unexpected(doc.error());
  if (doc->is_null()) return std::optional<std::string>();
  return std::optional<std::string>(simdjson::minify(*doc));
}

Result<ImageWorkflow> parse_image_workflow(std::string_view json) {
  dom::parser parser;
  auto o = parse_object(parser, json, "image workflow");
  if (!o) return tl::unexpected(o.error());
  // Both members are JSON documents stringified by the server.
  return ImageWorkflow{optional_string_member(*o, "workflow"), optional_string_member(*o, "graph")};
}

Result<ImageUrls> parse_image_urls(std::string_view json) {
  dom::parser parser;
  auto o = parse_object(parser, json, "image URLs");
  if (!o) return tl::unexpected(o.error());
  return ImageUrls{string_member(*o, "image_name"), string_member(*o, "image_url"),
                   string_member(*o, "thumbnail_url")};
}

Result<DeleteImagesResult> parse_delete_images(std::string_view json) {
  dom::parser parser;
  auto o = parse_object(parser, json, "image delete answer");
  if (!o) return tl::unexpected(o.error());
  return DeleteImagesResult{string_array_member(*o, "deleted_images"),
                            string_array_member(*o, "affected_boards"),
                            string_array_member(*o, "failed_images")};
}

Result<StarResult> parse_star_result(std::string_view json, std::string_view list_key) {
  dom::parser parser;
  auto o = parse_object(parser, json, "star answer");
  if (!o) return tl::unexpected(o.error());
  return StarResult{string_array_member(*o, list_key), string_array_member(*o, "affected_boards")};
}

Result<std::int64_t> parse_bare_int(std::string_view json, std::string_view what) {
  dom::parser parser;
  auto doc = parse_json(parser, json, what);
  if (!doc) return tl::unexpected(doc.error());
  std::int64_t n = 0;
  if (doc->get_int64().get(n) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, std::string(what) + " is not an integer", "$");
  return n;
}

}  // namespace ivk::detail
