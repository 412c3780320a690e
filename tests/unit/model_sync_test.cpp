// Model sync: the Python client's results (compat) and the planner that fixes its bugs (spec §1.7).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "ivk/models/model_sync.h"
#include "ivk/workflow/workflow.h"
#include "support/fixtures.h"

namespace json = boost::json;
using Outcome = ivk::SyncDecision::Outcome;

namespace {

constexpr const char* kFluxLoader = "f8d9d7c8-9ed7-4bd7-9e42-ab0e89bfac90";
constexpr const char* kSdxlLoader = "sdxl_model_loader:PwBr7RXRsy";

ivk::Workflow workflow(const std::string& name) {
  auto wf = ivk::Workflow::load_file(ivk::test::fixture("workflows/" + name));
  EXPECT_TRUE(wf.has_value());
  return std::move(*wf);
}
ivk::Workflow sdxl() { return workflow("sdxl-text-to-image.json"); }
ivk::Workflow flux() { return workflow("flux-image-to-image.json"); }

ivk::ModelCatalog catalog(const std::string& name) {
  auto c = ivk::ModelCatalog::from_json(ivk::test::read_file(ivk::test::fixture("models/" + name)));
  EXPECT_TRUE(c.has_value());
  return c ? *c : ivk::ModelCatalog{};
}

// A catalog from a fixture with some records dropped or edited.
ivk::ModelCatalog edited(const std::string& name, const std::function<bool(ivk::ModelRecord&)>& keep) {
  std::vector<ivk::ModelRecord> out;
  const ivk::ModelCatalog source = catalog(name);
  for (auto r : source.records())
    if (keep(r)) out.push_back(r);
  return ivk::ModelCatalog(out);
}

// The model identifier the workflow's JSON holds at node.field.
json::value value_in(const ivk::Workflow& wf, const std::string& node_id, const std::string& field) {
  const json::value doc = json::parse(wf.to_json());
  for (const auto& n : doc.at("nodes").as_array())
    if (n.at("id") == node_id.c_str()) return n.at("data").at("inputs").at(field).at("value");
  return nullptr;
}

const ivk::SyncDecision& decision(const ivk::SyncPlan& plan, const std::string& field) {
  for (const auto& d : plan.decisions)
    if (d.ref.field_name == field) return d;
  static const ivk::SyncDecision none;
  ADD_FAILURE() << "no decision for " << field;
  return none;
}

TEST(ModelReferences, SdxlHasOneMainModel) {
  const auto refs = ivk::find_model_references(sdxl());
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].node_id, kSdxlLoader);
  EXPECT_EQ(refs[0].field_name, "model");
  EXPECT_EQ(refs[0].node_type, "sdxl_model_loader");
  EXPECT_EQ(refs[0].input_index, 0);
  EXPECT_FALSE(refs[0].user_set);
  EXPECT_EQ(
      refs[0].current.to_json(),
      R"({"key":"914b2e5a-b8d3-4da1-965f-b3775bbc5745","hash":"blake3:7bb02e9351409debc5727aeeb83f77340931d3c8f86d2d6c69f67af8de20dd74","name":"juggernautXL_v9Rundiffusionphoto2","base":"sdxl","type":"main","submodel_type":null})");
}

