// Input index maps: the file invokeai-py-client's export_input_index_map writes, and the
// drift report of its verify_input_index_map (spec pyclient §1.15). The expected texts below
// were written by the Python client itself (json.dump(indent=2), with utcnow pinned).
#include "ivk/workflow/index_map.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>
#include <string>

#include "ivk/workflow/workflow.h"
#include "support/workflow_util.h"

namespace {

using ivk::ErrorCode;
using ivk::IndexMapReport;
using ivk::Workflow;
using ivk::test::load_json;
using ivk::test::load_workflow;
using ivk::test::replace_once;

const char* const kGeneratedAt = "2025-08-21T07:19:51.147123Z";

// invokeai-py-client 1.1.1: WorkflowHandle(sdxl-text-to-image.json).export_input_index_map().
const char* const kSdxlMap = R"PY({
  "workflow_id": null,
  "generated_at": "2025-08-21T07:19:51.147123Z",
  "inputs": [
    {
      "index": 0,
      "label": "",
      "field_name": "model",
      "jsonpath": "$.nodes[?(@.id='sdxl_model_loader:PwBr7RXRsy')].data.inputs.model"
    },
    {
      "index": 1,
      "label": "positive prompt",
      "field_name": "value",
      "jsonpath": "$.nodes[?(@.id='positive_prompt:kjUMdcg0zO')].data.inputs.value"
    },
    {
      "index": 2,
      "label": "negative prompt",
      "field_name": "value",
      "jsonpath": "$.nodes[?(@.id='484ecc77-b7a0-4e19-b793-cc313f20fbe6')].data.inputs.value"
    },
    {
      "index": 3,
      "label": "",
      "field_name": "width",
      "jsonpath": "$.nodes[?(@.id='noise:f4Bv4UWa22')].data.inputs.width"
    },
    {
      "index": 4,
      "label": "",
      "field_name": "height",
      "jsonpath": "$.nodes[?(@.id='noise:f4Bv4UWa22')].data.inputs.height"
    },
    {
      "index": 5,
      "label": "",
      "field_name": "steps",
      "jsonpath": "$.nodes[?(@.id='denoise_latents:TRC0Y88EWe')].data.inputs.steps"
    },
    {
      "index": 6,
      "label": "",
      "field_name": "cfg_scale",
      "jsonpath": "$.nodes[?(@.id='denoise_latents:TRC0Y88EWe')].data.inputs.cfg_scale"
    },
    {
      "index": 7,
      "label": "",
      "field_name": "scheduler",
      "jsonpath": "$.nodes[?(@.id='denoise_latents:TRC0Y88EWe')].data.inputs.scheduler"
    },
    {
      "index": 8,
      "label": "",
      "field_name": "board",
      "jsonpath": "$.nodes[?(@.id='canvas_output:JbPTiAJ26r')].data.inputs.board"
    }
  ]
})PY";

// sdxl-text-to-image.json with the first two form children swapped and the last one removed:
// the Python client's verified drift scenario.
std::string swapped_sdxl() {
  return replace_once(ivk::test::workflow_text("sdxl-text-to-image.json"),
                      R"("node-field-evRPjpa27N",
            "node-field-pl5X3lkU3P",)",
                      R"("node-field-pl5X3lkU3P",
            "node-field-evRPjpa27N",)");
}

std::string swapped_and_truncated_sdxl() {
  return replace_once(swapped_sdxl(), R"("node-field-i44ZkjITYG",
            "node-field-TnkdOXZfRG"
          ])",
                      R"("node-field-i44ZkjITYG"
          ])");
}

TEST(IndexMap, ExportIsByteIdenticalToThePythonClient) {
  const Workflow wf = load_workflow("sdxl-text-to-image.json");
  EXPECT_EQ(ivk::export_index_map(wf, kGeneratedAt), kSdxlMap);
}

