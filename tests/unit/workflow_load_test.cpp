// Loading workflows: metadata, byte-stable round trips of every fixture, precise errors for
// malformed documents, schema migration of 1.x/2.x files, and workflows embedded in PNGs.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "ivk/workflow/workflow.h"
#include "support/workflow_util.h"
#include "workflow/workflow_access.h"

namespace {

using ivk::ErrorCode;
using ivk::FieldKind;
using ivk::Workflow;
using ivk::test::load_json;
using ivk::test::load_workflow;
using ivk::test::replace_once;

std::vector<std::filesystem::path> fixture_workflows() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(ivk::test::fixture("workflows")))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Loads text that must fail; returns the error.
ivk::Error load_error(std::string text) {
  auto wf = Workflow::load_string(std::move(text), "bad.json");
  if (wf) {
    ADD_FAILURE() << "loaded a document that should have been rejected";
    return {};
  }
  EXPECT_EQ(wf.error().source, "bad.json");
  return wf.error();
}

bool has_warning_at(const Workflow& wf, std::string_view where) {
  return std::any_of(wf.warnings().begin(), wf.warnings().end(),
                     [&](const ivk::Diagnostic& d) { return d.where == where; });
}

// A minimal valid 3.0.0 workflow around the given nodes / form.
std::string minimal(const std::string& nodes, const std::string& form = "null") {
  return R"({"name": "m", "meta": {"version": "3.0.0"}, "nodes": [)" + nodes + R"(], "edges": [], "form": )" +
         form + "}";
}

TEST(WorkflowLoad, ReadsTheDocumentMetadata) {
  const Workflow sdxl = load_workflow("sdxl-text-to-image.json");
  EXPECT_EQ(sdxl.name(), "sdxl-text-to-image");
  EXPECT_EQ(sdxl.id(), std::nullopt);
  EXPECT_EQ(sdxl.schema_version(), "3.0.0");
  EXPECT_EQ(sdxl.migrated_from(), "");
  EXPECT_EQ(sdxl.node_count(), 12u);
  EXPECT_EQ(sdxl.edge_count(), 24u);

  const Workflow flux = load_workflow("flux-image-to-image.json");
  EXPECT_EQ(flux.name(), "flux-image-to-image");
  EXPECT_EQ(flux.id(), "4f79d152-dbdb-40ec-94b4-c05d061756b8");
  EXPECT_EQ(flux.node_count(), 9u);
  EXPECT_EQ(flux.edge_count(), 19u);

  const Workflow copy = load_workflow("copy-image.json");
  EXPECT_EQ(copy.name(), "Quick: Copy Image To Board");
  EXPECT_EQ(copy.id(), "quick_copy_image_workflow");
  EXPECT_EQ(copy.node_count(), 1u);
  EXPECT_EQ(copy.edge_count(), 0u);

  const Workflow cog = load_workflow("default-cogview4-texttoimage.json");
  EXPECT_EQ(cog.name(), "Text to Image - CogView4");
  EXPECT_EQ(cog.id(), "default_0e405a8e-ab5e-4e6c-bd99-b59deabd5591");
  EXPECT_EQ(cog.node_count(), 5u);
  EXPECT_EQ(cog.edge_count(), 7u);

  const Workflow wan = load_workflow("default-text-to-video-wan-2.2-lightning.json");
  EXPECT_EQ(wan.schema_version(), "4.0.0");
  EXPECT_EQ(wan.migrated_from(), "");
}

TEST(WorkflowLoad, EveryFixtureRoundTripsByteForByte) {
  const auto files = fixture_workflows();
  ASSERT_EQ(files.size(), 11u);
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    const std::string bytes = ivk::test::read_file(path);
    auto wf = Workflow::load_file(path);
    ASSERT_TRUE(wf) << wf.error().describe();
    EXPECT_EQ(wf->to_json(), bytes);
    // Setting a value and forgetting it again gives the original bytes back.
    if (!wf->inputs().empty() && wf->inputs()[0].value_json) {
      ASSERT_TRUE(wf->set_json("0", *wf->inputs()[0].value_json));
      wf->reset_values();
      EXPECT_EQ(wf->to_json(), bytes);
    }
    // A copy is independent of the original.
    Workflow copy = *wf;
    EXPECT_EQ(copy.to_json(), bytes);
    EXPECT_EQ(copy.inputs().size(), wf->inputs().size());
  }
}