TEST(ModelReferences, FluxHasFourInOneLoader) {
  auto wf = flux();
  auto refs = ivk::find_model_references(wf);
  ASSERT_EQ(refs.size(), 4u);
  const std::vector<std::tuple<std::string, std::string, std::string, int>> want = {
      {"model", "4ea8c1b5-e56c-47c0-949e-3805d06c1301", "main", 0},
      {"t5_encoder_model", "cc644930-283a-464f-b48f-831e6add8ed5", "t5_encoder", 2},
      {"clip_embed_model", "6fca3865-ce3f-45cd-a4d4-1086ea40504e", "clip_embed", 3},
      {"vae_model", "53fdb8d0-6376-44b4-a02f-d25fdb375451", "vae", 4}};
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(refs[i].node_id, kFluxLoader);
    EXPECT_EQ(refs[i].node_type, "flux_model_loader");
    EXPECT_EQ(refs[i].field_name, std::get<0>(want[i]));
    EXPECT_EQ(refs[i].current.key, std::get<1>(want[i]));
    EXPECT_EQ(refs[i].current.type, std::get<2>(want[i]));
    EXPECT_EQ(refs[i].input_index, std::get<3>(want[i]));
    EXPECT_FALSE(refs[i].user_set);
  }
  EXPECT_EQ(refs[1].current.base, "any");
  // A value set by the user is seen (current value, user_set).
  ASSERT_TRUE(
      wf.set_json("4", R"({"key":"v2","hash":"h2","name":"my-vae","base":"flux","type":"vae"})").has_value());
  refs = ivk::find_model_references(wf);
  ASSERT_EQ(refs.size(), 4u);
  EXPECT_EQ(refs[3].current.key, "v2");
  EXPECT_EQ(refs[3].current.name, "my-vae");
  EXPECT_TRUE(refs[3].user_set);
  EXPECT_FALSE(refs[0].user_set);
}

TEST(ModelReferences, OtherModelSlotsAndEmptyOnes) {
  // A spandrel (upscaler) model outside the main loaders is a reference too.
  const auto refs = ivk::find_model_references(workflow("default-multidiffusion-sdxl.json"));
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].field_name, "image_to_image_model");
  EXPECT_EQ(refs[0].node_type, "spandrel_image_to_image_autoscale");
  EXPECT_EQ(refs[0].current.type, "spandrel_image_to_image");
  // GUI defaults export model inputs without a value: nothing to sync.
  EXPECT_TRUE(ivk::find_model_references(workflow("default-text-to-image-sdxl.json")).empty());
}

// Every case of what invokeai-py-client 1.1.1 returned (fixtures/pyclient-sync/cases.json).
TEST(ModelSyncCompat, MatchesThePythonClientOnEveryCase) {
  const json::value cases = json::parse(ivk::test::read_file(ivk::test::fixture("pyclient-sync/cases.json")));
  std::size_t n = 0, errors = 0;
  for (const auto& c : cases.at("cases").as_array()) {
    const std::string wf_name(c.at("workflow").as_string());
    const std::string models(c.at("models").as_string());
    const bool by_name = c.at("by_name").as_bool(), by_base = c.at("by_base").as_bool();
    SCOPED_TRACE(wf_name + " " + models + " by_name=" + std::to_string(by_name) +
                 " by_base=" + std::to_string(by_base));
    auto wf = ivk::Workflow::load_file(ivk::test::fixture(wf_name));
    ASSERT_TRUE(wf.has_value());
    auto cat = ivk::ModelCatalog::from_json(ivk::test::read_file(ivk::test::fixture(models)));
    ASSERT_TRUE(cat.has_value());
    const std::string before = wf->to_json();
    auto changes = ivk::sync_dnn_model_compat(*wf, *cat, by_name, by_base);
    ++n;
    if (!c.at("error").is_null()) {
      ++errors;
      ASSERT_FALSE(changes.has_value());
      EXPECT_EQ(changes.error().message, c.at("error").as_string().c_str());
      EXPECT_EQ(changes.error().code, ivk::ErrorCode::not_found);
      EXPECT_EQ(wf->to_json(), before) << "atomic: nothing changes on error";
      continue;
    }
    ASSERT_TRUE(changes.has_value()) << changes.error().describe();
    EXPECT_EQ(json::parse(ivk::to_json(*changes)), c.at("changes"));
    // The workflow now holds the new identifiers.
    for (const auto& ch : *changes)
      EXPECT_EQ(value_in(*wf, ch.node_id, ch.field_name), json::parse(ch.new_.to_json()));
    if (changes->empty()) {
      EXPECT_EQ(wf->to_json(), before);
    }
  }
  EXPECT_EQ(n, 24u);
  EXPECT_EQ(errors, 6u);
}

