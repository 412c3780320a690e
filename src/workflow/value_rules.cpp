// Validation of input values: one function per kind, each error naming the input and the rule.
#include "workflow/value_rules.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "core/ascii_case.h"
#include "core/json_write.h"
#include "ivk/json_text.h"

namespace ivk::detail {
namespace dom = simdjson::dom;

namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string format_number(double v) {
  std::string out;
  append_json_number(out, v);
  return out;
}

tl::unexpected<Error> invalid(const WorkflowInput& input, const std::string& rule) {
  return fail(ErrorCode::invalid_argument, describe_input(input) + ": " + rule, input.jsonpath());
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

std::string_view type_name(dom::element_type t) {
  switch (t) {
    case dom::element_type::ARRAY: return "an array";
    case dom::element_type::OBJECT: return "an object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64: return "an integer";
    case dom::element_type::DOUBLE: return "a number";
    case dom::element_type::STRING: return "a string";
    case dom::element_type::BOOL: return "a boolean";
    case dom::element_type::NULL_VALUE: return "null";
  }
  return "a value";
}

Result<void> check_range(const WorkflowInput& input, double v) {
  const auto& c = input.constraints;
  if (c.minimum && v < *c.minimum)
    return invalid(input, "must be >= " + format_number(*c.minimum) + ", got " + format_number(v));
  if (c.maximum && v > *c.maximum)
    return invalid(input, "must be <= " + format_number(*c.maximum) + ", got " + format_number(v));
  if (c.exclusive_minimum && v <= *c.exclusive_minimum)
    return invalid(input, "must be > " + format_number(*c.exclusive_minimum) + ", got " + format_number(v));
  if (c.exclusive_maximum && v >= *c.exclusive_maximum)
    return invalid(input, "must be < " + format_number(*c.exclusive_maximum) + ", got " + format_number(v));
  if (c.multiple_of && *c.multiple_of > 0) {
    const double q = v / *c.multiple_of;
    if (std::fabs(q - std::round(q)) > 1e-9)
      return invalid(input,
                     "must be a multiple of " + format_number(*c.multiple_of) + ", got " + format_number(v));
  }
  return {};
}

Result<void> check_length(const WorkflowInput& input, std::size_t n, std::string_view unit) {
  const auto& c = input.constraints;
  if (c.min_length && n < *c.min_length)
    return invalid(input, "must have at least " + std::to_string(*c.min_length) + " " + std::string(unit) +
                              ", got " + std::to_string(n));
  if (c.max_length && n > *c.max_length)
    return invalid(input, "must have at most " + std::to_string(*c.max_length) + " " + std::string(unit) +
                              ", got " + std::to_string(n));
  return {};
}

bool contains(const std::vector<std::string>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

std::string join(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : ", ") + s;
  return out;
}

Result<void> check_model(const WorkflowInput& input, dom::element v) {
  dom::object o;
  if (v.get_object().get(o))
    return invalid(input, "expects a model identifier object {key, hash, name, base, type}");
  for (const char* k : {"key", "hash", "name", "base", "type"}) {
    std::string_view s;
    if (o.at_key(k).get_string().get(s))
      return invalid(input, std::string("model identifier needs a string \"") + k + "\"");
  }
  dom::element sub;
  if (!o.at_key("submodel_type").get(sub) && !sub.is_null() && !sub.is_string())
    return invalid(input, "model identifier \"submodel_type\" must be a string or null");
  const std::string_view base = o.at_key("base").get_string().value_unsafe();
  const std::string_view type = o.at_key("type").get_string().value_unsafe();
  const auto& c = input.constraints;
  if (!c.model_bases.empty() && !contains(c.model_bases, base) && base != "any")
    return invalid(
        input, "accepts models of base " + join(c.model_bases) + ", got base '" + std::string(base) + "'");
  if (!c.model_types.empty() && !contains(c.model_types, type))
    return invalid(
        input, "accepts models of type " + join(c.model_types) + ", got type '" + std::string(type) + "'");
  return {};
}

Result<void> check_item(const WorkflowInput& input, FieldKind kind, dom::element item, std::size_t i) {
  const std::string where = "item " + std::to_string(i);
  switch (kind) {
    case FieldKind::integer:
      if (!item.is_int64() && !item.is_uint64()) return invalid(input, where + " must be an integer");
      break;
    case FieldKind::float_number:
      if (!item.is_number()) return invalid(input, where + " must be a number");
      break;
    case FieldKind::string:
    case FieldKind::enumeration:
      if (!item.is_string()) return invalid(input, where + " must be a string");
      break;
    case FieldKind::boolean:
      if (!item.is_bool()) return invalid(input, where + " must be a boolean");
      break;
    case FieldKind::image:
      if (item.at_key("image_name").is_string() == false)
        return invalid(input, where + " must be {\"image_name\": ...}");
      break;
    default: break;
  }
  return {};
}

}  // namespace

// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    return i - start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (digits() == 0) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

std::string describe_input(const WorkflowInput& input) {
  std::string out = "input " + std::to_string(input.index);
  if (!input.title.empty()) out += " '" + input.title + "'";
  out += " (" + input.node_id + "." + input.field_name + ")";
  return out;
}

Result<std::string> check_value(const WorkflowInput& input, std::string_view json_value) {
  thread_local dom::parser parser;
  dom::element v;
  if (parser.parse(json_value.data(), json_value.size()).get(v))
    return invalid(input, "value is not valid JSON: " + std::string(json_value));
  std::string compact = minify_json(json_value);
  if (v.is_null()) {
    if (input.required) return invalid(input, "is required and cannot be null");
    return compact;
  }
  const auto t = v.type();
  auto expect = [&](std::string_view what) {
    return invalid(input, "expects " + std::string(what) + ", got " + std::string(type_name(t)));
  };
  switch (input.kind) {
    case FieldKind::integer: {
      if (t == dom::element_type::INT64) {
        if (auto r = check_range(input, static_cast<double>(v.get_int64().value_unsafe())); !r)
          return tl::unexpected(r.error());
        return compact;
      }
      if (t == dom::element_type::UINT64) {
        if (auto r = check_range(input, static_cast<double>(v.get_uint64().value_unsafe())); !r)
          return tl::unexpected(r.error());
        return compact;
      }
      return expect("an integer");
    }
    case FieldKind::float_number: {
      if (!v.is_number()) return expect("a number");
      double d = 0;
      if (t == dom::element_type::DOUBLE)
        d = v.get_double().value_unsafe();
      else if (t == dom::element_type::INT64)
        d = static_cast<double>(v.get_int64().value_unsafe());
      else
        d = static_cast<double>(v.get_uint64().value_unsafe());
      if (auto r = check_range(input, d); !r) return tl::unexpected(r.error());
      return compact;
    }
    case FieldKind::boolean:
      if (!v.is_bool()) return expect("true or false");
      return compact;
    case FieldKind::string: {
      if (!v.is_string()) return expect("a string");
      if (auto r = check_length(input, utf8_length(v.get_string().value_unsafe()), "characters"); !r)
        return tl::unexpected(r.error());
      return compact;
    }
    case FieldKind::enumeration: {
      if (!v.is_string()) return expect("a string");
      const std::string_view s = v.get_string().value_unsafe();
      if (!input.constraints.choices.empty() && !contains(input.constraints.choices, s))
        return invalid(
            input, "must be one of " + join(input.constraints.choices) + "; got '" + std::string(s) + "'");
      return compact;
    }
    case FieldKind::model:
      if (auto r = check_model(input, v); !r) return tl::unexpected(r.error());
      return compact;
    case FieldKind::board: {
      if (v.is_string()) {
        const std::string_view s = v.get_string().value_unsafe();
        if (s != "auto" && s != "none")
          return invalid(
              input, "a board is \"auto\", \"none\" or {\"board_id\": ...}; got '" + std::string(s) + "'");
        return compact;
      }
      std::string_view id;
      if (v.at_key("board_id").get_string().get(id))
        return invalid(input, "a board is \"auto\", \"none\" or {\"board_id\": \"...\"}");
      return compact;
    }
    case FieldKind::image: {
      std::string_view name;
      if (v.at_key("image_name").get_string().get(name) || name.empty())
        return invalid(input, "an image is {\"image_name\": \"<name on the server>\"}");
      return compact;
    }
    case FieldKind::color: {
      dom::object o;
      if (v.get_object().get(o)) return expect("a color {r, g, b, a}");
      for (const char* k : {"r", "g", "b", "a"}) {
        int64_t c = 0;
        dom::element ce;
        if (o.at_key(k).get(ce)) {
          if (std::string_view(k) == "a") continue;
          return invalid(input, std::string("color needs \"") + k + "\"");
        }
        if (ce.get_int64().get(c) || c < 0 || c > 255)
          return invalid(input, std::string("color component \"") + k + "\" must be an integer 0..255");
      }
      return compact;
    }
    case FieldKind::collection: {
      dom::array a;
      if (v.get_array().get(a)) return expect("an array");
      if (auto r = check_length(input, a.size(), "items"); !r) return tl::unexpected(r.error());
      if (input.constraints.item_kind) {
        std::size_t i = 0;
        for (dom::element item : a)
          if (auto r = check_item(input, *input.constraints.item_kind, item, i++); !r)
            return tl::unexpected(r.error());
      }
      return compact;
    }
    case FieldKind::json: return compact;
  }
  return compact;
}

Result<std::string> value_from_text(const WorkflowInput& input, std::string_view raw) {
  const std::string text = trim(raw);
  auto looks_json = [&] {
    return !text.empty() && (text.front() == '{' || text.front() == '[' || text == "null");
  };
  switch (input.kind) {
    case FieldKind::string:
    case FieldKind::enumeration: return json_string(raw);  // strings are taken verbatim, spaces included
    case FieldKind::integer: {
      std::int64_t n = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || p != text.data() + text.size() || text.empty())
        return invalid(input, "expects an integer, got '" + std::string(raw) + "'");
      return std::to_string(n);
    }
    case FieldKind::float_number: {
      double d = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec != std::errc() || p != text.data() + text.size() || text.empty() || !std::isfinite(d))
        return invalid(input, "expects a number, got '" + std::string(raw) + "'");
      // Keep the user's spelling ("1" stays an integral float, as the GUI sends it) when it is a
      // JSON number; from_chars also takes ".5", "1." and "00.5", which JSON does not.
      if (is_json_number(text)) return text;
      std::string canonical;
      append_json_number(canonical, d);
      return canonical;
    }
    case FieldKind::boolean: {
      const std::string l = detail::ascii_lower(text);
      if (l == "true" || l == "yes" || l == "on" || l == "1") return std::string("true");
      if (l == "false" || l == "no" || l == "off" || l == "0") return std::string("false");
      return invalid(input, "expects true or false, got '" + std::string(raw) + "'");
    }
    case FieldKind::board:
      if (looks_json()) return text;
      if (text == "auto" || text == "none") return json_string(text);
      if (text.empty()) return invalid(input, "expects a board id, \"auto\" or \"none\"");
      return "{\"board_id\":" + json_string(text) + "}";
    case FieldKind::image:
      if (looks_json()) return text;
      if (text.empty()) return invalid(input, "expects an image name");
      return "{\"image_name\":" + json_string(text) + "}";
    case FieldKind::color: {
      if (looks_json()) return text;
      std::string_view hex = text;
      if (!hex.empty() && hex.front() == '#') hex.remove_prefix(1);
      if (hex.size() != 6 && hex.size() != 8)
        return invalid(input, "expects a color as #RRGGBB, #RRGGBBAA or {\"r\",\"g\",\"b\",\"a\"}, got '" +
                                  std::string(raw) + "'");
      int comps[4] = {0, 0, 0, 255};
      for (std::size_t i = 0; i < hex.size() / 2; ++i) {
        auto [p, ec] = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, comps[i], 16);
        if (ec != std::errc() || p != hex.data() + 2 * i + 2)
          return invalid(input, "expects a color as #RRGGBB or #RRGGBBAA, got '" + std::string(raw) + "'");
      }
      return "{\"r\":" + std::to_string(comps[0]) + ",\"g\":" + std::to_string(comps[1]) +
             ",\"b\":" + std::to_string(comps[2]) + ",\"a\":" + std::to_string(comps[3]) + "}";
    }
    case FieldKind::model:
      if (looks_json()) return text;
      return invalid(input,
                     "expects a model identifier as JSON {\"key\",\"hash\",\"name\",\"base\",\"type\"}; "
                     "to pick a model by name or key, resolve it against a server (ivk models)");
    case FieldKind::collection:
      if (looks_json()) return text;
      return invalid(input, "expects a JSON array, e.g. [1,2,3]; got '" + std::string(raw) + "'");
    case FieldKind::json: return text;
  }
  return text;
}

}  // namespace ivk::detail