TEST(WorkflowLoad, SourceNameAndMissingFiles) {
  auto missing = Workflow::load_file("/nonexistent/dir/wf.json");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_EQ(missing.error().source, "/nonexistent/dir/wf.json");

  auto dir = Workflow::load_file(ivk::test::fixture("workflows"));  // a directory, not a file
  ASSERT_FALSE(dir);

  auto bad = Workflow::load_string("{", "mine.json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().source, "mine.json");
  EXPECT_NE(bad.error().describe().find("mine.json"), std::string::npos) << bad.error().describe();
}

// --- malformed documents: precise errors, never a crash ---------------------------------------

TEST(WorkflowLoad, TruncatedJsonIsAParseErrorWithLineAndColumn) {
  const ivk::Error e = load_error("{\n  \"name\": \"x\",\n  \"nodes\": [1,\n");
  EXPECT_EQ(e.code, ErrorCode::parse_error);
  EXPECT_NE(e.message.find("line 4, column 1"), std::string::npos) << e.message;

  // The second comma is the 15th character of line 3.
  const ivk::Error bad_token = load_error("{\n  \"name\": \"x\",\n  \"nodes\": [1,, 2]}");
  EXPECT_EQ(bad_token.code, ErrorCode::parse_error);
  EXPECT_NE(bad_token.message.find("line 3, column 15"), std::string::npos) << bad_token.message;

  const std::string sdxl = ivk::test::workflow_text("sdxl-text-to-image.json");
  const ivk::Error half = load_error(sdxl.substr(0, sdxl.size() / 2));
  EXPECT_EQ(half.code, ErrorCode::parse_error);
  EXPECT_NE(half.message.find("line "), std::string::npos) << half.message;
  EXPECT_NE(half.message.find(", column "), std::string::npos) << half.message;

  EXPECT_EQ(load_error("").code, ErrorCode::parse_error);
  EXPECT_EQ(load_error("not json").code, ErrorCode::parse_error);
  EXPECT_EQ(load_error(std::string("{\"a\": \"\0\"}", 10)).code, ErrorCode::parse_error);
}

TEST(WorkflowLoad, NumbersBeyondDoubleAndInt64AreValidJson) {
  // simdjson refuses them; JSON allows them and Python reads them, so ivk keeps them verbatim.
  for (const std::string number : {"99999999999999999999", "1e400", "-123456789012345678901234567890"}) {
    SCOPED_TRACE(number);
    const std::string text = minimal(
        R"({"id": "n", "type": "invocation", "data": {"type": "x", "inputs": {"a": {"name": "a", "value": )" +
            number + "}}}}",
        R"({"rootElementId": "root", "elements": {
        "root": {"type": "container", "data": {"children": ["f"]}},
        "f": {"type": "node-field", "data": {"fieldIdentifier": {"nodeId": "n", "fieldName": "a"}}}}})");
    auto wf = Workflow::load_string(text);
    ASSERT_TRUE(wf) << wf.error().describe();
    EXPECT_EQ(wf->to_json(), text);
    ASSERT_EQ(wf->inputs().size(), 1u);
    EXPECT_EQ(wf->inputs()[0].value_json, number);
  }
  // A broken number is still an error, with simdjson's reason when Boost.JSON has none.
  const ivk::Error e = load_error(minimal("", "null").replace(0, 1, "{\"x\": 1.e5, "));
  EXPECT_EQ(e.code, ErrorCode::parse_error);
}