TEST(ModelSyncCompat, UnknownEnumsDoNotFailTheSync) {
  // Python fails before syncing (list_models cannot parse base "veo3" / type "video"); ivk syncs.
  const auto cat = catalog("server-unknown-enum.json");
  for (const char* name : {"sdxl-text-to-image.json", "flux-image-to-image.json"})
    for (bool by_name : {true, false})
      for (bool by_base : {true, false}) {
        auto wf = workflow(name);
        auto changes = ivk::sync_dnn_model_compat(wf, cat, by_name, by_base);
        ASSERT_TRUE(changes.has_value());
        EXPECT_TRUE(changes->empty());
      }
}

TEST(ModelSyncCompat, KeepsThePythonBugsItIsAskedFor) {
  // Bug 5: with no flux VAE, the base fallback puts a flux model of another type into the vae
  // slot (alphabetically first: the ControlNet "FLUX.1-dev-Controlnet-Union").
  const auto no_vae = edited("server-exact.json", [](ivk::ModelRecord& r) { return r.type != "vae"; });
  auto wf = flux();
  auto changes = ivk::sync_dnn_model_compat(wf, no_vae, true, true);
  ASSERT_TRUE(changes.has_value()) << changes.error().describe();
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].field_name, "vae_model");
  EXPECT_EQ((*changes)[0].new_.type, "controlnet");
  EXPECT_EQ((*changes)[0].new_.name, "FLUX.1-dev-Controlnet-Union");
  // Bug 7: an old submodel_type counts as a change and is dropped.
  auto wf2 = sdxl();
  ASSERT_TRUE(
      wf2.set_node_values_json(
             {{kSdxlLoader, "model",
               R"({"key":"914b2e5a-b8d3-4da1-965f-b3775bbc5745","hash":"blake3:7bb02e9351409debc5727aeeb83f77340931d3c8f86d2d6c69f67af8de20dd74","name":"juggernautXL_v9Rundiffusionphoto2","base":"sdxl","type":"main","submodel_type":"unet"})"}})
          .has_value());
  auto c2 = ivk::sync_dnn_model_compat(wf2, catalog("server-exact.json"));
  ASSERT_TRUE(c2.has_value());
  ASSERT_EQ(c2->size(), 1u);
  EXPECT_EQ((*c2)[0].old.submodel_type, "unet");
  EXPECT_FALSE((*c2)[0].new_.submodel_type.has_value());
}

TEST(ModelSyncPlan, ExactServerKeepsEverythingByteForByte) {
  auto wf = flux();
  const std::string before = wf.to_json();
  auto plan = ivk::plan_model_sync(wf, catalog("server-exact.json"));
  ASSERT_TRUE(plan.has_value());
  ASSERT_EQ(plan->decisions.size(), 4u);
  EXPECT_TRUE(plan->complete);
  for (const auto& d : plan->decisions) {
    EXPECT_EQ(d.outcome, Outcome::kept) << d.ref.field_name;
    ASSERT_TRUE(d.chosen.has_value());
    EXPECT_EQ(*d.chosen, d.ref.current);
  }
  auto changes = ivk::apply_model_sync(wf, *plan);
  ASSERT_TRUE(changes.has_value());
  EXPECT_TRUE(changes->empty());
  EXPECT_EQ(wf.to_json(), before);
}

