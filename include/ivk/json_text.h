#pragma once
// JSON text helpers for programs using ivk. The library hands out JSON as text (graphs, enqueue
// bodies, workflows); these build small documents, re-indent text for people and pick values out
// of it without re-formatting numbers (a parse + serialize round trip could turn 0.7 into 7E-1).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"

namespace ivk {

// A JSON string literal, quotes included. UTF-8 passes through; control characters are escaped.
std::string json_quote(std::string_view text);

// A JSON array of string literals: ["a","b"].
std::string json_string_array(const std::vector<std::string>& items);

// The shortest text that reads back as the same double; "null" for NaN and infinities.
std::string json_number(double value);

// Appends JSON values to a string, inserting commas; the caller nests begin/end correctly.
class JsonBuilder {
 public:
  JsonBuilder& begin_object();
  JsonBuilder& end_object();
  JsonBuilder& begin_array();
  JsonBuilder& end_array();
  JsonBuilder& key(std::string_view name);
  JsonBuilder& string(std::string_view value);
  JsonBuilder& number(double value);
  JsonBuilder& integer(std::int64_t value);
  JsonBuilder& boolean(bool value);
  JsonBuilder& null();
  JsonBuilder& raw(std::string_view json);  // already-encoded JSON
  JsonBuilder& optional_string(const std::optional<std::string>& value);

  [[nodiscard]] const std::string& str() const noexcept { return out_; }

 private:
  void before_value();
  std::string out_;
  std::vector<bool> has_items_;  // per open container
  bool after_key_ = false;
};

// Re-indents JSON text (2 spaces, "key": value, empty containers as {} and []); scalars are
// copied byte for byte. Malformed input is indented as far as it goes, never rejected.
std::string pretty_json(std::string_view json);

// Drops whitespace outside strings.
std::string minify_json(std::string_view json);

// The end of the JSON value that starts at or after pos (leading whitespace skipped), or
// std::string_view::npos when the text is cut off or a container is not closed properly.
// Structural only: scalars are not checked.
std::size_t skip_json_value(std::string_view text, std::size_t pos);

// The items of a JSON array, each minified. Error (invalid_argument) if text is not an array.
Result<std::vector<std::string>> split_json_array(std::string_view text);

// The raw text of a top-level member of a JSON object, or nullopt.
std::optional<std::string_view> json_member(std::string_view object_json, std::string_view key);

// The contents of a JSON string literal with escapes decoded, or nullopt if it is not a string.
std::optional<std::string> json_unquote(std::string_view literal);

}  // namespace ivk