TEST(WorkflowLoad, EveryTruncationOfAFixtureFailsCleanly) {
  const std::string sdxl = ivk::test::workflow_text("sdxl-text-to-image.json");
  for (std::size_t n = 0; n + 1 < sdxl.size(); n += 61) {
    auto wf = Workflow::load_string(sdxl.substr(0, n));
    ASSERT_FALSE(wf) << "prefix of " << n << " bytes loaded";
    EXPECT_EQ(wf.error().code, ErrorCode::parse_error) << n;
  }
}

TEST(WorkflowLoad, StructuralErrorsNameTheJsonPath) {
  ivk::Error e = load_error(R"({"meta": {"version": "3.0.0"}, "nodes": {}, "edges": []})");
  EXPECT_EQ(e.code, ErrorCode::invalid_workflow);
  EXPECT_EQ(e.where, "$.nodes");

  e = load_error(R"({"meta": {"version": "3.0.0"}, "edges": []})");
  EXPECT_EQ(e.code, ErrorCode::invalid_workflow);
  EXPECT_EQ(e.where, "$.nodes");

  e = load_error(R"({"meta": {"version": "3.0.0"}, "nodes": []})");
  EXPECT_EQ(e.code, ErrorCode::invalid_workflow);
  EXPECT_EQ(e.where, "$.edges");

  e = load_error("[]");
  EXPECT_EQ(e.code, ErrorCode::invalid_workflow);
  EXPECT_EQ(e.where, "$");

  const std::string ok_node = R"({"id": "a", "type": "invocation", "data": {"type": "add", "inputs": {}}})";
  const std::string ok_node_b = R"({"id": "b", "type": "invocation", "data": {"type": "add", "inputs": {}}})";
  e = load_error(
      minimal(ok_node + ", " + ok_node_b +
              R"(, {"id": "c", "type": "invocation", "data": {"type": "add", "inputs": {"x": "oops"}}})"));
  EXPECT_EQ(e.code, ErrorCode::invalid_workflow);
  EXPECT_EQ(e.where, "$.nodes[2].data.inputs.x");
  EXPECT_NE(e.message.find("found a string"), std::string::npos) << e.message;

  e = load_error(minimal(ok_node + ", " + ok_node));
  EXPECT_EQ(e.code, ErrorCode::invalid_workflow);
  EXPECT_EQ(e.where, "$.nodes[1].id");
  EXPECT_NE(e.message.find("duplicate node id 'a'"), std::string::npos) << e.message;

  e = load_error(minimal(R"({"type": "invocation", "data": {"type": "add"}})"));
  EXPECT_EQ(e.where, "$.nodes[0].id");

  e = load_error(minimal(R"({"id": "a", "type": "invocation", "data": {"inputs": {}}})"));
  EXPECT_EQ(e.where, "$.nodes[0].data.type");

  e = load_error(
      minimal(R"({"id": "a", "type": "invocation", "data": {"type": "add", "isIntermediate": "yes"}})"));
  EXPECT_EQ(e.code, ErrorCode::invalid_workflow);
  EXPECT_EQ(e.where, "$.nodes[0].data.isIntermediate");

  e = load_error(R"({"meta": {"version": "3.0.0"}, "nodes": [], "edges": [{"id": "e", "target": "a"}]})");
  EXPECT_EQ(e.where, "$.edges[0].source");

  e = load_error(minimal("", R"({"rootElementId": "root", "elements": []})"));
  EXPECT_EQ(e.where, "$.form.elements");
}