TEST(ModelSyncPlan, RenamedServerMatchesByHash) {
  auto wf = sdxl();
  auto plan = ivk::plan_model_sync(wf, catalog("server-renamed.json"));
  ASSERT_TRUE(plan.has_value());
  ASSERT_EQ(plan->decisions.size(), 1u);
  const auto& d = plan->decisions[0];
  EXPECT_EQ(d.outcome, Outcome::matched_by_hash);
  EXPECT_EQ(d.chosen->key, "renamed-0000");
  EXPECT_EQ(d.chosen->name, "juggernautXL_v9Rundiffusionphoto2-renamed");
  auto changes = ivk::apply_model_sync(wf, *plan);
  ASSERT_TRUE(changes.has_value());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].old.key, "914b2e5a-b8d3-4da1-965f-b3775bbc5745");
  EXPECT_EQ(value_in(wf, kSdxlLoader, "model").at("key"), "renamed-0000");
  // The same identifier as the Python client writes.
  EXPECT_EQ(
      json::parse(ivk::to_json(*changes)),
      json::parse(
          R"([{"old":{"key":"914b2e5a-b8d3-4da1-965f-b3775bbc5745","hash":"blake3:7bb02e9351409debc5727aeeb83f77340931d3c8f86d2d6c69f67af8de20dd74","name":"juggernautXL_v9Rundiffusionphoto2","base":"sdxl","type":"main","submodel_type":null},)"
          R"("new":{"key":"renamed-0000","hash":"blake3:7bb02e9351409debc5727aeeb83f77340931d3c8f86d2d6c69f67af8de20dd74","name":"juggernautXL_v9Rundiffusionphoto2-renamed","base":"sdxl","type":"main","submodel_type":null}}])"));
}

TEST(ModelSyncPlan, KeyAndHashOnServerIsKeptEvenWhenRenamed) {
  const auto cat = edited("server-exact.json", [](ivk::ModelRecord& r) {
    if (r.key == "914b2e5a-b8d3-4da1-965f-b3775bbc5745") r.name = "juggernaut-renamed-in-gui";
    return true;
  });
  auto plan = ivk::plan_model_sync(sdxl(), cat);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->decisions[0].outcome, Outcome::kept);
  EXPECT_EQ(plan->decisions[0].chosen->name, "juggernautXL_v9Rundiffusionphoto2");
  EXPECT_NE(plan->decisions[0].reason.find("juggernaut-renamed-in-gui"), std::string::npos);
}

// Bug 1: user edits are respected unless override_user_values.
TEST(ModelSyncPlan, RespectsValuesTheUserSet) {
  auto wf = sdxl();
  const std::string wanted =
      R"({"key":"wanted","hash":"blake3:wanted","name":"wanted-model","base":"sdxl","type":"main"})";
  ASSERT_TRUE(wf.set_json("0", wanted).has_value());
  auto plan = ivk::plan_model_sync(wf, catalog("server-renamed.json"));
  ASSERT_TRUE(plan.has_value());
  ASSERT_EQ(plan->decisions.size(), 1u);
  EXPECT_EQ(plan->decisions[0].outcome, Outcome::skipped_user_value);
  EXPECT_TRUE(plan->complete);
  auto changes = ivk::apply_model_sync(wf, *plan);
  ASSERT_TRUE(changes.has_value());
  EXPECT_TRUE(changes->empty());
  EXPECT_EQ(value_in(wf, kSdxlLoader, "model").at("key"), "wanted");

  ivk::SyncOptions o;
  o.override_user_values = true;
  auto forced = ivk::plan_model_sync(wf, catalog("server-renamed.json"), o);
  ASSERT_TRUE(forced.has_value());
  EXPECT_EQ(forced->decisions[0].outcome, Outcome::unresolved);
  EXPECT_FALSE(forced->complete);
}

// Bug 2: base "any" encoders resolve by type + name, and by_base finds same-type encoders.
TEST(ModelSyncPlan, BaseAnyEncodersResolve) {
  const auto cat = edited("server-exact.json", [](ivk::ModelRecord& r) {
    if (r.type == "t5_encoder") r.hash = "blake3:requantized", r.key = "t5-new";
    return true;
  });
  auto plan = ivk::plan_model_sync(flux(), cat);
  ASSERT_TRUE(plan.has_value());
  const auto& t5 = decision(*plan, "t5_encoder_model");
  EXPECT_EQ(t5.outcome, Outcome::matched_by_name);
  EXPECT_EQ(t5.chosen->key, "t5-new");
  EXPECT_EQ(t5.chosen->base, "any");

  ivk::SyncOptions o;
  o.by_base = true;
  auto base_only = ivk::plan_model_sync(flux(), catalog("server-base-only.json"), o);
  ASSERT_TRUE(base_only.has_value());
  EXPECT_TRUE(base_only->complete);
  EXPECT_EQ(decision(*base_only, "t5_encoder_model").outcome, Outcome::matched_by_base);
  EXPECT_EQ(decision(*base_only, "t5_encoder_model").chosen->key, "base-0006-1");  // alpha-any-t5_encoder-6
  EXPECT_EQ(decision(*base_only, "clip_embed_model").chosen->key, "base-0005-1");
  EXPECT_EQ(decision(*base_only, "model").chosen->key, "base-0002-1");  // alpha-flux-main-2
  EXPECT_EQ(decision(*base_only, "vae_model").chosen->key, "base-0004-1");
  EXPECT_EQ(decision(*base_only, "model").candidates.size(), 4u);
}

