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

}  // namespace ivk::detail
