#pragma once
// FastAPI/pydantic 422 bodies for the emulator's routes, so a client sees the same validation
// errors as from the real server:
//
//   {"detail":[{"type":"missing","loc":["query","key"],"msg":"Field required","input":null}]}
//
// Usage in a route handler: collect every problem of a request in one Validation (pydantic reports
// them all at once, not the first only), then answer its 422 if any:
//
//   Validation v;
//   auto limit = v.query_int(req, "limit", 20, /*ge=*/1);
//   auto base = v.query_enum(req, "base", {"sd-1", "sdxl"}, std::nullopt);
//   auto body = v.json_body(req);                       // 422 json_invalid / missing if bad
//   if (!v.ok()) return v.response();
//
// Private to the emulator.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/router.h"

namespace ivk::emu {

using Json = nlohmann::ordered_json;

// One entry of a 422 "detail" list. ctx is omitted when null.
Json validation_item(std::string_view type, Json loc, std::string_view msg, Json input, Json ctx = nullptr);

// 422 {"detail": items}.
Response validation_response(Json items);
// 422 with a single item.
Response validation_response_one(std::string_view type, Json loc, std::string_view msg, Json input,
                                 Json ctx = nullptr);

// The common pydantic items, by location. `loc` is the full location, e.g. {"query","limit"} or
// {"body","source"}.
Json missing_item(Json loc, Json input = nullptr);  // "Field required"
// "Input should be 'a', 'b' or 'c'" with ctx {"expected": "'a', 'b' or 'c'"}. Values are quoted
// unless `quote` is false (int enums such as the log level: "Input should be 0, 10 or 20").
Json enum_item(Json loc, Json input, const std::vector<std::string>& allowed, bool quote = true);
Json int_parsing_item(Json loc, Json input);    // "...valid integer, unable to parse string as an integer"
Json float_parsing_item(Json loc, Json input);  // "...valid number, unable to parse string as a number"
Json bool_parsing_item(Json loc, Json input);   // "...valid boolean, unable to interpret input"
Json int_type_item(Json loc, Json input);       // a JSON value of the wrong type where an int belongs
Json string_type_item(Json loc, Json input);    // "Input should be a valid string"
Json bool_type_item(Json loc, Json input);      // "Input should be a valid boolean"
Json list_type_item(Json loc, Json input);      // "Input should be a valid list"
Json dict_type_item(Json loc, Json input);      // model_attributes_type: "...valid dictionary or object..."
Json ge_item(Json loc, Json input, std::int64_t ge);                    // greater_than_equal, ctx {"ge": n}
Json le_item(Json loc, Json input, std::int64_t le);                    // less_than_equal, ctx {"le": n}
Json value_error_item(Json loc, Json input, std::string_view message);  // "Value error, <message>"

// Parses a request body as JSON. On failure returns the FastAPI answer: 422 json_invalid with
// loc ["body", <offset>] for broken JSON, or 422 missing at ["body"] for an empty body.
struct BodyParse {
  std::optional<Json> value;
  std::optional<Response> error;
};
BodyParse parse_json_body(const Request& req);

// Collects validation problems of one request; see the header comment.
class Validation {
 public:
  void add(Json item) { items_.push_back(std::move(item)); }
  [[nodiscard]] bool ok() const noexcept { return items_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }
  [[nodiscard]] Response response() const;  // 422 with every collected item
  [[nodiscard]] const Json& items() const noexcept { return items_; }

  // Query parameters. A required one (no default) that is absent adds a "missing" item. Each returns
  // nullopt when absent without default or invalid (an item was added for the invalid case).
  std::optional<std::string> query_string(const Request& req, std::string_view name,
                                          std::optional<std::string> fallback = std::nullopt);
  std::optional<std::int64_t> query_int(const Request& req, std::string_view name,
                                        std::optional<std::int64_t> fallback = std::nullopt,
                                        std::optional<std::int64_t> ge = std::nullopt,
                                        std::optional<std::int64_t> le = std::nullopt);
  std::optional<bool> query_bool(const Request& req, std::string_view name,
                                 std::optional<bool> fallback = std::nullopt);
  std::optional<std::string> query_enum(const Request& req, std::string_view name,
                                        const std::vector<std::string>& allowed,
                                        std::optional<std::string> fallback = std::nullopt);
  // A list-valued query parameter (repeated keys) whose values must be in `allowed` (empty: any).
  std::vector<std::string> query_enum_list(const Request& req, std::string_view name,
                                           const std::vector<std::string>& allowed);

  // The body as JSON (an item added, and nullopt returned, if it is empty or broken).
  std::optional<Json> json_body(const Request& req);
  // The body must be a JSON object (model_attributes_type at ["body"] otherwise).
  std::optional<Json> json_object_body(const Request& req);

  // Fields of an object body. `loc` is the field's location, e.g. {"body","source"}. Missing
  // required fields add "missing" with the containing object as input, like pydantic.
  std::optional<std::string> field_string(const Json& object, std::string_view key, Json loc,
                                          bool required = true);
  std::optional<bool> field_bool(const Json& object, std::string_view key, Json loc,
                                 std::optional<bool> fallback = std::nullopt);
  std::optional<std::int64_t> field_int(const Json& object, std::string_view key, Json loc,
                                        std::optional<std::int64_t> fallback = std::nullopt);

 private:
  Json items_ = Json::array();
};

// Pydantic's lax string parsing for query values ("1", " 2 ", "true"/"yes"/"on"/"1", ...).
std::optional<std::int64_t> parse_int_lax(std::string_view text);
std::optional<double> parse_float_lax(std::string_view text);
std::optional<bool> parse_bool_lax(std::string_view text);

}  // namespace ivk::emu
