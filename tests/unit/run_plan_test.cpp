// RunPlan: index order over runs × file rows × sweep groups, CSV and JSONL inputs files, errors
// with their file, line and column, and a large file read lazily.
#include "ivk/client/run_plan.h"

#include <gtest/gtest.h>

#include <cstdlib>  // mkdtemp
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "ivk/workflow/workflow.h"
#include "support/fixtures.h"

namespace {

using ivk::ErrorCode;
using ivk::PlanSpec;
using ivk::RunPlan;
using Values = std::vector<std::string>;

// sdxl-text-to-image inputs: 1 "positive prompt" = "deep space, high quality, colorful",
// 3 width = 768, 4 height = 1024, 5 steps = 30, 6 cfg_scale = 7.5, 8 board (no value).
const ivk::Workflow& sdxl() {
  static const ivk::Workflow kWorkflow = [] {
    auto loaded = ivk::Workflow::load_file(ivk::test::fixture("workflows/sdxl-text-to-image.json"));
    EXPECT_TRUE(loaded.has_value());
    return *loaded;
  }();
  return kWorkflow;
}

const std::string kPrompt = R"("deep space, high quality, colorful")";

class RunPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "ivk-run-plan-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path write(const std::string& name, const std::string& bytes) {
    auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  RunPlan plan(const PlanSpec& spec) {
    auto p = RunPlan::make(sdxl(), spec);
    EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().describe());
    if (!p) return std::move(*RunPlan::make(sdxl(), PlanSpec{}));  // one empty item, so the test goes on
    return std::move(*p);
  }
  RunPlan plan_of_file(const std::string& name, const std::string& bytes) {
    PlanSpec spec;
    spec.inputs_file = write(name, bytes);
    return plan(spec);
  }
  ivk::Error error_of(const PlanSpec& spec) {
    auto p = RunPlan::make(sdxl(), spec);
    EXPECT_FALSE(p.has_value());
    return p ? ivk::Error{} : p.error();
  }
  ivk::Error error_of_file(const std::string& name, const std::string& bytes) {
    PlanSpec spec;
    spec.inputs_file = write(name, bytes);
    return error_of(spec);
  }

  std::filesystem::path dir_;
};

Values values(const RunPlan& p, std::uint64_t index) {
  auto item = p.item(index);
  EXPECT_TRUE(item.has_value()) << (item ? "" : item.error().describe());
  if (!item) return {};
  EXPECT_EQ(item->index, index);
  return item->values_json;
}

bool mentions(const ivk::Error& e, const std::string& text) {
  return e.message.find(text) != std::string::npos;
}

// --- index order ------------------------------------------------------------------------------

TEST_F(RunPlanTest, SweepsOnlyZipInAGroupMultiplyAcrossGroupsLastFastest) {
  PlanSpec spec;
  spec.sweeps.push_back({{{"3", {"512", "768"}}, {"4", {"640", "1024"}}}});
  spec.sweeps.push_back({{{"positive prompt", {R"("a")", R"("b")", R"("c")"}}}});
  spec.runs = 2;
  const RunPlan p = plan(spec);
  EXPECT_EQ(p.size(), 12u);
  EXPECT_EQ(p.rows(), 1u);
  EXPECT_EQ(p.combos(), 6u);
  EXPECT_EQ(p.file_field_count(), 0u);
  ASSERT_EQ(p.fields().size(), 3u);
  EXPECT_EQ(p.fields()[0].node_path, "noise:f4Bv4UWa22");
  EXPECT_EQ(p.fields()[0].field_name, "width");
  EXPECT_EQ(p.fields()[0].label, "3");
  EXPECT_EQ(p.fields()[1].field_name, "height");
  EXPECT_EQ(p.fields()[2].node_path, "positive_prompt:kjUMdcg0zO");
  EXPECT_EQ(p.fields()[2].field_name, "value");
  EXPECT_EQ(p.fields()[2].label, "positive prompt");
  EXPECT_EQ(values(p, 0), (Values{"512", "640", R"("a")"}));
  EXPECT_EQ(values(p, 1), (Values{"512", "640", R"("b")"}));
  EXPECT_EQ(values(p, 2), (Values{"512", "640", R"("c")"}));
  EXPECT_EQ(values(p, 3), (Values{"768", "1024", R"("a")"}));
  EXPECT_EQ(values(p, 5), (Values{"768", "1024", R"("c")"}));
  EXPECT_EQ(values(p, 6), (Values{"512", "640", R"("a")"}));  // run 1 starts over
  EXPECT_EQ(values(p, 11), (Values{"768", "1024", R"("c")"}));
  auto out = p.item(12);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(out.error().message, "item 12 is out of range: the plan has 12 items (0..11)");
}

