// The inputs file of a RunPlan: one pass over the whole file when the plan is made (every row
// validated, each row's offset recorded), then one row at a time, by offset, for item().
#include <algorithm>

#include "client/run_plan_csv.h"
#include "client/run_plan_impl.h"
#include "client/run_plan_jsonl.h"
#include "workflow/value_rules.h"

namespace ivk {

using detail::PlanFileFormat;

namespace {

std::string location(std::uint64_t line, std::size_t column) {
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// Puts the file and place into an error from a reader or a value check.
tl::unexpected<Error> at(Error e, const std::string& file, std::string where) {
  e.source = file;
  if (!where.empty()) e.where = std::move(where);
  return tl::unexpected(std::move(e));
}

tl::unexpected<Error> no_items(const std::string& file, const std::string& why) {
  return tl::unexpected(make_error(ErrorCode::invalid_argument, "no items: " + why, {}, file));
}

std::string cells_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " cell" : " cells"); }

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// A CSV cell as compact JSON: an empty unquoted cell keeps the workflow's value; anything else is
// read like `ivk run -s` text ("" quoted is the empty string).
Result<std::string> csv_value(const WorkflowInput& input, const detail::CsvCell& cell,
                              const std::string& fallback) {
  if (!cell.quoted && cell.text.empty()) return fallback;
  auto json = detail::value_from_text(input, cell.text);
  if (!json) return json;
  return detail::check_value(input, *json);
}

std::string current_value(const WorkflowInput& input) { return input.value_json.value_or("null"); }

// The file changed under a running plan: its rows no longer read as they did.
tl::unexpected<Error> changed(const std::string& file, std::uint64_t row, const std::string& why) {
  return tl::unexpected(make_error(ErrorCode::io,
                                   "row " + std::to_string(row) +
                                       " no longer reads as it did when the plan was made (was the file " +
                                       "changed?): " + why,
                                   {}, file));
}

}  // namespace

Status detail::RunPlanState::add_file_field(const Workflow& workflow, const std::string& ref,
                                            std::string origin) {
  auto input = add_field(workflow, ref, std::move(origin));
  if (!input) return tl::unexpected(input.error());
  file_inputs.push_back(**input);
  file_defaults.push_back(current_value(**input));
  return {};
}

Result<std::uint64_t> detail::RunPlanState::read_csv_rows(const Workflow& workflow, detail::ByteSource& in) {
  const std::string& name = file->name();
  std::uint64_t end_of_rows = 0;
  std::uint64_t line = 1;
  std::vector<detail::CsvCell> cells;
  auto record = detail::read_csv_record(in, line, cells);
  if (in.error()) return tl::unexpected(*in.error());
  if (!record) return at(record.error(), name, {});
  if (!*record || detail::is_blank_record(cells))
    return no_items(name,
                    "the file has no header; expected a header row of input references, then "
                    "one row an item");
  for (std::size_t c = 0; c < cells.size(); ++c) {
    const std::string ref = trim(cells[c].text);
    if (ref.empty())
      return at(make_error(ErrorCode::invalid_argument,
                           "column " + std::to_string(c + 1) +
                               " has an empty header; expected an input reference (a label, an index "
                               "or node_id.field_name)"),
                name, location(1, c + 1));
    if (auto added = add_file_field(workflow, ref, "column " + std::to_string(c + 1) + " '" + ref + "'");
        !added)
      return at(added.error(), name, location(1, c + 1));
  }
  const std::size_t columns = cells.size();
  std::vector<std::pair<std::uint64_t, std::uint64_t>> blanks;  // (offset, line) of pending blank lines
  while (true) {
    const std::uint64_t offset = in.offset();
    const std::uint64_t first_line = line;
    record = detail::read_csv_record(in, line, cells);
    if (in.error()) return tl::unexpected(*in.error());
    if (!record) return at(record.error(), name, {});
    if (!*record) break;
    // Blank lines at the end are ignored; inside the rows they are rows of one empty cell.
    if (detail::is_blank_record(cells)) {
      blanks.emplace_back(offset, first_line);
      continue;
    }
    if (!blanks.empty()) {
      if (columns != 1)
        return at(make_error(ErrorCode::parse_error, "a blank line among the rows; expected " +
                                                         std::to_string(columns) +
                                                         " cells, as in the header (remove the line)"),
                  name, location(blanks.front().second, 1));
      for (const auto& blank : blanks) row_offsets.push_back(blank.first);
      blanks.clear();
    }
    if (cells.size() != columns)
      return at(
          make_error(ErrorCode::parse_error,
                     "this row has " + cells_text(cells.size()) + ", the header has " + cells_text(columns) +
                         "; expected one cell per column (an empty cell keeps the workflow's value)"),
          name, location(first_line, std::min(cells.size(), columns) + 1));
    for (std::size_t c = 0; c < columns; ++c) {
      auto value = csv_value(file_inputs[c], cells[c], file_defaults[c]);
      if (!value) {
        Error e = value.error();
        e.message = "column '" + fields[c].label + "': " + e.message;
        return at(std::move(e), name, location(cells[c].line, c + 1));
      }
    }
    row_offsets.push_back(offset);
    end_of_rows = in.offset();
  }
  if (row_offsets.empty()) return no_items(name, "the file has a header but no rows");
  return end_of_rows;
}