TEST(IndexMap, ExportOfAWorkflowWithIdAndNoInputs) {
  const Workflow empty = load_workflow("example-nodes.json");
  EXPECT_EQ(ivk::export_index_map(empty, kGeneratedAt),
            "{\n  \"workflow_id\": null,\n  \"generated_at\": \"2025-08-21T07:19:51.147123Z\",\n  "
            "\"inputs\": []\n}");

  const Workflow flux = load_workflow("flux-image-to-image.json");
  const std::string text = ivk::export_index_map(flux, kGeneratedAt);
  const boost::json::value map = boost::json::parse(text);
  EXPECT_EQ(map.at("workflow_id").as_string(), "4f79d152-dbdb-40ec-94b4-c05d061756b8");
  const auto& inputs = map.at("inputs").as_array();
  ASSERT_EQ(inputs.size(), 10u);
  EXPECT_EQ(inputs[0].at("label").as_string(), "Model (dev variant recommended for Image-to-Image)");
  EXPECT_EQ(inputs[9].at("jsonpath").as_string(),
            "$.nodes[?(@.id='7e5172eb-48c1-44db-a770-8fd83e1435d1')].data.inputs.board");
  // Keys in the Python client's order.
  const std::string first_entry = R"J({
      "index": 0,
      "label": "Model (dev variant recommended for Image-to-Image)",
      "field_name": "model",
      "jsonpath": "$.nodes[?(@.id='f8d9d7c8-9ed7-4bd7-9e42-ab0e89bfac90')].data.inputs.model"
    },)J";
  EXPECT_NE(text.find(first_entry), std::string::npos) << text;
}

TEST(IndexMap, GeneratedAtDefaultsToNowInPythonsFormat) {
  const Workflow wf = load_workflow("sdxl-text-to-image.json");
  const boost::json::value map = boost::json::parse(ivk::export_index_map(wf));
  const std::string at(map.at("generated_at").as_string());
  EXPECT_TRUE(std::regex_match(at, std::regex(R"(20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z)"))) << at;
}

TEST(IndexMap, LabelsAreEscapedLikePythonsJsonDump) {
  // json.dump's ensure_ascii: everything outside printable ASCII as \uXXXX, surrogate pairs
  // above the BMP. Expected text written by the Python client for the same workflow.
  const Workflow wf = load_json(R"({"id": "wf-1", "name": "n", "meta": {"version": "3.0.0"},
    "nodes": [{"id": "n1", "type": "invocation", "data": {"id": "n1", "type": "integer", "inputs": {
      "value": {"name": "value", "label": "Gr\u00f6\u00dfe \ud83c\udfa8 \"q\"\\ \u007f", "value": 3}}}}], "edges": [],
    "form": {"rootElementId": "root", "elements": {
      "root": {"id": "root", "type": "container", "data": {"layout": "column", "children": ["f"]}},
      "f": {"id": "f", "type": "node-field", "data": {"fieldIdentifier": {"nodeId": "n1", "fieldName": "value"}}}}}})");
  EXPECT_EQ(ivk::export_index_map(wf, kGeneratedAt), R"({
  "workflow_id": "wf-1",
  "generated_at": "2025-08-21T07:19:51.147123Z",
  "inputs": [
    {
      "index": 0,
      "label": "Gr\u00f6\u00dfe \ud83c\udfa8 \"q\"\\ \u007f",
      "field_name": "value",
      "jsonpath": "$.nodes[?(@.id='n1')].data.inputs.value"
    }
  ]
})");
}

TEST(IndexMap, VerifyAgainstItselfIsAllUnchanged) {
  const Workflow wf = load_workflow("sdxl-text-to-image.json");
  auto report = ivk::verify_index_map(wf, ivk::export_index_map(wf));
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_TRUE(report->clean());
  ASSERT_EQ(report->unchanged.size(), 9u);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(report->unchanged[static_cast<std::size_t>(i)].index, i);
  EXPECT_EQ(report->unchanged[1].label, "positive prompt");
  // A map written by the Python client verifies the same way.
  auto from_python = ivk::verify_index_map(wf, kSdxlMap);
  ASSERT_TRUE(from_python);
  EXPECT_TRUE(from_python->clean());
  EXPECT_EQ(from_python->unchanged.size(), 9u);
}

