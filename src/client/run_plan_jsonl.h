#pragma once
// JSON Lines: one JSON object a line. The object is split here, with the byte column of every key
// and value, so an error can point at the exact place; values are checked by the caller.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/run_plan_file.h"
#include "ivk/error.h"

namespace ivk::detail {

struct JsonlMember {
  std::string key;             // unescaped
  std::string_view value;      // the value's raw text inside the line
  std::size_t key_column = 0;  // 1-based byte columns
  std::size_t value_column = 0;
};

// Reads the next line into `line`, without its "\n" and a trailing "\r"; false when no bytes are left.
bool read_jsonl_line(ByteSource& in, std::string& line);

// True when the line holds only spaces and tabs (JSON Lines readers skip it).
bool is_blank_line(std::string_view line);

// Splits a line holding one JSON object into its members. Values are only delimited (strings and
// brackets matched), not validated. parse_error with where "line L, column C" otherwise.
Status split_jsonl_object(std::string_view line, std::uint64_t line_number, std::vector<JsonlMember>& out);

}  // namespace ivk::detail
