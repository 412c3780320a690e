#pragma once
// Small readers over simdjson DOM values for everything read from a server (records, API answers,
// events): absent, null and wrongly typed members read as "nothing", because server answers are
// read loosely (optional fields may be absent or null, and newer servers add fields).
#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"

namespace ivk {

namespace dom = simdjson::dom;

// The string member `key`, or "" when absent, null or not a string.
inline std::string string_member(dom::object o, std::string_view key) {
  std::string_view s;
  if (o.at_key(key).get_string().get(s) != simdjson::SUCCESS) return {};
  return std::string(s);
}

// An integer member (also from an unsigned or a whole double), or nullopt.
inline std::optional<std::int64_t> int_member(dom::object o, std::string_view key) {
  dom::element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return std::nullopt;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double d = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS) return i;
  if (e.get_uint64().get(u) == simdjson::SUCCESS) return static_cast<std::int64_t>(u);
  if (e.get_double().get(d) == simdjson::SUCCESS) return static_cast<std::int64_t>(d);
  return std::nullopt;
}

// A number member (integer or not), or nullopt.
inline std::optional<double> double_member(dom::object o, std::string_view key) {
  double d = 0;
  if (o.at_key(key).get_double().get(d) != simdjson::SUCCESS) return std::nullopt;
  return d;
}

inline bool bool_member(dom::object o, std::string_view key, bool fallback = false) {
  bool b = false;
  if (o.at_key(key).get_bool().get(b) != simdjson::SUCCESS) return fallback;
  return b;
}

// Parses text into parser's document; the error names `what` ("install job is not JSON: ...").
Result<dom::element> parse_json(dom::parser& parser, std::string_view text, std::string_view what);

// A string member, or nullopt when absent, null or not a string.
inline std::optional<std::string> optional_string_member(dom::object o, std::string_view key) {
  std::string_view s;
  if (o.at_key(key).get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
  return std::string(s);
}

inline std::optional<bool> optional_bool_member(dom::object o, std::string_view key) {
  bool b = false;
  if (o.at_key(key).get_bool().get(b) != simdjson::SUCCESS) return std::nullopt;
  return b;
}

// Any member minified, or `absent` ("null" by default) when it is missing.
inline std::string raw_member(dom::object o, std::string_view key, std::string_view absent = "null") {
  dom::element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return std::string(absent);
  return simdjson::minify(e);
}

// The strings of an array (non-strings skipped); empty when the value is not an array.
inline std::vector<std::string> string_array(dom::element e) {
  std::vector<std::string> out;
  dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) return out;
  for (dom::element item : a) {
    std::string_view s;
    if (item.get_string().get(s) == simdjson::SUCCESS) out.emplace_back(s);
  }
  return out;
}

inline std::vector<std::string> string_array_member(dom::object o, std::string_view key) {
  dom::element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return {};
  return string_array(e);
}

// The integers of an array member; nullopt when the member is not an array or holds a non-integer.
inline std::optional<std::vector<std::int64_t>> int_array(dom::element e) {
  dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) return std::nullopt;
  std::vector<std::int64_t> out;
  for (dom::element item : a) {
    std::int64_t i = 0;
    if (item.get_int64().get(i) != simdjson::SUCCESS) return std::nullopt;
    out.push_back(i);
  }
  return out;
}

// The document's top-level object, or a parse_error naming `what`.
Result<dom::object> parse_object(dom::parser& parser, std::string_view text, std::string_view what);

// The document's top-level array, or a parse_error naming `what`.
Result<dom::array> parse_array(dom::parser& parser, std::string_view text, std::string_view what);

// An integer count member that must be there ({"deleted": N}), or a parse_error.
Result<std::int64_t> parse_count(std::string_view text, std::string_view key, std::string_view what);

}  // namespace ivk