TEST(IndexMap, SwappedAndDeletedFormChildrenAsThePythonClientReports) {
  const Workflow changed = load_json(swapped_and_truncated_sdxl());
  ASSERT_EQ(changed.inputs().size(), 8u);
  auto report = ivk::verify_index_map(changed, kSdxlMap);
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_FALSE(report->clean());
  ASSERT_EQ(report->moved.size(), 2u);
  EXPECT_EQ(report->moved[0].from, 0);
  EXPECT_EQ(report->moved[0].to, 1);
  EXPECT_EQ(report->moved[0].label, "");
  EXPECT_EQ(report->moved[1].from, 1);
  EXPECT_EQ(report->moved[1].to, 0);
  EXPECT_EQ(report->moved[1].label, "positive prompt");
  EXPECT_EQ(report->unchanged.size(), 6u);
  ASSERT_EQ(report->missing.size(), 1u);
  EXPECT_EQ(report->missing[0].index, 8);
  EXPECT_EQ(report->missing[0].field_name, "board");
  EXPECT_EQ(report->missing[0].jsonpath, "$.nodes[?(@.id='canvas_output:JbPTiAJ26r')].data.inputs.board");
  EXPECT_TRUE(report->added.empty());
  // The report as the Python client returns it, printed with json.dumps(indent=2).
  EXPECT_EQ(report->to_json(), R"PY({
  "unchanged": [
    {
      "index": 2,
      "label": "negative prompt"
    },
    {
      "index": 3,
      "label": ""
    },
    {
      "index": 4,
      "label": ""
    },
    {
      "index": 5,
      "label": ""
    },
    {
      "index": 6,
      "label": ""
    },
    {
      "index": 7,
      "label": ""
    }
  ],
  "moved": [
    {
      "from": 0,
      "to": 1,
      "label": ""
    },
    {
      "from": 1,
      "to": 0,
      "label": "positive prompt"
    }
  ],
  "missing": [
    {
      "index": 8,
      "label": "",
      "field_name": "board",
      "jsonpath": "$.nodes[?(@.id='canvas_output:JbPTiAJ26r')].data.inputs.board"
    }
  ],
  "new": []
})PY");
}

TEST(IndexMap, NewInputsTakeTheirLabelFromTheWorkflow) {
  // The reverse drift: a map of the changed workflow checked against the original.
  const Workflow changed = load_json(swapped_and_truncated_sdxl());
  const Workflow original = load_workflow("sdxl-text-to-image.json");
  auto report = ivk::verify_index_map(original, ivk::export_index_map(changed, kGeneratedAt));
  ASSERT_TRUE(report);
  ASSERT_EQ(report->moved.size(), 2u);
  EXPECT_EQ(report->moved[0].from, 0);
  EXPECT_EQ(report->moved[0].to, 1);
  EXPECT_EQ(report->moved[0].label, "positive prompt");
  EXPECT_TRUE(report->missing.empty());
  ASSERT_EQ(report->added.size(), 1u);
  EXPECT_EQ(report->added[0].index, 8);
  EXPECT_EQ(report->added[0].label, "");
  EXPECT_EQ(report->to_json().substr(report->to_json().find("\"new\"")),
            "\"new\": [\n    {\n      \"index\": 8,\n      \"label\": \"\"\n    }\n  ]\n}");

  // Labels of unchanged and moved entries come from the record, not the workflow.
  std::string map = ivk::export_index_map(original, kGeneratedAt);
  map = replace_once(map, R"("label": "negative prompt")", R"("label": "recorded label")");
  auto relabelled = ivk::verify_index_map(original, map);
  ASSERT_TRUE(relabelled);
  EXPECT_EQ(relabelled->unchanged[2].label, "recorded label");
}