Result<std::uint64_t> detail::RunPlanState::read_jsonl_rows(const Workflow& workflow,
                                                            detail::ByteSource& in) {
  const std::string& name = file->name();
  std::uint64_t end_of_rows = 0;
  std::string line;
  std::uint64_t line_number = 0;
  std::vector<detail::JsonlMember> members;
  std::vector<std::uint64_t> set_on_row;  // per file field: the last row that gave it a value
  while (true) {
    const std::uint64_t offset = in.offset();
    const bool more = detail::read_jsonl_line(in, line);
    if (in.error()) return tl::unexpected(*in.error());  // not a short line: a failed read
    if (!more) break;
    ++line_number;
    if (detail::is_blank_line(line)) continue;
    if (auto split = detail::split_jsonl_object(line, line_number, members); !split)
      return at(split.error(), name, {});
    const std::uint64_t row = row_offsets.size() + 1;
    for (const detail::JsonlMember& m : members) {
      auto known = jsonl_keys.find(m.key);
      if (known == jsonl_keys.end()) {
        if (m.key.empty())
          return at(make_error(ErrorCode::invalid_argument,
                               "an empty key; expected an input reference (a label, an index or "
                               "node_id.field_name)"),
                    name, location(line_number, m.key_column));
        const std::string origin = "key '" + m.key + "' (line " + std::to_string(line_number) + ")";
        if (auto added = add_file_field(workflow, m.key, origin); !added)
          return at(added.error(), name, location(line_number, m.key_column));
        known = jsonl_keys.emplace(m.key, file_inputs.size() - 1).first;
        set_on_row.push_back(0);
      }
      const std::size_t f = known->second;
      if (set_on_row[f] == row)
        return at(make_error(ErrorCode::invalid_argument,
                             "key '" + m.key + "' appears twice in this object; expected each input once"),
                  name, location(line_number, m.key_column));
      set_on_row[f] = row;
      if (auto value = detail::check_value(file_inputs[f], m.value); !value) {
        Error e = value.error();
        e.message = "key '" + m.key + "': " + e.message;
        return at(std::move(e), name, location(line_number, m.value_column));
      }
    }
    row_offsets.push_back(offset);
    end_of_rows = in.offset();
  }
  if (row_offsets.empty()) return no_items(name, "the file has no JSON object lines");
  return end_of_rows;
}

Status detail::RunPlanState::read_inputs_file(const Workflow& workflow, const std::filesystem::path& path) {
  auto opened = detail::PlanFile::open(path);
  if (!opened) return tl::unexpected(opened.error());
  file = std::move(*opened);
  detail::Sha256 digest;
  detail::ByteSource in(*file, &digest);
  in.skip_bom();
  auto end_of_rows =
      format == PlanFileFormat::csv ? read_csv_rows(workflow, in) : read_jsonl_rows(workflow, in);
  if (!end_of_rows) return tl::unexpected(end_of_rows.error());
  row_offsets.push_back(*end_of_rows);
  file_digest = digest.hex_digest();
  return {};
}

Status detail::RunPlanState::fill_file_values(std::uint64_t row, std::vector<std::string>& values) const {
  const std::string& name = file->name();
  const std::uint64_t begin = row_offsets[row];
  auto bytes = file->read_at(begin, static_cast<std::size_t>(row_offsets[row + 1] - begin));
  if (!bytes) return tl::unexpected(bytes.error());
  std::copy(file_defaults.begin(), file_defaults.end(), values.begin());
  if (format == PlanFileFormat::csv) {
    detail::ByteSource in(*bytes);
    std::uint64_t line = 1;
    std::vector<detail::CsvCell> cells;
    auto record = detail::read_csv_record(in, line, cells);
    if (!record) return changed(name, row, record.error().message);
    if (!*record || cells.size() != file_inputs.size())
      return changed(name, row, "it does not have " + std::to_string(file_inputs.size()) + " cells");
    for (std::size_t c = 0; c < cells.size(); ++c) {
      auto value = csv_value(file_inputs[c], cells[c], file_defaults[c]);
      if (!value) return changed(name, row, value.error().message);
      values[c] = std::move(*value);
    }
    return {};
  }
  std::string_view line(*bytes);
  line = line.substr(0, line.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::vector<detail::JsonlMember> members;
  if (auto split = detail::split_jsonl_object(line, row + 1, members); !split)
    return changed(name, row, split.error().message);
  for (const detail::JsonlMember& m : members) {
    const auto known = jsonl_keys.find(m.key);
    if (known == jsonl_keys.end()) return changed(name, row, "it has a new key '" + m.key + "'");
    auto value = detail::check_value(file_inputs[known->second], m.value);
    if (!value) return changed(name, row, value.error().message);
    values[known->second] = std::move(*value);
  }
  return {};
}

}  // namespace ivk
