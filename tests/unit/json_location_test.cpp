// Where a broken JSON text first goes wrong: the offset of the first byte no valid document could
// have there (the text size when the text ends too early), its 1-based line and column, and what
// was expected. The positions below were checked against Boost.JSON's parser, which ivk used before.
#include "workflow/json_location.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using ivk::detail::JsonLocation;
using ivk::detail::locate_json_error;

struct Broken {
  std::string text;
  std::size_t offset, line, column;
  std::string message;
};

TEST(JsonLocation, PointsAtTheFirstOffendingByte) {
  const Broken cases[] = {
      {"", 0, 1, 1, "unexpected end of input"},
      {"{\n  \"name\": \"x\",\n  \"nodes\": [1,\n", 32, 4, 1, "unexpected end of input"},
      {"{\n  \"name\": \"x\",\n  \"nodes\": [1,, 2]}", 31, 3, 15, "expected a value"},
      {"[\n  1,\n  x]", 9, 3, 3, "invalid literal"},
      {R"({"a": 1,})", 8, 1, 9, "expected a member name after ',' (trailing comma)"},
      {"[1, 2,]", 6, 1, 7, "expected a value after ',' (trailing comma)"},
      {R"({"a": 1 "b": 2})", 8, 1, 9, "expected ',' or '}' after an object member"},
      {"[1 2]", 3, 1, 4, "expected ',' or ']' after an array element"},
      {R"({"a" 1})", 5, 1, 6, "expected ':' after a member name"},
      {"{'a': 1}", 1, 1, 2, "expected a string member name or '}'"},
      {R"(["a\qb"])", 4, 1, 5, "invalid escape \\q"},
      {R"(["abc)", 5, 1, 6, "unterminated string"},
      {std::string("{\"a\": \"\0\"}", 10), 7, 1, 8, "control character in string"},
      {"{\"a\": 1 // c\n}", 8, 1, 9,
       "comments are not allowed in JSON (expected ',' or '}' after an object member)"},
      {R"({"a": NaN})", 6, 1, 7, "invalid literal"},
      {"[tru]", 4, 1, 5, "invalid literal"},  // "tru" could still have become "true"
      {"[01]", 2, 1, 3, "invalid number (leading zero)"},
      {R"({"x": 1.e5})", 8, 1, 9, "invalid number"},
      {"{} x", 3, 1, 4, "extra text after the JSON value"},
      {R"(["\udc00"])", 5, 1, 6, "unpaired UTF-16 low surrogate"},
      {R"(["\ud800"])", 8, 1, 9,
       "unpaired UTF-16 surrogate (expected a \\u escape of a low surrogate \\uDC00-\\uDFFF)"},
      {"[\"\xC0\x80\"]", 2, 1, 3, "invalid UTF-8 in string"},  // an overlong NUL
      {"[\"caf\xE9\"]", 6, 1, 7, "invalid UTF-8 in string"},   // Latin-1: 0xE9 wants two more bytes
      {"\xEF\xBB\xBF{}", 0, 1, 1, "expected a value, not a byte order mark"},
  };
  for (const Broken& c : cases) {
    SCOPED_TRACE(c.text);
    const JsonLocation loc = locate_json_error(c.text);
    EXPECT_EQ(loc.offset, c.offset);
    EXPECT_EQ(loc.line, c.line);
    EXPECT_EQ(loc.column, c.column);
    EXPECT_EQ(loc.message, c.message);
  }
}

TEST(JsonLocation, ValidDocumentsHaveNoMessage) {
  for (const std::string& text : {
           std::string(
               R"({"a": [1, -0.5, 2.5e-3, 1E+2, true, false, null, "x\u00e9\ud83c\udfa8 \"q\" \\ \/"]})"),
           std::string("  {}\n"),
           std::string("\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x8E\xA8\""),
           std::string("0"),
           // Beyond int64 and double, which simdjson refuses, but valid JSON.
           std::string("[99999999999999999999, 1e400, -123456789012345678901234567890]"),
       }) {
    SCOPED_TRACE(text);
    const JsonLocation loc = locate_json_error(text);
    EXPECT_EQ(loc.message, "");
    EXPECT_EQ(loc.offset, text.size());
  }
  const JsonLocation loc = locate_json_error("  {}\n");
  EXPECT_EQ(loc.line, 2u);
  EXPECT_EQ(loc.column, 1u);
}

TEST(JsonLocation, DeepNestingIsAnErrorNotACrash) {
  const JsonLocation arrays = locate_json_error(std::string(100000, '[') + std::string(100000, ']'));
  EXPECT_EQ(arrays.offset, 10000u);  // the bracket opening level 10001
  EXPECT_EQ(arrays.message, "nesting deeper than 10000 levels");

  std::string objects;
  for (int i = 0; i < 20000; ++i) objects += "{\"a\":";
  const JsonLocation members = locate_json_error(objects);
  EXPECT_EQ(members.offset, 50000u);
  EXPECT_EQ(members.message, "nesting deeper than 10000 levels");

  EXPECT_EQ(locate_json_error(std::string(9999, '[') + std::string(9999, ']')).message, "");
}

TEST(JsonLocation, ANestingLimitOfChoice) {
  // 32 levels: Boost.JSON's default, which index maps keep.
  EXPECT_EQ(locate_json_error(std::string(32, '[') + std::string(32, ']'), 32).message, "");
  const JsonLocation loc = locate_json_error(std::string(33, '[') + std::string(33, ']'), 32);
  EXPECT_EQ(loc.offset, 32u);
  EXPECT_EQ(loc.message, "nesting deeper than 32 levels");
}

}  // namespace
