// Safe local names for server-supplied image names, and the run.json manifest.
#include <gtest/gtest.h>

#include "ivk/client/image_download.h"
#include "ivk/client/run_manifest.h"

namespace ivk {
namespace {

TEST(SafeImageFileName, KeepsOrdinaryNames) {
  EXPECT_EQ(safe_image_file_name("fe4089fd-1187-4883-b180-8aaf2fc317ba.png"),
            "fe4089fd-1187-4883-b180-8aaf2fc317ba.png");
  EXPECT_EQ(safe_image_file_name("a_b.c.webp"), "a_b.c.webp");
}

TEST(SafeImageFileName, NothingCanLeaveTheFolder) {
  for (const char* evil : {"../../etc/passwd", "/etc/passwd", "..\\..\\x.png", "..", ".", "", "a/../../b.png",
                           ".hidden.png", "x\ny.png", "name with spaces.png"}) {
    const std::string name = safe_image_file_name(evil);
    SCOPED_TRACE(evil);
    EXPECT_FALSE(name.empty());
    EXPECT_EQ(name.find('/'), std::string::npos);
    EXPECT_EQ(name.find('\\'), std::string::npos);
    EXPECT_NE(name.front(), '.');
    EXPECT_NE(name, "..");
    for (char c : name)
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
  }
  EXPECT_EQ(safe_image_file_name("../../etc/passwd").rfind("passwd-", 0), 0u);
}

TEST(SafeImageFileName, ChangedNamesNeverCollide) {
  // Both sanitise to "a_b.png"; the hash of the original keeps them apart, and is stable.
  const auto one = safe_image_file_name("a b.png");
  const auto two = safe_image_file_name("a:b.png");
  EXPECT_NE(one, two);
  EXPECT_EQ(one, safe_image_file_name("a b.png"));
  EXPECT_EQ(one.substr(one.size() - 4), ".png");
  const std::string long_name(500, 'x');
  EXPECT_LE(safe_image_file_name(long_name + ".png").size(), 120u);
  EXPECT_EQ(
      safe_image_file_name(long_name + ".png").substr(safe_image_file_name(long_name + ".png").size() - 4),
      ".png");
}

TEST(RunManifest, FieldValuesAreReadVerbatim) {
  auto values = parse_field_values(
      R"([{"node_path":"seed:abc","field_name":"value","value":7},{"node_path":"p","field_name":"value","value":"a \"fox\""}])");
  ASSERT_TRUE(values) << values.error().message;
  ASSERT_EQ(values->size(), 2u);
  EXPECT_EQ((*values)[0].node_path, "seed:abc");
  EXPECT_EQ((*values)[0].value_json, "7");
  EXPECT_EQ((*values)[1].value_json, R"("a \"fox\"")");
  EXPECT_TRUE(parse_field_values("null")->empty());
  auto bad = parse_field_values(R"([{"node_path":"x"}])");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().where, "$.field_values[0]");
}

TEST(RunManifest, ToJsonHasOneItemPerLine) {
  RunManifest m;
  m.workflow = "wf.json";
  m.server = "http://127.0.0.1:9090";
  m.batch_id = "b1";
  m.items.push_back(
      {1, "completed", {{"Seed", "7"}, {"Prompt", "\"a fox\""}}, {"x.png"}, std::nullopt, std::nullopt});
  m.items.push_back({2, "failed", {}, {}, std::string("OutOfMemoryError"), std::string("no \"memory\"")});
  EXPECT_EQ(
      to_json(m),
      "{\"workflow\":\"wf.json\",\"server\":\"http://127.0.0.1:9090\",\"batch_id\":\"b1\",\"items\":[\n"
      "{\"item_id\":1,\"status\":\"completed\",\"inputs\":{\"Seed\":7,\"Prompt\":\"a fox\"},\"images\":"
      "[\"x.png\"]},\n"
      "{\"item_id\":2,\"status\":\"failed\",\"inputs\":{},\"images\":[],\"error_type\":\"OutOfMemoryError\","
      "\"error_message\":\"no \\\"memory\\\"\"}\n"
      "]}\n");
}

}  // namespace
}  // namespace ivk