// Bugs 3 and 4: atomic; a failing apply changes nothing; a stale plan is refused.
TEST(ModelSyncPlan, ApplyIsAllOrNothing) {
  const auto no_vae = edited("server-renamed.json", [](ivk::ModelRecord& r) { return r.type != "vae"; });
  auto wf = flux();
  const std::string before = wf.to_json();
  auto plan = ivk::plan_model_sync(wf, no_vae);
  ASSERT_TRUE(plan.has_value());
  EXPECT_FALSE(plan->complete);
  EXPECT_EQ(decision(*plan, "vae_model").outcome, Outcome::unresolved);
  EXPECT_EQ(decision(*plan, "model").outcome, Outcome::matched_by_hash);
  auto refused = ivk::apply_model_sync(wf, *plan);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(wf.to_json(), before);
  EXPECT_TRUE(wf.changed_values().empty());

  auto partial = ivk::apply_model_sync(wf, *plan, /*allow_partial=*/true);
  ASSERT_TRUE(partial.has_value());
  EXPECT_EQ(partial->size(), 3u);
  EXPECT_EQ(value_in(wf, kFluxLoader, "vae_model").at("key"), "53fdb8d0-6376-44b4-a02f-d25fdb375451");
  EXPECT_EQ(value_in(wf, kFluxLoader, "model").at("key"), "renamed-0002");

  // The plan no longer matches the workflow: conflict, nothing changes.
  auto wf2 = flux();
  auto plan2 = ivk::plan_model_sync(wf2, catalog("server-renamed.json"));
  ASSERT_TRUE(plan2.has_value());
  ASSERT_TRUE(
      wf2.set_json("0", R"({"key":"x","hash":"y","name":"z","base":"flux","type":"main"})").has_value());
  const std::string edited_text = wf2.to_json();
  auto stale = ivk::apply_model_sync(wf2, *plan2);
  ASSERT_FALSE(stale.has_value());
  EXPECT_EQ(stale.error().code, ivk::ErrorCode::conflict);
  EXPECT_EQ(wf2.to_json(), edited_text);

  // Planning never touches the workflow.
  auto wf3 = flux();
  ASSERT_TRUE(ivk::plan_model_sync(wf3, catalog("server-base-only.json")).has_value());
  EXPECT_EQ(wf3.to_json(), before);
}

// Bug 5: never a model of another type in a slot.
TEST(ModelSyncPlan, NeverCrossesTypes) {
  const auto no_vae = edited("server-base-only.json", [](ivk::ModelRecord& r) { return r.type != "vae"; });
  ivk::SyncOptions o;
  o.by_base = true;
  auto plan = ivk::plan_model_sync(flux(), no_vae, o);
  ASSERT_TRUE(plan.has_value());
  EXPECT_FALSE(plan->complete);
  const auto& vae = decision(*plan, "vae_model");
  EXPECT_EQ(vae.outcome, Outcome::unresolved);
  EXPECT_FALSE(vae.chosen.has_value());
  EXPECT_NE(vae.reason.find("strategies tried: hash, name, base"), std::string::npos);
  // Same name, other type: not a match either.
  const auto vae_named_main = edited("server-exact.json", [](ivk::ModelRecord& r) {
    if (r.type == "vae" && r.base == "flux") r.type = "main", r.hash = "blake3:other";
    return true;
  });
  auto plan2 = ivk::plan_model_sync(flux(), vae_named_main);
  ASSERT_TRUE(plan2.has_value());
  EXPECT_EQ(decision(*plan2, "vae_model").outcome, Outcome::unresolved);
}

