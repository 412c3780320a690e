#pragma once
// RFC 4180 records: cells separated by commas, records by CRLF or LF (a lone CR too), quoted cells
// that may hold commas, line breaks and doubled quotes, and a last record without a line break.
#include <cstdint>
#include <string>
#include <vector>

#include "client/run_plan_file.h"
#include "ivk/error.h"

namespace ivk::detail {

struct CsvCell {
  std::string text;
  bool quoted = false;     // "" is an empty string, while an empty unquoted cell means "no value"
  std::uint64_t line = 0;  // the physical line the cell starts on
};

// Reads the record at the source's position into cells; false when no bytes are left.
// line: the physical line the record starts on; on return, the line after it.
// Errors are parse_error with where "line L, column C", C being the cell's 1-based position.
Result<bool> read_csv_record(ByteSource& in, std::uint64_t& line, std::vector<CsvCell>& cells);

// A record that is one empty unquoted cell: a blank line.
inline bool is_blank_record(const std::vector<CsvCell>& cells) {
  return cells.size() == 1 && !cells.front().quoted && cells.front().text.empty();
}

}  // namespace ivk::detail
