// Model records, identifiers and the catalog: open enums, JSON paths in errors.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "ivk/models/model_record.h"
#include "support/fixtures.h"

namespace json = boost::json;

namespace {

std::vector<ivk::ModelRecord> load(const std::string& name) {
  auto r = ivk::parse_model_list(ivk::test::read_file(ivk::test::fixture("models/" + name)));
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().describe());
  return r ? *r : std::vector<ivk::ModelRecord>{};
}

TEST(ModelRecord, ParsesServerList) {
  const auto models = load("server-exact.json");
  ASSERT_EQ(models.size(), 12u);
  const auto& m = models[0];
  EXPECT_EQ(m.key, "914b2e5a-b8d3-4da1-965f-b3775bbc5745");
  EXPECT_EQ(m.hash, "blake3:7bb02e9351409debc5727aeeb83f77340931d3c8f86d2d6c69f67af8de20dd74");
  EXPECT_EQ(m.name, "juggernautXL_v9Rundiffusionphoto2");
  EXPECT_EQ(m.base, "sdxl");
  EXPECT_EQ(m.type, "main");
  EXPECT_EQ(m.format, "checkpoint");
  EXPECT_FALSE(m.path.empty());
  ASSERT_TRUE(m.file_size.has_value());
  EXPECT_GT(*m.file_size, 0);
  // raw_json is the record, compact, with every key the server sent (even ones ivk ignores).
  const json::value raw = json::parse(m.raw_json);
  EXPECT_EQ(raw.at("key"), "914b2e5a-b8d3-4da1-965f-b3775bbc5745");
  EXPECT_TRUE(raw.as_object().contains("usage_info"));
  EXPECT_EQ(m.raw_json.find('\n'), std::string::npos);
  // Encoders have base "any".
  EXPECT_EQ(models[5].name, "clip-vit-large-patch14");
  EXPECT_EQ(models[5].base, "any");
  EXPECT_EQ(models[5].type, "clip_embed");
  EXPECT_EQ(models[6].type, "t5_encoder");
  EXPECT_EQ(models[6].format, "bnb_quantized_int8b");
}

TEST(ModelRecord, UnknownEnumsAreKeptNotErrors) {
  // The Python client's list_models fails on this list as a whole (bug 8 of spec §1.7).
  const auto models = load("server-unknown-enum.json");
  ASSERT_EQ(models.size(), 13u);
  EXPECT_EQ(models[12].key, "a1b2c3d4-0000-4000-8000-0000000000ff");
  EXPECT_EQ(models[12].name, "veo3-api");
  EXPECT_EQ(models[12].base, "veo3");
  EXPECT_EQ(models[12].type, "video");
  EXPECT_EQ(models[12].format, "api");
}

TEST(ModelRecord, OptionalFieldsAndSingleRecord) {
  auto r = ivk::parse_model_record(
      R"({"key":"k","hash":"h","name":"detail","base":"sdxl","type":"lora","format":"lycoris","path":"p",)"
      R"("file_size":228460000,"description":null,"trigger_phrases":["detailed","sharp"],)"
      R"("default_settings":{"weight":0.75,"weight_min":null},"cover_image":null,"extra_key":[1,2]})");
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->description, "");
  EXPECT_EQ(r->cover_image, "");
  EXPECT_EQ(r->file_size, 228460000);
  EXPECT_EQ(r->trigger_phrases, (std::vector<std::string>{"detailed", "sharp"}));
  ASSERT_TRUE(r->default_settings_json.has_value());
  EXPECT_EQ(json::parse(*r->default_settings_json), json::parse(R"({"weight":0.75,"weight_min":null})"));
  EXPECT_NE(r->raw_json.find("extra_key"), std::string::npos);

  auto none = ivk::parse_model_record(R"({"key":"k","hash":"h","name":"n","base":"b","type":"t",)"
                                      R"("default_settings":null,"trigger_phrases":null})");
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->default_settings_json.has_value());
  EXPECT_TRUE(none->trigger_phrases.empty());
  EXPECT_FALSE(none->file_size.has_value());
}