TEST(WorkflowLoad, SchemaVersionMustBeKnown) {
  ivk::Error e = load_error(R"({"nodes": [], "edges": []})");
  EXPECT_EQ(e.code, ErrorCode::invalid_workflow);
  EXPECT_EQ(e.where, "$.meta.version");

  e = load_error(R"({"meta": {"category": "user"}, "nodes": [], "edges": []})");
  EXPECT_EQ(e.code, ErrorCode::invalid_workflow);
  EXPECT_EQ(e.where, "$.meta.version");

  e = load_error(R"({"meta": {"version": 3}, "nodes": [], "edges": []})");
  EXPECT_EQ(e.code, ErrorCode::invalid_workflow);
  EXPECT_EQ(e.where, "$.meta.version");

  e = load_error(R"({"meta": {"version": "9.0.0"}, "nodes": [], "edges": []})");
  EXPECT_EQ(e.code, ErrorCode::unsupported);
  EXPECT_EQ(e.where, "$.meta.version");
  EXPECT_NE(e.message.find("9.0.0"), std::string::npos) << e.message;

  e = load_error(R"({"meta": {"version": "banana"}, "nodes": [], "edges": []})");
  EXPECT_EQ(e.code, ErrorCode::unsupported);
}

TEST(WorkflowLoad, CyclicFormIsAnErrorNamingTheCycle) {
  const std::string nodes = R"({"id": "n", "type": "invocation", "data": {"type": "add", "inputs": {}}})";
  ivk::Error e = load_error(minimal(nodes, R"({"rootElementId": "root", "elements": {
      "root": {"id": "root", "type": "container", "data": {"children": ["container-a"]}},
      "container-a": {"id": "container-a", "type": "container", "data": {"children": ["container-b"]}},
      "container-b": {"id": "container-b", "type": "container", "data": {"children": ["container-a"]}}}})"));
  EXPECT_EQ(e.code, ErrorCode::invalid_workflow);
  EXPECT_NE(e.message.find("root -> container-a -> container-b -> container-a"), std::string::npos)
      << e.message;
  EXPECT_EQ(e.where, "$.form.elements.container-a");

  e = load_error(minimal(nodes, R"({"rootElementId": "root", "elements": {
      "root": {"id": "root", "type": "container", "data": {"children": ["root"]}}}})"));
  EXPECT_EQ(e.code, ErrorCode::invalid_workflow);
  EXPECT_NE(e.message.find("root -> root"), std::string::npos) << e.message;

  // Reaching one container twice without a cycle is fine (a diamond).
  auto diamond = Workflow::load_string(minimal(nodes, R"({"rootElementId": "root", "elements": {
      "root": {"id": "root", "type": "container", "data": {"children": ["container-a", "container-a"]}},
      "container-a": {"id": "container-a", "type": "container", "data": {"children": []}}}})"));
  EXPECT_TRUE(diamond) << diamond.error().describe();
}

TEST(WorkflowLoad, DeepNestingDoesNotCrash) {
  // JSON nested far beyond any parser's limit.
  auto deep = Workflow::load_string(std::string(100000, '[') + std::string(100000, ']'));
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, ErrorCode::parse_error);

  // A form of 20000 nested containers: the walk is iterative.
  std::string elements;
  const int depth = 20000;
  for (int i = 0; i < depth; ++i) {
    const std::string id = i == 0 ? "root" : "c" + std::to_string(i);
    const std::string child = i + 1 < depth ? "\"c" + std::to_string(i + 1) + "\"" : "\"nf\"";
    elements += "\"" + id + "\": {\"id\": \"" + id +
                "\", \"type\": \"container\", \"data\": {\"children\": [" + child + "]}},";
  }
  elements +=
      R"("nf": {"id": "nf", "type": "node-field", "data": {"fieldIdentifier": {"nodeId": "n", "fieldName": "a"}}})";
  const std::string node =
      R"({"id": "n", "type": "invocation", "data": {"type": "add", "inputs": {"a": {"name": "a", "value": 1}}}})";
  auto wf =
      Workflow::load_string(minimal(node, R"({"rootElementId": "root", "elements": {)" + elements + "}}"));
  ASSERT_TRUE(wf) << wf.error().describe();
  ASSERT_EQ(wf->inputs().size(), 1u);
  EXPECT_EQ(wf->inputs()[0].value_json, "1");
}

