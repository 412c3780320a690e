// Setting input values: references, validation with errors that name the input and the rule,
// all-or-nothing set_many, and value-only splicing of the document text (spec pyclient §1.6,
// §4.1.4; DESIGN "value-only substitution, everything else byte-stable").
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <limits>
#include <string>
#include <vector>

#include "ivk/workflow/workflow.h"
#include "support/workflow_util.h"
#include "workflow/workflow_access.h"
#include "workflow/workflow_model.h"

namespace {

using ivk::ErrorCode;
using ivk::FieldKind;
using ivk::Workflow;
using ivk::test::load_json;
using ivk::test::load_workflow;
using ivk::test::replace_once;

// --- an independent locator for an input's "value" text in a document ----------------------

// Length of the JSON value starting at text[pos] (a plain scanner: strings, nesting, scalars).
std::size_t json_value_length(const std::string& text, std::size_t pos) {
  std::size_t i = pos;
  int depth = 0;
  bool in_string = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"') {
        in_string = false;
        if (depth == 0) return i + 1 - pos;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i - pos;  // end of a scalar right before a closing bracket
      if (--depth == 0) return i + 1 - pos;
    } else if (depth == 0 && (c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
      return i - pos;
    }
  }
  return i - pos;
}

struct ValueSpan {
  std::size_t offset = std::string::npos;
  std::size_t length = 0;
};

// Where node `node_id`'s input `field` has its "value" in the text: the first `"field"` key
// after the node's `"id": "<node_id>"`, then the `"value"` key inside that input object
// (spacing around ':' varies: one fixture was edited by hand).
ValueSpan find_value(const std::string& text, const std::string& node_id, const std::string& field) {
  ValueSpan span;
  auto skip_space = [&](std::size_t i) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t')) ++i;
    return i;
  };
  // The position right after `"key" :` (and spaces) at or after `from`, or npos.
  auto find_key = [&](const std::string& key, std::size_t from) {
    for (std::size_t k = text.find("\"" + key + "\"", from); k != std::string::npos;
         k = text.find("\"" + key + "\"", k + 1)) {
      const std::size_t colon = skip_space(k + key.size() + 2);
      if (colon < text.size() && text[colon] == ':') return skip_space(colon + 1);
    }
    return std::string::npos;
  };
  std::size_t pos = text.find("\"id\": \"" + node_id + "\"");
  if (pos == std::string::npos) return span;
  const std::size_t object = find_key(field, pos);
  if (object == std::string::npos || text[object] != '{') return span;
  const std::size_t object_end = object + json_value_length(text, object);
  const std::size_t v = find_key("value", object + 1);
  if (v == std::string::npos || v >= object_end) return span;
  span.offset = v;
  span.length = json_value_length(text, v);
  return span;
}

// Asserts that `after` is `before` with only the value text of node_id.field replaced by `json`.
void expect_only_value_changed(const std::string& before, const std::string& after,
                               const std::string& node_id, const std::string& field,
                               const std::string& json) {
  const ValueSpan span = find_value(before, node_id, field);
  ASSERT_NE(span.offset, std::string::npos) << node_id << "." << field;
  const std::string expected =
      before.substr(0, span.offset) + json + before.substr(span.offset + span.length);
  EXPECT_EQ(after.size(), expected.size());
  EXPECT_TRUE(after == expected)
      << "first difference at byte "
      << std::mismatch(after.begin(), after.end(), expected.begin(), expected.end()).first - after.begin();
}

bool is_valid_json(const std::string& text) {
  boost::system::error_code ec;
  (void)boost::json::parse(text, ec);
  return !ec;
}

// --- references and basic setters ---------------------------------------------------------------

