// Setting any node input (form or not), as model sync does.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "ivk/graph.h"
#include "ivk/workflow.h"
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
