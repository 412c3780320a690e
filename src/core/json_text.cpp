#include "ivk/json_text.h"

#include "core/json_write.h"

#include <array>
#include <charconv>
#include <cmath>

namespace ivk {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_space(std::string_view s, std::size_t pos) {
  while (pos < s.size() && is_space(s[pos])) ++pos;
  return pos;
}

// End of the string literal whose opening quote is at pos (one past the closing quote), or npos.
std::size_t skip_string(std::string_view s, std::size_t pos) {
  for (std::size_t i = pos + 1; i < s.size(); ++i) {
    if (s[i] == '\\')
      ++i;
    else if (s[i] == '"')
      return i + 1;
  }
  return std::string_view::npos;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::optional<std::uint32_t> hex4(std::string_view s, std::size_t pos) {
  if (pos + 4 > s.size()) return std::nullopt;
  std::uint32_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data() + pos, s.data() + pos + 4, v, 16);
  if (ec != std::errc() || ptr != s.data() + pos + 4) return std::nullopt;
  return v;
}

}  // namespace

std::string json_quote(std::string_view text) { return detail::json_string(text); }

std::string json_string_array(const std::vector<std::string>& items) {
  JsonBuilder out;
  out.begin_array();
  for (const auto& item : items) out.string(item);
  out.end_array();
  return out.str();
}

std::string json_number(double value) {
  std::string out;
  detail::append_json_number(out, value);
  return out;
}

void JsonBuilder::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_items_.empty()) {
    if (has_items_.back()) out_ += ',';
    has_items_.back() = true;
  }
}

JsonBuilder& JsonBuilder::begin_object() {
  before_value();
  out_ += '{';
  has_items_.push_back(false);
  return *this;
}
JsonBuilder& JsonBuilder::end_object() {
  out_ += '}';
  has_items_.pop_back();
  return *this;
}
JsonBuilder& JsonBuilder::begin_array() {
  before_value();
  out_ += '[';
  has_items_.push_back(false);
  return *this;
}
JsonBuilder& JsonBuilder::end_array() {
  out_ += ']';
  has_items_.pop_back();
  return *this;
}
JsonBuilder& JsonBuilder::key(std::string_view name) {
  before_value();
  out_ += json_quote(name);
  out_ += ':';
  after_key_ = true;
  return *this;
}
JsonBuilder& JsonBuilder::string(std::string_view value) {
  before_value();
  out_ += json_quote(value);
  return *this;
}
JsonBuilder& JsonBuilder::number(double value) {
  before_value();
  out_ += json_number(value);
  return *this;
}
JsonBuilder& JsonBuilder::integer(std::int64_t value) {
  before_value();
  out_ += std::to_string(value);
  return *this;
}
JsonBuilder& JsonBuilder::boolean(bool value) {
  before_value();
  out_ += value ? "true" : "false";
  return *this;
}
JsonBuilder& JsonBuilder::null() {
  before_value();
  out_ += "null";
  return *this;
}
JsonBuilder& JsonBuilder::raw(std::string_view json) {
  before_value();
  out_ += json;
  return *this;
}
JsonBuilder& JsonBuilder::optional_string(const std::optional<std::string>& value) {
  return value ? string(*value) : null();
}

std::string pretty_json(std::string_view json) {
  std::string out;
  out.reserve(json.size() + json.size() / 2);
  std::size_t depth = 0;
  auto newline = [&] {
    out += '\n';
    out.append(depth * 2, ' ');
  };
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (is_space(c)) continue;
    switch (c) {
      case '"': {
        const std::size_t end = skip_string(json, i);
        const std::size_t stop = end == std::string_view::npos ? json.size() : end;
        out.append(json.substr(i, stop - i));
        i = stop - 1;
        break;
      }
      case '{':
      case '[': {
        const std::size_t next = skip_space(json, i + 1);
        const char close = c == '{' ? '}' : ']';
        if (next < json.size() && json[next] == close) {
          out += c;
          out += close;
          i = next;
        } else {
          out += c;
          ++depth;
          newline();
        }
        break;
      }
      case '}':
      case ']':
        if (depth > 0) --depth;
        newline();
        out += c;
        break;
      case ',':
        out += ',';
        newline();
        break;
      case ':': out += ": "; break;
      default: out += c;
    }
  }
  return out;
}

std::string minify_json(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '"') {
      const std::size_t end = skip_string(json, i);
      const std::size_t stop = end == std::string_view::npos ? json.size() : end;
      out.append(json.substr(i, stop - i));
      i = stop - 1;
    } else if (!is_space(c)) {
      out += c;
    }
  }
  return out;
}

