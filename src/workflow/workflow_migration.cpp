// Migrates workflows of schema 1.x and 2.x to 3.0.0 the way the InvokeAI UI does on load:
// input instances keep only {name, label, description, value} (their type information now
// comes from node templates), node outputs and sizes are dropped, everything else is kept.
//
// The document is read with simdjson's DOM (object members iterate in document order) and
// printed again here. Numbers are not re-formatted: each is copied as the text it had in the
// source, found by a scan that lists the number tokens in document order (the DOM visits them
// in the same order). So -119.85609886870043 and 1.0 keep their exact text (1.0 stays a float
// to kind detection), and numbers simdjson refuses (99999999999999999999, 1e400), which JSON and
// the loader allow, survive too: such a document is parsed with its numbers blanked to 0.
#include "workflow/workflow_migration.h"

#include <simdjson.h>

#include <cstddef>
#include <vector>

#include "core/ascii_case.h"
#include "core/json_write.h"
#include "workflow/value_rules.h"

namespace ivk::detail {

namespace {

namespace dom = simdjson::dom;

bool is_number_char(char c) {
  return detail::is_ascii_digit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// The number tokens of a JSON text in document order (outside strings, a number is the only
// token that starts with '-' or a digit). False if one of them is not a JSON number.
bool scan_numbers(std::string_view text, std::vector<std::string_view>& numbers) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const char c = text[i];
    if (c == '"') {
      ++i;
      while (i < n && text[i] != '"') i += text[i] == '\\' ? std::size_t{2} : std::size_t{1};
      ++i;
    } else if (c == '-' || detail::is_ascii_digit(c)) {
      const std::size_t start = i;
      while (i < n && is_number_char(text[i])) ++i;
      const std::string_view token = text.substr(start, i - start);
      if (!is_json_number(token)) return false;
      numbers.push_back(token);
    } else {
      ++i;
    }
  }
  return true;
}

// text with every number token replaced by 0 (the tokens are views into text).
std::string blank_numbers(std::string_view text, const std::vector<std::string_view>& numbers) {
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;
  for (const std::string_view token : numbers) {
    const auto start = static_cast<std::size_t>(token.data() - text.data());
    out.append(text.substr(copied, start - copied));
    out.push_back('0');
    copied = start + token.size();
  }
  out.append(text.substr(copied));
  return out;
}

bool is_number(const dom::element& e) {
  const dom::element_type t = e.type();
  return t == dom::element_type::INT64 || t == dom::element_type::UINT64 || t == dom::element_type::DOUBLE;
}

std::size_t count_numbers(const dom::element& e) {
  switch (e.type()) {
    case dom::element_type::ARRAY: {
      std::size_t count = 0;
      const dom::array a = e.get_array().value_unsafe();
      for (const dom::element item : a) count += count_numbers(item);
      return count;
    }
    case dom::element_type::OBJECT: {
      std::size_t count = 0;
      const dom::object o = e.get_object().value_unsafe();
      for (const dom::key_value_pair member : o) count += count_numbers(member.value);
      return count;
    }
    default: return is_number(e) ? 1 : 0;
  }
}

// Prints the migrated document. next_ indexes numbers_, the source text of the document's
// numbers: every element visited, printed or skipped, moves it past its own numbers.
class Printer {
 public:
  Printer(std::string& out, const std::vector<std::string_view>& numbers) : out_(out), numbers_(numbers) {}

  [[nodiscard]] bool all_numbers_used() const { return ok_ && next_ == numbers_.size(); }

  void root(const dom::element& e) {
    if (e.type() != dom::element_type::OBJECT) return value(e, 0);
    const dom::object o = e.get_object().value_unsafe();
    Members m(*this, 0);
    for (const dom::key_value_pair member : o) {
      m.key(member.key);
      if (member.key == "nodes" && member.value.type() == dom::element_type::ARRAY) {
        nodes(member.value, 1);
      } else if (member.key == "meta" && member.value.type() == dom::element_type::OBJECT) {
        meta(member.value, 1);
      } else {
        value(member.value, 1);
      }
    }
    m.close();
  }

