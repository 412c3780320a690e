#pragma once
// Small readers over simdjson DOM values for the API classes: absent, null and wrongly typed
// members read as "nothing", because server answers are read loosely (spec §0: optional fields may
// be absent or null, and newer servers add fields).
#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ivk/error.h"

namespace ivk::api {

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

inline bool bool_member(dom::object o, std::string_view key, bool fallback = false) {
  bool b = false;
  if (o.at_key(key).get_bool().get(b) != simdjson::SUCCESS) return fallback;
  return b;
}

// Parses text into parser's document; the error names `what` ("install job is not JSON: ...").
inline Result<dom::element> parse_json(dom::parser& parser, std::string_view text, std::string_view what) {
  dom::element doc;
  if (auto err = parser.parse(text.data(), text.size()).get(doc); err != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, std::string(what) + " is not JSON: " + simdjson::error_message(err),
                "$");
  return doc;
}

}  // namespace ivk::api
