// The public JSON text helpers: numbers keep their spelling, strings are escaped exactly.
#include "ivk/json_text.h"

#include <gtest/gtest.h>

namespace {

TEST(JsonText, QuotesAndNumbers) {
  EXPECT_EQ(ivk::json_quote("a \"b\"\\\n\x01"), R"("a \"b\"\\\n\u0001")");
  EXPECT_EQ(ivk::json_quote("caf\xC3\xA9"), "\"caf\xC3\xA9\"");
  EXPECT_EQ(ivk::json_number(0.7), "0.7");
  EXPECT_EQ(ivk::json_number(1.0), "1");
  EXPECT_EQ(ivk::json_number(1e300), "1e+300");
}

TEST(JsonText, PrettyAndMinifyKeepScalarsByteForByte) {
  const std::string compact = R"({"a":[1.0,0.7,"x y"],"b":{},"c":[]})";
  const std::string pretty = ivk::pretty_json(compact);
  EXPECT_EQ(pretty, "{\n  \"a\": [\n    1.0,\n    0.7,\n    \"x y\"\n  ],\n  \"b\": {},\n  \"c\": []\n}");
  EXPECT_EQ(ivk::minify_json(pretty), compact);
}

TEST(JsonText, PicksValuesOutOfText) {
  const std::string doc = R"({"id": "g", "nodes": {"n": {"v": [1, 2]}}, "edges": [ {"a": 1}, 2 ]})";
  EXPECT_EQ(ivk::json_member(doc, "id").value(), "\"g\"");
  EXPECT_EQ(ivk::json_member(doc, "nodes").value(), R"({"n": {"v": [1, 2]}})");
  EXPECT_FALSE(ivk::json_member(doc, "missing").has_value());
  const auto items = ivk::split_json_array(R"([ {"a": 1}, 2, "three" ])");
  ASSERT_TRUE(items.has_value());
  EXPECT_EQ(*items, (std::vector<std::string>{R"({"a":1})", "2", "\"three\""}));
  EXPECT_FALSE(ivk::split_json_array("{}").has_value());
  EXPECT_EQ(ivk::json_unquote(R"("a\u00e9\n")").value(), "a\xC3\xA9\n");
  EXPECT_FALSE(ivk::json_unquote("12").has_value());
  EXPECT_EQ(ivk::skip_json_value(R"(  [1, {"x": "]"}] tail)", 0), 17u);  // one past the closing bracket
  EXPECT_EQ(ivk::skip_json_value("[1, 2", 0), std::string_view::npos);
}

TEST(JsonText, BuilderPlacesCommas) {
  ivk::JsonBuilder b;
  b.begin_object().key("a").integer(1).key("b").begin_array().string("x").null().boolean(true).end_array();
  b.key("c").raw(R"({"k":0.7})").key("d").optional_string(std::nullopt).end_object();
  EXPECT_EQ(b.str(), R"({"a":1,"b":["x",null,true],"c":{"k":0.7},"d":null})");
}

}  // namespace

TEST(JsonText, StringArrayQuotesEveryItem) {
  EXPECT_EQ(ivk::json_string_array({}), "[]");
  EXPECT_EQ(ivk::json_string_array({"a.png", "say \"hi\"\n"}), R"(["a.png","say \"hi\"\n"])");
}
