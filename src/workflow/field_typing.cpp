#include "workflow/field_typing.h"

#include <simdjson.h>

namespace ivk::detail {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

FieldKind kind_of_value(std::string_view value_json) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element v;
  if (parser.parse(value_json.data(), value_json.size()).get(v)) return FieldKind::string;
  switch (v.type()) {
    case simdjson::dom::element_type::BOOL: return FieldKind::boolean;
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64: return FieldKind::integer;
    case simdjson::dom::element_type::DOUBLE: return FieldKind::float_number;
    case simdjson::dom::element_type::STRING: return FieldKind::string;
    case simdjson::dom::element_type::ARRAY: return FieldKind::collection;
    case simdjson::dom::element_type::NULL_VALUE: return FieldKind::string;
    case simdjson::dom::element_type::OBJECT: {
      simdjson::dom::object o = v.get_object().value_unsafe();
      auto has = [&](const char* k) { return !o.at_key(k).error(); };
      if (has("key") || (has("name") && has("type"))) return FieldKind::model;
      if (has("board_id")) return FieldKind::board;
      if (has("image_name")) return FieldKind::image;
      if (has("r") && has("g") && has("b")) return FieldKind::color;
      return FieldKind::json;
    }
  }
  return FieldKind::string;
}

}  // namespace

FieldType type_field(std::string_view node_type, std::string_view field_name,
                     std::optional<std::string_view> value_json, const InputTemplate* tmpl) {
  FieldType t;
  if (tmpl != nullptr) {
    t.kind = tmpl->kind;
    t.constraints = tmpl->constraints;
    t.from_template = true;
    t.required = tmpl->required;
    t.title = tmpl->title;
    t.description = tmpl->description;
    return t;
  }
  // Name rules first (as the Python client), then the value.
  if (field_name == "board") {
    t.kind = FieldKind::board;
  } else if (field_name == "model" || ends_with(field_name, "_model")) {
    t.kind = FieldKind::model;
  } else if (field_name == "image") {
    t.kind = FieldKind::image;
  } else if (field_name == "scheduler") {
    t.kind = FieldKind::enumeration;  // choices come only from templates
  } else if (field_name == "value" && node_type == "integer") {
    t.kind = FieldKind::integer;
  } else if (field_name == "value" && node_type == "float") {
    t.kind = FieldKind::float_number;
  } else if (field_name == "value" && node_type == "boolean") {
    t.kind = FieldKind::boolean;
  } else if (field_name == "value" && node_type == "string") {
    t.kind = FieldKind::string;
  } else if (value_json) {
    t.kind = kind_of_value(*value_json);
    // float_math's operands are floats whatever their exported text ("a": 0); the Python client
    // types every field of the node as float, which breaks "operation", so only numbers are.
    if (node_type == "float_math" && t.kind == FieldKind::integer) t.kind = FieldKind::float_number;
  }
  return t;
}

}  // namespace ivk::detail