 private:
  // Writes an object's members one by one: "{" before the first, "{}" if there is none.
  class Members {
   public:
    Members(Printer& p, int depth) : p_(p), depth_(depth) {}
    void key(std::string_view k) {
      p_.out_.push_back(first_ ? '{' : ',');
      first_ = false;
      p_.newline(depth_ + 1);
      append_json_string(p_.out_, k);
      p_.out_ += ": ";
    }
    void close() {
      if (first_) {
        p_.out_ += "{}";
        return;
      }
      p_.newline(depth_);
      p_.out_.push_back('}');
    }

   private:
    Printer& p_;
    int depth_;
    bool first_ = true;
  };

  void newline(int depth) {
    out_.push_back('\n');
    out_.append(static_cast<std::size_t>(depth) * 2, ' ');
  }

  void skip(const dom::element& e) { next_ += count_numbers(e); }

  void value(const dom::element& e, int depth) {
    switch (e.type()) {
      case dom::element_type::NULL_VALUE: out_ += "null"; break;
      case dom::element_type::BOOL: out_ += e.get_bool().value_unsafe() ? "true" : "false"; break;
      case dom::element_type::INT64:
      case dom::element_type::UINT64:
      case dom::element_type::DOUBLE:
        if (next_ < numbers_.size()) {
          out_ += numbers_[next_];
        } else {
          ok_ = false;
          out_ += '0';
        }
        ++next_;
        break;
      case dom::element_type::STRING: append_json_string(out_, e.get_string().value_unsafe()); break;
      case dom::element_type::ARRAY: {
        const dom::array a = e.get_array().value_unsafe();
        bool first = true;
        for (const dom::element item : a) {
          out_.push_back(first ? '[' : ',');
          first = false;
          newline(depth + 1);
          value(item, depth + 1);
        }
        if (first) {
          out_ += "[]";
        } else {
          newline(depth);
          out_.push_back(']');
        }
        break;
      }
      case dom::element_type::OBJECT: {
        const dom::object o = e.get_object().value_unsafe();
        Members m(*this, depth);
        for (const dom::key_value_pair member : o) {
          m.key(member.key);
          value(member.value, depth + 1);
        }
        m.close();
        break;
      }
    }
  }

  // meta.version becomes "3.0.0" where it is, or is added last.
  void meta(const dom::element& e, int depth) {
    const dom::object o = e.get_object().value_unsafe();
    Members m(*this, depth);
    bool has_version = false;
    for (const dom::key_value_pair member : o) {
      m.key(member.key);
      if (member.key == "version") {
        has_version = true;
        skip(member.value);
        out_ += "\"3.0.0\"";
      } else {
        value(member.value, depth + 1);
      }
    }
    if (!has_version) {
      m.key("version");
      out_ += "\"3.0.0\"";
    }
    m.close();
  }

  void nodes(const dom::element& e, int depth) {
    const dom::array a = e.get_array().value_unsafe();
    bool first = true;
    for (const dom::element item : a) {
      out_.push_back(first ? '[' : ',');
      first = false;
      newline(depth + 1);
      if (item.type() == dom::element_type::OBJECT)
        node(item, depth + 1);
      else
        value(item, depth + 1);
    }
    if (first) {
      out_ += "[]";
    } else {
      newline(depth);
      out_.push_back(']');
    }
  }

  // A node without "width" and "height".
  void node(const dom::element& e, int depth) {
    const dom::object o = e.get_object().value_unsafe();
    Members m(*this, depth);
    for (const dom::key_value_pair member : o) {
      if (member.key == "width" || member.key == "height") {
        skip(member.value);
        continue;
      }
      m.key(member.key);
      if (member.key == "data" && member.value.type() == dom::element_type::OBJECT)
        data(member.value, depth + 1);
      else
        value(member.value, depth + 1);
    }
    m.close();
  }

