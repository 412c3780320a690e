// Model helpers: requirements, compatibility, the LoRA stack and recommended settings.
#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "ivk/models/lora_stack.h"
#include "ivk/models/model_compat.h"
#include "ivk/models/model_record.h"
#include "ivk/models/model_slots.h"
#include "ivk/models/recommended_settings.h"
#include "ivk/workflow/workflow.h"
#include "support/fixtures.h"
#include "support/workflow_util.h"

using ivk::CompatibilityFinding;
using ivk::ModelIdentifier;
using ivk::test::load_workflow;

namespace {

constexpr const char* kSdxlLoader = "sdxl_model_loader:PwBr7RXRsy";
constexpr const char* kFluxLoader = "f8d9d7c8-9ed7-4bd7-9e42-ab0e89bfac90";
constexpr const char* kSdxlDefaultLoader = "30d3289c-773c-4152-a9d2-bd8a99c8fd22";
constexpr const char* kSdxlDefaultVaeLoader = "0093692f-9cf4-454d-a5b8-62f0e3eb3bb8";
constexpr const char* kLoraNode = "c41e705b-f2e3-4d1a-83c4-e34bb9344966";

ivk::ModelCatalog catalog(const std::string& name) {
  auto c = ivk::ModelCatalog::from_json(ivk::test::read_file(ivk::test::fixture("models/" + name)));
  EXPECT_TRUE(c.has_value());
  return c ? *c : ivk::ModelCatalog{};
}

const ivk::ModelRecord& record_named(const ivk::ModelCatalog& c, const std::string& name) {
  auto found = c.find_by_name(name);
  if (found.empty()) throw std::runtime_error("no record " + name);
  return *found.front();
}

std::vector<CompatibilityFinding> of_kind(const ivk::CompatibilityReport& r, CompatibilityFinding::Kind k) {
  std::vector<CompatibilityFinding> out;
  for (const auto& f : r.findings)
    if (f.kind == k) out.push_back(f);
  return out;
}

using Strings = std::vector<std::string>;

// --- requirements ----------------------------------------------------------------------------------

TEST(ModelRequirements, SdxlHasOneMainSdxlSlot) {
  const auto reqs = ivk::model_requirements(load_workflow("sdxl-text-to-image.json"));
  ASSERT_EQ(reqs.size(), 1u);  // core_metadata's empty model/vae fields are not slots
  EXPECT_EQ(reqs[0].node_id, kSdxlLoader);
  EXPECT_EQ(reqs[0].field_name, "model");
  EXPECT_EQ(reqs[0].node_type, "sdxl_model_loader");
  EXPECT_EQ(reqs[0].input_index, 0);
  ASSERT_TRUE(reqs[0].current.has_value());
  EXPECT_EQ(reqs[0].current->name, "juggernautXL_v9Rundiffusionphoto2");
  EXPECT_EQ(reqs[0].bases, Strings{"sdxl"});
  EXPECT_EQ(reqs[0].types, Strings{"main"});
}

TEST(ModelRequirements, FluxHasFourSlotsWithAnyBaseEncoders) {
  const auto reqs = ivk::model_requirements(load_workflow("flux-image-to-image.json"));
  ASSERT_EQ(reqs.size(), 4u);
  const std::vector<std::tuple<std::string, std::string, std::string>> want = {
      {"model", "flux", "main"},
      {"t5_encoder_model", "any", "t5_encoder"},
      {"clip_embed_model", "any", "clip_embed"},
      {"vae_model", "flux", "vae"}};
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(reqs[i].node_id, kFluxLoader);
    EXPECT_EQ(reqs[i].field_name, std::get<0>(want[i]));
    EXPECT_EQ(reqs[i].bases, Strings{std::get<1>(want[i])}) << i;
    EXPECT_EQ(reqs[i].types, Strings{std::get<2>(want[i])}) << i;
    EXPECT_TRUE(reqs[i].current.has_value());
  }
}

