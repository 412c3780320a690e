#include "client/run_plan_csv.h"

namespace ivk::detail {

namespace {

tl::unexpected<Error> csv_error(std::uint64_t line, std::size_t column, std::string message) {
  return fail(ErrorCode::parse_error, std::move(message),
              "line " + std::to_string(line) + ", column " + std::to_string(column));
}

std::string shown(int c) {
  if (c >= 0x20 && c < 0x7F) return "'" + std::string(1, static_cast<char>(c)) + "'";
  return "byte " + std::to_string(c);
}

}  // namespace

Result<bool> read_csv_record(ByteSource& in, std::uint64_t& line, std::vector<CsvCell>& cells) {
  cells.clear();
  int c = in.get();
  if (c < 0) return false;
  while (true) {
    CsvCell& cell = cells.emplace_back();
    const std::size_t column = cells.size();
    cell.line = line;
    if (c == '"') {
      cell.quoted = true;
      const std::uint64_t opened_on = line;
      while (true) {
        c = in.get();
        if (c < 0)
          return csv_error(opened_on, column,
                           "a quoted cell is not closed: expected a '\"' before the end of the file");
        if (c == '"') {
          if (in.peek() != '"') break;
          in.get();
        } else if (c == '\n') {
          ++line;
        }
        cell.text += static_cast<char>(c);
      }
      c = in.get();
      if (c != ',' && c != '\n' && c != '\r' && c >= 0)
        return csv_error(line, column,
                         "expected ',' or the end of the line after a quoted cell, got " + shown(c));
    } else {
      while (c != ',' && c != '\n' && c != '\r' && c >= 0) {
        if (c == '"')
          return csv_error(line, column,
                           "a '\"' inside an unquoted cell: quote the whole cell and double the quotes "
                           "inside it (\"a \"\"b\"\" c\")");
        cell.text += static_cast<char>(c);
        c = in.get();
      }
    }
    if (c == ',') {
      c = in.get();
      continue;
    }
    if (c == '\r' && in.peek() == '\n') in.get();
    if (c >= 0) ++line;
    return true;
  }
}

}  // namespace ivk::detail