TEST(WorkflowLoad, ToleratesWhatTheGuiMayWrite) {
  // Notes and connector nodes, null labels, a null form, extra keys everywhere, escaped keys.
  const Workflow wf =
      load_json(R"({"name": "t", "x-custom": {"keep": [1, 2]}, "meta": {"version": "4.0.0", "category": null},
    "nodes": [
      {"id": "note-1", "type": "notes", "data": {"id": "note-1", "type": "notes", "label": null, "notes": "hi"}},
      {"id": "reroute-1", "type": "connector", "data": {"id": "reroute-1", "type": "connector", "label": ""}},
      {"id": "n", "type": "invocation", "data": {"id": "n", "type": "add", "label": null,
        "inputs": {"a": {"name": "a", "label": null, "description": null, "value": 1, "extra": {"x": 1}}}}}],
    "edges": [{"id": "e", "type": "default", "source": "n", "sourceHandle": "value", "target": "reroute-1", "targetHandle": "in", "hidden": false}],
    "form": null, "exposedFields": [{"nodeId": "n", "fieldName": "a"}]})");
  EXPECT_EQ(wf.node_count(), 3u);
  ASSERT_EQ(wf.inputs().size(), 1u);
  EXPECT_EQ(wf.inputs()[0].node_name, "add");
  EXPECT_EQ(wf.inputs()[0].value_json, "1");
}

TEST(WorkflowLoad, WarnsAboutEdgesToMissingNodes) {
  const Workflow wf = load_json(R"({"meta": {"version": "3.0.0"}, "nodes": [], "edges": [
      {"id": "e", "type": "default", "source": "ghost", "sourceHandle": "x", "target": "other", "targetHandle": "y"}]})");
  ASSERT_EQ(wf.warnings().size(), 2u);
  EXPECT_EQ(wf.warnings()[0].where, "$.edges[0]");
  EXPECT_NE(wf.warnings()[0].message.find("'ghost'"), std::string::npos);
  EXPECT_NE(wf.warnings()[1].message.find("'other'"), std::string::npos);
}

// --- schema migration ---------------------------------------------------------------------------

// A v3.5-era export: structured field types, fieldKind, node sizes, outputs, exposedFields, no form.
const char* const kSchema2 = R"({
  "name": "old t2i",
  "author": "",
  "x-custom": {"kept": true},
  "meta": {"version": "2.0.0", "category": "user"},
  "exposedFields": [{"nodeId": "noise", "fieldName": "width"}, {"nodeId": "prompt", "fieldName": "prompt"},
                    {"nodeId": "denoise", "fieldName": "cfg_scale"}, {"nodeId": "loader", "fieldName": "model"}],
  "nodes": [
    {"id": "prompt", "type": "invocation", "position": {"x": 0, "y": 0}, "width": 320, "height": 256,
     "data": {"id": "prompt", "type": "compel", "label": "", "isOpen": true, "isIntermediate": true, "useCache": true, "version": "1.0.0",
              "inputs": {"prompt": {"id": "p1", "name": "prompt", "type": {"name": "StringField", "isCollection": false, "isCollectionOrScalar": false},
                                    "fieldKind": "input", "label": "Prompt", "value": "a cat"}},
              "outputs": {"conditioning": {"id": "o1", "name": "conditioning", "type": {"name": "ConditioningField"}, "fieldKind": "output"}}}},
    {"id": "noise", "type": "invocation", "position": {"x": 0, "y": 300}, "width": 320, "height": 388,
     "data": {"id": "noise", "type": "noise", "label": "", "isOpen": true, "isIntermediate": true, "useCache": true, "version": "1.0.1",
              "inputs": {"width": {"id": "w", "name": "width", "type": {"name": "IntegerField", "isCollection": false, "isCollectionOrScalar": false},
                                   "fieldKind": "input", "label": "", "value": 512},
                         "seed": {"id": "s", "name": "seed", "type": {"name": "IntegerField"}, "fieldKind": "input", "label": "", "value": 0}},
              "outputs": {}}},
    {"id": "denoise", "type": "invocation", "position": {"x": 400, "y": 0},
     "data": {"id": "denoise", "type": "denoise_latents", "label": "", "isOpen": true, "isIntermediate": true, "useCache": true, "version": "1.5.0",
              "inputs": {"cfg_scale": {"id": "c", "name": "cfg_scale", "type": {"name": "FloatField"}, "fieldKind": "input", "label": "", "value": 7.5}},
              "outputs": {}}},
    {"id": "loader", "type": "invocation", "position": {"x": 800, "y": 0},
     "data": {"id": "loader", "type": "main_model_loader", "label": "", "isOpen": true, "isIntermediate": true, "useCache": true, "version": "1.0.0",
              "inputs": {"model": {"id": "m", "name": "model", "type": {"name": "MainModelField"}, "fieldKind": "input", "label": "",
                                   "value": {"model_name": "sd-1.5", "base_model": "sd-1"}}},
              "outputs": {}}}
  ],
  "edges": [{"source": "prompt", "sourceHandle": "conditioning", "target": "denoise", "targetHandle": "positive_conditioning", "id": "e1", "type": "default"}]
})";