TEST(WorkflowValues, SetByIndexLabelTitleAndNodeField) {
  Workflow wf = load_workflow("sdxl-text-to-image.json");
  ASSERT_TRUE(wf.set_int("3", 1024));
  ASSERT_TRUE(wf.set_string("positive prompt", "a red fox"));
  ASSERT_TRUE(wf.set_from_text("NEGATIVE PROMPT", "blurry"));
  ASSERT_TRUE(wf.set_from_text("denoise_latents:TRC0Y88EWe.steps", "25"));
  ASSERT_TRUE(wf.set_float("cfg_scale", 6.5));
  ASSERT_TRUE(wf.set_from_text("Scheduler", "euler"));
  ASSERT_TRUE(wf.set_json("noise:f4Bv4UWa22.height", "512"));
  const auto& in = wf.inputs();
  EXPECT_EQ(in[3].value_json, "1024");
  EXPECT_EQ(in[1].value_json, "\"a red fox\"");
  EXPECT_EQ(in[2].value_json, "\"blurry\"");
  EXPECT_EQ(in[5].value_json, "25");
  EXPECT_EQ(in[6].value_json, "6.5");
  EXPECT_EQ(in[7].value_json, "\"euler\"");
  EXPECT_EQ(in[4].value_json, "512");
  // Unset inputs keep their exported literal.
  EXPECT_EQ(in[0].value_json, load_workflow("sdxl-text-to-image.json").inputs()[0].value_json);
  EXPECT_FALSE(in[8].value_json.has_value());
  // value_of sees the set value; fields outside the form keep theirs.
  const auto& m = ivk::detail::WorkflowAccess::model(wf);
  const std::size_t noise = m.node_by_id.at("noise:f4Bv4UWa22");
  const std::size_t denoise = m.node_by_id.at("denoise_latents:TRC0Y88EWe");
  EXPECT_EQ(ivk::detail::WorkflowAccess::value_of(wf, noise, "width"), "1024");
  EXPECT_EQ(ivk::detail::WorkflowAccess::value_of(wf, denoise, "denoising_start"), "0");
  EXPECT_EQ(ivk::detail::WorkflowAccess::value_of(wf, denoise, "no_such_field"), std::nullopt);
  EXPECT_EQ(ivk::detail::WorkflowAccess::value_of(wf, 9999, "width"), std::nullopt);
}

TEST(WorkflowValues, ResetAndCopiesAreIndependent) {
  Workflow wf = load_workflow("sdxl-text-to-image.json");
  const std::string original = wf.to_json();
  Workflow copy = wf;
  ASSERT_TRUE(copy.set_int("5", 12));
  EXPECT_EQ(copy.inputs()[5].value_json, "12");
  EXPECT_EQ(wf.inputs()[5].value_json, "30");
  EXPECT_EQ(wf.to_json(), original);
  copy.reset_values();
  EXPECT_EQ(copy.inputs()[5].value_json, "30");
  EXPECT_EQ(copy.to_json(), original);
  // Setting the same input twice keeps the last value.
  ASSERT_TRUE(wf.set_int("5", 12));
  ASSERT_TRUE(wf.set_int("5", 13));
  expect_only_value_changed(original, wf.to_json(), "denoise_latents:TRC0Y88EWe", "steps", "13");
}

// --- byte-stable splicing ---------------------------------------------------------------------

TEST(WorkflowValues, SettingOneValueChangesOnlyItsText) {
  const std::string original = ivk::test::workflow_text("sdxl-text-to-image.json");
  Workflow wf = load_workflow("sdxl-text-to-image.json");
  ASSERT_TRUE(wf.set_int("5", 25));
  expect_only_value_changed(original, wf.to_json(), "denoise_latents:TRC0Y88EWe", "steps", "25");
  // A multi-line model object is replaced by the new compact value, nothing else.
  Workflow model = load_workflow("sdxl-text-to-image.json");
  const std::string other_model =
      R"({"key":"k2","hash":"blake3:x","name":"Juggernaut","base":"sdxl","type":"main","submodel_type":null})";
  ASSERT_TRUE(model.set_json("0", other_model));
  expect_only_value_changed(original, model.to_json(), "sdxl_model_loader:PwBr7RXRsy", "model", other_model);
  EXPECT_EQ(model.inputs()[0].value_json, other_model);
  // A string with characters JSON must escape.
  Workflow text = load_workflow("sdxl-text-to-image.json");
  ASSERT_TRUE(text.set_string("1", "say \"hi\"\n\tand \\ bye, caf\xC3\xA9"));
  expect_only_value_changed(original, text.to_json(), "positive_prompt:kjUMdcg0zO", "value",
                            R"("say \"hi\"\n\tand \\ bye, café")");
  auto reloaded = Workflow::load_string(text.to_json());
  ASSERT_TRUE(reloaded);
  EXPECT_EQ(reloaded->inputs()[1].value_json, R"("say \"hi\"\n\tand \\ bye, café")");
}

