// The graph ivk builds from a GUI run's embedded workflow must equal the graph the GUI enqueued
// (recorded in the queue item's session.graph), except for the graph id and the defaults the
// server fills in when it re-serializes each node. Those defaults are checked against the
// node templates of the real server's OpenAPI document, so nothing is waved through.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <set>

#include "ivk/workflow/batch.h"
#include "ivk/workflow/graph.h"
#include "ivk/workflow/node_templates.h"
#include "ivk/workflow/workflow.h"
#include "support/fixtures.h"

namespace json = boost::json;

namespace {

bool same_json(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return std::fabs(a.to_number<double>() - b.to_number<double>()) < 1e-12;
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto &x = a.get_array(), &y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!same_json(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object()) {
    const auto &x = a.get_object(), &y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& kv : x) {
      const auto* other = y.if_contains(kv.key());
      if (other == nullptr || !same_json(kv.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

std::set<std::string> edge_set(const json::array& edges) {
  std::set<std::string> out;
  for (const auto& e : edges) {
    const auto& s = e.at("source");
    const auto& d = e.at("destination");
    out.insert(std::string(s.at("node_id").as_string()) + "." + std::string(s.at("field").as_string()) +
               "->" + std::string(d.at("node_id").as_string()) + "." +
               std::string(d.at("field").as_string()));
  }
  return out;
}

struct Parity {
  std::vector<std::string> server_defaults;  // "node_id.key" filled by the server from templates
  std::vector<std::string> other;            // anything else: must stay empty
  std::set<std::string> ours_edges, recorded_edges;
  std::string graph_id;
};

const ivk::NodeTemplates& templates() {
  static const ivk::NodeTemplates t = *ivk::NodeTemplates::from_openapi_file(ivk::test::openapi_path());
  return t;
}

Parity compare_with_recording(const std::string& fixture) {
  const json::value item = json::parse(ivk::test::read_file(ivk::test::fixture("queue-items/" + fixture)));
  auto wf = ivk::Workflow::load_string(json::serialize(item.at("workflow")), fixture);
  EXPECT_TRUE(wf.has_value()) << (wf ? "" : wf.error().describe());
  ivk::GraphOptions options;
  options.templates = &templates();
  auto built = ivk::build_graph(*wf, options);
  EXPECT_TRUE(built.has_value());
  const json::value ours = json::parse(*built);
  const json::object& recorded = item.at("session").at("graph").as_object();

  Parity p;
  p.graph_id = std::string(ours.at("id").as_string());
  const auto& our_nodes = ours.at("nodes").as_object();
  const auto& rec_nodes = recorded.at("nodes").as_object();
  EXPECT_EQ(our_nodes.size(), rec_nodes.size());
  for (const auto& [id, rec] : rec_nodes) {
    const auto* mine = our_nodes.if_contains(id);
    if (mine == nullptr) {
      p.other.push_back(std::string(id) + ": node missing");
      continue;
    }
    const auto& rec_obj = rec.as_object();
    const auto& my_obj = mine->as_object();
    const auto* tmpl = templates().find(std::string(rec_obj.at("type").as_string()));
    for (const auto& kv : my_obj) {
      const auto* r = rec_obj.if_contains(kv.key());
      if (r == nullptr || !same_json(kv.value(), *r))
        p.other.push_back(std::string(id) + "." + std::string(kv.key()) + ": " + json::serialize(kv.value()) +
                          " vs " + (r ? json::serialize(*r) : "<absent>"));
    }
    for (const auto& kv : rec_obj) {
      if (my_obj.contains(kv.key())) continue;
      const auto* in = tmpl != nullptr ? tmpl->input(std::string(kv.key())) : nullptr;
      if (in != nullptr && in->default_json && same_json(json::parse(*in->default_json), kv.value()))
        p.server_defaults.push_back(std::string(id) + "." + std::string(kv.key()));
      else
        p.other.push_back(std::string(id) + "." + std::string(kv.key()) + ": recorded " +
                          json::serialize(kv.value()) + ", not built and not a template default");
    }
  }
  p.ours_edges = edge_set(ours.at("edges").as_array());
  p.recorded_edges = edge_set(recorded.at("edges").as_array());
  return p;
}

TEST(GuiGraphParity, SdxlTextToImageMatchesTheRecordedGuiGraph) {
  const Parity p = compare_with_recording("sdxl-text-to-image.json");
  EXPECT_TRUE(p.other.empty()) << ::testing::PrintToString(p.other);
  EXPECT_EQ(p.ours_edges, p.recorded_edges);
  EXPECT_EQ(p.ours_edges.size(), 24u);
  // Inputs fed by edges or left unset, which the server fills from the template defaults.
  const std::vector<std::string> expected{
      "pos_cond:o9T4cKV8xt.prompt", "pos_cond:o9T4cKV8xt.style", "pos_cond_collect:sles8A43dq.collection",
      "neg_cond:5ZtbrHJgrO.prompt", "neg_cond:5ZtbrHJgrO.style", "neg_cond_collect:XpoW9rXd61.collection",
      "noise:f4Bv4UWa22.seed"};
  EXPECT_EQ(std::set<std::string>(p.server_defaults.begin(), p.server_defaults.end()),
            std::set<std::string>(expected.begin(), expected.end()));
  EXPECT_EQ(p.graph_id.size(), 36u);  // a fresh uuid4, like the GUI's
}

TEST(GuiGraphParity, FluxImageToImageMatchesTheRecordedGuiGraph) {
  const Parity p = compare_with_recording("flux-image-to-image.json");
  EXPECT_TRUE(p.other.empty()) << ::testing::PrintToString(p.other);
  EXPECT_EQ(p.ours_edges, p.recorded_edges);
  EXPECT_EQ(p.ours_edges.size(), 19u);
  // The "none" board is omitted (as the GUI does), so it is not among the differences.
  const std::vector<std::string> expected{"9c773392-5647-4f2b-958e-9da1707b6e6a.width",
                                          "9c773392-5647-4f2b-958e-9da1707b6e6a.height",
                                          "9c773392-5647-4f2b-958e-9da1707b6e6a.seed"};
  EXPECT_EQ(std::set<std::string>(p.server_defaults.begin(), p.server_defaults.end()),
            std::set<std::string>(expected.begin(), expected.end()));
}

// The Python client's shape differs from the GUI's in documented ways (pyclient.md §1.11).
TEST(PyclientGraph, ReproducesThePythonClientsSystematicDifferences) {
  const json::value item =
      json::parse(ivk::test::read_file(ivk::test::fixture("queue-items/flux-image-to-image.json")));
  auto wf = ivk::Workflow::load_string(json::serialize(item.at("workflow")), "flux");
  ASSERT_TRUE(wf.has_value());
  ivk::GraphOptions options;
  options.style = ivk::GraphStyle::pyclient;
  const json::value g = json::parse(*ivk::build_graph(*wf, options));
  EXPECT_EQ(g.at("id").as_string(), "workflow");
  const auto& nodes = g.at("nodes").as_object();
  // Boards: "none" is sent as a board id.
  EXPECT_EQ(json::serialize(nodes.at("7e5172eb-48c1-44db-a770-8fd83e1435d1").at("board")),
            R"({"board_id":"none"})");
  // Form-exposed model identifiers gain "submodel_type": null.
  const auto& loader = nodes.at("f8d9d7c8-9ed7-4bd7-9e42-ab0e89bfac90").as_object();
  int with_submodel = 0;
  for (const char* f : {"model", "t5_encoder_model", "clip_embed_model", "vae_model"})
    if (loader.at(f).as_object().contains("submodel_type") && loader.at(f).at("submodel_type").is_null())
      ++with_submodel;
  EXPECT_EQ(with_submodel, 4);
  // Every edge is kept and nodes carry is_intermediate/use_cache.
  EXPECT_EQ(g.at("edges").as_array().size(), 19u);
}

}  // namespace