TEST(WorkflowMigration, Schema2LoadsAsSchema3) {
  Workflow wf = load_json(kSchema2);
  EXPECT_EQ(wf.schema_version(), "3.0.0");
  EXPECT_EQ(wf.migrated_from(), "2.0.0");
  EXPECT_EQ(wf.name(), "old t2i");
  EXPECT_EQ(wf.node_count(), 4u);
  EXPECT_EQ(wf.edge_count(), 1u);
  // Inputs come from exposedFields, in their order, with the values preserved.
  ASSERT_EQ(wf.inputs().size(), 4u);
  EXPECT_EQ(wf.inputs()[0].node_id + "." + wf.inputs()[0].field_name, "noise.width");
  EXPECT_EQ(wf.inputs()[0].kind, FieldKind::integer);
  EXPECT_EQ(wf.inputs()[0].value_json, "512");
  EXPECT_EQ(wf.inputs()[1].label, "Prompt");
  EXPECT_EQ(wf.inputs()[1].kind, FieldKind::string);
  EXPECT_EQ(wf.inputs()[1].value_json, "\"a cat\"");
  EXPECT_EQ(wf.inputs()[2].kind, FieldKind::float_number);
  EXPECT_EQ(wf.inputs()[2].value_json, "7.5");
  EXPECT_EQ(wf.inputs()[3].kind, FieldKind::model);
  EXPECT_EQ(wf.inputs()[3].value_json, R"({"model_name":"sd-1.5","base_model":"sd-1"})");
  EXPECT_TRUE(has_warning_at(wf, "$.exposedFields"));

  // The migrated text drops what 3.0.0 no longer has and keeps everything else.
  const std::string text = wf.to_json();
  EXPECT_EQ(text.find("fieldKind"), std::string::npos);
  EXPECT_EQ(text.find("\"outputs\""), std::string::npos);
  EXPECT_EQ(text.find("\"width\": 320"), std::string::npos);
  EXPECT_EQ(text.find("IntegerField"), std::string::npos);
  EXPECT_NE(text.find("\"x-custom\""), std::string::npos);
  EXPECT_NE(text.find("\"position\""), std::string::npos);
  EXPECT_NE(text.find("\"version\": \"3.0.0\""), std::string::npos);
  // ... and is a valid current workflow that loads as itself.
  Workflow again = load_json(text);
  EXPECT_EQ(again.migrated_from(), "exposedFields");
  EXPECT_EQ(again.to_json(), text);
  ASSERT_EQ(again.inputs().size(), 4u);
  EXPECT_EQ(again.inputs()[2].value_json, "7.5");

  // Values can be set on the migrated document.
  ASSERT_TRUE(wf.set_from_text("0", "640"));
  EXPECT_EQ(load_json(wf.to_json()).inputs()[0].value_json, "640");
}