// For every fixture and every input with a value, setting a new value of its kind changes
// only that value's text, and the document reloads with the new value.
TEST(WorkflowValues, EveryInputOfEveryFixtureSplicesCleanly) {
  const std::vector<std::string> files = {
      "sdxl-text-to-image.json",           "flux-image-to-image.json",
      "default-cogview4-texttoimage.json", "default-text-to-video-wan-2.2-lightning.json",
      "default-text-to-image-sd1.5.json",  "default-multidiffusion-sdxl.json"};
  std::size_t checked = 0;
  for (const auto& file : files) {
    const std::string original = ivk::test::workflow_text(file);
    const Workflow loaded = load_workflow(file);
    for (const auto& in : loaded.inputs()) {
      if (!in.value_json) continue;
      SCOPED_TRACE(file + " input " + std::to_string(in.index) + " " + in.node_id + "." + in.field_name);
      std::string json;
      switch (in.kind) {
        case FieldKind::integer: json = "8"; break;
        case FieldKind::float_number: json = "0.25"; break;
        case FieldKind::string: json = "\"changed\""; break;
        case FieldKind::enumeration: json = "\"euler\""; break;
        case FieldKind::boolean: json = "false"; break;
        case FieldKind::board: json = "\"auto\""; break;
        case FieldKind::image: json = R"({"image_name":"new.png"})"; break;
        case FieldKind::model:
          json = R"({"key":"k","hash":"h","name":"n","base":"any","type":"main"})";
          break;
        default: continue;
      }
      Workflow wf = loaded;
      ASSERT_TRUE(wf.set_json(std::to_string(in.index), json));
      const std::string out = wf.to_json();
      expect_only_value_changed(original, out, in.node_id, in.field_name, json);
      auto again = Workflow::load_string(out);
      ASSERT_TRUE(again) << again.error().describe();
      EXPECT_EQ(again->inputs()[static_cast<std::size_t>(in.index)].value_json, json);
      ++checked;
    }
  }
  // Inputs with a value: sdxl 8 (not the board), flux 10, cogview 2 (not the model), wan 16
  // (not component_source), sd1.5 4 (prompts and sizes), multidiffusion 6.
  EXPECT_EQ(checked, 8u + 10u + 2u + 16u + 4u + 6u);
}

TEST(WorkflowValues, InsertsAValueWhereTheInputHadNone) {
  const std::string original = ivk::test::workflow_text("sdxl-text-to-image.json");
  Workflow wf = load_workflow("sdxl-text-to-image.json");
  ASSERT_TRUE(wf.set_from_text("8", "my-board"));
  EXPECT_EQ(wf.inputs()[8].value_json, R"({"board_id":"my-board"})");
  const std::string out = wf.to_json();
  // The member goes right after the input's last member.
  const std::string board_before = R"("board": {
            "name": "board",
            "label": "",
            "description": ""
          },
          "metadata")";
  const std::string board_after = R"("board": {
            "name": "board",
            "label": "",
            "description": "", "value": {"board_id":"my-board"}
          },
          "metadata")";
  EXPECT_EQ(out, replace_once(original, board_before, board_after));
  EXPECT_TRUE(is_valid_json(out));
  auto again = Workflow::load_string(out);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->inputs()[8].value_json, R"({"board_id":"my-board"})");
}

TEST(WorkflowValues, CopyImageGetsBothValuesInserted) {
  const std::string original = ivk::test::workflow_text("copy-image.json");
  Workflow wf = load_workflow("copy-image.json");
  ASSERT_TRUE(wf.set_many({{"Source Image", "abc.png"}, {"destination board", "none"}}));
  const std::string out = wf.to_json();
  std::string expected = replace_once(
      original, R"("image": { "name": "image", "label": "Source Image" },)",
      R"("image": { "name": "image", "label": "Source Image", "value": {"image_name":"abc.png"} },)");
  expected = replace_once(expected, R"("board": { "name": "board", "label": "Destination Board" })",
                          R"("board": { "name": "board", "label": "Destination Board", "value": "none" })");
  EXPECT_EQ(out, expected);
  auto again = Workflow::load_string(out);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->inputs()[0].value_json, R"({"image_name":"abc.png"})");
  EXPECT_EQ(again->inputs()[1].value_json, "\"none\"");
  // A second round of edits on the reloaded document replaces the inserted values in place.
  ASSERT_TRUE(again->set_from_text("1", "board-7"));
  expect_only_value_changed(out, again->to_json(), "node-save", "board", R"({"board_id":"board-7"})");
}

