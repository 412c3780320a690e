#pragma once
// Compact JSON text output shared by every builder. Numbers use the shortest text that reads
// back to the same double (std::to_chars), so 0.7 is written "0.7", never "7E-1".

#include <cstdint>
#include <string>
#include <string_view>

namespace ivk::detail {

// Appends s as a JSON string literal (quotes included), escaping as JSON requires.
void append_json_string(std::string& out, std::string_view s);
std::string json_string(std::string_view s);
void append_json_number(std::string& out, double value);
void append_json_number(std::string& out, std::int64_t value);

// A tiny streaming writer for compact JSON: commas are placed automatically.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& string(std::string_view s);
  JsonWriter& number(double v);
  JsonWriter& integer(std::int64_t v);
  JsonWriter& boolean(bool v);
  JsonWriter& null();
  JsonWriter& raw(std::string_view json);  // an already-encoded JSON value

 private:
  void separate();
  std::string& out_;
  bool need_comma_ = false;
};

}  // namespace ivk::detail
