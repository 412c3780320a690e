// The enqueue_batch body: wrapper keys, sweeps (zip groups × product × runs), batch nodes.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "ivk/workflow/batch.h"
#include "ivk/workflow/workflow.h"
#include "support/fixtures.h"

namespace json = boost::json;

namespace {

ivk::Workflow sdxl() {
  auto wf = ivk::Workflow::load_file(ivk::test::fixture("workflows/sdxl-text-to-image.json"));
  EXPECT_TRUE(wf.has_value());
  return *wf;
}

json::value body(const ivk::Workflow& wf, const ivk::BatchOptions& options) {
  auto b = ivk::build_enqueue_body(wf, options);
  EXPECT_TRUE(b.has_value()) << (b ? "" : b.error().describe());
  return json::parse(b ? *b : "{}");
}

TEST(EnqueueBody, WrapsGraphWorkflowRunsOriginAndDestination) {
  const auto wf = sdxl();
  ivk::BatchOptions options;
  options.runs = 3;
  options.prepend = true;
  const json::value b = body(wf, options);
  EXPECT_EQ(b.at("prepend"), true);
  const auto& batch = b.at("batch").as_object();
  EXPECT_EQ(batch.at("runs"), 3);
  EXPECT_EQ(batch.at("origin"), "workflows");
  EXPECT_EQ(batch.at("destination"), "gallery");
  EXPECT_EQ(batch.at("data").as_array().size(), 0u);
  EXPECT_EQ(batch.at("graph").at("nodes").as_object().size(), 12u);
  // The attached workflow is the document itself (with current values), so images embed it.
  EXPECT_EQ(batch.at("workflow").at("name"), "sdxl-text-to-image");
  EXPECT_EQ(batch.at("workflow").at("nodes").as_array().size(), 12u);
  EXPECT_FALSE(batch.contains("batch_id"));
  options.attach_workflow = false;
  options.batch_id = "b-1";
  const json::value b2 = body(wf, options);
  EXPECT_FALSE(b2.at("batch").as_object().contains("workflow"));
  EXPECT_EQ(b2.at("batch").at("batch_id"), "b-1");
}

TEST(EnqueueBody, SweepsBecomeBatchDataGroups) {
  const auto wf = sdxl();
  ivk::BatchOptions options;
  options.sweeps.push_back({{{"3", {"512", "768"}}, {"4", {"640", "1024"}}}});                 // zipped
  options.sweeps.push_back({{{"positive prompt", {"\"a cat\"", "\"a dog\"", "\"a fox\""}}}});  // multiplied
  const json::value b = body(wf, options);
  EXPECT_EQ(
      json::serialize(b.at("batch").at("data")),
      R"([[{"node_path":"noise:f4Bv4UWa22","field_name":"width","items":[512,768]},)"
      R"({"node_path":"noise:f4Bv4UWa22","field_name":"height","items":[640,1024]}],)"
      R"([{"node_path":"positive_prompt:kjUMdcg0zO","field_name":"value","items":["a cat","a dog","a fox"]}]])");
  options.runs = 2;
  EXPECT_EQ(*ivk::count_sessions(options), 12u);  // 2 × 3 × runs 2
}

TEST(EnqueueBody, RejectsBadSweepsWithoutBuildingAnything) {
  const auto wf = sdxl();
  ivk::BatchOptions zip;
  zip.sweeps.push_back({{{"3", {"512", "768"}}, {"4", {"640"}}}});
  auto r = ivk::build_enqueue_body(wf, zip);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("same number of values"), std::string::npos) << r.error().message;

  ivk::BatchOptions model;
  model.sweeps.push_back({{{"0", {R"({"key":"k","hash":"h","name":"n","base":"sdxl","type":"main"})"}}}});
  r = ivk::build_enqueue_body(wf, model);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("cannot be swept"), std::string::npos) << r.error().message;

  ivk::BatchOptions wrong_type;
  wrong_type.sweeps.push_back({{{"3", {"\"wide\""}}}});
  r = ivk::build_enqueue_body(wf, wrong_type);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("input 3"), std::string::npos) << r.error().message;

  ivk::BatchOptions twice;
  twice.sweeps.push_back({{{"3", {"512"}}}});
  twice.sweeps.push_back({{{"noise:f4Bv4UWa22.width", {"768"}}}});
  r = ivk::build_enqueue_body(wf, twice);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("more than once"), std::string::npos);

  ivk::BatchOptions runs;
  runs.runs = 0;
  EXPECT_FALSE(ivk::build_enqueue_body(wf, runs).has_value());
}