TEST(WorkflowValues, InsertsIntoEmptyInputsAndMissingFields) {
  const std::string text = R"({"meta": {"version": "3.0.0"},
    "nodes": [
      {"id": "a", "type": "invocation", "data": {"type": "add", "inputs": {"x": {}}}},
      {"id": "b", "type": "invocation", "data": {"type": "add", "inputs": {}}},
      {"id": "c", "type": "invocation", "data": {"type": "add", "inputs": {"y": {"name": "y"}}}},
      {"id": "d", "type": "invocation", "data": {"type": "add"}}],
    "edges": [],
    "form": {"rootElementId": "root", "elements": {
      "root": {"id": "root", "type": "container", "data": {"children": ["1", "2", "3", "4", "5"]}},
      "1": {"id": "1", "type": "node-field", "data": {"fieldIdentifier": {"nodeId": "a", "fieldName": "x"}}},
      "2": {"id": "2", "type": "node-field", "data": {"fieldIdentifier": {"nodeId": "b", "fieldName": "p"}}},
      "3": {"id": "3", "type": "node-field", "data": {"fieldIdentifier": {"nodeId": "b", "fieldName": "q"}}},
      "4": {"id": "4", "type": "node-field", "data": {"fieldIdentifier": {"nodeId": "c", "fieldName": "z"}}},
      "5": {"id": "5", "type": "node-field", "data": {"fieldIdentifier": {"nodeId": "d", "fieldName": "w"}}}}}})";
  Workflow wf = load_json(text);
  ASSERT_EQ(wf.inputs().size(), 5u);
  // Without values or templates these are string inputs.
  ASSERT_TRUE(wf.set_json("0", "\"1\""));
  ASSERT_TRUE(wf.set_json("1", "\"2\""));
  ASSERT_TRUE(wf.set_json("2", "\"3\""));
  ASSERT_TRUE(wf.set_json("3", "\"4\""));
  // Node d has no inputs object to put a value in.
  auto s = wf.set_json("4", "\"5\"");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::invalid_workflow);
  EXPECT_EQ(s.error().where, "$.nodes[?(@.id='d')].data.inputs.w");

  std::string expected = replace_once(text, R"("inputs": {"x": {}})", R"("inputs": {"x": {"value": "1"}})");
  expected = replace_once(
      expected, R"("inputs": {}})",
      R"("inputs": {"p": {"name": "p", "label": "", "value": "2"}, "q": {"name": "q", "label": "", "value": "3"}}})");
  expected = replace_once(expected, R"("inputs": {"y": {"name": "y"}})",
                          R"("inputs": {"y": {"name": "y"}, "z": {"name": "z", "label": "", "value": "4"}})");
  EXPECT_EQ(wf.to_json(), expected);
  auto again = Workflow::load_string(wf.to_json());
  ASSERT_TRUE(again) << again.error().describe();
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(again->inputs()[static_cast<std::size_t>(i)].value_json, "\"" + std::to_string(i + 1) + "\"");
}

TEST(WorkflowValues, InsertsAfterALabelWithEscapesAndSetsBothCopiesOfAField) {
  const std::string text = R"({"meta": {"version": "3.0.0"}, "edges": [],
    "nodes": [{"id": "n", "type": "invocation", "data": {"type": "x", "inputs": {
      "a": {"name": "a", "label": "say \"}\" \\"  }}}}],
    "form": {"rootElementId": "root", "elements": {
      "root": {"type": "container", "data": {"children": ["1", "2"]}},
      "1": {"type": "node-field", "data": {"fieldIdentifier": {"nodeId": "n", "fieldName": "a"}}},
      "2": {"type": "node-field", "data": {"fieldIdentifier": {"nodeId": "n", "fieldName": "a"}}}}}})";
  Workflow wf = load_json(text);
  ASSERT_EQ(wf.inputs().size(), 2u);
  EXPECT_EQ(wf.inputs()[0].label, R"(say "}" \)");
  ASSERT_TRUE(wf.set_string("1", "v"));
  // Both form copies of the field show the value (the Python client applies both; the last wins).
  EXPECT_EQ(wf.inputs()[0].value_json, "\"v\"");
  EXPECT_EQ(wf.inputs()[1].value_json, "\"v\"");
  EXPECT_EQ(wf.to_json(), replace_once(text, R"("label": "say \"}\" \\"  })",
                                       R"("label": "say \"}\" \\", "value": "v"  })"));
}

