// GUI graph rules (invokeai-api.md §11.1–11.2) on small workflows written for the test.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "ivk/workflow/graph.h"
#include "ivk/workflow/workflow.h"
#include "support/fixtures.h"

namespace json = boost::json;

namespace {

// A 4.0.0 workflow: string -> connector -> connector -> two consumers (fan-out), a notes node,
// a collapsed edge, a literal on a connected input, and a board left on "auto".
constexpr const char* kConnectorWorkflow = R"({
  "name": "connectors", "author": "", "description": "", "version": "", "contact": "", "tags": "", "notes": "",
  "exposedFields": [], "meta": {"version": "4.0.0", "category": "user"},
  "nodes": [
    {"id": "s", "type": "invocation", "data": {"id": "s", "type": "string", "isIntermediate": true, "useCache": true,
      "inputs": {"value": {"name": "value", "label": "", "value": "a cat"}}}},
    {"id": "r1", "type": "connector", "data": {"id": "r1", "type": "connector", "label": "", "isOpen": true}},
    {"id": "r2", "type": "connector", "data": {"id": "r2", "type": "connector", "label": "", "isOpen": true}},
    {"id": "p1", "type": "invocation", "data": {"id": "p1", "type": "compel", "isIntermediate": true, "useCache": false,
      "inputs": {"prompt": {"name": "prompt", "label": "", "value": "stale literal"}, "clip": {"name": "clip", "label": ""}}}},
    {"id": "p2", "type": "invocation", "data": {"id": "p2", "type": "compel", "isIntermediate": true, "useCache": true,
      "inputs": {"prompt": {"name": "prompt", "label": ""}}}},
    {"id": "save", "type": "invocation", "data": {"id": "save", "type": "save_image", "isIntermediate": false, "useCache": false,
      "inputs": {"board": {"name": "board", "label": "", "value": "auto"},
                 "image": {"name": "image", "label": "", "value": {"image_name": "x.png"}}}}},
    {"id": "n", "type": "notes", "data": {"id": "n", "type": "notes", "label": "Read me", "isOpen": true, "notes": "hi"}}
  ],
  "edges": [
    {"id": "e1", "type": "default", "source": "s", "sourceHandle": "value", "target": "r1", "targetHandle": "in"},
    {"id": "e2", "type": "default", "source": "r1", "sourceHandle": "out", "target": "r2", "targetHandle": "in"},
    {"id": "e3", "type": "default", "source": "r2", "sourceHandle": "out", "target": "p1", "targetHandle": "prompt"},
    {"id": "e4", "type": "default", "source": "r2", "sourceHandle": "out", "target": "p2", "targetHandle": "prompt"},
    {"id": "e5", "type": "default", "source": "s", "sourceHandle": "value", "target": "p1", "targetHandle": "prompt"},
    {"id": "c1", "type": "collapsed", "source": "s", "target": "save"}
  ],
  "form": {"rootElementId": "root", "elements": {
    "root": {"id": "root", "type": "container", "data": {"layout": "column", "children": ["node-field-b"]}},
    "node-field-b": {"id": "node-field-b", "parentId": "root", "type": "node-field",
                     "data": {"fieldIdentifier": {"nodeId": "save", "fieldName": "board"}}}}}
})";

json::value build(const ivk::Workflow& wf, ivk::GraphOptions options = {}) {
  options.graph_id = "g";
  auto g = ivk::build_graph(wf, options);
  EXPECT_TRUE(g.has_value()) << (g ? "" : g.error().describe());
  return json::parse(*g);
}

TEST(GraphBuilder, FlattensConnectorsDropsNotesAndCollapsedEdgesAndDedupes) {
  auto wf = ivk::Workflow::load_string(kConnectorWorkflow);
  ASSERT_TRUE(wf.has_value()) << wf.error().describe();
  const json::value g = build(*wf);
  EXPECT_EQ(g.at("id").as_string(), "g");
  const auto& nodes = g.at("nodes").as_object();
  EXPECT_EQ(nodes.size(), 4u);  // s, p1, p2, save: no connectors, no notes
  EXPECT_FALSE(nodes.contains("r1"));
  EXPECT_FALSE(nodes.contains("n"));
  // The connector chain becomes direct edges s.value -> p1.prompt and s.value -> p2.prompt;
  // the duplicate direct edge e5 collapses into the first; the collapsed edge is gone.
  EXPECT_EQ(json::serialize(g.at("edges")),
            R"([{"source":{"node_id":"s","field":"value"},"destination":{"node_id":"p1","field":"prompt"}},)"
            R"({"source":{"node_id":"s","field":"value"},"destination":{"node_id":"p2","field":"prompt"}}])");
  // A connected input never carries its literal.
  EXPECT_FALSE(nodes.at("p1").as_object().contains("prompt"));
  EXPECT_EQ(nodes.at("p1").at("use_cache"), false);
  EXPECT_EQ(nodes.at("save").at("is_intermediate"), false);
  EXPECT_EQ(nodes.at("s").at("value"), "a cat");
}

TEST(GraphBuilder, AutoBoardResolvesToTheConfiguredBoardOrIsOmitted) {
  auto wf = ivk::Workflow::load_string(kConnectorWorkflow);
  ASSERT_TRUE(wf.has_value());
  EXPECT_FALSE(build(*wf).at("nodes").at("save").as_object().contains("board"));
  ivk::GraphOptions options;
  options.auto_board = "board-123";
  EXPECT_EQ(json::serialize(build(*wf, options).at("nodes").at("save").at("board")),
            R"({"board_id":"board-123"})");
  ASSERT_TRUE(wf->set_from_text("save.board", "none").has_value());
  EXPECT_FALSE(build(*wf, options).at("nodes").at("save").as_object().contains("board"));
  ASSERT_TRUE(wf->set_from_text("save.board", "my-board").has_value());
  EXPECT_EQ(json::serialize(build(*wf, options).at("nodes").at("save").at("board")),
            R"({"board_id":"my-board"})");
}

TEST(GraphBuilder, SetValuesReachTheGraphWithTheirExactText) {
  auto wf = ivk::Workflow::load_file(ivk::test::fixture("workflows/sdxl-text-to-image.json"));
  ASSERT_TRUE(wf.has_value());
  ASSERT_TRUE(wf->set_many({{"3", "1024"}, {"6", "4.5"}, {"positive prompt", "a red fox"}}).has_value());
  const json::value g = build(*wf);
  const auto& nodes = g.at("nodes").as_object();
  EXPECT_EQ(nodes.at("noise:f4Bv4UWa22").at("width"), 1024);
  EXPECT_EQ(nodes.at("noise:f4Bv4UWa22").at("height"), 1024);
  EXPECT_EQ(nodes.at("denoise_latents:TRC0Y88EWe").at("cfg_scale").as_double(), 4.5);
  EXPECT_EQ(nodes.at("positive_prompt:kjUMdcg0zO").at("value"), "a red fox");
  // The l2i board has no value and auto_board is "none": omitted, as the GUI does.
  EXPECT_FALSE(nodes.at("canvas_output:JbPTiAJ26r").as_object().contains("board"));
  EXPECT_EQ(g.at("edges").as_array().size(), 24u);
}

}  // namespace
