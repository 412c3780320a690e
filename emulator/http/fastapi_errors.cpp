#include "http/fastapi_errors.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <utility>
#include "core/ascii_case.h"

namespace ivk::emu {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) text.remove_suffix(1);
  return text;
}

// pydantic joins choices as "'a', 'b' or 'c'".
std::string join_expected(const std::vector<std::string>& allowed, bool quote) {
  std::string out;
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    if (i > 0) out += (i + 1 == allowed.size()) ? " or " : ", ";
    if (quote) out += '\'';
    out += allowed[i];
    if (quote) out += '\'';
  }
  return out;
}

// A float that is a whole number inside int64's range (checked before casting: a cast out of
// range is undefined).
std::optional<std::int64_t> whole_number(double d) {
  if (!(d > -9.2e18 && d < 9.2e18)) return std::nullopt;  // also rejects NaN
  const auto i = static_cast<std::int64_t>(d);
  if (static_cast<double>(i) != d) return std::nullopt;
  return i;
}

}  // namespace

Json validation_item(std::string_view type, Json loc, std::string_view msg, Json input, Json ctx) {
  Json item = Json::object();
  item["type"] = std::string(type);
  item["loc"] = std::move(loc);
  item["msg"] = std::string(msg);
  item["input"] = std::move(input);
  if (!ctx.is_null()) item["ctx"] = std::move(ctx);
  return item;
}

Response validation_response(Json items) {
  Json body = Json::object();
  body["detail"] = std::move(items);
  return Response::json(422, body.dump());
}

Response validation_response_one(std::string_view type, Json loc, std::string_view msg, Json input,
                                 Json ctx) {
  return validation_response(
      Json::array({validation_item(type, std::move(loc), msg, std::move(input), std::move(ctx))}));
}

Json missing_item(Json loc, Json input) {
  return validation_item("missing", std::move(loc), "Field required", std::move(input));
}

Json enum_item(Json loc, Json input, const std::vector<std::string>& allowed, bool quote) {
  const std::string expected = join_expected(allowed, quote);
  return validation_item("enum", std::move(loc), "Input should be " + expected, std::move(input),
                         Json{{"expected", expected}});
}

Json int_parsing_item(Json loc, Json input) {
  return validation_item("int_parsing", std::move(loc),
                         "Input should be a valid integer, unable to parse string as an integer",
                         std::move(input));
}

Json float_parsing_item(Json loc, Json input) {
  return validation_item("float_parsing", std::move(loc),
                         "Input should be a valid number, unable to parse string as a number",
                         std::move(input));
}

Json bool_parsing_item(Json loc, Json input) {
  return validation_item("bool_parsing", std::move(loc),
                         "Input should be a valid boolean, unable to interpret input", std::move(input));
}

Json int_type_item(Json loc, Json input) {
  return validation_item("int_type", std::move(loc), "Input should be a valid integer", std::move(input));
}

Json string_type_item(Json loc, Json input) {
  return validation_item("string_type", std::move(loc), "Input should be a valid string", std::move(input));
}

Json bool_type_item(Json loc, Json input) {
  return validation_item("bool_type", std::move(loc), "Input should be a valid boolean", std::move(input));
}

Json list_type_item(Json loc, Json input) {
  return validation_item("list_type", std::move(loc), "Input should be a valid list", std::move(input));
}

Json dict_type_item(Json loc, Json input) {
  return validation_item("model_attributes_type", std::move(loc),
                         "Input should be a valid dictionary or object to extract fields from",
                         std::move(input));
}

Json ge_item(Json loc, Json input, std::int64_t ge) {
  return validation_item("greater_than_equal", std::move(loc),
                         "Input should be greater than or equal to " + std::to_string(ge), std::move(input),
                         Json{{"ge", ge}});
}

Json le_item(Json loc, Json input, std::int64_t le) {
  return validation_item("less_than_equal", std::move(loc),
                         "Input should be less than or equal to " + std::to_string(le), std::move(input),
                         Json{{"le", le}});
}

Json value_error_item(Json loc, Json input, std::string_view message) {
  return validation_item("value_error", std::move(loc), "Value error, " + std::string(message),
                         std::move(input), Json{{"error", Json::object()}});
}

namespace {

// The body as JSON, or nullopt with the FastAPI items describing why not appended to `items`.
std::optional<Json> parse_body(const Request& req, Json& items) {
  if (trim(req.body).empty()) {
    // FastAPI treats an empty body as an absent one: the required body is "missing".
    items.push_back(missing_item(Json::array({"body"})));
    return std::nullopt;
  }
  try {
    return Json::parse(req.body);
  } catch (const Json::parse_error& e) {
    // FastAPI reports Python's json.JSONDecodeError position (0-based) and message; nlohmann's
    // byte index is 1-based and its wording differs, so only the common message is reproduced.
    const std::size_t pos = e.byte > 0 ? e.byte - 1 : 0;
    items.push_back(validation_item("json_invalid", Json::array({"body", pos}), "JSON decode error",
                                    Json::object(), Json{{"error", "Expecting value"}}));
  } catch (const std::exception&) {
    items.push_back(validation_item("json_invalid", Json::array({"body", 0}), "JSON decode error",
                                    Json::object(), Json{{"error", "Expecting value"}}));
  }
  return std::nullopt;
}

}  // namespace

BodyParse parse_json_body(const Request& req) {
  BodyParse out;
  Json items = Json::array();
  out.value = parse_body(req, items);
  if (!out.value) out.error = validation_response(std::move(items));
  return out;
}