TEST(WorkflowValues, UnknownKeysAndFormattingSurvive) {
  const std::string text =
      "{\"name\":\"x\",\"future\":{\"a\":[1,2,{\"b\":null}]},\"meta\":{\"version\":\"3.0.0\",\"x\":1},\n"
      "\"nodes\":[{\"id\":\"n\",\"type\":\"invocation\",\"extra\":true,\"data\":{\"type\":\"add\",\"inputs\":"
      "{\n"
      "  \"a\":{\"name\":\"a\",\"label\":\"\",\"value\":   1.50  ,\"ui\":{\"k\":\"v\"}},\n"
      "  \"b\":{\"value\":[1, 2],\"name\":\"b\"}}}}],\r\n"
      "\"edges\":[],\"form\":{\"elements\":{\"root\":{\"type\":\"container\",\"data\":{\"children\":[\"f1\","
      "\"f2\"]}},"
      "\"f1\":{\"type\":\"node-field\",\"data\":{\"fieldIdentifier\":{\"nodeId\":\"n\",\"fieldName\":\"a\"}}}"
      ","
      "\"f2\":{\"type\":\"node-field\",\"data\":{\"fieldIdentifier\":{\"nodeId\":\"n\",\"fieldName\":\"b\"}}}"
      "},"
      "\"rootElementId\":\"root\"}}";
  Workflow wf = load_json(text);
  EXPECT_EQ(wf.to_json(), text);
  ASSERT_EQ(wf.inputs().size(), 2u);
  EXPECT_EQ(wf.inputs()[0].value_json, "1.50");  // the exported number text is kept
  EXPECT_EQ(wf.inputs()[1].kind, FieldKind::collection);
  EXPECT_EQ(wf.inputs()[1].value_json, "[1,2]");
  ASSERT_TRUE(wf.set_json("0", "2.25"));
  ASSERT_TRUE(wf.set_json("1", "[3, 4, 5]"));
  std::string expected = replace_once(text, "\"value\":   1.50  ,", "\"value\":   2.25  ,");
  expected = replace_once(expected, "\"value\":[1, 2]", "\"value\":[3,4,5]");
  EXPECT_EQ(wf.to_json(), expected);
}

// --- validation: errors name the input and the rule; on error nothing changes ---------------------

TEST(WorkflowValues, ErrorsNameTheInputAndTheRule) {
  Workflow wf = load_workflow("sdxl-text-to-image.json");
  const std::string original = wf.to_json();
  auto expect_error = [&](ivk::Status s, std::string_view message, std::string_view where) {
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, ErrorCode::invalid_argument);
    EXPECT_EQ(s.error().message, message);
    EXPECT_EQ(s.error().where, where);
  };
  const std::string width_path = "$.nodes[?(@.id='noise:f4Bv4UWa22')].data.inputs.width";
  expect_error(wf.set_from_text("3", "wide"),
               "input 3 'width' (noise:f4Bv4UWa22.width): expects an integer, got 'wide'", width_path);
  expect_error(wf.set_from_text("3", "4.0"),
               "input 3 'width' (noise:f4Bv4UWa22.width): expects an integer, got '4.0'", width_path);
  expect_error(wf.set_json("3", "4.5"),
               "input 3 'width' (noise:f4Bv4UWa22.width): expects an integer, got a number", width_path);
  expect_error(wf.set_json("3", "\"768\""),
               "input 3 'width' (noise:f4Bv4UWa22.width): expects an integer, got a string", width_path);
  expect_error(
      wf.set_json("positive prompt", "12"),
      "input 1 'positive prompt' (positive_prompt:kjUMdcg0zO.value): expects a string, got an integer",
      "$.nodes[?(@.id='positive_prompt:kjUMdcg0zO')].data.inputs.value");
  expect_error(wf.set_json("3", "{oops"),
               "input 3 'width' (noise:f4Bv4UWa22.width): value is not valid JSON: {oops", width_path);
  expect_error(wf.set_float("6", std::numeric_limits<double>::infinity()),
               "input 6 'cfg_scale' (denoise_latents:TRC0Y88EWe.cfg_scale): expects a finite number",
               "$.nodes[?(@.id='denoise_latents:TRC0Y88EWe')].data.inputs.cfg_scale");
  auto model = wf.set_json("0", R"({"key": "k", "name": "n"})");
  ASSERT_FALSE(model);
  EXPECT_NE(
      model.error().message.find(
          "input 0 'model' (sdxl_model_loader:PwBr7RXRsy.model): model identifier needs a string \"hash\""),
      std::string::npos)
      << model.error().message;
  auto model_text = wf.set_from_text("0", "juggernaut");
  ASSERT_FALSE(model_text);
  EXPECT_NE(model_text.error().message.find("expects a model identifier as JSON"), std::string::npos);
  auto board = wf.set_json("8", "\"my-board\"");  // a bare string board must be auto or none
  ASSERT_FALSE(board);
  EXPECT_NE(board.error().message.find("\"auto\", \"none\" or {\"board_id\""), std::string::npos)
      << board.error().message;
  EXPECT_FALSE(wf.set_from_text("8", "  "));
  // Unknown references are not_found.
  auto unknown = wf.set_int("nope", 1);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  // Nothing changed.
  EXPECT_EQ(wf.to_json(), original);
  EXPECT_EQ(wf.inputs()[3].value_json, "768");
}

