// Migration of schema 1.x/2.x workflows keeps every number exactly (the text it had), every key
// 3.0.0 still has in its order, and reduces input instances to {name, label, description?, value?}.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/workflow/workflow.h"
#include "support/workflow_util.h"
#include "workflow/workflow_migration.h"

namespace {

using ivk::FieldKind;
using ivk::Workflow;
using ivk::test::load_json;
namespace dom = simdjson::dom;

double to_double(std::string_view text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  EXPECT_TRUE(ec == std::errc() && end == text.data() + text.size()) << text;
  return v;
}

std::int64_t to_int64(std::string_view text) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  EXPECT_TRUE(ec == std::errc() && end == text.data() + text.size()) << text;
  return v;
}

std::vector<std::string> keys_of(dom::element e) {
  std::vector<std::string> keys;
  dom::object o;
  if (e.get(o)) {
    ADD_FAILURE() << "not an object";
    return keys;
  }
  for (const dom::key_value_pair member : o) keys.emplace_back(member.key);
  return keys;
}

dom::element at(dom::element e, std::string_view pointer) {
  dom::element found;
  const auto error = e.at_pointer(pointer).get(found);
  EXPECT_FALSE(error) << pointer << ": " << simdjson::error_message(error);
  return found;
}

double double_at(dom::element e, std::string_view pointer) {
  double v = 0;
  const dom::element found = at(e, pointer);
  EXPECT_FALSE(found.get(v)) << pointer;
  return v;
}

using Keys = std::vector<std::string>;

// A v3.5-era export with awkward numbers (Boost.JSON 1.81 misreads the first and writes 0.7 as
// 7E-1) as input values and node positions, and unknown keys at every level.
const char* const kNumbers2 = R"({
  "name": "numbers",
  "x-top": {"z": 1, "a": [0.7, 1e-7]},
  "meta": {"x-meta-first": true, "version": "2.0.0", "category": "user", "x-meta-last": 1.0},
  "exposedFields": [{"nodeId": "lat", "fieldName": "value"}, {"nodeId": "fm", "fieldName": "a"},
                    {"nodeId": "fm", "fieldName": "b"}, {"nodeId": "big", "fieldName": "value"},
                    {"nodeId": "den", "fieldName": "cfg_scale"}, {"nodeId": "den", "fieldName": "denoising_start"}],
  "nodes": [
    {"id": "lat", "x-node-first": 0.7, "type": "invocation", "position": {"x": -119.85609886870043, "y": 0.7},
     "width": 320, "height": 1e-7,
     "data": {"id": "lat", "type": "float", "label": "Latitude", "x-data": [7.5, 1.0], "isOpen": true, "version": "1.0.1",
              "inputs": {"value": {"id": "v", "name": "value", "type": {"name": "FloatField", "isCollection": false},
                                   "fieldKind": "input", "label": "", "description": "degrees", "x-input": 3,
                                   "value": -119.85609886870043}},
              "outputs": {"value": {"id": "o", "name": "value", "type": {"name": "FloatField"}, "fieldKind": "output"}},
              "x-data-last": 12345678901234567},
     "x-node-last": {"n": 1e-7}},
    {"id": "fm", "type": "invocation", "position": {"x": 12345678901234567, "y": 1e-7},
     "data": {"id": "fm", "type": "float_math", "label": "", "isOpen": true, "version": "1.0.0",
              "inputs": {"operation": {"id": "op", "name": "operation", "type": {"name": "EnumField"}, "fieldKind": "input", "label": "", "value": "ADD"},
                         "a": {"id": "a", "name": "a", "type": {"name": "FloatField"}, "fieldKind": "input", "label": "A", "value": 0.7},
                         "b": {"id": "b", "type": {"name": "FloatField"}, "fieldKind": "input", "value": 1e-7}},
              "outputs": {}}},
    {"id": "big", "type": "invocation", "position": {"x": 7.5, "y": 1.0},
     "data": {"id": "big", "type": "integer", "label": "", "isOpen": true, "version": "1.0.0",
              "inputs": {"value": {"id": "i", "name": "value", "type": {"name": "IntegerField"}, "fieldKind": "input", "label": "", "value": 12345678901234567}},
              "outputs": {}}},
    {"id": "den", "type": "invocation", "position": {"x": 0, "y": -0.0},
     "data": {"id": "den", "type": "denoise_latents", "label": "", "isOpen": true, "version": "1.5.0",
              "inputs": {"cfg_scale": {"id": "c", "name": "cfg_scale", "type": {"name": "FloatField"}, "fieldKind": "input", "label": "", "value": 7.5},
                         "denoising_start": {"id": "d", "name": "denoising_start", "type": {"name": "FloatField"}, "fieldKind": "input", "label": "", "value": 1.0}},
              "outputs": {}}}
  ],
  "edges": [],
  "x-last": {"b": 2, "a": 1}
})";

