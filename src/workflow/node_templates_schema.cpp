#include "workflow/node_templates_schema.h"

#include <charconv>
#include <optional>
#include <vector>

#include "core/json_write.h"

namespace ivk::detail {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// $ref chains are one level deep in practice; the bound only stops a cyclic document.
constexpr int kMaxRefDepth = 8;

std::optional<element> member(const object& o, std::string_view key) {
  element e;
  if (o.at_key(key).get(e)) return std::nullopt;
  return e;
}

std::string_view string_member(const object& o, std::string_view key) {
  std::string_view s;
  if (auto e = member(o, key); e && !e->get_string().get(s)) return s;
  return {};
}

std::optional<double> as_number(const element& e) {
  double d = 0;
  if (e.get_double().get(d)) return std::nullopt;
  return d;
}

std::optional<std::size_t> as_count(const element& e) {
  std::uint64_t n = 0;
  if (e.get_uint64().get(n)) return std::nullopt;
  return static_cast<std::size_t>(n);
}

std::vector<std::string> as_strings(const element& e) {
  std::vector<std::string> out;
  std::string_view s;
  if (!e.get_string().get(s)) {  // a single value where a list is usual
    out.emplace_back(s);
    return out;
  }
  array a;
  if (e.get_array().get(a)) return out;
  for (element item : a)
    if (!item.get_string().get(s)) out.emplace_back(s);
  return out;
}

template <class T>
void set_once(std::optional<T>& slot, std::optional<T> value) {
  if (!slot && value) slot = value;
}

// Reads JSON-Schema constraints, plus pydantic's ge/le/gt/lt, which it leaves beside anyOf
// (e.g. controlnet.control_weight). One pass over the keys: lookups by name cost a scan each.
// Values already in c (from the property itself) win over those of the chosen anyOf branch.
void read_constraints(const object& o, FieldConstraints& c) {
  FieldConstraints own;
  bool exclusive_min_flag = false;
  bool exclusive_max_flag = false;
  for (auto field : o) {
    const std::string_view key = field.key;
    const element& v = field.value;
    if (key == "minimum" || key == "ge") {
      set_once(own.minimum, as_number(v));
    } else if (key == "maximum" || key == "le") {
      set_once(own.maximum, as_number(v));
    } else if (key == "exclusiveMinimum" || key == "gt") {
      if (v.is_bool())
        exclusive_min_flag = v.get_bool().value_unsafe();
      else
        set_once(own.exclusive_minimum, as_number(v));
    } else if (key == "exclusiveMaximum" || key == "lt") {
      if (v.is_bool())
        exclusive_max_flag = v.get_bool().value_unsafe();
      else
        set_once(own.exclusive_maximum, as_number(v));
    } else if (key == "multipleOf") {
      set_once(own.multiple_of, as_number(v));
    } else if (key == "minLength" || key == "minItems") {
      set_once(own.min_length, as_count(v));
    } else if (key == "maxLength" || key == "maxItems") {
      set_once(own.max_length, as_count(v));
    } else if (key == "ui_model_base") {
      own.model_bases = as_strings(v);
    } else if (key == "ui_model_type") {
      own.model_types = as_strings(v);
    }
  }
  // OpenAPI 3.0 spells an exclusive bound as a boolean beside minimum/maximum.
  if (exclusive_min_flag && own.minimum) std::swap(own.exclusive_minimum, own.minimum);
  if (exclusive_max_flag && own.maximum) std::swap(own.exclusive_maximum, own.maximum);
  set_once(c.minimum, own.minimum);
  set_once(c.maximum, own.maximum);
  set_once(c.exclusive_minimum, own.exclusive_minimum);
  set_once(c.exclusive_maximum, own.exclusive_maximum);
  set_once(c.multiple_of, own.multiple_of);
  set_once(c.min_length, own.min_length);
  set_once(c.max_length, own.max_length);
  if (c.model_bases.empty()) c.model_bases = std::move(own.model_bases);
  if (c.model_types.empty()) c.model_types = std::move(own.model_types);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Field classes the GUI gives dedicated widgets; other $ref'd objects are opaque JSON.
std::optional<FieldKind> kind_of_ref(std::string_view name) {
  if (name == "ModelIdentifierField") return FieldKind::model;
  // MainModelField, VAEModelField, ...: model field classes of pre-4.0 servers.
  if (ends_with(name, "ModelField")) return FieldKind::model;
  if (name == "ImageField") return FieldKind::image;
  if (name == "BoardField") return FieldKind::board;
  if (name == "ColorField") return FieldKind::color;
  return std::nullopt;
}

bool is_null_schema(const element& e) {
  object o;
  return !e.get_object().get(o) && string_member(o, "type") == "null";
}

bool is_array_schema(const element& e) {
  object o;
  return !e.get_object().get(o) && string_member(o, "type") == "array";
}

std::string number_text(const element& e) {
  std::string out;
  if (std::int64_t i = 0; !e.get_int64().get(i)) {
    append_json_number(out, i);
  } else if (std::uint64_t u = 0; !e.get_uint64().get(u)) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, u);
    out.append(buf, end);
  } else if (double d = 0; !e.get_double().get(d)) {
    append_json_number(out, d);
    if (out.find_first_of(".eEn") == std::string::npos) out += ".0";  // 'n': "null" for NaN
  }
  return out;
}