// Bug 6: deterministic tie-break; preferred key per base; the old name wins over name order.
TEST(ModelSyncPlan, TieBreakAndPreferredKeys) {
  ivk::SyncOptions o;
  o.by_base = true;
  o.preferred_keys = {{"flux", "base-0002-0"}};
  auto plan = ivk::plan_model_sync(flux(), catalog("server-base-only.json"), o);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(decision(*plan, "model").chosen->key, "base-0002-0");      // preferred zeta-flux-main-2
  EXPECT_EQ(decision(*plan, "vae_model").chosen->key, "base-0004-1");  // not a vae: alphabetical
  o.preferred_keys = {{"any", "base-0006-0"}};
  auto plan2 = ivk::plan_model_sync(flux(), catalog("server-base-only.json"), o);
  ASSERT_TRUE(plan2.has_value());
  EXPECT_EQ(decision(*plan2, "t5_encoder_model").chosen->key, "base-0006-0");
  EXPECT_EQ(decision(*plan2, "clip_embed_model").chosen->key, "base-0005-1");

  // A record with the old name beats alphabetical order (by_base without by_name).
  auto records = catalog("server-base-only.json").records();
  ivk::ModelRecord same_name = records[4];
  same_name.key = "same-name";
  same_name.hash = "blake3:same-name";
  same_name.name = "flux1-schnell";
  records.push_back(same_name);
  o.preferred_keys.clear();
  o.by_name = false;
  auto plan3 = ivk::plan_model_sync(flux(), ivk::ModelCatalog(records), o);
  ASSERT_TRUE(plan3.has_value());
  EXPECT_EQ(decision(*plan3, "model").outcome, Outcome::matched_by_base);
  EXPECT_EQ(decision(*plan3, "model").chosen->key, "same-name");

  // Duplicate hashes: the smallest name, whatever the catalog order.
  auto dup = catalog("server-renamed.json").records();
  ivk::ModelRecord copy = dup[0];
  copy.key = "a-copy";
  copy.name = "a-copy-of-juggernaut";
  dup.push_back(copy);
  auto plan4 = ivk::plan_model_sync(sdxl(), ivk::ModelCatalog(dup));
  ASSERT_TRUE(plan4.has_value());
  EXPECT_EQ(plan4->decisions[0].chosen->key, "a-copy");
  EXPECT_EQ(plan4->decisions[0].candidates.size(), 2u);
}

// Bug 7: the old submodel_type is kept.
TEST(ModelSyncPlan, KeepsSubmodelType) {
  auto wf = sdxl();
  ASSERT_TRUE(
      wf.set_node_values_json(
            {{kSdxlLoader, "model",
              R"({"key":"914b2e5a-b8d3-4da1-965f-b3775bbc5745","hash":"blake3:7bb02e9351409debc5727aeeb83f77340931d3c8f86d2d6c69f67af8de20dd74","name":"juggernautXL_v9Rundiffusionphoto2","base":"sdxl","type":"main","submodel_type":"unet"})"}})
          .has_value());
  ivk::SyncOptions o;
  o.override_user_values = true;
  auto exact = ivk::plan_model_sync(wf, catalog("server-exact.json"), o);
  ASSERT_TRUE(exact.has_value());
  EXPECT_EQ(exact->decisions[0].outcome, Outcome::kept);  // not a change
  auto plan = ivk::plan_model_sync(wf, catalog("server-renamed.json"), o);
  ASSERT_TRUE(plan.has_value());
  auto changes = ivk::apply_model_sync(wf, *plan);
  ASSERT_TRUE(changes.has_value());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].new_.key, "renamed-0000");
  EXPECT_EQ((*changes)[0].new_.submodel_type, "unet");
  EXPECT_EQ(value_in(wf, kSdxlLoader, "model").at("submodel_type"), "unet");
}