TEST(MigrationNumbers, Schema2ValuesArePreservedExactly) {
  const Workflow wf = load_json(kNumbers2);
  EXPECT_EQ(wf.schema_version(), "3.0.0");
  EXPECT_EQ(wf.migrated_from(), "2.0.0");
  ASSERT_EQ(wf.inputs().size(), 6u);
  const auto& in = wf.inputs();
  for (const auto& input : in) ASSERT_TRUE(input.value_json.has_value()) << input.field_name;
  EXPECT_EQ(to_double(*in[0].value_json), -119.85609886870043);
  EXPECT_EQ(to_double(*in[1].value_json), 0.7);
  EXPECT_EQ(to_double(*in[2].value_json), 1e-7);
  EXPECT_EQ(to_int64(*in[3].value_json), 12345678901234567LL);
  EXPECT_EQ(to_double(*in[4].value_json), 7.5);
  EXPECT_EQ(to_double(*in[5].value_json), 1.0);
  // The numbers keep their source text, so 1.0 is still a float to kind detection.
  EXPECT_EQ(*in[0].value_json, "-119.85609886870043");
  EXPECT_EQ(*in[1].value_json, "0.7");
  EXPECT_EQ(*in[2].value_json, "1e-7");
  EXPECT_EQ(*in[3].value_json, "12345678901234567");
  EXPECT_EQ(*in[5].value_json, "1.0");
  EXPECT_EQ(in[3].kind, FieldKind::integer);
  EXPECT_EQ(in[5].kind, FieldKind::float_number);
  // Labels: kept when given, "" when absent (the title then falls back to the field name).
  EXPECT_EQ(in[1].label, "A");
  EXPECT_EQ(in[2].label, "");
  EXPECT_EQ(in[2].title, "b");
  EXPECT_EQ(in[0].description, "degrees");

  const std::string text = wf.to_json();
  dom::parser parser;
  dom::element root;
  ASSERT_FALSE(parser.parse(text).get(root)) << text;
  EXPECT_EQ(double_at(root, "/nodes/0/position/x"), -119.85609886870043);
  EXPECT_EQ(double_at(root, "/nodes/0/position/y"), 0.7);
  std::int64_t big_x = 0;
  const dom::element fm_x = at(root, "/nodes/1/position/x");
  EXPECT_FALSE(fm_x.get(big_x));
  EXPECT_EQ(big_x, 12345678901234567LL);
  EXPECT_EQ(double_at(root, "/nodes/1/position/y"), 1e-7);
  EXPECT_EQ(double_at(root, "/nodes/2/position/x"), 7.5);
  EXPECT_EQ(double_at(root, "/nodes/2/position/y"), 1.0);
  EXPECT_EQ(double_at(root, "/nodes/0/data/inputs/value/value"), -119.85609886870043);
  EXPECT_EQ(double_at(root, "/x-top/a/0"), 0.7);
  EXPECT_EQ(double_at(root, "/x-top/a/1"), 1e-7);
  EXPECT_EQ(double_at(root, "/nodes/0/x-node-last/n"), 1e-7);
  std::int64_t data_last = 0;
  const dom::element data_last_el = at(root, "/nodes/0/data/x-data-last");
  EXPECT_FALSE(data_last_el.get(data_last));
  EXPECT_EQ(data_last, 12345678901234567LL);

  // Unknown keys survive at every level, in order; only what 3.0.0 dropped is gone.
  EXPECT_EQ(keys_of(root), (Keys{"name", "x-top", "meta", "exposedFields", "nodes", "edges", "x-last"}));
  EXPECT_EQ(keys_of(at(root, "/x-top")), (Keys{"z", "a"}));
  EXPECT_EQ(keys_of(at(root, "/x-last")), (Keys{"b", "a"}));
  EXPECT_EQ(keys_of(at(root, "/meta")), (Keys{"x-meta-first", "version", "category", "x-meta-last"}));
  EXPECT_EQ(text.find("\"version\": \"2.0.0\""), std::string::npos);
  EXPECT_EQ(keys_of(at(root, "/nodes/0")),
            (Keys{"id", "x-node-first", "type", "position", "data", "x-node-last"}));
  EXPECT_EQ(keys_of(at(root, "/nodes/0/data")),
            (Keys{"id", "type", "label", "x-data", "isOpen", "version", "inputs", "x-data-last"}));
  // Input instances: exactly {name, label, description?, value?}, name and label filled in.
  EXPECT_EQ(keys_of(at(root, "/nodes/0/data/inputs/value")), (Keys{"name", "label", "description", "value"}));
  EXPECT_EQ(keys_of(at(root, "/nodes/1/data/inputs")), (Keys{"operation", "a", "b"}));
  EXPECT_EQ(keys_of(at(root, "/nodes/1/data/inputs/b")), (Keys{"name", "label", "value"}));
  std::string_view b_name, b_label;
  const dom::element b_name_el = at(root, "/nodes/1/data/inputs/b/name");
  const dom::element b_label_el = at(root, "/nodes/1/data/inputs/b/label");
  EXPECT_FALSE(b_name_el.get(b_name));
  EXPECT_FALSE(b_label_el.get(b_label));
  EXPECT_EQ(b_name, "b");
  EXPECT_EQ(b_label, "");

  // The migrated text is a current workflow that loads as itself with the same values.
  const Workflow again = load_json(text);
  EXPECT_EQ(again.to_json(), text);
  ASSERT_EQ(again.inputs().size(), in.size());
  for (std::size_t i = 0; i < in.size(); ++i) EXPECT_EQ(again.inputs()[i].value_json, in[i].value_json) << i;
}

