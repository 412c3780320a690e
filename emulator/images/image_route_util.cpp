// Helpers shared by the /images, /boards and /board_images route files.
#include "images/image_routes.h"

namespace ivk::emu {

std::string caller_id(const Request& req) { return req.user.user_id.empty() ? "system" : req.user.user_id; }

Response json_response(int status, const Json& body) {
  return Response::json(status, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

std::optional<std::vector<std::string>> string_list_field(Validation& v, const Json& body,
                                                          std::string_view key) {
  const std::string k(key);
  const auto it = body.find(k);
  if (it == body.end()) {
    v.add(missing_item(Json::array({"body", k}), body));
    return std::nullopt;
  }
  if (!it->is_array()) {
    v.add(list_type_item(Json::array({"body", k}), *it));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& item = (*it)[i];
    if (item.is_string()) {
      out.push_back(item.get<std::string>());
    } else {
      v.add(string_type_item(Json::array({"body", k, i}), item));
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

void read_category_filter(Validation& v, const Request& req, ImageFilter& filter) {
  filter.categories = v.query_enum_list(req, "categories", kImageCategories);
  if (req.query_value("is_intermediate")) filter.is_intermediate = v.query_bool(req, "is_intermediate");
}

Json board_change_json(const BoardChange& change, const char* key) {
  Json body = Json::object();
  body["affected_boards"] = change.affected_boards;
  body[key] = change.images;
  return body;
}

}  // namespace ivk::emu