std::optional<std::int64_t> parse_int_lax(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::string digits;
  digits.reserve(text.size());
  for (char c : text)
    if (c != '_') digits += c;  // Python int() accepts "1_000"
  std::int64_t value = 0;
  const char* first = digits.data();
  const char* last = digits.data() + digits.size();
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec == std::errc{} && ptr == last && !digits.empty()) return value;
  // pydantic accepts "3.0" for an int (a float string without fractional part).
  if (auto f = parse_float_lax(text)) return whole_number(*f);
  return std::nullopt;
}

std::optional<double> parse_float_lax(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  const std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return std::nullopt;
  return value;
}

std::optional<bool> parse_bool_lax(std::string_view text) {
  const std::string t = ivk::detail::ascii_lower(trim(text));
  if (t == "1" || t == "true" || t == "t" || t == "yes" || t == "y" || t == "on") return true;
  if (t == "0" || t == "false" || t == "f" || t == "no" || t == "n" || t == "off") return false;
  return std::nullopt;
}

Response Validation::response() const { return validation_response(items_); }

std::optional<std::string> Validation::query_string(const Request& req, std::string_view name,
                                                    std::optional<std::string> fallback) {
  if (auto v = req.query_value(name)) return v;
  if (!fallback) add(missing_item(Json::array({"query", name})));
  return fallback;
}

std::optional<std::int64_t> Validation::query_int(const Request& req, std::string_view name,
                                                  std::optional<std::int64_t> fallback,
                                                  std::optional<std::int64_t> ge,
                                                  std::optional<std::int64_t> le) {
  auto text = req.query_value(name);
  if (!text) {
    if (!fallback) add(missing_item(Json::array({"query", name})));
    return fallback;
  }
  const Json loc = Json::array({"query", name});
  auto value = parse_int_lax(*text);
  if (!value) {
    add(int_parsing_item(loc, *text));
    return std::nullopt;
  }
  if (ge && *value < *ge) {
    add(ge_item(loc, *text, *ge));
    return std::nullopt;
  }
  if (le && *value > *le) {
    add(le_item(loc, *text, *le));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> Validation::query_bool(const Request& req, std::string_view name,
                                           std::optional<bool> fallback) {
  auto text = req.query_value(name);
  if (!text) {
    if (!fallback) add(missing_item(Json::array({"query", name})));
    return fallback;
  }
  auto value = parse_bool_lax(*text);
  if (!value) add(bool_parsing_item(Json::array({"query", name}), *text));
  return value;
}

std::optional<std::string> Validation::query_enum(const Request& req, std::string_view name,
                                                  const std::vector<std::string>& allowed,
                                                  std::optional<std::string> fallback) {
  auto text = req.query_value(name);
  if (!text) {
    if (!fallback) add(missing_item(Json::array({"query", name})));
    return fallback;
  }
  if (std::find(allowed.begin(), allowed.end(), *text) == allowed.end()) {
    add(enum_item(Json::array({"query", name}), *text, allowed));
    return std::nullopt;
  }
  return text;
}

std::vector<std::string> Validation::query_enum_list(const Request& req, std::string_view name,
                                                     const std::vector<std::string>& allowed) {
  std::vector<std::string> out;
  const auto values = req.query_values(name);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), values[i]) == allowed.end()) {
      // pydantic locates list items by their index.
      add(enum_item(Json::array({"query", name, i}), values[i], allowed));
      continue;
    }
    out.push_back(values[i]);
  }
  return out;
}

std::optional<Json> Validation::json_body(const Request& req) { return parse_body(req, items_); }

std::optional<Json> Validation::json_object_body(const Request& req) {
  auto body = json_body(req);
  if (!body) return std::nullopt;
  if (!body->is_object()) {
    add(dict_type_item(Json::array({"body"}), *body));
    return std::nullopt;
  }
  return body;
}

std::optional<std::string> Validation::field_string(const Json& object, std::string_view key, Json loc,
                                                    bool required) {
  const auto it = object.find(std::string(key));
  if (it == object.end() || (!required && it->is_null())) {
    if (required) add(missing_item(std::move(loc), object));
    return std::nullopt;
  }
  if (!it->is_string()) {
    add(string_type_item(std::move(loc), *it));
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<bool> Validation::field_bool(const Json& object, std::string_view key, Json loc,
                                           std::optional<bool> fallback) {
  const auto it = object.find(std::string(key));
  if (it == object.end()) {
    if (!fallback) add(missing_item(std::move(loc), object));
    return fallback;
  }
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number_integer() && (*it == 0 || *it == 1)) return *it == 1;
  if (it->is_string()) {
    if (auto b = parse_bool_lax(it->get<std::string>())) return b;
    add(bool_parsing_item(std::move(loc), *it));
    return std::nullopt;
  }
  add(bool_type_item(std::move(loc), *it));
  return std::nullopt;
}

std::optional<std::int64_t> Validation::field_int(const Json& object, std::string_view key, Json loc,
                                                  std::optional<std::int64_t> fallback) {
  const auto it = object.find(std::string(key));
  if (it == object.end()) {
    if (!fallback) add(missing_item(std::move(loc), object));
    return fallback;
  }
  if (it->is_number_integer()) {
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > 9223372036854775807ull) {
      add(int_type_item(std::move(loc), *it));
      return std::nullopt;
    }
    return it->get<std::int64_t>();
  }
  if (it->is_number_float()) {
    if (auto whole = whole_number(it->get<double>())) return whole;
    add(validation_item("int_from_float", std::move(loc),
                        "Input should be a valid integer, got a number with a fractional part", *it));
    return std::nullopt;
  }
  if (it->is_string()) {
    if (auto v = parse_int_lax(it->get<std::string>())) return v;
    add(int_parsing_item(std::move(loc), *it));
    return std::nullopt;
  }
  add(int_type_item(std::move(loc), *it));
  return std::nullopt;
}

}  // namespace ivk::emu
