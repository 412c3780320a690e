#include "table.h"

#include <algorithm>

namespace ivk::cli {
namespace {
bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }
}  // namespace

std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return !is_continuation(c); }));
}

std::string truncate_for_display(std::string_view text, std::size_t max_width) {
  std::string clean;
  clean.reserve(text.size());
  for (const char c : text) clean += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  if (display_width(clean) <= max_width) return clean;
  const std::size_t keep = max_width > 3 ? max_width - 3 : 0;
  std::size_t points = 0;
  std::size_t i = 0;
  for (; i < clean.size(); ++i) {
    if (!is_continuation(clean[i])) {
      if (points == keep) break;
      ++points;
    }
  }
  return clean.substr(0, i) + "...";
}

Table::Table(std::vector<std::string> headers)
    : headers_(std::move(headers)), right_(headers_.size(), false) {}

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

void Table::align_right(std::size_t column) {
  if (column < right_.size()) right_[column] = true;
}

void Table::print(std::ostream& out, bool with_header) const {
  std::vector<std::size_t> widths(headers_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], display_width(row[c]));
  };
  if (with_header) measure(headers_);
  for (const auto& row : rows_) measure(row);

  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      const std::size_t pad = widths[c] - display_width(row[c]);
      if (c > 0) line += "  ";
      if (right_[c]) line.append(pad, ' ');
      line += row[c];
      if (!right_[c]) line.append(pad, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };
  if (with_header) print_row(headers_);
  for (const auto& row : rows_) print_row(row);
}

}  // namespace ivk::cli