// Batch nodes and a generator, as the GUI turns them into Batch.data.
constexpr const char* kBatchNodes = R"({
  "name": "b", "author": "", "description": "", "version": "", "contact": "", "tags": "", "notes": "",
  "exposedFields": [], "meta": {"version": "3.0.0", "category": "user"},
  "nodes": [
    {"id": "sb", "type": "invocation", "data": {"id": "sb", "type": "string_batch", "isIntermediate": true, "useCache": true,
      "inputs": {"batch_group_id": {"name": "batch_group_id", "label": "", "value": "Group 1"},
                 "strings": {"name": "strings", "label": "", "value": ["a", "b"]}}}},
    {"id": "ib", "type": "invocation", "data": {"id": "ib", "type": "integer_batch", "isIntermediate": true, "useCache": true,
      "inputs": {"batch_group_id": {"name": "batch_group_id", "label": "", "value": "Group 1"},
                 "integers": {"name": "integers", "label": ""}}}},
    {"id": "gen", "type": "invocation", "data": {"id": "gen", "type": "integer_generator", "isIntermediate": true, "useCache": true,
      "inputs": {"generator": {"name": "generator", "label": "",
                 "value": {"type": "integer_generator_arithmetic_sequence", "start": 10, "step": 5, "count": 2}}}}},
    {"id": "fb", "type": "invocation", "data": {"id": "fb", "type": "float_batch", "isIntermediate": true, "useCache": true,
      "inputs": {"batch_group_id": {"name": "batch_group_id", "label": "", "value": "None"},
                 "floats": {"name": "floats", "label": "", "value": [0.5, 0.75, 1]}}}},
    {"id": "p", "type": "invocation", "data": {"id": "p", "type": "string", "isIntermediate": true, "useCache": true,
      "inputs": {"value": {"name": "value", "label": "", "value": ""}}}},
    {"id": "n", "type": "invocation", "data": {"id": "n", "type": "noise", "isIntermediate": true, "useCache": true,
      "inputs": {"seed": {"name": "seed", "label": "", "value": 0}}}},
    {"id": "d", "type": "invocation", "data": {"id": "d", "type": "denoise_latents", "isIntermediate": true, "useCache": true,
      "inputs": {"denoising_start": {"name": "denoising_start", "label": "", "value": 0}}}}
  ],
  "edges": [
    {"id": "e1", "type": "default", "source": "sb", "sourceHandle": "value", "target": "p", "targetHandle": "value"},
    {"id": "e2", "type": "default", "source": "gen", "sourceHandle": "collection", "target": "ib", "targetHandle": "integers"},
    {"id": "e3", "type": "default", "source": "ib", "sourceHandle": "value", "target": "n", "targetHandle": "seed"},
    {"id": "e4", "type": "default", "source": "fb", "sourceHandle": "value", "target": "d", "targetHandle": "denoising_start"}
  ]
})";

TEST(EnqueueBody, BatchNodesAndGeneratorsFeedBatchData) {
  auto wf = ivk::Workflow::load_string(kBatchNodes);
  ASSERT_TRUE(wf.has_value()) << wf.error().describe();
  const json::value b = body(*wf, {});
  // Compared as parsed JSON: Boost.JSON would print 0.5 as 5E-1.
  EXPECT_EQ(b.at("batch").at("data"),
            json::parse(R"([[{"node_path":"p","field_name":"value","items":["a","b"]},)"
                        R"({"node_path":"n","field_name":"seed","items":[10,15]}],)"
                        R"([{"node_path":"d","field_name":"denoising_start","items":[0.5,0.75,1]}]])"));
  // The body itself keeps the numbers' text.
  EXPECT_NE(ivk::build_enqueue_body(*wf, {})->find("[0.5,0.75,1]"), std::string::npos);
  // Batch and generator nodes are not graph nodes; their edges are gone.
  const auto& nodes = b.at("batch").at("graph").at("nodes").as_object();
  EXPECT_EQ(nodes.size(), 3u);
  EXPECT_TRUE(b.at("batch").at("graph").at("edges").as_array().empty());
}

}  // namespace