std::size_t skip_json_value(std::string_view text, std::size_t pos) {
  pos = skip_space(text, pos);
  if (pos >= text.size()) return std::string_view::npos;
  const char c = text[pos];
  if (c == '"') return skip_string(text, pos);
  if (c == '{' || c == '[') {
    std::vector<char> stack{c == '{' ? '}' : ']'};
    for (std::size_t i = pos + 1; i < text.size(); ++i) {
      const char d = text[i];
      if (d == '"') {
        const std::size_t end = skip_string(text, i);
        if (end == std::string_view::npos) return end;
        i = end - 1;
      } else if (d == '{') {
        stack.push_back('}');
      } else if (d == '[') {
        stack.push_back(']');
      } else if (d == '}' || d == ']') {
        if (stack.back() != d) return std::string_view::npos;
        stack.pop_back();
        if (stack.empty()) return i + 1;
      }
    }
    return std::string_view::npos;
  }
  if (c == '}' || c == ']' || c == ',' || c == ':') return std::string_view::npos;
  std::size_t i = pos;
  while (i < text.size() && !is_space(text[i]) && text[i] != ',' && text[i] != ']' && text[i] != '}' &&
         text[i] != ':')
    ++i;
  return i;
}

Result<std::vector<std::string>> split_json_array(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return fail(ErrorCode::invalid_argument, "expected a JSON array such as [1, 2, 3]: " + why);
  };
  std::size_t pos = skip_space(text, 0);
  if (pos >= text.size() || text[pos] != '[') return bad("it does not start with '['");
  const std::size_t end = skip_json_value(text, pos);
  if (end == std::string_view::npos) return bad("it is not closed properly");
  if (skip_space(text, end) != text.size()) return bad("there is text after the closing ']'");
  std::vector<std::string> items;
  pos = skip_space(text, pos + 1);
  if (text[pos] == ']') return items;
  while (true) {
    const std::size_t item_end = skip_json_value(text, pos);
    if (item_end == std::string_view::npos || item_end == skip_space(text, pos))
      return bad("item " + std::to_string(items.size()) + " is empty or malformed");
    items.push_back(minify_json(text.substr(pos, item_end - pos)));
    pos = skip_space(text, item_end);
    if (pos < text.size() && text[pos] == ',') {
      pos = skip_space(text, pos + 1);
      continue;
    }
    if (pos < text.size() && text[pos] == ']') break;
    return bad("expected ',' or ']' after item " + std::to_string(items.size() - 1));
  }
  return items;
}

std::optional<std::string_view> json_member(std::string_view object_json, std::string_view key) {
  std::size_t pos = skip_space(object_json, 0);
  if (pos >= object_json.size() || object_json[pos] != '{') return std::nullopt;
  pos = skip_space(object_json, pos + 1);
  while (pos < object_json.size() && object_json[pos] == '"') {
    const std::size_t key_end = skip_string(object_json, pos);
    if (key_end == std::string_view::npos) return std::nullopt;
    const auto name = json_unquote(object_json.substr(pos, key_end - pos));
    pos = skip_space(object_json, key_end);
    if (pos >= object_json.size() || object_json[pos] != ':') return std::nullopt;
    const std::size_t value_start = skip_space(object_json, pos + 1);
    const std::size_t value_end = skip_json_value(object_json, value_start);
    if (value_end == std::string_view::npos) return std::nullopt;
    if (name && *name == key) return object_json.substr(value_start, value_end - value_start);
    pos = skip_space(object_json, value_end);
    if (pos < object_json.size() && object_json[pos] == ',') pos = skip_space(object_json, pos + 1);
  }
  return std::nullopt;
}

std::optional<std::string> json_unquote(std::string_view literal) {
  if (literal.size() < 2 || literal.front() != '"' || literal.back() != '"') return std::nullopt;
  std::string out;
  out.reserve(literal.size());
  for (std::size_t i = 1; i + 1 < literal.size(); ++i) {
    const char c = literal[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    ++i;
    if (i + 1 >= literal.size()) return std::nullopt;  // the escape swallowed the closing quote
    switch (literal[i]) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        auto cp = hex4(literal, i + 1);
        if (!cp) return std::nullopt;
        i += 4;
        if (*cp >= 0xD800 && *cp < 0xDC00 && i + 2 < literal.size() && literal[i + 1] == '\\' &&
            literal[i + 2] == 'u') {
          if (auto low = hex4(literal, i + 3); low && *low >= 0xDC00 && *low < 0xE000) {
            *cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
            i += 6;
          }
        }
        append_utf8(out, *cp);
        break;
      }
      default: out += literal[i];  // \" \\ \/
    }
  }
  return out;
}

}  // namespace ivk