TEST(WorkflowMigration, Schema1LoadsAsSchema3) {
  const Workflow wf = load_json(R"({"name": "v1", "meta": {"version": "1.0.0"},
    "exposedFields": [{"nodeId": "n", "fieldName": "steps"}, {"nodeId": "n", "fieldName": "scheduler"}],
    "nodes": [{"id": "n", "type": "invocation", "position": {"x": 0, "y": 0}, "width": 300, "height": 200,
      "data": {"id": "n", "type": "denoise_latents", "label": "", "isOpen": true, "notes": "", "isIntermediate": true,
               "inputs": {"steps": {"id": "i1", "name": "steps", "type": "integer", "label": "Steps", "value": 30},
                          "scheduler": {"id": "i2", "name": "scheduler", "type": "Scheduler", "label": "", "value": "euler"},
                          "latents": {"id": "i3", "name": "latents", "type": "LatentsField", "label": ""}},
               "outputs": {"latents": {"id": "o", "name": "latents", "type": "LatentsField"}}}}],
    "edges": []})");
  EXPECT_EQ(wf.schema_version(), "3.0.0");
  EXPECT_EQ(wf.migrated_from(), "1.0.0");
  ASSERT_EQ(wf.inputs().size(), 2u);
  EXPECT_EQ(wf.inputs()[0].label, "Steps");
  EXPECT_EQ(wf.inputs()[0].kind, FieldKind::integer);
  EXPECT_EQ(wf.inputs()[0].value_json, "30");
  EXPECT_EQ(wf.inputs()[1].kind, FieldKind::enumeration);
  EXPECT_EQ(wf.inputs()[1].value_json, "\"euler\"");
  // The input with no value stays without one.
  EXPECT_EQ(ivk::detail::WorkflowAccess::value_of(wf, 0, "latents"), std::nullopt);
  EXPECT_EQ(ivk::detail::WorkflowAccess::value_of(wf, 0, "steps"), "30");
  EXPECT_EQ(wf.to_json().find("LatentsField"), std::string::npos);
}

// --- workflows embedded in PNGs --------------------------------------------------------------

TEST(WorkflowLoad, LoadsTheWorkflowEmbeddedInAPng) {
  const auto png = ivk::test::fixture("images/8079126e-6cb0-4d47-956a-0eec6b71c600.png");
  auto wf = Workflow::load_png(png);
  ASSERT_TRUE(wf) << wf.error().describe();
  EXPECT_EQ(wf->name(), "sdxl-then-flux");
  EXPECT_EQ(wf->id(), std::nullopt);
  EXPECT_EQ(wf->schema_version(), "3.0.0");
  EXPECT_EQ(wf->node_count(), 37u);
  EXPECT_EQ(wf->edge_count(), 70u);
  // 24 inputs, as the Python client finds in the same JSON.
  ASSERT_EQ(wf->inputs().size(), 24u);
  EXPECT_EQ(wf->inputs()[0].label, "Positive Prompt");
  EXPECT_EQ(wf->inputs()[2].label, "Output Width");
  EXPECT_EQ(wf->inputs()[2].value_json, "800");
  EXPECT_EQ(wf->inputs()[6].field_name, "scheduler");
  EXPECT_EQ(wf->inputs()[6].value_json, "\"euler_a\"");
  EXPECT_EQ(wf->inputs()[15].value_json, R"({"board_id":"72b0fa9a-d40e-46c3-8853-41a1043c4045"})");
  EXPECT_EQ(wf->inputs()[23].node_type, "float_math");
  EXPECT_EQ(wf->inputs()[23].kind, FieldKind::float_number);

  auto missing = Workflow::load_png("/nonexistent.png");
  ASSERT_FALSE(missing);
  auto not_png = Workflow::load_png(ivk::test::fixture("workflows/copy-image.json"));
  ASSERT_FALSE(not_png);
  EXPECT_EQ(not_png.error().code, ErrorCode::parse_error);
}

}  // namespace
