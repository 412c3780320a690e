// Input index maps, byte-compatible with invokeai-py-client's export_input_index_map /
// verify_input_index_map, so map files move freely between the two.
#include "ivk/workflow/index_map.h"

#include <charconv>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <set>
#include <unordered_map>

#include "core/json_read.h"
#include "core/json_write.h"
#include "ivk/workflow/workflow.h"
#include "workflow/json_location.h"

namespace ivk {

namespace {

// A JSON string as Python's json.dump writes it (ensure_ascii=True): every byte outside
// printable ASCII becomes \uXXXX (lowercase hex, surrogate pairs above the BMP), so files
// written by ivk and by the Python client are identical.
void append_python_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto u16 = [&](std::uint32_t unit) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4)
      out.push_back(kHex[(unit >> static_cast<unsigned>(shift)) & 0xF]);
  };
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20 || c == 0x7F)
            u16(c);
          else
            out.push_back(static_cast<char>(c));
      }
      ++i;
      continue;
    }
    // Decode one UTF-8 sequence; a malformed byte becomes U+FFFD (Python never sees one:
    // its labels come from json.load, ours from validated JSON, so this is only a guard).
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0)
      len = 2, cp = c & 0x1Fu;
    else if ((c & 0xF0) == 0xE0)
      len = 3, cp = c & 0x0Fu;
    else if ((c & 0xF8) == 0xF0)
      len = 4, cp = c & 0x07u;
    bool ok = len != 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80)
        ok = false;
      else
        cp = (cp << 6) | (cc & 0x3Fu);
    }
    if (!ok) {
      u16(0xFFFD);
      ++i;
      continue;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      u16(0xD800 + (cp >> 10));
      u16(0xDC00 + (cp & 0x3FF));
    } else {
      u16(cp);
    }
    i += len;
  }
  out.push_back('"');
}

// The layout of Python's json.dump(indent=2): one member per line, ", " never used,
// empty containers as [] / {}, no trailing newline.
class PrettyWriter {
 public:
  explicit PrettyWriter(std::string& out) : out_(out) {}
  void begin(char open) {
    item();
    out_.push_back(open);
    ++depth_;
    first_ = true;
  }
  void end(char close) {
    --depth_;
    if (!first_) newline();
    out_.push_back(close);
    first_ = false;
  }
  void key(std::string_view k) {
    item();
    append_python_string(out_, k);
    out_ += ": ";
    after_key_ = true;
  }
  void string(std::string_view s) {
    item();
    append_python_string(out_, s);
  }
  void integer(std::int64_t v) {
    item();
    detail::append_json_number(out_, v);
  }
  void null() {
    item();
    out_ += "null";
  }

 private:
  void newline() {
    out_.push_back('\n');
    out_.append(static_cast<std::size_t>(depth_) * 2, ' ');
  }
  // Starts a value or key: after a key it follows directly; otherwise it begins a new line.
  void item() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (depth_ > 0) {
      if (!first_) out_.push_back(',');
      newline();
    }
    first_ = false;
  }
  std::string& out_;
  int depth_ = 0;
  bool first_ = true;
  bool after_key_ = false;
};