TEST(ModelRequirements, EmptyLoaderSlotsWithoutTemplates) {
  const auto reqs = ivk::model_requirements(load_workflow("default-text-to-image-with-lora.json"));
  ASSERT_EQ(reqs.size(), 2u);  // lora_loader.lora and main_model_loader.model; l2i.vae is a connection
  EXPECT_EQ(reqs[0].node_id, kLoraNode);
  EXPECT_EQ(reqs[0].field_name, "lora");
  EXPECT_EQ(reqs[0].types, Strings{"lora"});
  EXPECT_EQ(reqs[0].input_index, 1);
  EXPECT_FALSE(reqs[0].current.has_value());
  EXPECT_TRUE(reqs[0].bases.empty());
  EXPECT_EQ(reqs[1].field_name, "model");
  EXPECT_EQ(reqs[1].types, Strings{"main"});
}

TEST(ModelRequirements, TemplatesGiveAcceptedBasesAndTypes) {
  auto templates = ivk::test::node_templates();
  ASSERT_NE(templates, nullptr);
  ivk::Workflow wf = load_workflow("default-text-to-image-sdxl.json");
  wf.apply_templates(templates);
  const auto reqs = ivk::model_requirements(wf);
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].node_type, "vae_loader");
  EXPECT_EQ(reqs[0].types, Strings{"vae"});
  EXPECT_EQ(reqs[1].node_type, "sdxl_model_loader");
  EXPECT_EQ(reqs[1].bases, Strings{"sdxl"});
  EXPECT_EQ(reqs[1].types, Strings{"main"});
}

// --- compatibility ---------------------------------------------------------------------------------

TEST(Compatibility, SdxlOnExactServerIsClean) {
  const auto report =
      ivk::check_compatibility(load_workflow("sdxl-text-to-image.json"), catalog("server-exact.json"));
  EXPECT_TRUE(report.findings.empty());
  EXPECT_TRUE(report.ok());
}

TEST(Compatibility, FluxOnRenamedServerIsFoundByHash) {
  const auto report =
      ivk::check_compatibility(load_workflow("flux-image-to-image.json"), catalog("server-renamed.json"));
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.warning_count(), 4u);
  const auto hash = of_kind(report, CompatibilityFinding::Kind::found_by_hash);
  ASSERT_EQ(hash.size(), 4u);
  EXPECT_EQ(hash[0].field, "model");
  EXPECT_NE(hash[0].message.find("installed as 'flux1-schnell-renamed' (key renamed-0002)"),
            std::string::npos)
      << hash[0].message;
}

TEST(Compatibility, MissingModelIsAnError) {
  const auto report =
      ivk::check_compatibility(load_workflow("sdxl-text-to-image.json"), catalog("server-base-only.json"));
  ASSERT_EQ(report.findings.size(), 1u);
  const auto& f = report.findings[0];
  EXPECT_EQ(f.severity, CompatibilityFinding::Severity::error);
  EXPECT_EQ(f.kind, CompatibilityFinding::Kind::missing_model);
  EXPECT_EQ(f.node_id, kSdxlLoader);
  EXPECT_EQ(f.field, "model");
  EXPECT_NE(
      f.message.find("'juggernautXL_v9Rundiffusionphoto2' (key 914b2e5a-b8d3-4da1-965f-b3775bbc5745, base "
                     "sdxl, type main) is not installed"),
      std::string::npos)
      << f.message;
  EXPECT_EQ(to_string(f.kind), "missing_model");
  EXPECT_EQ(to_string(f.severity), "error");
}