// enum: string values -> enumeration; integer values (flux t5_max_seq_len: 256 | 512) stay
// integers and other numbers floats, with their JSON text as the choices; a null value makes
// the field nullable; a mixture of strings and numbers is opaque JSON.
void classify_enum(const array& values, ResolvedField& r) {
  bool strings = false;
  bool integers = false;
  bool floats = false;
  bool others = false;
  for (element v : values) {
    std::string_view s;
    if (!v.get_string().get(s)) {
      strings = true;
      r.constraints.choices.emplace_back(s);
    } else if (v.is_null()) {
      r.nullable = true;
    } else if (v.is_number()) {
      if (v.type() == element_type::DOUBLE)
        floats = true;
      else
        integers = true;
      r.constraints.choices.push_back(number_text(v));
    } else {
      others = true;
    }
  }
  const bool numbers = integers || floats;
  if (strings && !numbers && !others) {
    r.kind = FieldKind::enumeration;
  } else if (numbers && !strings && !others) {
    r.kind = floats ? FieldKind::float_number : FieldKind::integer;
  } else {
    r.kind = FieldKind::json;
  }
  if (r.type_name.empty()) {
    r.type_name = r.kind == FieldKind::enumeration    ? "string"
                  : r.kind == FieldKind::integer      ? "integer"
                  : r.kind == FieldKind::float_number ? "number"
                                                      : "any";
  }
}

void classify(const element& schema, const SchemaIndex& schemas, ResolvedField& r, int depth);

void classify_ref(std::string_view ref, const SchemaIndex& schemas, ResolvedField& r, int depth) {
  const auto slash = ref.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? ref : ref.substr(slash + 1);
  if (r.type_name.empty()) r.type_name = std::string(name);
  if (auto kind = kind_of_ref(name)) {
    r.kind = *kind;
    return;
  }
  r.kind = FieldKind::json;
  // A $ref to an enum schema ({"enum": [...], "type": "string"}) is an enumeration.
  const auto it = schemas.find(name);
  object target;
  if (it == schemas.end() || depth >= kMaxRefDepth || it->second.get_object().get(target)) return;
  if (member(target, "enum") || member(target, "const") || member(target, "$ref"))
    classify(it->second, schemas, r, depth + 1);
}

void classify(const element& schema, const SchemaIndex& schemas, ResolvedField& r, int depth) {
  object o;
  if (schema.get_object().get(o)) return;  // not a schema object: stays json
  if (const auto ref = string_member(o, "$ref"); !ref.empty()) return classify_ref(ref, schemas, r, depth);
  array parts;
  if (auto all_of = member(o, "allOf"); all_of && !all_of->get_array().get(parts) && parts.size() == 1) {
    // pydantic < 2.9 wraps a $ref with a description in a one-element allOf.
    return classify(parts.at(0).value_unsafe(), schemas, r, depth);
  }
  if (auto values = member(o, "enum"); values && !values->get_array().get(parts))
    return classify_enum(parts, r);
  if (auto value = member(o, "const")) {
    std::string_view s;
    if (!value->get_string().get(s)) {  // a one-value Literal, e.g. flux_ip_adapter.clip_vision_model
      r.kind = FieldKind::enumeration;
      r.constraints.choices.emplace_back(s);
      if (r.type_name.empty()) r.type_name = "string";
      return;
    }
  }
  std::string_view type = string_member(o, "type");
  array types;
  if (auto listed = member(o, "type"); type.empty() && listed && !listed->get_array().get(types)) {
    // OpenAPI 3.1 type lists: ["integer", "null"].
    for (element t : types) {
      std::string_view s;
      if (t.get_string().get(s)) continue;
      if (s == "null")
        r.nullable = true;
      else if (type.empty())
        type = s;
    }
  }
  if (type == "integer") {
    r.kind = FieldKind::integer;
  } else if (type == "number") {
    r.kind = FieldKind::float_number;
  } else if (type == "boolean") {
    r.kind = FieldKind::boolean;
  } else if (type == "string") {
    r.kind = FieldKind::string;
  } else if (type == "array") {
    r.kind = FieldKind::collection;
    r.is_collection = true;
    object items;
    if (auto it = member(o, "items"); it && !it->get_object().get(items) && items.size() > 0) {
      ResolvedField item;
      classify(*it, schemas, item, depth);
      r.constraints.item_kind = item.kind;
      if (r.type_name.empty()) r.type_name = item.type_name;
    }
    if (r.type_name.empty()) r.type_name = "any";
    return;
  } else {
    r.kind = FieldKind::json;  // "object", "null" or untyped ({}: Any)
  }
  if (r.type_name.empty()) r.type_name = type.empty() ? "any" : std::string(type);
}