// datetime.datetime.utcnow().isoformat() + "Z": microseconds shown unless they are zero.
std::string utc_now_iso() {
  const auto now = std::chrono::system_clock::now();
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(us / 1000000);
  const long frac = static_cast<long>(us % 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  if (frac != 0) {
    std::string f = std::to_string(frac);
    out += '.';
    out.append(6 - f.size(), '0');  // frac < 1000000, so at most 6 digits
    out += f;
  }
  out += 'Z';
  return out;
}

tl::unexpected<Error> bad_map(std::string message, std::string where) {
  return fail(ErrorCode::invalid_argument, "not an input index map: " + std::move(message), std::move(where));
}

// Maps were read with Boost.JSON before simdjson; the helpers below keep its reading, so that the
// same files are accepted and refused. First its default nesting limit: deeper maps are refused.
constexpr std::size_t kMaxMapDepth = 32;

// Whether containers nest deeper than `levels` in e (e itself counts as one).
bool deeper_than(dom::element e, std::size_t levels) {
  dom::array a;
  dom::object o;
  if (e.get_array().get(a) == simdjson::SUCCESS) {
    if (levels == 0) return true;
    for (dom::element item : a)
      if (deeper_than(item, levels - 1)) return true;
  } else if (e.get_object().get(o) == simdjson::SUCCESS) {
    if (levels == 0) return true;
    for (dom::key_value_pair field : o)
      if (deeper_than(field.value, levels - 1)) return true;
  }
  return false;
}

// The last member named `key`: of duplicate keys the last one counts, as with Boost.JSON and
// Python's json.load (simdjson's at_key finds the first).
std::optional<dom::element> last_member(dom::object o, std::string_view key) {
  std::optional<dom::element> found;
  for (dom::key_value_pair field : o)
    if (field.key == key) found = field.value;
  return found;
}

// An integer as Boost.JSON types it: int64, or uint64 above INT64_MAX (wrapped, so out of range
// below); never a double, not even 1.0.
std::optional<std::int64_t> integer_value(dom::element e) {
  std::int64_t i = 0;
  std::uint64_t u = 0;
  if (e.type() == dom::element_type::INT64 && e.get_int64().get(i) == simdjson::SUCCESS) return i;
  if (e.type() == dom::element_type::UINT64 && e.get_uint64().get(u) == simdjson::SUCCESS)
    return static_cast<std::int64_t>(u);
  return std::nullopt;
}

// A valid JSON text with every number that is not an int64 or uint64 replaced by 0.0. simdjson
// refuses numbers beyond those and doubles (99999999999999999999, 1e400), which Boost.JSON read as
// doubles; the map reader only looks at a number's type, so 0.0 stands for any of them.
std::string numbers_as_boost_typed_them(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"') {  // copied whole: the text is valid, so the string ends
      std::size_t j = i + 1;
      while (text[j] != '"') j += text[j] == '\\' ? 2u : 1u;
      out.append(text.substr(i, j + 1 - i));
      i = j + 1;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t j = i;
      while (j < text.size() && std::string_view("0123456789+-.eE").find(text[j]) != std::string_view::npos)
        ++j;
      const std::string_view number = text.substr(i, j - i);
      auto whole = [&](auto value) {  // the number is an integer that fits decltype(value)
        const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
        return ec == std::errc() && ptr == number.data() + number.size();
      };
      const bool integer = whole(std::int64_t{0}) || whole(std::uint64_t{0});
      out.append(integer ? number : std::string_view("0.0"));
      i = j;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

}  // namespace

std::string export_index_map(const Workflow& workflow, std::string generated_at) {
  if (generated_at.empty()) generated_at = utc_now_iso();
  std::string out;
  PrettyWriter w(out);
  w.begin('{');
  w.key("workflow_id");
  if (auto id = workflow.id())
    w.string(*id);
  else
    w.null();
  w.key("generated_at");
  w.string(generated_at);
  w.key("inputs");
  w.begin('[');
  for (const auto& in : workflow.inputs()) {
    w.begin('{');
    w.key("index");
    w.integer(in.index);
    w.key("label");
    w.string(in.label);
    w.key("field_name");
    w.string(in.field_name);
    w.key("jsonpath");
    w.string(in.jsonpath());
    w.end('}');
  }
  w.end(']');
  w.end('}');
  return out;
}

std::string IndexMapReport::to_json() const {
  std::string out;
  PrettyWriter w(out);
  w.begin('{');
  w.key("unchanged");
  w.begin('[');
  for (const auto& u : unchanged) {
    w.begin('{');
    w.key("index");
    w.integer(u.index);
    w.key("label");
    w.string(u.label);
    w.end('}');
  }
  w.end(']');
  w.key("moved");
  w.begin('[');
  for (const auto& m : moved) {
    w.begin('{');
    w.key("from");
    w.integer(m.from);
    w.key("to");
    w.integer(m.to);
    w.key("label");
    w.string(m.label);
    w.end('}');
  }
  w.end(']');
  w.key("missing");
  w.begin('[');
  for (const auto& e : missing) {
    w.begin('{');
    w.key("index");
    w.integer(e.index);
    w.key("label");
    w.string(e.label);
    w.key("field_name");
    w.string(e.field_name);
    w.key("jsonpath");
    w.string(e.jsonpath);
    w.end('}');
  }
  w.end(']');
  w.key("new");
  w.begin('[');
  for (const auto& a : added) {
    w.begin('{');
    w.key("index");
    w.integer(a.index);
    w.key("label");
    w.string(a.label);
    w.end('}');
  }
  w.end(']');
  w.end('}');
  return out;
}

Result<IndexMapReport> verify_index_map(const Workflow& workflow, std::string_view map_json) {
  dom::parser parser;
  dom::element root;
  simdjson::error_code error = parser.parse(map_json.data(), map_json.size()).get(root);
  if (error != simdjson::SUCCESS || deeper_than(root, kMaxMapDepth)) {
    const detail::JsonLocation loc = detail::locate_json_error(map_json, kMaxMapDepth);
    std::string numbers_replaced;
    if (loc.message.empty() && error == simdjson::NUMBER_ERROR) {
      numbers_replaced = numbers_as_boost_typed_them(map_json);
      error = parser.parse(numbers_replaced).get(root);
    }
    if (!loc.message.empty() || error != simdjson::SUCCESS)
      return fail(ErrorCode::parse_error,
                  "the index map is not valid JSON (" +
                      (loc.message.empty() ? std::string(simdjson::error_message(error)) : loc.message) +
                      ") at line " + std::to_string(loc.line) + ", column " + std::to_string(loc.column),
                  "$");
  }
  dom::object root_object;
  if (root.get_object().get(root_object) != simdjson::SUCCESS)
    return bad_map("expected an object {workflow_id, generated_at, inputs}", "$");

  // Read the recorded entries first, so a malformed map reports nothing half-verified.
  std::vector<IndexMapEntry> recorded;
  if (const auto inputs = last_member(root_object, "inputs"); inputs && !inputs->is_null()) {
    dom::array items;
    if (inputs->get_array().get(items) != simdjson::SUCCESS)
      return bad_map("\"inputs\" must be an array", "$.inputs");
    std::size_t i = 0;
    for (dom::element item : items) {
      const std::string path = "$.inputs[" + std::to_string(i++) + "]";
      dom::object o;
      if (item.get_object().get(o) != simdjson::SUCCESS)
        return bad_map("an entry must be an object {index, label, field_name, jsonpath}", path);
      IndexMapEntry e;
      const auto index = last_member(o, "index");
      const std::optional<std::int64_t> idx = index ? integer_value(*index) : std::nullopt;
      if (!idx) return bad_map("\"index\" must be an integer", path + ".index");
      if (*idx < 0 || *idx > 1000000000) return bad_map("\"index\" is out of range", path + ".index");
      e.index = static_cast<int>(*idx);
      const auto jp = last_member(o, "jsonpath");
      std::string_view text;
      if (!jp || jp->get_string().get(text) != simdjson::SUCCESS)
        return bad_map("\"jsonpath\" must be a string", path + ".jsonpath");
      e.jsonpath = std::string(text);
      for (auto [key, target] :
           {std::pair<const char*, std::string*>{"label", &e.label}, {"field_name", &e.field_name}}) {
        const auto v = last_member(o, key);
        if (!v || v->is_null()) continue;
        if (v->get_string().get(text) != simdjson::SUCCESS)
          return bad_map(std::string("\"") + key + "\" must be a string", path + "." + key);
        *target = std::string(text);
      }
      recorded.push_back(std::move(e));
    }
  }

  // Keyed by jsonpath like the Python dict comprehension: a field placed twice maps to its
  // last index.
  const auto& inputs = workflow.inputs();
  std::unordered_map<std::string, const WorkflowInput*> current;
  for (const auto& in : inputs) current.insert_or_assign(in.jsonpath(), &in);

  IndexMapReport report;
  std::set<std::string> recorded_paths;
  for (const auto& rec : recorded) {
    recorded_paths.insert(rec.jsonpath);
    auto it = current.find(rec.jsonpath);
    if (it == current.end())
      report.missing.push_back(rec);
    else if (it->second->index == rec.index)
      report.unchanged.push_back({rec.index, rec.label});
    else
      report.moved.push_back({rec.index, it->second->index, rec.label});
  }
  for (const auto& in : inputs)
    if (!recorded_paths.contains(in.jsonpath())) report.added.push_back({in.index, in.label});
  return report;
}

}  // namespace ivk