TEST(Compatibility, FluxVaeInSdxlWorkflowIsMixedBases) {
  const auto cat = catalog("server-exact.json");
  ivk::Workflow wf = load_workflow("default-text-to-image-sdxl.json");
  const auto main = ModelIdentifier::from_record(record_named(cat, "juggernautXL_v9Rundiffusionphoto2"));
  const auto vae = ModelIdentifier::from_record(record_named(cat, "FLUX.1-schnell_ae"));
  ASSERT_TRUE(wf.set_node_values_json(
      {{kSdxlDefaultLoader, "model", main.to_json()}, {kSdxlDefaultVaeLoader, "vae_model", vae.to_json()}}));
  const auto report = ivk::check_compatibility(wf, cat);
  EXPECT_FALSE(report.ok());
  ASSERT_EQ(report.findings.size(), 1u);
  const auto mixed = of_kind(report, CompatibilityFinding::Kind::mixed_bases);
  ASSERT_EQ(mixed.size(), 1u);
  EXPECT_EQ(mixed[0].node_id, kSdxlDefaultVaeLoader);
  EXPECT_EQ(mixed[0].field, "vae_model");
  EXPECT_EQ(mixed[0].message,
            "vae_loader node 0093692f-9cf4-454d-a5b8-62f0e3eb3bb8 field vae_model: vae model "
            "'FLUX.1-schnell_ae' is of "
            "base flux, but the main model 'juggernautXL_v9Rundiffusionphoto2' (node "
            "30d3289c-773c-4152-a9d2-bd8a99c8fd22) is of base sdxl");

  // The sdxl VAE fits.
  const auto sdxl_vae = ModelIdentifier::from_record(record_named(cat, "sdxl-vae-fp16-fix"));
  ASSERT_TRUE(wf.set_node_values_json({{kSdxlDefaultVaeLoader, "vae_model", sdxl_vae.to_json()}}));
  EXPECT_TRUE(ivk::check_compatibility(wf, cat).findings.empty());
}

TEST(Compatibility, EncodersOfBaseAnyAreNotMixed) {
  const auto report =
      ivk::check_compatibility(load_workflow("flux-image-to-image.json"), catalog("server-exact.json"));
  EXPECT_TRUE(report.findings.empty());
}

TEST(Compatibility, TypeMismatchAndEmptySlots) {
  const auto cat = catalog("server-exact.json");
  ivk::Workflow wf = load_workflow("default-text-to-image-with-lora.json");
  // A main model in the LoRA slot; the main model slot stays empty.
  const auto main = ModelIdentifier::from_record(record_named(cat, "stable-diffusion-v1-5"));
  ASSERT_TRUE(wf.set_node_values_json({{kLoraNode, "lora", main.to_json()}}));
  const auto report = ivk::check_compatibility(wf, cat);
  const auto mismatch = of_kind(report, CompatibilityFinding::Kind::type_mismatch);
  ASSERT_EQ(mismatch.size(), 1u);
  EXPECT_EQ(mismatch[0].field, "lora");
  EXPECT_NE(
      mismatch[0].message.find("wants a model of type lora, but 'stable-diffusion-v1-5' is of type main"),
      std::string::npos)
      << mismatch[0].message;
  const auto empty = of_kind(report, CompatibilityFinding::Kind::empty_slot);
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_EQ(empty[0].field, "model");
  EXPECT_EQ(empty[0].severity, CompatibilityFinding::Severity::warning);
}

// --- LoRA stack ------------------------------------------------------------------------------------

