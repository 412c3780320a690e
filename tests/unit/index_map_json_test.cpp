// Reading index maps keeps the rules of Boost.JSON, which read them before simdjson: the last of
// duplicate keys counts (as in Python's json.load), an index must be an integer token (1.0 is not),
// numbers beyond int64 and double are valid JSON (read as doubles), and nesting stops at 32 levels.
#include <gtest/gtest.h>

#include <string>

#include "ivk/workflow/index_map.h"
#include "ivk/workflow/workflow.h"
#include "support/workflow_util.h"

namespace {

using ivk::ErrorCode;
using ivk::test::load_workflow;

const char* const kJsonpath = "$.nodes[?(@.id='positive_prompt:kjUMdcg0zO')].data.inputs.value";

std::string entry(const std::string& members) {
  return std::string(R"({"index": 1, "jsonpath": ")") + kJsonpath + "\"" + members + "}";
}

TEST(IndexMapJson, TheLastOfDuplicateKeysCounts) {
  const ivk::Workflow wf = load_workflow("sdxl-text-to-image.json");
  auto r = ivk::verify_index_map(wf, R"({"inputs": "ignored", "inputs": [)" +
                                         entry(R"(, "label": 5, "label": "second", "index": 7, "index": 1)") +
                                         "]}");
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->unchanged.size(), 1u);
  EXPECT_EQ(r->unchanged[0].index, 1);
  EXPECT_EQ(r->unchanged[0].label, "second");
}

TEST(IndexMapJson, NumbersAreTypedAsBoostJsonTypedThem) {
  const ivk::Workflow wf = load_workflow("sdxl-text-to-image.json");
  for (const char* index : {"1.0", "1E0", "99999999999999999999", "1e400"}) {
    SCOPED_TRACE(index);
    auto r = ivk::verify_index_map(
        wf, std::string(R"({"inputs": [{"index": )") + index + R"(, "jsonpath": "x"}]})");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
    EXPECT_EQ(r.error().where, "$.inputs[0].index");
    EXPECT_EQ(r.error().message, "not an input index map: \"index\" must be an integer");
  }
  // Above INT64_MAX an integer is a uint64, wrapped to a negative index: out of range.
  auto wrapped =
      ivk::verify_index_map(wf, R"({"inputs": [{"index": 18446744073709551615, "jsonpath": "x"}]})");
  ASSERT_FALSE(wrapped);
  EXPECT_EQ(wrapped.error().message, "not an input index map: \"index\" is out of range");

  // Numbers simdjson cannot hold elsewhere in the map do not make it invalid.
  auto big = ivk::verify_index_map(
      wf, R"({"generated_at": 1e400, "extra": [-123456789012345678901234567890], "inputs": [)" +
              entry(R"(, "note": "1e400 \" 99999999999999999999", "x": 99999999999999999999)") + "]}");
  ASSERT_TRUE(big) << big.error().describe();
  EXPECT_EQ(big->unchanged.size(), 1u);
}

TEST(IndexMapJson, ParseErrorsSayWhatAndWhere) {
  const ivk::Workflow wf = load_workflow("sdxl-text-to-image.json");
  auto r = ivk::verify_index_map(wf, "{\"inputs\": [1,]}");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::parse_error);
  EXPECT_EQ(
      r.error().message,
      "the index map is not valid JSON (expected a value after ',' (trailing comma)) at line 1, column 15");

  auto big_and_broken = ivk::verify_index_map(wf, "{\"x\": 1e400, \"inputs\": [}");
  ASSERT_FALSE(big_and_broken);
  EXPECT_EQ(big_and_broken.error().code, ErrorCode::parse_error);
  EXPECT_NE(big_and_broken.error().message.find("column 25"), std::string::npos)
      << big_and_broken.error().message;
}

TEST(IndexMapJson, NestingDeeperThan32LevelsIsRefused) {
  const ivk::Workflow wf = load_workflow("sdxl-text-to-image.json");
  // The root object is level 1, "extra" opens levels 2 and up.
  auto map = [](int levels) {
    return R"({"inputs": [], "extra": )" + std::string(static_cast<std::size_t>(levels - 1), '[') +
           std::string(static_cast<std::size_t>(levels - 1), ']') + "}";
  };
  EXPECT_TRUE(ivk::verify_index_map(wf, map(32)));
  auto deep = ivk::verify_index_map(wf, map(33));
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, ErrorCode::parse_error);
  EXPECT_EQ(deep.error().message,
            "the index map is not valid JSON (nesting deeper than 32 levels) at line 1, column 56");
}

}  // namespace