// ui_type hints that change the kind. The 6.x vocabulary is SchedulerField, AnyField,
// CollectionField, CollectionItemField and IsIntermediate; older servers also named model,
// board, image and color fields this way. DEPRECATED_* hints are ignored, as the server does.
void apply_ui_type(std::string_view ui_type, ResolvedField& r) {
  if (ui_type.empty() || ui_type.substr(0, 11) == "DEPRECATED_") return;
  if (ui_type == "SchedulerField") {
    r.kind = FieldKind::enumeration;
  } else if (ui_type == "AnyField" || ui_type == "CollectionItemField") {
    r.kind = FieldKind::json;
  } else if (ui_type == "CollectionField") {
    r.kind = FieldKind::collection;
    r.is_collection = true;
  } else if (ends_with(ui_type, "ModelField")) {
    r.kind = FieldKind::model;
  } else if (ui_type == "BoardField") {
    r.kind = FieldKind::board;
  } else if (ui_type == "ImageField") {
    r.kind = FieldKind::image;
  } else if (ui_type == "ColorField") {
    r.kind = FieldKind::color;
  }
}

void append_compact(std::string& out, const element& e) {
  switch (e.type()) {
    case element_type::ARRAY: {
      out.push_back('[');
      bool first = true;
      array items;
      if (e.get_array().get(items)) return;
      for (element v : items) {
        if (!first) out.push_back(',');
        first = false;
        append_compact(out, v);
      }
      out.push_back(']');
      return;
    }
    case element_type::OBJECT: {
      out.push_back('{');
      bool first = true;
      object fields;
      if (e.get_object().get(fields)) return;
      for (auto field : fields) {
        if (!first) out.push_back(',');
        first = false;
        append_json_string(out, field.key);
        out.push_back(':');
        append_compact(out, field.value);
      }
      out.push_back('}');
      return;
    }
    case element_type::STRING: append_json_string(out, e.get_string().value_unsafe()); return;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: out += number_text(e); return;
    case element_type::BOOL: out += e.get_bool().value_unsafe() ? "true" : "false"; return;
    case element_type::NULL_VALUE: out += "null"; return;
  }
}

}  // namespace

ResolvedField resolve_field(const element& property, const SchemaIndex& schemas) {
  ResolvedField r;
  object prop;
  if (property.get_object().get(prop)) return r;  // not a schema object: opaque JSON
  read_constraints(prop, r.constraints);
  array branches;
  auto any_of = member(prop, "anyOf");
  if (!any_of) any_of = member(prop, "oneOf");
  if (!any_of || any_of->get_array().get(branches)) {
    classify(property, schemas, r, 0);
  } else {
    std::optional<element> first_scalar;
    std::optional<element> first_any;
    bool has_array = false;
    for (element b : branches) {
      if (is_null_schema(b)) {
        r.nullable = true;
        continue;
      }
      if (!first_any) first_any = b;
      if (is_array_schema(b))
        has_array = true;
      else if (!first_scalar)
        first_scalar = b;
    }
    r.also_scalar_or_list = first_scalar && has_array;
    if (const auto chosen = first_scalar ? first_scalar : first_any) {
      if (object branch; !chosen->get_object().get(branch)) read_constraints(branch, r.constraints);
      classify(*chosen, schemas, r, 0);
    } else {
      r.type_name = "null";  // anyOf offers only null
    }
  }
  apply_ui_type(string_member(prop, "ui_type"), r);
  return r;
}

std::string compact_json(const element& value) {
  std::string out;
  append_compact(out, value);
  return out;
}

std::string start_case(std::string_view name) {
  std::string out;
  bool word_start = true;
  for (const char ch : name) {
    if (ch == '_' || ch == '-' || ch == ' ') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
      word_start = true;
      continue;
    }
    const bool lower = ch >= 'a' && ch <= 'z';
    out.push_back(word_start && lower ? static_cast<char>(ch - 'a' + 'A') : ch);
    word_start = false;
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace ivk::detail