TEST(MigrationNumbers, Schema1StringTypedInputsMigrate) {
  // 1.0.0: string field types, input ids, no fieldKind; one input without name or label.
  const Workflow wf = load_json(R"({"name": "v1", "meta": {"version": "1.0.0"}, "x-v1": 0.7,
    "exposedFields": [{"nodeId": "n", "fieldName": "value"}, {"nodeId": "m", "fieldName": "cfg_scale"}],
    "nodes": [
      {"id": "n", "type": "invocation", "position": {"x": -119.85609886870043, "y": 0.7}, "width": 250, "height": 100,
       "data": {"id": "n", "type": "integer", "label": "", "isOpen": true, "notes": "", "isIntermediate": true,
                "inputs": {"value": {"id": "i1", "name": "value", "type": "integer", "label": "Seed", "value": 12345678901234567}},
                "outputs": {"value": {"id": "o1", "name": "value", "type": "integer"}}}},
      {"id": "m", "type": "invocation", "position": {"x": 1e-7, "y": 1.0},
       "data": {"id": "m", "type": "denoise_latents", "label": "", "isOpen": true, "notes": "", "isIntermediate": true,
                "inputs": {"cfg_scale": {"id": "i2", "type": "float", "value": 0.7},
                           "latents": {"id": "i3", "name": "latents", "type": "LatentsField", "label": ""}},
                "outputs": {}}}],
    "edges": []})");
  EXPECT_EQ(wf.schema_version(), "3.0.0");
  EXPECT_EQ(wf.migrated_from(), "1.0.0");
  ASSERT_EQ(wf.inputs().size(), 2u);
  EXPECT_EQ(wf.inputs()[0].label, "Seed");
  EXPECT_EQ(to_int64(wf.inputs()[0].value_json.value_or("")), 12345678901234567LL);
  EXPECT_EQ(to_double(wf.inputs()[1].value_json.value_or("")), 0.7);
  EXPECT_EQ(wf.inputs()[1].kind, FieldKind::float_number);

  const std::string text = wf.to_json();
  dom::parser parser;
  dom::element root;
  ASSERT_FALSE(parser.parse(text).get(root)) << text;
  EXPECT_EQ(double_at(root, "/nodes/0/position/x"), -119.85609886870043);
  EXPECT_EQ(double_at(root, "/nodes/0/position/y"), 0.7);
  EXPECT_EQ(double_at(root, "/nodes/1/position/x"), 1e-7);
  EXPECT_EQ(double_at(root, "/nodes/1/position/y"), 1.0);
  EXPECT_EQ(double_at(root, "/x-v1"), 0.7);
  EXPECT_EQ(keys_of(root), (Keys{"name", "meta", "x-v1", "exposedFields", "nodes", "edges"}));
  EXPECT_EQ(keys_of(at(root, "/nodes/0")), (Keys{"id", "type", "position", "data"}));
  EXPECT_EQ(keys_of(at(root, "/nodes/0/data")),
            (Keys{"id", "type", "label", "isOpen", "notes", "isIntermediate", "inputs"}));
  EXPECT_EQ(keys_of(at(root, "/nodes/0/data/inputs/value")), (Keys{"name", "label", "value"}));
  EXPECT_EQ(keys_of(at(root, "/nodes/1/data/inputs/cfg_scale")), (Keys{"name", "label", "value"}));
  EXPECT_EQ(keys_of(at(root, "/nodes/1/data/inputs/latents")), (Keys{"name", "label"}));
  EXPECT_NE(text.find(R"("cfg_scale": {
            "name": "cfg_scale",
            "label": "",
            "value": 0.7
          })"),
            std::string::npos)
      << text;
}