TEST(LoraSlots, LoraWorkflowHasOneSlot) {
  auto slots = ivk::find_lora_slots(load_workflow("default-text-to-image-with-lora.json"));
  ASSERT_TRUE(slots) << slots.error().describe();
  ASSERT_EQ(slots->size(), 1u);
  const auto& s = (*slots)[0];
  EXPECT_EQ(s.node_id, kLoraNode);
  EXPECT_EQ(s.node_type, "lora_loader");
  EXPECT_FALSE(s.lora.has_value());
  EXPECT_EQ(s.weight, 1.0);
  EXPECT_EQ(s.lora_input_index, 1);
  EXPECT_EQ(s.weight_input_index, 2);
  EXPECT_FALSE(s.connected);

  auto wan = ivk::find_lora_slots(load_workflow("default-text-to-video-wan-2.2-lightning.json"));
  ASSERT_TRUE(wan);
  EXPECT_EQ(wan->size(), 2u);
  auto none = ivk::find_lora_slots(load_workflow("sdxl-text-to-image.json"));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(LoraSlots, SetLorasFillsTheSlot) {
  const auto cat = catalog("server-exact.json");
  const auto lora = ModelIdentifier::from_record(record_named(cat, "pixel-art-xl"));
  ivk::Workflow wf = load_workflow("default-text-to-image-with-lora.json");
  auto rest = ivk::set_loras(wf, {{lora, 0.75}});
  ASSERT_TRUE(rest) << rest.error().describe();
  EXPECT_TRUE(rest->empty());
  EXPECT_EQ(wf.inputs()[1].value_json, lora.to_json());
  EXPECT_EQ(wf.inputs()[2].value_json, "0.75");
  auto slots = ivk::find_lora_slots(wf);
  ASSERT_TRUE(slots);
  EXPECT_EQ((*slots)[0].lora, lora);
  EXPECT_EQ((*slots)[0].weight, 0.75);
}

TEST(LoraSlots, TooManyLorasIsAnErrorWithCounts) {
  const auto cat = catalog("server-exact.json");
  const auto lora = ModelIdentifier::from_record(record_named(cat, "pixel-art-xl"));
  ivk::Workflow wf = load_workflow("default-text-to-image-with-lora.json");
  const std::string before = wf.to_json();
  auto r = ivk::set_loras(wf, {{lora, 0.5}, {lora, 0.25}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ivk::ErrorCode::invalid_argument);
  EXPECT_EQ(r.error().message,
            "2 LoRAs given, but the workflow has 1 LoRA slot (c41e705b-f2e3-4d1a-83c4-e34bb9344966); add "
            "LoRA loader "
            "nodes or pass fewer LoRAs");
  EXPECT_EQ(wf.to_json(), before);
}

TEST(LoraSlots, WrongTypeOrWeightChangesNothing) {
  const auto cat = catalog("server-exact.json");
  ivk::Workflow wf = load_workflow("default-text-to-image-with-lora.json");
  const std::string before = wf.to_json();
  const auto vae = ModelIdentifier::from_record(record_named(cat, "sdxl-vae-fp16-fix"));
  auto r = ivk::set_loras(wf, {{vae, 1.0}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("is not a lora model"), std::string::npos) << r.error().message;
  const auto lora = ModelIdentifier::from_record(record_named(cat, "pixel-art-xl"));
  EXPECT_FALSE(ivk::set_loras(wf, {{lora, std::numeric_limits<double>::infinity()}}));
  EXPECT_EQ(wf.to_json(), before);
}

TEST(LoraSlots, FewerLorasLeaveTheRestAndReportThem) {
  const auto cat = catalog("server-exact.json");
  const auto lora = ModelIdentifier::from_record(record_named(cat, "pixel-art-xl"));
  ivk::Workflow wf = load_workflow("default-text-to-video-wan-2.2-lightning.json");
  auto rest = ivk::set_loras(wf, {{lora, 0.5}});
  ASSERT_TRUE(rest) << rest.error().describe();
  ASSERT_EQ(rest->size(), 1u);
  auto slots = ivk::find_lora_slots(wf);
  ASSERT_TRUE(slots);
  EXPECT_EQ((*slots)[0].lora, lora);
  EXPECT_EQ((*slots)[0].weight, 0.5);
  EXPECT_FALSE((*slots)[1].lora.has_value());
  EXPECT_EQ((*slots)[1].node_id, (*rest)[0].node_id);
}

// --- recommended settings --------------------------------------------------------------------------

ivk::ModelRecord main_record(const std::string& base, const std::string& defaults = {}) {
  ivk::ModelRecord r;
  r.key = "k";
  r.name = "m";
  r.base = base;
  r.type = "main";
  if (!defaults.empty()) r.default_settings_json = defaults;
  return r;
}

TEST(RecommendedSettings, DefaultsMergeWithTheSdxlTable) {
  const auto s = ivk::recommended_settings(main_record(
      "sdxl", R"({"vae":null,"scheduler":null,"steps":null,"cfg_scale":null,"width":1024,"height":896})"));
  EXPECT_EQ(s.width, 1024);
  EXPECT_EQ(s.height, 896);
  EXPECT_EQ(s.steps, 30);
  EXPECT_EQ(s.cfg_scale, 6.5);
  EXPECT_EQ(s.scheduler, "dpmpp_3m_k");
  EXPECT_FALSE(s.guidance.has_value());

  const auto only_width = ivk::recommended_settings(main_record("sdxl", R"({"width":1024})"));
  EXPECT_EQ(only_width.width, 1024);
  EXPECT_EQ(only_width.height, 1024);
}

TEST(RecommendedSettings, DefaultSettingsWin) {
  const auto s = ivk::recommended_settings(
      main_record("sd-1", R"({"steps":20,"cfg_scale":5,"scheduler":"euler_a","guidance":null})"));
  EXPECT_EQ(s.width, 512);
  EXPECT_EQ(s.steps, 20);
  EXPECT_EQ(s.cfg_scale, 5.0);
  EXPECT_EQ(s.scheduler, "euler_a");
}

TEST(RecommendedSettings, FluxVariants) {
  auto dev = main_record("flux");
  dev.variant = "dev";
  const auto d = ivk::recommended_settings(dev);
  EXPECT_EQ(d.width, 1024);
  EXPECT_EQ(d.steps, 28);
  EXPECT_EQ(d.guidance, 3.5);
  EXPECT_EQ(d.cfg_scale, 1.0);
  EXPECT_FALSE(d.scheduler.has_value());
  auto schnell = main_record("flux");
  schnell.variant = "schnell";
  EXPECT_EQ(ivk::recommended_settings(schnell).steps, 4);
}

TEST(RecommendedSettings, UnknownBaseAndOtherTypesGetOnlyTheirDefaults) {
  EXPECT_EQ(ivk::recommended_settings(main_record("veo3")), ivk::RecommendedSettings{});
  auto lora = main_record("sdxl", R"({"weight":0.75,"weight_min":null,"weight_max":null})");
  lora.type = "lora";
  EXPECT_EQ(ivk::recommended_settings(lora), ivk::RecommendedSettings{});
}

TEST(RecommendedSettings, ApplyToSdxlWorkflow) {
  ivk::Workflow wf = load_workflow("sdxl-text-to-image.json");
  const auto s = ivk::recommended_settings(main_record("sdxl", R"({"width":1024})"));
  auto refs = ivk::apply_recommended_settings(wf, s);
  ASSERT_TRUE(refs) << refs.error().describe();
  EXPECT_EQ(*refs, (Strings{"3", "4", "5", "6", "7"}));
  EXPECT_EQ(wf.inputs()[3].value_json, "1024");
  EXPECT_EQ(wf.inputs()[4].value_json, "1024");
  EXPECT_EQ(wf.inputs()[5].value_json, "30");
  EXPECT_EQ(wf.inputs()[6].value_json, "6.5");
  EXPECT_EQ(wf.inputs()[7].value_json, "\"dpmpp_3m_k\"");
}

TEST(RecommendedSettings, ApplyToFluxUsesNumSteps) {
  ivk::Workflow wf = load_workflow("flux-image-to-image.json");
  ivk::RecommendedSettings s;
  s.steps = 28;
  s.guidance = 3.5;  // the flux form has no guidance input: ignored
  auto refs = ivk::apply_recommended_settings(wf, s);
  ASSERT_TRUE(refs) << refs.error().describe();
  EXPECT_EQ(*refs, Strings{"7"});
  EXPECT_EQ(wf.inputs()[7].field_name, "num_steps");
  EXPECT_EQ(wf.inputs()[7].value_json, "28");
}

TEST(RecommendedSettings, ViolationChangesNothing) {
  auto templates = ivk::test::node_templates();
  ASSERT_NE(templates, nullptr);
  ivk::Workflow wf = load_workflow("sdxl-text-to-image.json");
  wf.apply_templates(templates);
  const std::string before = wf.to_json();
  ivk::RecommendedSettings s;
  s.steps = 25;
  s.width = 1001;  // not a multiple of 8
  auto refs = ivk::apply_recommended_settings(wf, s);
  ASSERT_FALSE(refs);
  EXPECT_EQ(wf.to_json(), before);

  s.width = 1000;
  refs = ivk::apply_recommended_settings(wf, s);
  ASSERT_TRUE(refs) << refs.error().describe();
  EXPECT_EQ(*refs, (Strings{"3", "5"}));
}

TEST(RecommendedSettings, NothingToApply) {
  ivk::Workflow wf = load_workflow("sdxl-text-to-image.json");
  auto refs = ivk::apply_recommended_settings(wf, {});
  ASSERT_TRUE(refs);
  EXPECT_TRUE(refs->empty());
}

}  // namespace
