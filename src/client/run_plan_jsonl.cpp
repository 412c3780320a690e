#include "client/run_plan_jsonl.h"

#include "ivk/json_text.h"

namespace ivk::detail {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_space(std::string_view s, std::size_t i) {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

tl::unexpected<Error> jsonl_error(std::uint64_t line, std::size_t index, std::string message) {
  return fail(ErrorCode::parse_error, std::move(message),
              "line " + std::to_string(line) + ", column " + std::to_string(index + 1));
}

std::string what_is_at(std::string_view s, std::size_t i) {
  if (i >= s.size()) return "the end of the line";
  return "'" + std::string(1, s[i]) + "'";
}

}  // namespace

bool read_jsonl_line(ByteSource& in, std::string& line) {
  line.clear();
  int c = in.get();
  if (c < 0) return false;
  while (c >= 0 && c != '\n') {
    line += static_cast<char>(c);
    c = in.get();
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

bool is_blank_line(std::string_view line) { return skip_space(line, 0) == line.size(); }

Status split_jsonl_object(std::string_view line, std::uint64_t line_number, std::vector<JsonlMember>& out) {
  out.clear();
  std::size_t i = skip_space(line, 0);
  if (i >= line.size() || line[i] != '{')
    return jsonl_error(line_number, i,
                       "expected a JSON object {\"input\": value, ...}, got " + what_is_at(line, i));
  i = skip_space(line, i + 1);
  if (i < line.size() && line[i] == '}') {
    i = skip_space(line, i + 1);
  } else {
    while (true) {
      if (i >= line.size() || line[i] != '"')
        return jsonl_error(
            line_number, i,
            "expected a key (an input reference in double quotes), got " + what_is_at(line, i));
      const std::size_t key_end = skip_json_value(line, i);
      if (key_end == std::string_view::npos)
        return jsonl_error(line_number, i, "a key's string is not closed: expected a '\"'");
      auto key = json_unquote(line.substr(i, key_end - i));
      if (!key) return jsonl_error(line_number, i, "a key has an invalid escape sequence");
      JsonlMember member;
      member.key = std::move(*key);
      member.key_column = i + 1;
      i = skip_space(line, key_end);
      if (i >= line.size() || line[i] != ':')
        return jsonl_error(line_number, i, "expected ':' after the key, got " + what_is_at(line, i));
      i = skip_space(line, i + 1);
      const std::size_t value_end = skip_json_value(line, i);
      if (value_end == std::string_view::npos || value_end == i)
        return jsonl_error(line_number, i,
                           i >= line.size() ? "expected a value after ':'"
                                            : "the value is not complete JSON (an unclosed string, "
                                              "bracket or brace, or a misplaced one)");
      member.value = line.substr(i, value_end - i);
      member.value_column = i + 1;
      out.push_back(std::move(member));
      i = skip_space(line, value_end);
      if (i < line.size() && line[i] == ',') {
        i = skip_space(line, i + 1);
        continue;
      }
      if (i < line.size() && line[i] == '}') {
        i = skip_space(line, i + 1);
        break;
      }
      return jsonl_error(line_number, i, "expected ',' or '}' after a value, got " + what_is_at(line, i));
    }
  }
  if (i != line.size())
    return jsonl_error(line_number, i,
                       "text after the object: expected one JSON object a line, got " + what_is_at(line, i));
  return {};
}

}  // namespace ivk::detail
