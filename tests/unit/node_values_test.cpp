// Setting any node input (form or not), as model sync does.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "ivk/workflow/graph.h"
#include "ivk/workflow/node_templates.h"
#include "ivk/workflow/workflow.h"
#include "support/fixtures.h"

namespace json = boost::json;

namespace {

constexpr const char* kModel = R"({"key":"k2","hash":"blake3:2","name":"other","base":"sdxl","type":"main"})";

TEST(NodeValues, SetsFieldsOutsideTheFormAndReachesJsonAndGraph) {
  auto wf = ivk::Workflow::load_file(ivk::test::fixture("workflows/flux-image-to-image.json"));
  ASSERT_TRUE(wf.has_value());
  // The noise seed of flux_denoise_meta is not a form input; the loader's model is.
  ASSERT_TRUE(wf->set_node_values_json({{"9c773392-5647-4f2b-958e-9da1707b6e6a", "num_steps", "12"},
                                        {"f8d9d7c8-9ed7-4bd7-9e42-ab0e89bfac90", "model", kModel}})
                  .has_value());
  EXPECT_EQ(*wf->inputs()[7].value_json, "12");
  EXPECT_EQ(*wf->inputs()[0].value_json, kModel);
  const json::value doc = json::parse(wf->to_json());
  EXPECT_EQ(doc.at("nodes").as_array().size(), 9u);
  ivk::GraphOptions options;
  options.graph_id = "g";
  const json::value g = json::parse(*ivk::build_graph(*wf, options));
  EXPECT_EQ(g.at("nodes").at("f8d9d7c8-9ed7-4bd7-9e42-ab0e89bfac90").at("model").at("key"), "k2");
  const auto changed = wf->changed_values();
  ASSERT_EQ(changed.size(), 2u);
}

TEST(NodeValues, AllOrNothing) {
  auto wf = ivk::Workflow::load_file(ivk::test::fixture("workflows/flux-image-to-image.json"));
  ASSERT_TRUE(wf.has_value());
  const std::string before = wf->to_json();
  auto r = wf->set_node_values_json(
      {{"9c773392-5647-4f2b-958e-9da1707b6e6a", "num_steps", "12"}, {"no-such-node", "model", kModel}});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ivk::ErrorCode::not_found);
  EXPECT_EQ(wf->to_json(), before);
  r = wf->set_node_values_json({{"9c773392-5647-4f2b-958e-9da1707b6e6a", "num_steps", "{bad"}});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ivk::ErrorCode::invalid_argument);
  EXPECT_TRUE(wf->changed_values().empty());
}

}  // namespace

namespace {

// A value set on a field the export does not have reaches the saved workflow and the graph.
TEST(NodeValues, FieldsMissingFromTheExportReachTheGraph) {
  auto wf = ivk::Workflow::load_file(ivk::test::fixture("workflows/sdxl-text-to-image.json"));
  ASSERT_TRUE(wf.has_value());
  // The export's noise node has seed, width, height and use_cpu only.
  ASSERT_TRUE(wf->set_node_values_json({{"noise:f4Bv4UWa22", "added_field", "[1,2]"}}).has_value());
  ivk::GraphOptions options;
  options.graph_id = "g";
  const json::value g = json::parse(*ivk::build_graph(*wf, options));
  EXPECT_EQ(g.at("nodes").at("noise:f4Bv4UWa22").at("added_field"), json::parse("[1,2]"));
  options.style = ivk::GraphStyle::pyclient;
  const json::value p = json::parse(*ivk::build_graph(*wf, options));
  EXPECT_EQ(p.at("nodes").at("noise:f4Bv4UWa22").at("added_field"), json::parse("[1,2]"));
  // With templates, a field the node type does not have is dropped, as the GUI drops it.
  const auto templates = ivk::NodeTemplates::from_openapi_file(ivk::test::openapi_path());
  ASSERT_TRUE(templates.has_value());
  ivk::GraphOptions typed;
  typed.graph_id = "g";
  typed.templates = &*templates;
  EXPECT_FALSE(json::parse(*ivk::build_graph(*wf, typed))
                   .at("nodes")
                   .at("noise:f4Bv4UWa22")
                   .as_object()
                   .contains("added_field"));
  // The saved workflow gains the input, with its value.
  const json::value doc = json::parse(wf->to_json());
  for (const auto& node : doc.at("nodes").as_array()) {
    if (node.at("id") == "noise:f4Bv4UWa22") {
      EXPECT_EQ(node.at("data").at("inputs").at("added_field").at("value"), json::parse("[1,2]"));
    }
  }
}

}  // namespace
