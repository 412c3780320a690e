// The workflows this project ships (examples/workflows) must be real InvokeAI workflows: every
// node type, input and edge end exists in the node templates of a real server's OpenAPI document.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <memory>

#include "ivk/workflow/graph.h"
#include "ivk/workflow/node_templates.h"
#include "ivk/workflow/workflow.h"
#include "support/fixtures.h"

namespace json = boost::json;

namespace {

std::shared_ptr<const ivk::NodeTemplates> templates() {
  static const auto t = std::make_shared<const ivk::NodeTemplates>(
      *ivk::NodeTemplates::from_openapi_file(ivk::test::openapi_path()));
  return t;
}

std::vector<std::filesystem::path> example_workflows() {
  std::vector<std::filesystem::path> out;
  for (const auto& entry :
       std::filesystem::directory_iterator(ivk::test::source_dir() / "examples" / "workflows"))
    if (entry.path().extension() == ".json") out.push_back(entry.path());
  return out;
}

TEST(ExampleWorkflows, AreValidAgainstTheServersNodeTemplates) {
  const auto files = example_workflows();
  ASSERT_FALSE(files.empty());
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    auto wf = ivk::Workflow::load_file(path);
    ASSERT_TRUE(wf.has_value()) << wf.error().describe();
    EXPECT_TRUE(wf->warnings().empty());
    wf->apply_templates(templates());
    const json::value doc = json::parse(ivk::test::read_file(path));
    for (const auto& node : doc.at("nodes").as_array()) {
      const std::string type(node.at("data").at("type").as_string());
      const ivk::NodeTemplate* tmpl = templates()->find(type);
      ASSERT_NE(tmpl, nullptr) << type;
      EXPECT_EQ(node.at("data").at("version").as_string(), tmpl->version) << type;
      for (const auto& input : node.at("data").at("inputs").as_object())
        EXPECT_NE(tmpl->input(std::string(input.key())), nullptr) << type << "." << std::string(input.key());
    }
    for (const auto& edge : doc.at("edges").as_array()) {
      auto type_of = [&](const json::string& id) {
        for (const auto& node : doc.at("nodes").as_array())
          if (node.at("id").as_string() == id) return std::string(node.at("data").at("type").as_string());
        return std::string();
      };
      const auto* source = templates()->find(type_of(edge.at("source").as_string()));
      const auto* target = templates()->find(type_of(edge.at("target").as_string()));
      ASSERT_NE(source, nullptr);
      ASSERT_NE(target, nullptr);
      EXPECT_NE(source->output(std::string(edge.at("sourceHandle").as_string())), nullptr);
      EXPECT_NE(target->input(std::string(edge.at("targetHandle").as_string())), nullptr);
    }
    for (const auto& in : wf->inputs()) {
      EXPECT_TRUE(in.typed_from_template) << in.node_id << "." << in.field_name;
      ASSERT_TRUE(in.value_json.has_value()) << in.field_name;
      EXPECT_TRUE(wf->validate_value(in, *in.value_json).has_value())
          << in.field_name << " = " << *in.value_json;
    }
    ivk::GraphOptions options;
    options.templates = templates().get();
    auto graph = ivk::build_graph(*wf, options);
    ASSERT_TRUE(graph.has_value());
    EXPECT_EQ(json::parse(*graph).at("edges").as_array().size(), doc.at("edges").as_array().size());
  }
}

// The shipped example's form, in the order users will address it.
TEST(ExampleWorkflows, SdxlExampleInputsInFormOrder) {
  auto wf = ivk::Workflow::load_file(ivk::test::source_dir() / "examples/workflows/sdxl-text-to-image.json");
  ASSERT_TRUE(wf.has_value());
  const std::vector<std::string> expected{
      "prompt:positive.value",  "prompt:negative.value", "noise:main.width",   "noise:main.height",
      "noise:main.seed",        "model:sdxl.model",      "denoise:main.steps", "denoise:main.cfg_scale",
      "denoise:main.scheduler", "decode:main.board"};
  ASSERT_EQ(wf->inputs().size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(wf->inputs()[i].node_id + "." + wf->inputs()[i].field_name, expected[i]);
  EXPECT_EQ(wf->inputs()[0].title, "Prompt");
  EXPECT_EQ((*wf->find_input("Seed"))->index, 4);
}

}  // namespace