TEST_F(RunPlanTest, NoSweepsAndNoFileIsOneItemPerRunWithNoFields) {
  PlanSpec spec;
  spec.runs = 3;
  const RunPlan p = plan(spec);
  EXPECT_EQ(p.size(), 3u);
  EXPECT_TRUE(p.fields().empty());
  EXPECT_EQ(values(p, 2), Values{});
}

TEST_F(RunPlanTest, CsvFileOnlyGivesOneItemARowWithEmptyCellsKeepingTheWorkflowValue) {
  const RunPlan p = plan_of_file("in.csv", "width,positive prompt,board\n512,a cat,\n,\"a dog, big\",auto\n");
  EXPECT_EQ(p.size(), 2u);
  EXPECT_EQ(p.rows(), 2u);
  EXPECT_EQ(p.file_field_count(), 3u);
  ASSERT_EQ(p.fields().size(), 3u);
  EXPECT_EQ(p.fields()[0].label, "width");
  EXPECT_EQ(p.fields()[1].label, "positive prompt");
  EXPECT_EQ(p.fields()[2].field_name, "board");
  EXPECT_EQ(values(p, 0), (Values{"512", R"("a cat")", "null"}));  // the board has no value of its own
  EXPECT_EQ(values(p, 1), (Values{"768", R"("a dog, big")", R"("auto")"}));
}

TEST_F(RunPlanTest, FileTimesSweepsTimesRunsFollowsTheIndexFormula) {
  PlanSpec spec;
  spec.inputs_file = write("in.csv", "width,height\n512,640\n1024,\n");
  spec.sweeps.push_back({{{"steps", {"10", "20", "30"}}}});
  spec.sweeps.push_back({{{"cfg_scale", {"5", "6.5"}}}});
  spec.runs = 2;
  const RunPlan p = plan(spec);
  EXPECT_EQ(p.size(), 24u);  // 2 runs × 2 rows × 3 × 2
  EXPECT_EQ(p.combos(), 6u);
  ASSERT_EQ(p.fields().size(), 4u);
  EXPECT_EQ(p.fields()[2].field_name, "steps");
  EXPECT_EQ(p.fields()[3].field_name, "cfg_scale");
  // index = ((run * rows) + row) * combos + combo, combo = steps * 2 + cfg
  EXPECT_EQ(values(p, 0), (Values{"512", "640", "10", "5"}));
  EXPECT_EQ(values(p, 1), (Values{"512", "640", "10", "6.5"}));
  EXPECT_EQ(values(p, 5), (Values{"512", "640", "30", "6.5"}));
  EXPECT_EQ(values(p, 6), (Values{"1024", "1024", "10", "5"}));  // row 1, its height from the workflow
  EXPECT_EQ(values(p, 9), (Values{"1024", "1024", "20", "6.5"}));
  EXPECT_EQ(values(p, 12 + 2), (Values{"512", "640", "20", "5"}));  // run 1, row 0, combo 2
  EXPECT_EQ(values(p, 23), (Values{"1024", "1024", "30", "6.5"}));
}

// --- CSV --------------------------------------------------------------------------------------