TEST(IndexMap, DuplicateJsonpathsCollideLikePythonDicts) {
  // The same field placed twice: the current input keyed by jsonpath is the last one.
  const Workflow wf = load_json(R"({"meta": {"version": "3.0.0"}, "edges": [],
    "nodes": [{"id": "n", "type": "invocation", "data": {"id": "n", "type": "add", "inputs": {
      "a": {"name": "a", "label": "A", "value": 1}, "b": {"name": "b", "label": "B", "value": 2}}}}],
    "form": {"rootElementId": "root", "elements": {
      "root": {"id": "root", "type": "container", "data": {"children": ["1", "2", "3"]}},
      "1": {"id": "1", "type": "node-field", "data": {"fieldIdentifier": {"nodeId": "n", "fieldName": "a"}}},
      "2": {"id": "2", "type": "node-field", "data": {"fieldIdentifier": {"nodeId": "n", "fieldName": "b"}}},
      "3": {"id": "3", "type": "node-field", "data": {"fieldIdentifier": {"nodeId": "n", "fieldName": "a"}}}}}})");
  // Python: {"unchanged": [{"index": 1, "label": "B"}, {"index": 2, "label": "A"}],
  //          "moved": [{"from": 0, "to": 2, "label": "A"}], "missing": [], "new": []}
  auto self = ivk::verify_index_map(wf, ivk::export_index_map(wf));
  ASSERT_TRUE(self);
  ASSERT_EQ(self->unchanged.size(), 2u);
  EXPECT_EQ(self->unchanged[0].index, 1);
  EXPECT_EQ(self->unchanged[1].index, 2);
  ASSERT_EQ(self->moved.size(), 1u);
  EXPECT_EQ(self->moved[0].from, 0);
  EXPECT_EQ(self->moved[0].to, 2);
  EXPECT_EQ(self->moved[0].label, "A");
  EXPECT_TRUE(self->missing.empty());
  EXPECT_TRUE(self->added.empty());

  // Python: {"unchanged": [{"index": 2, "label": "y"}], "moved": [{"from": 0, "to": 2, "label": "x"}],
  //          "missing": [], "new": [{"index": 1, "label": "B"}]}
  const std::string jp = "$.nodes[?(@.id='n')].data.inputs.a";
  auto dup = ivk::verify_index_map(
      wf, R"({"inputs": [{"index": 0, "label": "x", "field_name": "a", "jsonpath": ")" + jp +
              R"("}, {"index": 2, "label": "y", "field_name": "a", "jsonpath": ")" + jp + R"("}]})");
  ASSERT_TRUE(dup);
  ASSERT_EQ(dup->unchanged.size(), 1u);
  EXPECT_EQ(dup->unchanged[0].label, "y");
  ASSERT_EQ(dup->moved.size(), 1u);
  EXPECT_EQ(dup->moved[0].label, "x");
  ASSERT_EQ(dup->added.size(), 1u);
  EXPECT_EQ(dup->added[0].index, 1);
  EXPECT_EQ(dup->added[0].label, "B");

  // No "inputs" at all: everything is new (Python: recorded.get("inputs", [])).
  auto none = ivk::verify_index_map(wf, "{}");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->added.size(), 3u);
  EXPECT_EQ(none->added[2].label, "A");
}

TEST(IndexMap, MalformedMapsAreErrorsNamingTheJsonPath) {
  const Workflow wf = load_workflow("sdxl-text-to-image.json");
  auto expect_error = [&](std::string_view map, ErrorCode code, std::string_view where) -> ivk::Error {
    auto r = ivk::verify_index_map(wf, map);
    if (r) {
      ADD_FAILURE() << "accepted: " << map;
      return {};
    }
    EXPECT_EQ(r.error().code, code) << map;
    EXPECT_EQ(r.error().where, where) << map;
    return r.error();
  };
  const ivk::Error truncated = expect_error("{\n  \"inputs\": [\n", ErrorCode::parse_error, "$");
  EXPECT_NE(truncated.message.find("line 3, column 1"), std::string::npos) << truncated.message;
  expect_error("", ErrorCode::parse_error, "$");
  expect_error("[]", ErrorCode::invalid_argument, "$");
  expect_error(R"({"inputs": {}})", ErrorCode::invalid_argument, "$.inputs");
  expect_error(R"({"inputs": [1]})", ErrorCode::invalid_argument, "$.inputs[0]");
  expect_error(R"({"inputs": [{"index": "0", "jsonpath": "x"}]})", ErrorCode::invalid_argument,
               "$.inputs[0].index");
  expect_error(R"({"inputs": [{"index": -1, "jsonpath": "x"}]})", ErrorCode::invalid_argument,
               "$.inputs[0].index");
  expect_error(R"({"inputs": [{"index": 0.5, "jsonpath": "x"}]})", ErrorCode::invalid_argument,
               "$.inputs[0].index");
  expect_error(R"({"inputs": [{"index": 0, "jsonpath": "x"}, {"index": 1}]})", ErrorCode::invalid_argument,
               "$.inputs[1].jsonpath");
  expect_error(R"({"inputs": [{"index": 0, "jsonpath": "x", "label": 5}]})", ErrorCode::invalid_argument,
               "$.inputs[0].label");
  // A null label is accepted (read as empty), as is an entry without field_name.
  auto ok = ivk::verify_index_map(wf, R"({"inputs": [{"index": 0, "label": null, "jsonpath": "x"}]})");
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->missing.size(), 1u);
  EXPECT_EQ(ok->added.size(), 9u);
}

}  // namespace