TEST(ModelRecord, ErrorsNameTheJsonPath) {
  const std::string ok = R"({"key":"k","hash":"h","name":"n","base":"b","type":"t"})";
  auto missing_key = ivk::parse_model_list(R"({"models":[)" + ok + "," + ok + "," + ok +
                                           R"(,{"hash":"h","name":"n","base":"b","type":"t"}]})");
  ASSERT_FALSE(missing_key.has_value());
  EXPECT_EQ(missing_key.error().code, ivk::ErrorCode::parse_error);
  EXPECT_EQ(missing_key.error().where, "$.models[3].key");

  auto null_type =
      ivk::parse_model_list(R"({"models":[{"key":"k","hash":"h","name":"n","base":"b","type":null}]})");
  ASSERT_FALSE(null_type.has_value());
  EXPECT_EQ(null_type.error().where, "$.models[0].type");

  auto not_object = ivk::parse_model_list(R"({"models":[1]})");
  ASSERT_FALSE(not_object.has_value());
  EXPECT_EQ(not_object.error().where, "$.models[0]");

  auto no_models = ivk::parse_model_list(R"({"items":[]})");
  ASSERT_FALSE(no_models.has_value());
  EXPECT_EQ(no_models.error().where, "$.models");

  auto not_json = ivk::parse_model_list("{\"models\": [");
  ASSERT_FALSE(not_json.has_value());
  EXPECT_EQ(not_json.error().code, ivk::ErrorCode::parse_error);

  auto empty = ivk::parse_model_list(R"({"models":[]})");
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());
}

TEST(ModelIdentifier, JsonKeyOrderAndParse) {
  ivk::ModelIdentifier id{"k", "blake3:1", "n\"q", "sdxl", "main", std::nullopt};
  EXPECT_EQ(
      id.to_json(),
      R"({"key":"k","hash":"blake3:1","name":"n\"q","base":"sdxl","type":"main","submodel_type":null})");
  id.submodel_type = "transformer";
  EXPECT_EQ(
      id.to_json(),
      R"({"key":"k","hash":"blake3:1","name":"n\"q","base":"sdxl","type":"main","submodel_type":"transformer"})");
  auto back = ivk::parse_model_identifier(id.to_json());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, id);

  auto no_sub =
      ivk::parse_model_identifier(R"({"type":"vae","base":"flux","name":"ae","hash":"h","key":"k"})");
  ASSERT_TRUE(no_sub.has_value());
  EXPECT_EQ(no_sub->to_json(),
            R"({"key":"k","hash":"h","name":"ae","base":"flux","type":"vae","submodel_type":null})");

  auto bad = ivk::parse_model_identifier(R"({"key":"k"})");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().where, "$.name");

  const auto models = load("server-exact.json");
  const auto from = ivk::ModelIdentifier::from_record(models[2]);
  EXPECT_EQ(
      from.to_json(),
      R"({"key":"4ea8c1b5-e56c-47c0-949e-3805d06c1301","hash":"blake3:202d1d57667fdc0b5b088a46dce7c801ffcf2e0933d4c521e272399ece17aa7b","name":"flux1-schnell","base":"flux","type":"main","submodel_type":null})");
}

TEST(ModelCatalog, Lookups) {
  const auto now = std::chrono::system_clock::now();
  auto catalog =
      ivk::ModelCatalog::from_json(ivk::test::read_file(ivk::test::fixture("models/server-base-only.json")),
                                   now - std::chrono::seconds(90));
  ASSERT_TRUE(catalog.has_value());
  EXPECT_EQ(catalog->size(), 24u);
  ASSERT_NE(catalog->find_by_key("base-0004-1"), nullptr);
  EXPECT_EQ(catalog->find_by_key("base-0004-1")->name, "alpha-flux-vae-4");
  EXPECT_EQ(catalog->find_by_key("nope"), nullptr);
  const auto* r = catalog->find_by_key("base-0006-0");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(catalog->find_by_hash(r->hash), r);
  EXPECT_EQ(catalog->find_by_hash(""), nullptr);
  const auto named = catalog->find_by_name("zeta-any-t5_encoder-6");
  ASSERT_EQ(named.size(), 1u);
  EXPECT_EQ(named[0]->key, "base-0006-0");
  EXPECT_TRUE(catalog->find_by_name("zeta").empty());
  const auto flux_main = catalog->filter("flux", "main");
  ASSERT_EQ(flux_main.size(), 4u);
  EXPECT_EQ(flux_main[0]->key, "base-0002-0");
  EXPECT_EQ(catalog->filter("any", "").size(), 4u);
  EXPECT_EQ(catalog->filter("", "vae").size(), 4u);
  EXPECT_EQ(catalog->filter("", "").size(), 24u);
  EXPECT_EQ(catalog->fetched_at(), now - std::chrono::seconds(90));
  EXPECT_TRUE(catalog->is_stale(std::chrono::seconds(60), now));
  EXPECT_FALSE(catalog->is_stale(std::chrono::seconds(120), now));

  ivk::ModelRecord a, b;
  a.key = "a";
  b.key = "b";
  a.hash = b.hash = "h";
  a.name = b.name = "same";
  ivk::ModelCatalog duplicates({a, b});
  EXPECT_EQ(duplicates.find_by_hash("h")->key, "a");
  EXPECT_EQ(duplicates.find_by_name("same").size(), 2u);
}

}  // namespace