// Bug 8: unknown enums are kept and matched like any other.
TEST(ModelSyncPlan, UnknownEnumsAreOrdinaryStrings) {
  auto plan = ivk::plan_model_sync(sdxl(), catalog("server-unknown-enum.json"));
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->decisions[0].outcome, Outcome::kept);
  auto wf = sdxl();
  const auto cat = catalog("server-unknown-enum.json");
  const auto* veo = cat.find_by_key("a1b2c3d4-0000-4000-8000-0000000000ff");
  ASSERT_NE(veo, nullptr);
  ASSERT_TRUE(wf.set_node_values_json({{kSdxlLoader, "model",
                                        R"({"key":"old-veo","hash":")" + veo->hash +
                                            R"(","name":"veo","base":"veo3","type":"video"})"}})
                  .has_value());
  ivk::SyncOptions o;
  o.override_user_values = true;
  auto p2 = ivk::plan_model_sync(wf, cat, o);
  ASSERT_TRUE(p2.has_value());
  EXPECT_EQ(p2->decisions[0].outcome, Outcome::matched_by_hash);
  EXPECT_EQ(p2->decisions[0].chosen->base, "veo3");
  EXPECT_EQ(p2->decisions[0].chosen->type, "video");
  EXPECT_EQ(p2->decisions[0].chosen->key, "a1b2c3d4-0000-4000-8000-0000000000ff");
}

TEST(ModelSyncPlan, FieldIndicesSelectFormInputs) {
  ivk::SyncOptions o;
  o.field_indices = {0, 4};
  auto wf = flux();
  auto plan = ivk::plan_model_sync(wf, catalog("server-renamed.json"), o);
  ASSERT_TRUE(plan.has_value());
  ASSERT_EQ(plan->decisions.size(), 2u);
  EXPECT_EQ(plan->decisions[0].ref.field_name, "model");
  EXPECT_EQ(plan->decisions[1].ref.field_name, "vae_model");
  auto changes = ivk::apply_model_sync(wf, *plan);
  ASSERT_TRUE(changes.has_value());
  EXPECT_EQ(changes->size(), 2u);
  EXPECT_EQ(value_in(wf, kFluxLoader, "t5_encoder_model").at("key"), "cc644930-283a-464f-b48f-831e6add8ed5");
  EXPECT_EQ(value_in(wf, kFluxLoader, "vae_model").at("key"), "renamed-0004");

  o.field_indices = {1};  // an image input, not a model
  auto bad = ivk::plan_model_sync(flux(), catalog("server-renamed.json"), o);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ivk::ErrorCode::invalid_argument);
}

TEST(ModelSyncPlan, JsonOutput) {
  auto plan = ivk::plan_model_sync(flux(), catalog("server-renamed.json"));
  ASSERT_TRUE(plan.has_value());
  const json::value j = json::parse(ivk::to_json(*plan));
  EXPECT_EQ(j.at("complete"), true);
  const auto& ds = j.at("decisions").as_array();
  ASSERT_EQ(ds.size(), 4u);
  EXPECT_EQ(ds[0].at("node_id"), kFluxLoader);
  EXPECT_EQ(ds[0].at("field_name"), "model");
  EXPECT_EQ(ds[0].at("node_type"), "flux_model_loader");
  EXPECT_EQ(ds[0].at("input_index"), 0);
  EXPECT_EQ(ds[0].at("user_set"), false);
  EXPECT_EQ(ds[0].at("outcome"), "matched_by_hash");
  EXPECT_EQ(ds[0].at("current").at("key"), "4ea8c1b5-e56c-47c0-949e-3805d06c1301");
  EXPECT_EQ(ds[0].at("chosen").at("key"), "renamed-0002");
  EXPECT_EQ(ds[0].at("candidates").as_array().size(), 1u);
  EXPECT_TRUE(ds[0].at("reason").is_string());
  EXPECT_EQ(ivk::to_json(std::vector<ivk::SyncChange>{}), "[]");
}

}  // namespace
