// simdjson reports *that* a document is broken; this strict RFC 8259 scanner tells *where*: it stops
// at the first byte that cannot be part of a valid document and says what was expected there.
// Only runs on the error path, so it favours plain code over speed. Iterative (an explicit stack
// of open brackets), so hostile nesting cannot overflow the call stack.
#include "workflow/json_location.h"

#include <vector>
#include "core/ascii_case.h"

namespace ivk::detail {

namespace {

constexpr std::size_t kDefaultMaxDepth = 10000;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A byte shown in a message: itself when printable ASCII, else as \xHH.
std::string show_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u > 0x20 && u < 0x7F) return std::string(1, c);
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("\\x") + kHex[u >> 4] + kHex[u & 0xF];
}

class Scanner {
 public:
  Scanner(std::string_view text, std::size_t max_depth) : s_(text), max_depth_(max_depth) {}

  // Scans the whole text: true when it is one valid document; otherwise sets message_ and leaves
  // pos_ at the offending byte (at the end for a truncated text).
  bool run() {
    enum class Want {
      value,           // a value: at the top, after ':'
      element,         // a value after ',' in an array
      element_or_end,  // after '['
      name,            // a member name after ',' in an object
      name_or_end,     // after '{'
      colon,           // after a member name
      comma_or_end,    // after a value inside a container, or after the top-level value
    };
    Want want = Want::value;
    for (;;) {
      skip_whitespace();
      switch (want) {
        case Want::name_or_end:
        case Want::name:
          if (at_end()) return fail_end();
          if (s_[pos_] == '}' && want == Want::name_or_end) {
            close();
            want = Want::comma_or_end;
            continue;
          }
          if (s_[pos_] != '"') {
            if (want == Want::name_or_end) return fail("expected a string member name or '}'");
            if (s_[pos_] == '}') return fail("expected a member name after ',' (trailing comma)");
            return fail("expected a string member name after ','");
          }
          if (!scan_string()) return false;
          want = Want::colon;
          continue;
        case Want::colon:
          if (at_end()) return fail_end();
          if (s_[pos_] != ':') return fail("expected ':' after a member name");
          ++pos_;
          want = Want::value;
          continue;
        case Want::element_or_end:
          if (!at_end() && s_[pos_] == ']') {
            close();
            want = Want::comma_or_end;
            continue;
          }
          [[fallthrough]];
        case Want::value:
        case Want::element: {
          if (at_end()) return fail_end();
          const char c = s_[pos_];
          if (c == '{' || c == '[') {
            if (open_.size() >= max_depth_)
              return fail("nesting deeper than " + std::to_string(max_depth_) + " levels");
            open_.push_back(c);
            ++pos_;
            want = c == '{' ? Want::name_or_end : Want::element_or_end;
            continue;
          }
          if (want == Want::element && c == ']') return fail("expected a value after ',' (trailing comma)");
          if (!scan_scalar()) return false;
          want = Want::comma_or_end;
          continue;
        }
        case Want::comma_or_end:
          if (open_.empty()) return at_end() || fail("extra text after the JSON value");
          if (at_end()) return fail_end();
          if (open_.back() == '{') {
            if (s_[pos_] == ',') {
              ++pos_;
              want = Want::name;
            } else if (s_[pos_] == '}') {
              close();
            } else {
              return fail("expected ',' or '}' after an object member");
            }
          } else {
            if (s_[pos_] == ',') {
              ++pos_;
              want = Want::element;
            } else if (s_[pos_] == ']') {
              close();
            } else {
              return fail("expected ',' or ']' after an array element");
            }
          }
          continue;
      }
    }
  }

  std::size_t offset() const { return pos_; }
  const std::string& message() const { return message_; }

 private:
  bool at_end() const { return pos_ >= s_.size(); }

