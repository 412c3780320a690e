// Model selection, fallbacks and switching a workflow's main model.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ivk/models/model_selection.h"
#include "support/fixtures.h"
#include "support/workflow_util.h"

namespace {

using ivk::ModelTask;
using ivk::test::load_workflow;
using Strings = std::vector<std::string>;

ivk::ModelCatalog exact() {
  auto c = ivk::ModelCatalog::from_json(ivk::test::read_file(ivk::test::fixture("models/server-exact.json")));
  EXPECT_TRUE(c.has_value());
  return c ? *c : ivk::ModelCatalog{};
}

ivk::ModelRecord main_model(std::string key, std::string name, std::string base,
                            std::string variant = "normal") {
  ivk::ModelRecord r;
  r.key = std::move(key);
  r.hash = "blake3:" + r.key;
  r.name = std::move(name);
  r.base = std::move(base);
  r.type = "main";
  r.format = "checkpoint";
  r.variant = std::move(variant);
  return r;
}

TEST(ModelSelection, FewStepModelsAreRecognisedByNameOrVariant) {
  EXPECT_TRUE(ivk::is_few_step_model(main_model("a", "sdxl-turbo", "sdxl")));
  EXPECT_TRUE(ivk::is_few_step_model(main_model("a", "Juggernaut XL Lightning", "sdxl")));
  EXPECT_TRUE(ivk::is_few_step_model(main_model("a", "flux1-schnell", "flux")));
  EXPECT_TRUE(ivk::is_few_step_model(main_model("a", "whatever", "flux", "schnell")));
  EXPECT_FALSE(ivk::is_few_step_model(main_model("a", "juggernautXL_v9Rundiffusionphoto2", "sdxl")));
}

TEST(ModelSelection, FirstInstalledPreferenceWinsByKeyOrName) {
  const auto c = exact();
  ivk::ModelSelection sel;
  sel.preferences = {"not-installed", "FLUX1-DEV", "flux1-schnell"};
  auto r = ivk::select_model(c, sel);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->name, "flux1-dev");
  // A preference of the wrong type is skipped: the VAE is not a main model.
  sel.preferences = {"FLUX.1-schnell_ae"};
  sel.base = "sdxl";
  r = ivk::select_model(c, sel);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->name, "juggernautXL_v9Rundiffusionphoto2");  // the fallback table's sdxl entry
}

TEST(ModelSelection, TaskRanksFewStepModels) {
  const auto c = exact();
  ivk::ModelSelection sel;
  sel.base = "flux";
  sel.task = ModelTask::fast;
  auto fast = ivk::select_model(c, sel);
  ASSERT_TRUE(fast);
  EXPECT_EQ(fast->name, "flux1-schnell");
  sel.task = ModelTask::quality;
  auto quality = ivk::select_model(c, sel);
  ASSERT_TRUE(quality);
  EXPECT_EQ(quality->name, "flux1-dev");
}

TEST(ModelSelection, NothingFitsIsNotFoundNamingTheSearch) {
  ivk::ModelSelection sel;
  sel.base = "sd-3";
  sel.preferences = {"SD3.5 Large"};
  auto r = ivk::select_model(exact(), sel);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ivk::ErrorCode::not_found);
  EXPECT_EQ(r.error().message,
            "no installed model fits: wanted a main model of base sd-3 (preferences tried: SD3.5 Large)");
  EXPECT_EQ(ivk::parse_model_task("fast").value(), ModelTask::fast);
  EXPECT_FALSE(ivk::parse_model_task("speedy"));
}

TEST(ModelSelection, FallbackFollowsTheTableThenTheCatalog) {
  const auto c = exact();
  auto flux = ivk::find_fallback_model(c, "flux");
  ASSERT_TRUE(flux);
  EXPECT_EQ(flux->name, "flux1-dev");
  auto vae = ivk::find_fallback_model(c, "sdxl", "vae");
  ASSERT_TRUE(vae);
  EXPECT_EQ(vae->name, "sdxl-vae-fp16-fix");
  EXPECT_EQ(ivk::find_fallback_model(c, "sd-3").error().code, ivk::ErrorCode::not_found);
}

TEST(ModelSwitch, SdxlToTurboAdjustsSettings) {
  ivk::Workflow wf = load_workflow("sdxl-text-to-image.json");
  const auto turbo = main_model("turbo-key", "sdxl-turbo", "sdxl");
  auto result = ivk::switch_model(wf, turbo);
  ASSERT_TRUE(result) << result.error().describe();
  ASSERT_EQ(result->changes.size(), 1u);
  EXPECT_EQ(result->changes[0].old.name, "juggernautXL_v9Rundiffusionphoto2");
  EXPECT_EQ(result->changes[0].new_.key, "turbo-key");
  EXPECT_EQ(result->settings.steps, 4);
  EXPECT_EQ(result->settings.cfg_scale, 1.0);
  EXPECT_EQ(result->settings_inputs, (Strings{"3", "4", "5", "6", "7"}));
  EXPECT_EQ(
      wf.inputs()[0].value_json,
      R"({"key":"turbo-key","hash":"blake3:turbo-key","name":"sdxl-turbo","base":"sdxl","type":"main","submodel_type":null})");
  EXPECT_EQ(wf.inputs()[5].value_json, "4");
  EXPECT_EQ(wf.inputs()[6].value_json, "1");
  EXPECT_EQ(wf.inputs()[7].value_json, "\"euler_a\"");
  EXPECT_TRUE(result->prompt_inputs.empty());
}

TEST(ModelSwitch, BaseChangeIsRefusedUnlessAllowedAndThenAdaptsPrompts) {
  ivk::Workflow wf = load_workflow("sdxl-text-to-image.json");
  const std::string before = wf.to_json();
  const auto flux = main_model("flux-key", "flux1-dev", "flux");
  auto refused = ivk::switch_model(wf, flux);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ivk::ErrorCode::invalid_argument);
  EXPECT_EQ(wf.to_json(), before);

  ASSERT_TRUE(wf.set_from_text("1", "a (nebula)1.3, stars++"));
  ivk::SwitchOptions options;
  options.allow_base_change = true;
  options.prompt_styles = ivk::PromptStyles::defaults();
  auto result = ivk::switch_model(wf, flux, options);
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(result->prompt_inputs, Strings{"1"});
  EXPECT_EQ(wf.inputs()[1].value_json, "\"a nebula, stars\"");
  EXPECT_EQ(wf.inputs()[5].value_json, "28");  // flux dev's steps
}

TEST(ModelSwitch, FailureLeavesTheWorkflowUnchanged) {
  auto templates = ivk::test::node_templates();
  ASSERT_NE(templates, nullptr);
  ivk::Workflow wf = load_workflow("sdxl-text-to-image.json");
  wf.apply_templates(templates);
  const std::string before = wf.to_json();
  auto odd = main_model("odd", "odd-sizes", "sdxl");
  odd.default_settings_json = R"({"width":1001})";  // not a multiple of 8: the width input refuses it
  auto result = ivk::switch_model(wf, odd);
  ASSERT_FALSE(result);
  EXPECT_EQ(wf.to_json(), before);

  ivk::ModelRecord vae = odd;
  vae.type = "vae";
  EXPECT_EQ(ivk::switch_model(wf, vae).error().code, ivk::ErrorCode::invalid_argument);
}

}  // namespace
