#include "queue/node_schema_checks.h"

#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ivk::emu {
namespace {

// Attributes every invocation has besides its declared inputs (BaseInvocation's own fields).
bool is_node_attribute(std::string_view name) {
  return name == "id" || name == "type" || name == "is_intermediate" || name == "use_cache";
}

// pydantic prints a constraint as Python would: 8, not 8.0; 0.5 as 0.5.
Json number_json(double d) {
  if (std::floor(d) == d && std::fabs(d) < 9e15) return Json(static_cast<std::int64_t>(d));
  return Json(d);
}

std::string number_text(double d) {
  const Json j = number_json(d);
  return j.is_number_integer() ? std::to_string(j.get<std::int64_t>()) : j.dump();
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += "'" + items[i] + "'";
  }
  return out;
}

// "'a', 'b' or 'c'", as pydantic lists the members of a Literal.
std::string expected_choices(const std::vector<std::string>& choices) {
  std::string out;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) out += (i + 1 == choices.size()) ? " or " : ", ";
    out += "'" + choices[i] + "'";
  }
  return out;
}

// The number a value reads as in pydantic's lax mode (a JSON number, or a string holding one).
std::optional<double> lax_number(const Json& value) {
  if (value.is_number()) return value.get<double>();
  if (!value.is_string()) return std::nullopt;
  const std::string& s = value.get_ref<const std::string&>();
  if (s.empty()) return std::nullopt;
  std::size_t used = 0;
  try {
    const double d = std::stod(s, &used);
    if (used == s.size()) return d;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// The bound checks shared by integers and numbers; at most one problem per value, the first in
// pydantic's order (multiple_of, then the bounds).
void check_bounds(double d, const FieldConstraints& c, const Json& loc, const Json& input, Validation& v) {
  if (c.multiple_of && *c.multiple_of != 0 && std::fmod(d, *c.multiple_of) != 0) {
    v.add(validation_item("multiple_of", loc, "Input should be a multiple of " + number_text(*c.multiple_of),
                          input, Json{{"multiple_of", number_json(*c.multiple_of)}}));
  } else if (c.minimum && d < *c.minimum) {
    v.add(validation_item("greater_than_equal", loc,
                          "Input should be greater than or equal to " + number_text(*c.minimum), input,
                          Json{{"ge", number_json(*c.minimum)}}));
  } else if (c.exclusive_minimum && d <= *c.exclusive_minimum) {
    v.add(validation_item("greater_than", loc,
                          "Input should be greater than " + number_text(*c.exclusive_minimum), input,
                          Json{{"gt", number_json(*c.exclusive_minimum)}}));
  } else if (c.maximum && d > *c.maximum) {
    v.add(validation_item("less_than_equal", loc,
                          "Input should be less than or equal to " + number_text(*c.maximum), input,
                          Json{{"le", number_json(*c.maximum)}}));
  } else if (c.exclusive_maximum && d >= *c.exclusive_maximum) {
    v.add(validation_item("less_than", loc, "Input should be less than " + number_text(*c.exclusive_maximum),
                          input, Json{{"lt", number_json(*c.exclusive_maximum)}}));
  }
}

// One field value against its template; returns false when it added a problem.
bool check_value(const InputTemplate& in, const Json& value, const Json& loc, Validation& v) {
  if (value.is_null()) return true;  // every input is Optional at the pydantic level
  const std::size_t before = v.size();
  const FieldConstraints& c = in.constraints;
  switch (in.kind) {
    case FieldKind::integer: {
      const auto d = lax_number(value);
      if (!d) {
        v.add(value.is_string() ? int_parsing_item(loc, value) : int_type_item(loc, value));
      } else if (std::floor(*d) != *d) {
        v.add(validation_item("int_from_float", loc,
                              "Input should be a valid integer, got a number with a fractional part", value));
      } else {
        check_bounds(*d, c, loc, value, v);
      }
      break;
    }
    case FieldKind::float_number: {
      const auto d = lax_number(value);
      if (!d)
        v.add(value.is_string()
                  ? float_parsing_item(loc, value)
                  : validation_item("float_type", loc, "Input should be a valid number", value));
      else
        check_bounds(*d, c, loc, value, v);
      break;
    }
    case FieldKind::boolean:
      if (value.is_string())
        v.add(bool_parsing_item(loc, value));
      else if (!value.is_boolean() && !(value.is_number_integer() && (value == 0 || value == 1)))
        v.add(bool_type_item(loc, value));
      break;
    case FieldKind::string:
      if (!value.is_string()) {
        v.add(string_type_item(loc, value));
      } else {
        const std::size_t n = value.get_ref<const std::string&>().size();
        if (c.min_length && n < *c.min_length)
          v.add(validation_item("string_too_short", loc,
                                "String should have at least " + std::to_string(*c.min_length) +
                                    " character" + (*c.min_length == 1 ? "" : "s"),
                                value, Json{{"min_length", *c.min_length}}));
        else if (c.max_length && n > *c.max_length)
          v.add(validation_item("string_too_long", loc,
                                "String should have at most " + std::to_string(*c.max_length) + " character" +
                                    (*c.max_length == 1 ? "" : "s"),
                                value, Json{{"max_length", *c.max_length}}));
      }
      break;
    case FieldKind::enumeration:
      if (!c.choices.empty()) {
        bool found = false;
        if (value.is_string())
          for (const auto& choice : c.choices) found = found || value.get_ref<const std::string&>() == choice;
        if (!found) {
          const std::string expected = expected_choices(c.choices);
          v.add(validation_item("literal_error", loc, "Input should be " + expected, value,
                                Json{{"expected", expected}}));
        }
      }
      break;
    default: break;  // structured values (models, images, boards, collections): not checked here
  }
  return v.size() == before;
}

}  // namespace

bool check_node_against_schema(const std::string& key, const Json& node, const NodeTemplates& templates,
                               Validation& v) {
  const std::string type = node["type"].get<std::string>();
  const NodeTemplate* tmpl = templates.find(type);
  const Json node_loc = Json::array({"body", "batch", "graph", "nodes", key});
  if (tmpl == nullptr) {
    const std::string expected = quoted_list(templates.types());
    v.add(validation_item(
        "union_tag_invalid", node_loc,
        "Input tag '" + type + "' found using 'type' does not match any of the expected tags: " + expected,
        node, Json{{"discriminator", "'type'"}, {"tag", type}, {"expected_tags", expected}}));
    return false;
  }
  bool ok = true;
  for (const auto& [field, value] : node.items()) {
    if (is_node_attribute(field)) continue;
    const InputTemplate* in = tmpl->input(field);
    if (in == nullptr) continue;  // unknown extra keys are ignored, as pydantic does
    Json loc = node_loc;
    loc.push_back(type);
    loc.push_back(field);
    ok = check_value(*in, value, loc, v) && ok;
  }
  return ok;
}

std::optional<std::string> edge_field_problem(const Json& edge, const Json& nodes,
                                              const NodeTemplates& templates) {
  const std::string src = edge["source"]["node_id"].get<std::string>();
  const std::string src_field = edge["source"]["field"].get<std::string>();
  if (const NodeTemplate* t = templates.find(nodes[src]["type"].get<std::string>());
      t != nullptr && src_field != "type" && t->output(src_field) == nullptr)
    return "Edge source field " + src_field + " does not exist in node " + src;
  const std::string dst = edge["destination"]["node_id"].get<std::string>();
  const std::string dst_field = edge["destination"]["field"].get<std::string>();
  if (!node_has_field(nodes[dst], dst_field, templates))
    return "Edge destination field " + dst_field + " does not exist in node " + dst;
  return std::nullopt;
}

bool node_has_field(const Json& node, const std::string& field, const NodeTemplates& templates) {
  const NodeTemplate* t = templates.find(node["type"].get<std::string>());
  return t == nullptr || is_node_attribute(field) || t->accepts_extra_inputs || t->input(field) != nullptr;
}

}  // namespace ivk::emu