  void skip_whitespace() {
    while (!at_end() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }

  void close() {
    open_.pop_back();
    ++pos_;
  }

  // Always false, so that scanners can `return fail(...)`. A '/' where structure was expected is
  // most likely a comment, which deserves its own word.
  bool fail(std::string message) {
    message_ = !at_end() && s_[pos_] == '/' && message.rfind("expected", 0) == 0
                   ? "comments are not allowed in JSON (" + message + ")"
                   : std::move(message);
    return false;
  }
  bool fail_end() {
    pos_ = s_.size();
    message_ = "unexpected end of input";
    return false;
  }
  bool fail_string_end() {
    pos_ = s_.size();
    message_ = "unterminated string";
    return false;
  }

  // A string, number or literal at pos_.
  bool scan_scalar() {
    const char c = s_[pos_];
    if (c == '"') return scan_string();
    if (c == '-' || detail::is_ascii_digit(c)) return scan_number();
    if (c == 't') return scan_literal("true");
    if (c == 'f') return scan_literal("false");
    if (c == 'n') return scan_literal("null");
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return fail("invalid literal");  // NaN, Infinity
    if (c == '\'') return fail("expected a value (strings take double quotes)");
    if (pos_ == 0 && s_.substr(0, 3) == "\xEF\xBB\xBF")
      return fail("expected a value, not a byte order mark");
    return fail("expected a value");
  }

  bool scan_literal(std::string_view word) {
    for (const char w : word) {
      if (at_end()) return fail_end();
      if (s_[pos_] != w) return fail("invalid literal");
      ++pos_;
    }
    return true;
  }

  // RFC 8259 number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? (any magnitude).
  bool scan_number() {
    auto digits = [&]() -> bool {  // one or more
      if (at_end()) return fail_end();
      if (!detail::is_ascii_digit(s_[pos_])) return fail("invalid number");
      while (!at_end() && detail::is_ascii_digit(s_[pos_])) ++pos_;
      return true;
    };
    if (s_[pos_] == '-') {
      ++pos_;
      if (at_end()) return fail_end();
      if (!detail::is_ascii_digit(s_[pos_])) return fail("invalid number");
    }
    if (s_[pos_] == '0') {
      ++pos_;
      if (!at_end() && detail::is_ascii_digit(s_[pos_])) return fail("invalid number (leading zero)");
    } else if (!digits()) {
      return false;
    }
    if (!at_end() && s_[pos_] == '.') {
      ++pos_;
      if (!digits()) return false;
    }
    if (!at_end() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (!at_end() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digits()) return false;
    }
    return true;
  }

  // A string at pos_ (its opening quote): escapes, control characters, paired UTF-16 surrogates in
  // \u escapes, and UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
  bool scan_string() {
    ++pos_;
    for (;;) {
      if (at_end()) return fail_string_end();
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        if (!scan_escape()) return false;
      } else if (c < 0x20) {
        return fail("control character in string");
      } else if (c < 0x80) {
        ++pos_;
      } else if (!scan_utf8()) {
        return false;
      }
    }
  }

  bool scan_escape() {
    ++pos_;  // the backslash
    if (at_end()) return fail_string_end();
    switch (s_[pos_]) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't': ++pos_; return true;
      case 'u': break;
      default: return fail("invalid escape \\" + show_byte(s_[pos_]));
    }
    ++pos_;
    unsigned unit = 0;
    if (!scan_hex4(/*low=*/false, unit)) return false;
    if (unit < 0xD800 || unit > 0xDBFF) return true;
    // A high surrogate: the next escape must be a low one.
    if (at_end()) return fail_string_end();
    if (s_[pos_] != '\\') return fail(kExpectedLow);
    ++pos_;
    if (at_end()) return fail_string_end();
    if (s_[pos_] != 'u') return fail(kExpectedLow);
    ++pos_;
    return scan_hex4(/*low=*/true, unit);
  }

  static constexpr const char* kExpectedLow =
      "unpaired UTF-16 surrogate (expected a \\u escape of a low surrogate \\uDC00-\\uDFFF)";

  // Four hex digits at pos_ into unit; `low`: they must spell a low surrogate.
  bool scan_hex4(bool low, unsigned& unit) {
    unit = 0;
    for (int k = 0; k < 4; ++k) {
      if (at_end()) return fail_string_end();
      const int v = hex_value(s_[pos_]);
      if (v < 0) return fail("invalid \\u escape (expected 4 hex digits)");
      unit = unit << 4 | static_cast<unsigned>(v);
      // The first two digits decide: D8-DB is a high surrogate, DC-DF a low one.
      if (low && ((k == 0 && v != 0xD) || (k == 1 && v < 0xC))) return fail(kExpectedLow);
      if (!low && k == 1 && unit >= 0xDC && unit <= 0xDF) return fail("unpaired UTF-16 low surrogate");
      ++pos_;
    }
    return true;
  }

  // One UTF-8 sequence of two to four bytes at pos_ (RFC 3629, table 3-7 of Unicode).
  bool scan_utf8() {
    const auto c = static_cast<unsigned char>(s_[pos_]);
    int more = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      more = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      more = 2;
      if (c == 0xE0) lo = 0xA0;  // no overlong forms
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      more = 3;
      if (c == 0xF0) lo = 0x90;  // no overlong forms
      if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
      return fail("invalid UTF-8 in string");
    }
    ++pos_;
    for (int k = 0; k < more; ++k) {
      if (at_end()) return fail_string_end();
      const auto cc = static_cast<unsigned char>(s_[pos_]);
      if (cc < lo || cc > hi) return fail("invalid UTF-8 in string");
      lo = 0x80;
      hi = 0xBF;
      ++pos_;
    }
    return true;
  }

  std::string_view s_;
  std::size_t max_depth_;
  std::size_t pos_ = 0;
  std::vector<char> open_;  // the open brackets, '{' or '['
  std::string message_;
};

}  // namespace

JsonLocation locate_json_error(std::string_view text) { return locate_json_error(text, kDefaultMaxDepth); }

JsonLocation locate_json_error(std::string_view text, std::size_t max_depth) {
  Scanner scanner(text, max_depth);
  const bool valid = scanner.run();
  JsonLocation loc;
  loc.offset = valid ? text.size() : scanner.offset();
  loc.message = scanner.message();
  for (std::size_t i = 0; i < loc.offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else {
      ++loc.column;
    }
  }
  return loc;
}

}  // namespace ivk::detail