TEST(MigrationNumbers, NumbersBeyondDoubleAndInt64SurviveMigration) {
  // simdjson's DOM refuses these; JSON allows them and the loader keeps them, so migration must too.
  for (const std::string number : {"99999999999999999999", "1e400", "-123456789012345678901234567890"}) {
    SCOPED_TRACE(number);
    const Workflow wf = load_json(
        R"({"name": "n", "meta": {"version": "2.0.0"}, "exposedFields": [{"nodeId": "n", "fieldName": "a"}],
      "nodes": [{"id": "n", "type": "invocation", "position": {"x": 0.7, "y": )" +
        number + R"(}, "width": 1e-7,
        "data": {"id": "n", "type": "x", "inputs": {"a": {"id": "a", "name": "a", "type": {"name": "FloatField"}, "value": )" +
        number + R"(}}, "outputs": {"o": 1.0}}}], "edges": []})");
    EXPECT_EQ(wf.migrated_from(), "2.0.0");
    ASSERT_EQ(wf.inputs().size(), 1u);
    EXPECT_EQ(wf.inputs()[0].value_json, number);
    EXPECT_NE(wf.to_json().find("\"y\": " + number + "\n"), std::string::npos) << wf.to_json();
    EXPECT_NE(wf.to_json().find("\"x\": 0.7,"), std::string::npos) << wf.to_json();
    EXPECT_EQ(wf.to_json().find("1e-7"), std::string::npos) << wf.to_json();
  }
}

TEST(MigrationNumbers, PrintsTwoSpaceIndentAndKeepsTextExactly) {
  auto out = ivk::detail::migrate_to_v3(
      R"({"meta":{"version":"2.0.0"},"s":"a\"\\\n\u0001é\/","e":{},"l":[],"n":[1.0,-0,1E5,2e+3,null,true,false],)"
      R"("nodes":[{"width":1,"data":{"outputs":{},"inputs":{"k":{"value":[0.7,{"x":1e-7}],"type":"float","name":"k"},"s":5}}},7]})");
  ASSERT_TRUE(out) << out.error().describe();
  EXPECT_EQ(*out, R"({
  "meta": {
    "version": "3.0.0"
  },
  "s": "a\"\\\n\u0001é/",
  "e": {},
  "l": [],
  "n": [
    1.0,
    -0,
    1E5,
    2e+3,
    null,
    true,
    false
  ],
  "nodes": [
    {
      "data": {
        "inputs": {
          "k": {
            "name": "k",
            "label": "",
            "value": [
              0.7,
              {
                "x": 1e-7
              }
            ]
          },
          "s": 5
        }
      }
    },
    7
  ]
}
)");
  // meta without a version gets one, last; broken documents are parse errors.
  auto no_version = ivk::detail::migrate_to_v3(R"({"meta": {"a": 1}})");
  ASSERT_TRUE(no_version);
  EXPECT_EQ(*no_version, "{\n  \"meta\": {\n    \"a\": 1,\n    \"version\": \"3.0.0\"\n  }\n}\n");
  for (const char* bad : {"[1]", "{\"a\": 1.e5}", "{\"a\": 01}", "{\"a\": }", "{\"a\": \"x}", ""}) {
    auto r = ivk::detail::migrate_to_v3(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ivk::ErrorCode::parse_error) << bad;
  }
}

}  // namespace