  // A node's data without "outputs", its inputs reduced.
  void data(const dom::element& e, int depth) {
    const dom::object o = e.get_object().value_unsafe();
    Members m(*this, depth);
    for (const dom::key_value_pair member : o) {
      if (member.key == "outputs") {
        skip(member.value);
        continue;
      }
      m.key(member.key);
      if (member.key == "inputs" && member.value.type() == dom::element_type::OBJECT)
        inputs(member.value, depth + 1);
      else
        value(member.value, depth + 1);
    }
    m.close();
  }

  void inputs(const dom::element& e, int depth) {
    const dom::object o = e.get_object().value_unsafe();
    Members m(*this, depth);
    for (const dom::key_value_pair member : o) {
      m.key(member.key);
      if (member.value.type() == dom::element_type::OBJECT)
        input(member.key, member.value, depth + 1);
      else
        value(member.value, depth + 1);
    }
    m.close();
  }

  // An input instance as 3.0.0 has it: {name, label, description?, value?}. A missing name is
  // the input's key, a missing label "". Of a key given twice, the last counts (as in JSON.parse).
  void input(std::string_view key, const dom::element& e, int depth) {
    struct Kept {
      bool present = false;
      dom::element value;
      std::size_t first_number = 0;
    };
    Kept name, label, description, val;
    std::size_t cursor = next_;
    const dom::object o = e.get_object().value_unsafe();
    for (const dom::key_value_pair member : o) {
      Kept* kept = member.key == "name"          ? &name
                   : member.key == "label"       ? &label
                   : member.key == "description" ? &description
                   : member.key == "value"       ? &val
                                                 : nullptr;
      if (kept != nullptr) *kept = Kept{true, member.value, cursor};
      cursor += count_numbers(member.value);
    }
    auto put = [&](const Kept& k) {
      next_ = k.first_number;
      value(k.value, depth + 1);
    };
    Members m(*this, depth);
    m.key("name");
    if (name.present)
      put(name);
    else
      append_json_string(out_, key);
    m.key("label");
    if (label.present)
      put(label);
    else
      out_ += "\"\"";
    if (description.present) {
      m.key("description");
      put(description);
    }
    if (val.present) {
      m.key("value");
      put(val);
    }
    m.close();
    next_ = cursor;
  }

  std::string& out_;
  const std::vector<std::string_view>& numbers_;
  std::size_t next_ = 0;
  bool ok_ = true;
};

}  // namespace

Result<std::string> migrate_to_v3(std::string_view text) {
  std::vector<std::string_view> numbers;
  if (!scan_numbers(text, numbers))
    return fail(ErrorCode::parse_error, "cannot parse the workflow for migration", "$");
  dom::parser parser;
  dom::element root;
  std::string blanked;
  if (const auto error = parser.parse(text.data(), text.size()).get(root)) {
    // A number beyond double or 64-bit integers: parse the structure with numbers blanked.
    if (error != simdjson::NUMBER_ERROR)
      return fail(
          ErrorCode::parse_error,
          std::string("cannot parse the workflow for migration (") + simdjson::error_message(error) + ")",
          "$");
    blanked = blank_numbers(text, numbers);
    if (const auto again = parser.parse(blanked.data(), blanked.size()).get(root))
      return fail(
          ErrorCode::parse_error,
          std::string("cannot parse the workflow for migration (") + simdjson::error_message(again) + ")",
          "$");
  }
  if (root.type() != dom::element_type::OBJECT)
    return fail(ErrorCode::parse_error, "cannot parse the workflow for migration: it is not a JSON object",
                "$");
  std::string out;
  out.reserve(text.size());
  Printer printer(out, numbers);
  printer.root(root);
  if (!printer.all_numbers_used())
    return fail(ErrorCode::internal, "the workflow migration lost track of the document's numbers", "$");
  out.push_back('\n');
  return out;
}

}  // namespace ivk::detail
