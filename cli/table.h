#pragma once
// Plain-text tables for people: a header row, columns padded to their widest cell (counted in
// UTF-8 code points), two spaces between columns, no trailing spaces.
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace ivk::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  void add_row(std::vector<std::string> cells);
  // Right-aligns a column (numbers).
  void align_right(std::size_t column);
  void print(std::ostream& out, bool with_header = true) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<bool> right_;
};

// Number of UTF-8 code points in text.
std::size_t display_width(std::string_view text);

// text cut to at most max_width code points, ending in "..." when cut; control characters
// (newlines, tabs) become spaces so a cell stays on one line.
std::string truncate_for_display(std::string_view text, std::size_t max_width);

}  // namespace ivk::cli
