// --name templates: placeholders, safety whatever the values, reserved names, collisions.
#include <gtest/gtest.h>

#include "client/file_name_template.h"

namespace ivk::detail {
namespace {

const std::vector<PlanField> kFields{{"noise", "seed", "Seed"}, {"prompt", "value", "Prompt"}};

NameContext context(const std::vector<std::string>& values, std::string_view image = "abc-123.png") {
  NameContext c;
  c.index = 42;
  c.n = 1;
  c.item_id = 7;
  c.image_name = image;
  c.batch_id = "b1";
  c.fields = &kFields;
  c.values_json = &values;
  return c;
}

TEST(FileNameTemplate, FillsEveryPlaceholder) {
  const std::vector<std::string> values{"1234", "\"a red fox\""};
  EXPECT_EQ(render_file_name("{index:05}-{Seed}-{image}", context(values)), "00042-1234-abc-123.png");
  EXPECT_EQ(render_file_name("{Prompt}_{n}_{item}_{batch}", context(values)), "a_red_fox_1_7_b1.png");
  EXPECT_EQ(render_file_name("{seed}.png", context(values)), "1234.png");  // case-insensitive, ext once
  EXPECT_EQ(render_file_name("{noise.seed}", context(values, "x.webp")), "1234.webp");
  EXPECT_EQ(render_file_name("", context(values)), "abc-123.png");
}

TEST(FileNameTemplate, NoValueCanLeaveTheFolderOrTakeTheRunsFiles) {
  for (const char* evil : {"\"../../etc/passwd\"", "\"/abs\"", "\"..\"", "\".hidden\"", "\"a\\\\b\""}) {
    SCOPED_TRACE(evil);
    const std::vector<std::string> values{"1", evil};
    const std::string name = render_file_name("{Prompt}", context(values));
    EXPECT_EQ(name.find('/'), std::string::npos);
    EXPECT_EQ(name.find('\\'), std::string::npos);
    EXPECT_NE(name.front(), '.');
  }
  const std::vector<std::string> values{"1", "\"run\""};
  EXPECT_EQ(render_file_name("{Prompt}.json", context(values, "x.json")), "image-run.json");
  EXPECT_EQ(render_file_name("run.sqlite", context(values, "x.sqlite")), "image-run.sqlite");
  EXPECT_TRUE(is_reserved_file_name("RUN.JSON"));
  EXPECT_TRUE(is_reserved_file_name("run-3.sqlite"));
  EXPECT_FALSE(is_reserved_file_name("run-a.png"));
  EXPECT_EQ(render_file_name("", context(values, "run.json")), "image-run.json");
  EXPECT_LE(render_file_name(std::string(500, 'x'), context(values)).size(), 200u);
}

TEST(FileNameTemplate, UnknownPlaceholdersAreRefusedWithWhatExists) {
  EXPECT_TRUE(check_name_template("{index:05}-{Seed}-{image}", kFields));
  auto bad = check_name_template("{Steps}", kFields);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(bad.error().message.find("{Steps}"), std::string::npos);
  EXPECT_NE(bad.error().message.find("{Prompt}"), std::string::npos);
  EXPECT_FALSE(check_name_template("{index", kFields));
  EXPECT_FALSE(check_name_template("{index:x}", kFields));
}

TEST(FileNameTemplate, CollisionsAreResolvedDeterministically) {
  EXPECT_EQ(collision_name("1234.png", 42, 0, 1), "1234-42-0.png");
  EXPECT_EQ(collision_name("1234.png", 42, 0, 2), "1234-42-0-2.png");
}

}  // namespace
}  // namespace ivk::detail