TEST(WorkflowValues, SetManyIsAllOrNothing) {
  Workflow wf = load_workflow("sdxl-text-to-image.json");
  const std::string original = wf.to_json();
  auto s = wf.set_many({{"3", "1024"}, {"positive prompt", "a fox"}, {"5", "abc"}, {"6", "5"}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(s.error().message,
            "input 5 'steps' (denoise_latents:TRC0Y88EWe.steps): expects an integer, got 'abc'");
  EXPECT_EQ(wf.inputs()[3].value_json, "768");
  EXPECT_EQ(wf.inputs()[1].value_json, "\"deep space, high quality, colorful\"");
  EXPECT_EQ(wf.to_json(), original);

  s = wf.set_many({{"3", "1024"}, {"missing", "1"}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::not_found);
  EXPECT_EQ(wf.to_json(), original);

  ASSERT_TRUE(wf.set_many({{"3", "1024"}, {"positive prompt", "a fox"}, {"5", "20"}}));
  EXPECT_EQ(wf.inputs()[3].value_json, "1024");
  EXPECT_EQ(wf.inputs()[1].value_json, "\"a fox\"");
  EXPECT_EQ(wf.inputs()[5].value_json, "20");
  // Later entries for the same input win.
  ASSERT_TRUE(wf.set_many({{"5", "21"}, {"steps", "22"}}));
  EXPECT_EQ(wf.inputs()[5].value_json, "22");
}

TEST(WorkflowValues, TextIsReadAccordingToTheKind) {
  const Workflow wf = load_json(R"({"meta": {"version": "3.0.0"}, "edges": [],
    "nodes": [{"id": "n", "type": "invocation", "data": {"type": "x", "inputs": {
      "i": {"name": "i", "value": 1}, "f": {"name": "f", "value": 0.5}, "b": {"name": "b", "value": true},
      "s": {"name": "s", "value": ""}, "board": {"name": "board"}, "image": {"name": "image"},
      "c": {"name": "c", "value": {"r": 0, "g": 0, "b": 0, "a": 255}}, "l": {"name": "l", "value": []},
      "j": {"name": "j", "value": {"anything": 1}}}}}],
    "form": {"rootElementId": "root", "elements": {
      "root": {"id": "root", "type": "container", "data": {"children": ["1","2","3","4","5","6","7","8","9"]}},
      "1": {"type": "node-field", "data": {"fieldIdentifier": {"nodeId": "n", "fieldName": "i"}}},
      "2": {"type": "node-field", "data": {"fieldIdentifier": {"nodeId": "n", "fieldName": "f"}}},
      "3": {"type": "node-field", "data": {"fieldIdentifier": {"nodeId": "n", "fieldName": "b"}}},
      "4": {"type": "node-field", "data": {"fieldIdentifier": {"nodeId": "n", "fieldName": "s"}}},
      "5": {"type": "node-field", "data": {"fieldIdentifier": {"nodeId": "n", "fieldName": "board"}}},
      "6": {"type": "node-field", "data": {"fieldIdentifier": {"nodeId": "n", "fieldName": "image"}}},
      "7": {"type": "node-field", "data": {"fieldIdentifier": {"nodeId": "n", "fieldName": "c"}}},
      "8": {"type": "node-field", "data": {"fieldIdentifier": {"nodeId": "n", "fieldName": "l"}}},
      "9": {"type": "node-field", "data": {"fieldIdentifier": {"nodeId": "n", "fieldName": "j"}}}}}})");
  ASSERT_EQ(wf.inputs().size(), 9u);
  auto text = [&](int index, std::string_view t) -> std::string {
    auto r = wf.value_from_text(wf.inputs()[static_cast<std::size_t>(index)], t);
    return r ? *r : "ERROR: " + r.error().message;
  };
  EXPECT_EQ(text(0, " 42 "), "42");
  EXPECT_EQ(text(0, "-7"), "-7");
  EXPECT_EQ(text(0, "0x10").substr(0, 6), "ERROR:");
  EXPECT_EQ(text(0, "").substr(0, 6), "ERROR:");
  EXPECT_EQ(text(1, "1e-3"), "1e-3");
  EXPECT_EQ(text(1, "1"), "1");  // an integral float keeps its spelling, as the GUI sends it
  // Spellings from_chars takes but JSON does not are written canonically.
  EXPECT_EQ(text(1, ".5"), "0.5");
  EXPECT_EQ(text(1, "-.25"), "-0.25");
  EXPECT_EQ(text(1, "2."), "2");
  EXPECT_EQ(text(1, "007.5"), "7.5");
  EXPECT_EQ(text(1, "1E+5"), "1E+5");
  EXPECT_EQ(text(1, "+1").substr(0, 6), "ERROR:");
  EXPECT_EQ(text(1, "nan").substr(0, 6), "ERROR:");
  EXPECT_EQ(text(1, "inf").substr(0, 6), "ERROR:");
  for (const char* yes : {"true", "TRUE", "yes", "on", "1"}) EXPECT_EQ(text(2, yes), "true") << yes;
  for (const char* no : {"false", "No", "off", "0"}) EXPECT_EQ(text(2, no), "false") << no;
  EXPECT_EQ(text(2, "maybe"), "ERROR: input 2 'b' (n.b): expects true or false, got 'maybe'");
  EXPECT_EQ(text(3, "  two words  "), "\"  two words  \"");  // strings are verbatim
  EXPECT_EQ(text(4, "none"), "\"none\"");
  EXPECT_EQ(text(4, "auto"), "\"auto\"");
  EXPECT_EQ(text(4, "b-1"), R"({"board_id":"b-1"})");
  EXPECT_EQ(text(4, R"({"board_id": "b-2"})"), R"({"board_id":"b-2"})");
  EXPECT_EQ(text(5, "x.png"), R"({"image_name":"x.png"})");
  EXPECT_EQ(text(5, R"({"image_name": ""})").substr(0, 6), "ERROR:");
  EXPECT_EQ(text(6, "#ff8000"), R"({"r":255,"g":128,"b":0,"a":255})");
  EXPECT_EQ(text(6, "#FF800080"), R"({"r":255,"g":128,"b":0,"a":128})");
  EXPECT_EQ(text(6, "#ff80").substr(0, 6), "ERROR:");
  EXPECT_EQ(text(6, "#gg0000").substr(0, 6), "ERROR:");
  EXPECT_EQ(text(6, R"({"r": 1, "g": 2, "b": 300})"),
            "ERROR: input 6 'c' (n.c): color component \"b\" must be an integer 0..255");
  EXPECT_EQ(text(7, "[1, 2]"), "[1,2]");
  EXPECT_EQ(text(7, "1,2").substr(0, 6), "ERROR:");
  EXPECT_EQ(text(8, R"({"x": [1, {"y": "a b"}]})"), R"({"x":[1,{"y":"a b"}]})");
  EXPECT_EQ(text(8, "abc").substr(0, 6), "ERROR:");
  // null clears a value unless the input is required.
  EXPECT_EQ(text(7, "null"), "null");
}

// --- validation against node templates -------------------------------------------------------

TEST(WorkflowTemplates, ValuesAreCheckedAgainstTemplateRules) {
  auto templates = ivk::test::node_templates();
  ASSERT_NE(templates, nullptr);
  Workflow wf = load_workflow("sdxl-text-to-image.json");
  wf.apply_templates(templates);
  const std::string original = wf.to_json();

  auto width = wf.set_int("3", 770);
  ASSERT_FALSE(width);
  EXPECT_EQ(width.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(width.error().message,
            "input 3 'Width' (noise:f4Bv4UWa22.width): must be a multiple of 8, got 770");
  EXPECT_EQ(width.error().where, "$.nodes[?(@.id='noise:f4Bv4UWa22')].data.inputs.width");
  ASSERT_TRUE(wf.set_int("3", 776));

  auto steps = wf.set_int("steps", 0);
  ASSERT_FALSE(steps);
  EXPECT_EQ(steps.error().message, "input 5 'Steps' (denoise_latents:TRC0Y88EWe.steps): must be > 0, got 0");

  auto scheduler = wf.set_from_text("scheduler", "nonsense");
  ASSERT_FALSE(scheduler);
  EXPECT_EQ(scheduler.error().message.rfind(
                "input 7 'Scheduler' (denoise_latents:TRC0Y88EWe.scheduler): must be one of ddim, ", 0),
            0u)
      << scheduler.error().message;
  EXPECT_NE(scheduler.error().message.find("dpmpp_3m_k"), std::string::npos);
  EXPECT_NE(scheduler.error().message.find("; got 'nonsense'"), std::string::npos);
  ASSERT_TRUE(wf.set_from_text("scheduler", "euler_a"));

  // Model fields accept only their bases and types.
  const std::string sd1 = R"({"key":"k","hash":"h","name":"SD 1.5","base":"sd-1","type":"main"})";
  auto wrong_base = wf.set_json("0", sd1);
  ASSERT_FALSE(wrong_base);
  EXPECT_EQ(
      wrong_base.error().message,
      "input 0 'Model' (sdxl_model_loader:PwBr7RXRsy.model): accepts models of base sdxl, got base 'sd-1'");
  auto wrong_type = wf.set_json("0", R"({"key":"k","hash":"h","name":"L","base":"sdxl","type":"lora"})");
  ASSERT_FALSE(wrong_type);
  EXPECT_EQ(
      wrong_type.error().message,
      "input 0 'Model' (sdxl_model_loader:PwBr7RXRsy.model): accepts models of type main, got type 'lora'");
  ASSERT_TRUE(wf.set_json("0", R"({"key":"k","hash":"h","name":"Juggernaut","base":"sdxl","type":"main"})"));

  // A required model cannot be cleared.
  auto cleared = wf.set_json("0", "null");
  ASSERT_FALSE(cleared);
  EXPECT_EQ(cleared.error().message,
            "input 0 'Model' (sdxl_model_loader:PwBr7RXRsy.model): is required and cannot be null");

  // A float field takes integers as written.
  ASSERT_TRUE(wf.set_int("6", 7));
  // Field names still find inputs that templates retitled ("CFG Scale").
  auto by_field = wf.find_input("cfg_scale");
  ASSERT_TRUE(by_field) << by_field.error().describe();
  EXPECT_EQ((*by_field)->index, 6);
  EXPECT_EQ(wf.inputs()[6].value_json, "7");

  EXPECT_NE(wf.to_json(), original);
  wf.reset_values();
  EXPECT_EQ(wf.to_json(), original);
}

TEST(WorkflowTemplates, FluxDenoisingStartRange) {
  auto templates = ivk::test::node_templates();
  ASSERT_NE(templates, nullptr);
  Workflow wf = load_workflow("flux-image-to-image.json");
  wf.apply_templates(templates);
  auto high = wf.set_float("8", 1.5);
  ASSERT_FALSE(high);
  EXPECT_EQ(high.error().message,
            "input 8 'Denoising Start' (9c773392-5647-4f2b-958e-9da1707b6e6a.denoising_start): must be <= 1, "
            "got 1.5");
  ASSERT_TRUE(wf.set_int("8", 1));
  EXPECT_EQ(wf.inputs()[8].kind, FieldKind::float_number);
  EXPECT_EQ(wf.inputs()[8].value_json, "1");
  ASSERT_TRUE(wf.set_float("8", 0.75));
  EXPECT_EQ(wf.inputs()[8].value_json, "0.75");
  // The flux T5 encoder in the export has base "any", which every model field accepts.
  EXPECT_TRUE(wf.validate_value(wf.inputs()[2], *wf.inputs()[2].value_json));
  // A VAE of the wrong base is refused; the image needs an image_name.
  EXPECT_FALSE(wf.set_json("4", R"({"key":"k","hash":"h","name":"sdxl vae","base":"sdxl","type":"vae"})"));
  EXPECT_FALSE(wf.set_json("1", R"({"name": "x.png"})"));
}

}  // namespace