TEST_F(RunPlanTest, CsvQuotingFollowsRfc4180) {
  const RunPlan p =
      plan_of_file("q.csv",
                   "positive prompt,negative prompt\r\n"
                   "\"say \"\"hi\"\"\",\"two\r\nlines\"\r\n"  // doubled quotes; CRLF inside quotes
                   "\"\",plain\n"                             // "" is the empty string
                   "\"a,b\",\"x\ny\"\n"                       // comma and LF inside quotes
                   ",last line without newline");
  EXPECT_EQ(p.size(), 4u);
  EXPECT_EQ(values(p, 0), (Values{R"("say \"hi\"")", R"("two\r\nlines")"}));
  EXPECT_EQ(values(p, 1), (Values{R"("")", R"("plain")"}));
  EXPECT_EQ(values(p, 2), (Values{R"("a,b")", R"("x\ny")"}));
  EXPECT_EQ(values(p, 3), (Values{kPrompt, R"("last line without newline")"}));
}

TEST_F(RunPlanTest, CsvBlankLinesAtTheEndAreIgnoredAndASingleColumnKeepsInnerBlankRows) {
  const RunPlan two = plan_of_file("end.csv", "width,height\n1,2\n\n\r\n\n");
  EXPECT_EQ(two.size(), 1u);
  EXPECT_EQ(values(two, 0), (Values{"1", "2"}));
  const RunPlan one = plan_of_file("one.csv", "steps\n5\n\n7\n\n");
  EXPECT_EQ(one.size(), 3u);
  EXPECT_EQ(values(one, 0), Values{"5"});
  EXPECT_EQ(values(one, 1), Values{"30"});  // a blank row: the workflow's value
  EXPECT_EQ(values(one, 2), Values{"7"});
}

TEST_F(RunPlanTest, CsvHeadersAreTrimmedAndResolvedByIndexLabelOrNodeField) {
  const RunPlan p = plan_of_file("h.csv", "3 , noise:f4Bv4UWa22.height,\"Steps\"\n1,2,3\n");
  ASSERT_EQ(p.fields().size(), 3u);
  EXPECT_EQ(p.fields()[0].field_name, "width");
  EXPECT_EQ(p.fields()[0].label, "3");
  EXPECT_EQ(p.fields()[1].field_name, "height");
  EXPECT_EQ(p.fields()[2].field_name, "steps");
  EXPECT_EQ(values(p, 0), (Values{"1", "2", "3"}));
}

TEST_F(RunPlanTest, ByteOrderMarkIsSkippedInBothFormats) {
  const RunPlan csv = plan_of_file("bom.csv", "\xEF\xBB\xBFwidth\n640\n");
  EXPECT_EQ(csv.fields()[0].label, "width");
  EXPECT_EQ(values(csv, 0), Values{"640"});
  const RunPlan jsonl = plan_of_file("bom.jsonl", "\xEF\xBB\xBF{\"width\": 640}\n");
  EXPECT_EQ(jsonl.fields()[0].label, "width");
  EXPECT_EQ(values(jsonl, 0), Values{"640"});
}

// --- JSONL ------------------------------------------------------------------------------------

TEST_F(RunPlanTest, JsonlMissingKeysGetTheWorkflowValueAndFieldsFollowFirstAppearance) {
  const RunPlan p = plan_of_file("m.jsonl",
                                 "{\"width\": 512}\n"
                                 "\n"
                                 "  \r\n"
                                 "{\"positive prompt\": \"a \\\"fox\\\"\", \"width\": 640}\r\n"
                                 "{}\n"
                                 "{\"cfg_scale\": 4, \"width\": 8}");
  EXPECT_EQ(p.size(), 4u);
  ASSERT_EQ(p.fields().size(), 3u);
  EXPECT_EQ(p.fields()[0].label, "width");
  EXPECT_EQ(p.fields()[1].label, "positive prompt");
  EXPECT_EQ(p.fields()[2].label, "cfg_scale");
  EXPECT_EQ(values(p, 0), (Values{"512", kPrompt, "7.5"}));
  EXPECT_EQ(values(p, 1), (Values{"640", R"("a \"fox\"")", "7.5"}));
  EXPECT_EQ(values(p, 2), (Values{"768", kPrompt, "7.5"}));
  EXPECT_EQ(values(p, 3), (Values{"8", kPrompt, "4"}));
}

TEST_F(RunPlanTest, JsonlStructuredValuesAreCompacted) {
  const RunPlan p = plan_of_file("s.jsonl", "{ \"board\" : { \"board_id\" : \"b 1\" } }\n");
  EXPECT_EQ(values(p, 0), Values{R"({"board_id":"b 1"})"});
}

// --- errors -----------------------------------------------------------------------------------

struct FileErrorCase {
  std::string name;
  std::string bytes;
  ErrorCode code;
  std::string where;
  std::string message_part;
};

TEST_F(RunPlanTest, FileErrorsNameTheFileLineAndColumn) {
  const std::vector<FileErrorCase> cases = {
      {"bad-int.csv", "width\n512\nabc\n", ErrorCode::invalid_argument, "line 3, column 1",
       "column 'width': input 3 'width' (noise:f4Bv4UWa22.width): expects an integer, got 'abc'"},
      {"quoted-empty-int.csv", "steps,width\n1,\"\"\n", ErrorCode::invalid_argument, "line 2, column 2",
       "column 'width': input 3 'width' (noise:f4Bv4UWa22.width): expects an integer, got ''"},
      {"after-multiline.csv", "positive prompt,width\n\"one\ntwo\",x\n", ErrorCode::invalid_argument,
       "line 3, column 2", "expects an integer, got 'x'"},
      {"short-row.csv", "width,height\n1,2\n3\n", ErrorCode::parse_error, "line 3, column 2",
       "this row has 1 cell, the header has 2 cells;"},
      {"long-row.csv", "width,height\n1,2,3\n", ErrorCode::parse_error, "line 2, column 3",
       "this row has 3 cells, the header has 2 cells;"},
      {"unclosed.csv", "positive prompt,width\n\"abc,5\n6,7\n", ErrorCode::parse_error, "line 2, column 1",
       "a quoted cell is not closed"},
      {"after-quote.csv", "positive prompt,width\n1,2\n\"a\"b,3\n", ErrorCode::parse_error,
       "line 3, column 1", "expected ',' or the end of the line after a quoted cell, got 'b'"},
      {"stray-quote.csv", "positive prompt,width\nsay \"hi\",3\n", ErrorCode::parse_error, "line 2, column 1",
       "a '\"' inside an unquoted cell"},
      {"blank-inside.csv", "width,height\n1,2\n\n3,4\n", ErrorCode::parse_error, "line 3, column 1",
       "a blank line among the rows"},
      {"unknown.csv", "width,widht\n1,2\n", ErrorCode::invalid_argument, "line 1, column 2",
       "column 2 'widht': no input 'widht'"},
      {"empty-header.csv", "width,,height\n1,2,3\n", ErrorCode::invalid_argument, "line 1, column 2",
       "column 2 has an empty header"},
      {"twice.csv", "width,3\n1,2\n", ErrorCode::invalid_argument, "line 1, column 2",
       "column 1 'width' and column 2 '3' both name input 3 'width' (noise:f4Bv4UWa22.width)"},
      {"header-only.csv", "width,height\r\n", ErrorCode::invalid_argument, "",
       "no items: the file has a header but no rows"},
      {"empty.csv", "", ErrorCode::invalid_argument, "", "no items: the file has no header"},
      {"bad-type.jsonl", "{\"width\": 5}\n{\"width\": \"wide\"}\n", ErrorCode::invalid_argument,
       "line 2, column 11",
       "key 'width': input 3 'width' (noise:f4Bv4UWa22.width): expects an integer, got a string"},
      {"bad-literal.jsonl", "{\"steps\": tru}\n", ErrorCode::invalid_argument, "line 1, column 11",
       "value is not valid JSON"},
      {"no-colon.jsonl", "\n{\"width\" 5}\n", ErrorCode::parse_error, "line 2, column 10",
       "expected ':' after the key, got '5'"},
      {"not-object.jsonl", "[1, 2]\n", ErrorCode::parse_error, "line 1, column 1", "expected a JSON object"},
      {"trailing.jsonl", "{\"width\": 5} x\n", ErrorCode::parse_error, "line 1, column 14",
       "text after the object"},
      {"unclosed.jsonl", "{\"width\": [1, 2}\n", ErrorCode::parse_error, "line 1, column 11",
       "the value is not complete JSON"},
      {"no-comma.jsonl", "{\"width\": 5 \"height\": 6}\n", ErrorCode::parse_error, "line 1, column 13",
       "expected ',' or '}' after a value"},
      {"unknown.jsonl", "{\"width\": 5, \"bogus\": 1}\n", ErrorCode::invalid_argument, "line 1, column 14",
       "key 'bogus' (line 1): no input 'bogus'"},
      {"same-key.jsonl", "{\"width\": 5, \"width\": 6}\n", ErrorCode::invalid_argument, "line 1, column 14",
       "key 'width' appears twice in this object"},
      {"two-names.jsonl", "{\"width\": 5}\n{\"3\": 6}\n", ErrorCode::invalid_argument, "line 2, column 2",
       "key 'width' (line 1) and key '3' (line 2) both name input 3 'width'"},
      {"blank.jsonl", "\n  \n", ErrorCode::invalid_argument, "",
       "no items: the file has no JSON object lines"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto path = write(c.name, c.bytes);
    PlanSpec spec;
    spec.inputs_file = path;
    const ivk::Error e = error_of(spec);
    EXPECT_EQ(e.code, c.code) << e.describe();
    EXPECT_EQ(e.source, path.string());
    EXPECT_EQ(e.where, c.where) << e.describe();
    EXPECT_TRUE(mentions(e, c.message_part)) << e.message;
  }
}

TEST_F(RunPlanTest, AnInputInTheFileAndASweepIsAnErrorNamingBoth) {
  PlanSpec spec;
  spec.inputs_file = write("w.csv", "width\n1\n");
  spec.sweeps.push_back({{{"noise:f4Bv4UWa22.width", {"512"}}}});
  const ivk::Error e = error_of(spec);
  EXPECT_EQ(e.code, ErrorCode::invalid_argument);
  EXPECT_EQ(e.where, "sweep group 0");
  EXPECT_EQ(e.message,
            "column 1 'width' and sweep 'noise:f4Bv4UWa22.width' (group 0) both name input 3 'width' "
            "(noise:f4Bv4UWa22.width); name each input once");
}

TEST_F(RunPlanTest, SpecErrors) {
  PlanSpec runs;
  runs.runs = 0;
  EXPECT_EQ(error_of(runs).message, "runs must be at least 1, got 0");

  PlanSpec extension;
  extension.inputs_file = write("in.txt", "width\n1\n");
  ivk::Error e = error_of(extension);
  EXPECT_EQ(e.code, ErrorCode::invalid_argument);
  EXPECT_TRUE(mentions(e, "got '.txt'")) << e.message;

  PlanSpec missing;
  missing.inputs_file = dir_ / "absent.csv";
  e = error_of(missing);
  EXPECT_EQ(e.code, ErrorCode::not_found);
  EXPECT_EQ(e.source, missing.inputs_file.string());

  PlanSpec directory;
  std::filesystem::create_directory(dir_ / "d.jsonl");
  directory.inputs_file = dir_ / "d.jsonl";
  EXPECT_EQ(error_of(directory).code, ErrorCode::io);

  PlanSpec zip;
  zip.sweeps.push_back({{{"3", {"512", "768"}}, {"4", {"640"}}}});
  e = error_of(zip);
  EXPECT_EQ(e.where, "sweep group 0");
  EXPECT_EQ(e.message,
            "zipped sweeps must have the same number of values: sweep '3' (group 0) has 2, "
            "sweep '4' (group 0) has 1");

  PlanSpec empty;
  empty.sweeps.push_back({{{"steps", {}}}});
  EXPECT_EQ(error_of(empty).message, "sweep 'steps' (group 0): a sweep needs at least one value");

  PlanSpec wrong;
  wrong.sweeps.push_back({{{"steps", {"1", R"("many")"}}}});
  e = error_of(wrong);
  EXPECT_EQ(e.code, ErrorCode::invalid_argument);
  EXPECT_EQ(e.where, "sweep group 0");
  EXPECT_EQ(e.message,
            "sweep 'steps' (group 0) value 1: input 5 'steps' (denoise_latents:TRC0Y88EWe.steps): expects an "
            "integer, got a string");

  PlanSpec unknown;
  unknown.sweeps.push_back({{{"nope", {"1"}}}});
  e = error_of(unknown);
  EXPECT_EQ(e.code, ErrorCode::invalid_argument);
  EXPECT_TRUE(mentions(e, "sweep 'nope' (group 0): no input 'nope'")) << e.message;
}

// --- fingerprint ------------------------------------------------------------------------------

TEST_F(RunPlanTest, FingerprintIsEqualExactlyForTheSamePlan) {
  PlanSpec spec;
  spec.inputs_file = write("a.csv", "width\n512\n640\n");
  spec.sweeps.push_back({{{"steps", {"10", "20"}}}});
  const std::string base = plan(spec).fingerprint();
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(base.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(plan(spec).fingerprint(), base);

  PlanSpec relabelled = spec;  // the same input by another name: the same plan
  relabelled.sweeps[0].data[0].input = "5";
  EXPECT_EQ(plan(relabelled).fingerprint(), base);

  PlanSpec copy = spec;  // the same bytes in another file: the same plan
  copy.inputs_file = write("b.csv", "width\n512\n640\n");
  EXPECT_EQ(plan(copy).fingerprint(), base);

  PlanSpec more_runs = spec;
  more_runs.runs = 2;
  EXPECT_NE(plan(more_runs).fingerprint(), base);
  PlanSpec other_value = spec;
  other_value.sweeps[0].data[0].items[1] = "21";
  EXPECT_NE(plan(other_value).fingerprint(), base);
  PlanSpec other_bytes = spec;
  other_bytes.inputs_file = write("c.csv", "width\n512\n641\n");
  EXPECT_NE(plan(other_bytes).fingerprint(), base);
  PlanSpec split = spec;  // the same values grouped differently
  split.sweeps[0].data[0].items = {"10"};
  split.sweeps.push_back({{{"cfg_scale", {"20"}}}});
  EXPECT_NE(plan(split).fingerprint(), base);
}

// --- large files and threads ------------------------------------------------------------------

TEST_F(RunPlanTest, LargeJsonlFileIsIndexedAndReadRowByRow) {
  constexpr std::uint64_t kRows = 200000;
  const auto path = dir_ / "big.jsonl";
  {
    std::ofstream out(path, std::ios::binary);
    for (std::uint64_t i = 0; i < kRows; ++i)
      out << R"({"steps": )" << i << R"(, "positive prompt": "prompt )" << i << "\"}\n";
  }
  PlanSpec spec;
  spec.inputs_file = path;
  spec.runs = 2;
  const RunPlan p = plan(spec);
  EXPECT_EQ(p.rows(), kRows);
  EXPECT_EQ(p.size(), 2 * kRows);
  EXPECT_EQ(values(p, 0), (Values{"0", R"("prompt 0")"}));
  EXPECT_EQ(values(p, 123456), (Values{"123456", R"("prompt 123456")"}));
  EXPECT_EQ(values(p, kRows - 1), (Values{"199999", R"("prompt 199999")"}));
  EXPECT_EQ(values(p, kRows + 7), (Values{"7", R"("prompt 7")"}));  // run 1
  EXPECT_EQ(values(p, 2 * kRows - 1), (Values{"199999", R"("prompt 199999")"}));
}

TEST_F(RunPlanTest, ItemsReadFromSeveralThreadsAtOnceAgree) {
  std::string csv = "steps,positive prompt\n";
  for (int i = 0; i < 500; ++i) csv += std::to_string(i) + ",\"p " + std::to_string(i) + "\"\n";
  PlanSpec spec;
  spec.inputs_file = write("t.csv", csv);
  spec.sweeps.push_back({{{"width", {"512", "768"}}}});
  RunPlan made = plan(spec);
  const RunPlan p = std::move(made);  // movable
  std::vector<int> wrong(4, 0);
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (auto i = static_cast<std::uint64_t>(t); i < p.size(); i += 4) {
        auto item = p.item(i);
        const Values expected{std::to_string(i / 2), "\"p " + std::to_string(i / 2) + "\"",
                              i % 2 == 0 ? "512" : "768"};
        if (!item || item->values_json != expected) ++wrong[static_cast<std::size_t>(t)];
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong, (std::vector<int>{0, 0, 0, 0}));
}

}  // namespace
