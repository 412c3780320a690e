#include "ivk/workflow/node_templates.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <string>

#include "support/fixtures.h"

namespace {

using ivk::ErrorCode;
using ivk::FieldKind;
using ivk::NodeTemplates;

// The 6.8 document is parsed once for the whole suite (a copy of NodeTemplates shares it).
const NodeTemplates& templates() {
  static const NodeTemplates kParsed = [] {
    auto t = NodeTemplates::from_openapi_file(ivk::test::openapi_path());
    EXPECT_TRUE(t) << t.error().describe();
    return t ? *t : NodeTemplates();
  }();
  return kParsed;
}

const ivk::NodeTemplate& node(std::string_view type) {
  const auto* n = templates().find(type);
  EXPECT_NE(n, nullptr) << type;
  static const ivk::NodeTemplate kEmpty;
  return n != nullptr ? *n : kEmpty;
}

const ivk::InputTemplate& input(std::string_view type, std::string_view name) {
  const auto* in = node(type).input(name);
  EXPECT_NE(in, nullptr) << type << "." << name;
  static const ivk::InputTemplate kEmpty;
  return in != nullptr ? *in : kEmpty;
}

std::vector<std::string> input_names(const ivk::NodeTemplate& n) {
  std::vector<std::string> names;
  for (const auto& i : n.inputs) names.push_back(i.name);
  return names;
}

TEST(NodeTemplates, ReadsEveryInvocationOfTheDocument) {
  // 211 components.schemas entries have "class": "invocation", each with a distinct type tag.
  EXPECT_EQ(templates().size(), 211u);
  const auto types = templates().types();
  ASSERT_EQ(types.size(), 211u);
  EXPECT_TRUE(std::is_sorted(types.begin(), types.end()));
  EXPECT_EQ(types.front(), "add");
  EXPECT_EQ(types.back(), "vae_loader");
  EXPECT_EQ(templates().find("no_such_node"), nullptr);
  std::size_t with_board = 0;
  for (const auto& t : types) with_board += templates().find(t)->has_board ? 1u : 0u;
  EXPECT_EQ(with_board, 70u);
}

TEST(NodeTemplates, NoiseHasNodeInfoAndIntegerConstraints) {
  const auto& noise = node("noise");
  EXPECT_EQ(noise.title, "Create Latent Noise");
  EXPECT_EQ(noise.version, "1.0.3");
  EXPECT_EQ(noise.category, "latents");
  // Node attributes (id, is_intermediate, use_cache, type) are not inputs.
  EXPECT_EQ(input_names(noise), (std::vector<std::string>{"seed", "width", "height", "use_cpu"}));

  const auto& width = input("noise", "width");
  EXPECT_EQ(width.kind, FieldKind::integer);
  EXPECT_EQ(width.constraints.multiple_of, 8.0);
  EXPECT_EQ(width.constraints.exclusive_minimum, 0.0);
  EXPECT_FALSE(width.constraints.minimum);
  EXPECT_EQ(width.default_json, "512");
  EXPECT_EQ(width.title, "Width");
  EXPECT_EQ(width.input, "any");
  EXPECT_EQ(width.field_kind, "input");
  EXPECT_FALSE(width.required);
  EXPECT_FALSE(width.nullable);

  const auto& seed = input("noise", "seed");
  EXPECT_EQ(seed.kind, FieldKind::integer);
  EXPECT_EQ(seed.constraints.minimum, 0.0);
  EXPECT_EQ(seed.constraints.maximum, 4294967295.0);
  EXPECT_EQ(seed.default_json, "0");
  EXPECT_EQ(input("noise", "use_cpu").kind, FieldKind::boolean);
  EXPECT_EQ(input("noise", "use_cpu").default_json, "true");
}

TEST(NodeTemplates, DenoiseLatentsFloatsAndSchedulerEnum) {
  const auto& start = input("denoise_latents", "denoising_start");
  EXPECT_EQ(start.kind, FieldKind::float_number);
  EXPECT_EQ(start.constraints.minimum, 0.0);
  EXPECT_EQ(start.constraints.maximum, 1.0);
  ASSERT_TRUE(start.default_json);
  EXPECT_EQ(*start.default_json, "0.0");  // a float default stays a float in JSON
  EXPECT_EQ(boost::json::parse(*start.default_json).as_double(), 0.0);

  const auto& rescale = input("denoise_latents", "cfg_rescale_multiplier");
  EXPECT_EQ(rescale.kind, FieldKind::float_number);
  EXPECT_EQ(rescale.constraints.minimum, 0.0);
  EXPECT_EQ(rescale.constraints.exclusive_maximum, 1.0);
  EXPECT_EQ(rescale.default_json, "0");  // declared as the integer 0 in the schema

  // cfg_scale is number | number[]: the scalar branch decides the kind.
  const auto& cfg = input("denoise_latents", "cfg_scale");
  EXPECT_EQ(cfg.kind, FieldKind::float_number);
  EXPECT_EQ(cfg.default_json, "7.5");
  EXPECT_FALSE(cfg.nullable);

  const auto& scheduler = input("denoise_latents", "scheduler");
  EXPECT_EQ(scheduler.kind, FieldKind::enumeration);
  EXPECT_EQ(scheduler.ui_type, "SchedulerField");
  ASSERT_EQ(scheduler.constraints.choices.size(), 30u);
  EXPECT_EQ(scheduler.constraints.choices.front(), "ddim");
  EXPECT_EQ(scheduler.constraints.choices.back(), "tcd");
  EXPECT_NE(
      std::find(scheduler.constraints.choices.begin(), scheduler.constraints.choices.end(), "dpmpp_3m_k"),
      scheduler.constraints.choices.end());
  EXPECT_EQ(scheduler.default_json, "\"euler\"");

  const auto& positive = input("denoise_latents", "positive_conditioning");
  EXPECT_EQ(positive.kind, FieldKind::json);
  EXPECT_EQ(positive.input, "connection");
  EXPECT_TRUE(positive.required);
  EXPECT_TRUE(positive.nullable);
  EXPECT_EQ(positive.default_json, "null");
}

TEST(NodeTemplates, SdxlModelLoaderModelField) {
  const auto& model = input("sdxl_model_loader", "model");
  EXPECT_EQ(model.kind, FieldKind::model);
  EXPECT_EQ(model.constraints.model_bases, (std::vector<std::string>{"sdxl"}));
  EXPECT_EQ(model.constraints.model_types, (std::vector<std::string>{"main"}));
  EXPECT_TRUE(model.required);
  EXPECT_TRUE(model.nullable);
  EXPECT_EQ(model.title, "Model");  // no schema title: derived from the name, as the GUI does
  EXPECT_EQ(model.description, "SDXL Main model (UNet, VAE, CLIP1, CLIP2) to load");
  // clip_embed models carry a type but no base.
  const auto& clip_l = input("sd3_model_loader", "clip_l_model");
  EXPECT_EQ(clip_l.kind, FieldKind::model);
  EXPECT_TRUE(clip_l.constraints.model_bases.empty());
  EXPECT_EQ(clip_l.constraints.model_types, (std::vector<std::string>{"clip_embed"}));
}

TEST(NodeTemplates, LatentsToImageSavesToABoard) {
  const auto& l2i = node("l2i");
  EXPECT_TRUE(l2i.has_board);
  EXPECT_FALSE(l2i.accepts_extra_inputs);
  EXPECT_EQ(input_names(l2i),
            (std::vector<std::string>{"board", "metadata", "latents", "vae", "tiled", "tile_size", "fp32"}));
  const auto& board = input("l2i", "board");
  EXPECT_EQ(board.kind, FieldKind::board);
  EXPECT_EQ(board.field_kind, "internal");
  EXPECT_EQ(board.input, "direct");
  EXPECT_EQ(board.title, "Board");
  EXPECT_TRUE(board.nullable);
  EXPECT_EQ(input("l2i", "tile_size").constraints.multiple_of, 8.0);

  EXPECT_EQ(l2i.output_type, "image_output");
  ASSERT_EQ(l2i.outputs.size(), 3u);
  const auto* image = l2i.output("image");
  ASSERT_NE(image, nullptr);
  EXPECT_EQ(image->kind, FieldKind::image);
  EXPECT_EQ(image->type_name, "ImageField");
  EXPECT_FALSE(image->is_collection);
  const auto* width = l2i.output("width");
  ASSERT_NE(width, nullptr);
  EXPECT_EQ(width->kind, FieldKind::integer);
  EXPECT_EQ(width->type_name, "integer");
  EXPECT_NE(l2i.output("height"), nullptr);
  EXPECT_EQ(l2i.output("type"), nullptr);
  EXPECT_FALSE(node("noise").has_board);
}

TEST(NodeTemplates, CollectInputsAndOutputs) {
  const auto& collect = node("collect");
  EXPECT_EQ(input_names(collect), (std::vector<std::string>{"item", "collection"}));
  const auto& item = input("collect", "item");
  EXPECT_EQ(item.kind, FieldKind::json);
  EXPECT_EQ(item.ui_type, "CollectionItemField");
  EXPECT_EQ(item.input, "connection");
  const auto& collection = input("collect", "collection");
  EXPECT_EQ(collection.kind, FieldKind::collection);
  EXPECT_EQ(collection.default_json, "[]");
  EXPECT_FALSE(collection.constraints.item_kind);  // items: {} (any)
  EXPECT_EQ(collect.output_type, "collect_output");
  ASSERT_EQ(collect.outputs.size(), 1u);
  EXPECT_EQ(collect.outputs[0].name, "collection");
  EXPECT_EQ(collect.outputs[0].kind, FieldKind::collection);
  EXPECT_TRUE(collect.outputs[0].is_collection);
}

TEST(NodeTemplates, CoreMetadataAcceptsExtraInputs) {
  const auto& meta = node("core_metadata");
  EXPECT_TRUE(meta.accepts_extra_inputs);
  const auto& mode = input("core_metadata", "generation_mode");
  EXPECT_EQ(mode.kind, FieldKind::enumeration);
  EXPECT_TRUE(mode.nullable);
  ASSERT_EQ(mode.constraints.choices.size(), 20u);
  EXPECT_EQ(mode.constraints.choices.front(), "txt2img");
  EXPECT_EQ(input("core_metadata", "width").kind, FieldKind::integer);
}

TEST(NodeTemplates, ColorFieldsAndTheirDefaults) {
  const auto& color = input("infill_rgba", "color");
  EXPECT_EQ(color.kind, FieldKind::color);
  EXPECT_FALSE(color.nullable);
  EXPECT_EQ(color.default_json, "{\"r\":127,\"g\":127,\"b\":127,\"a\":255}");
  const auto& id_color = input("mask_from_id", "color");
  EXPECT_EQ(id_color.kind, FieldKind::color);
  EXPECT_TRUE(id_color.nullable);
  EXPECT_TRUE(id_color.required);
}

TEST(NodeTemplates, CollectionsKnowTheirItemKindAndLength) {
  const auto& images = input("image_batch", "images");
  EXPECT_EQ(images.kind, FieldKind::collection);
  EXPECT_EQ(images.constraints.item_kind, FieldKind::image);
  EXPECT_EQ(images.constraints.min_length, 1u);
  EXPECT_FALSE(images.constraints.max_length);

  const auto& prep = input("flux_kontext_image_prep", "images");
  EXPECT_EQ(prep.constraints.item_kind, FieldKind::image);
  EXPECT_EQ(prep.constraints.min_length, 1u);
  EXPECT_EQ(prep.constraints.max_length, 10u);

  EXPECT_EQ(input("float_batch", "floats").constraints.item_kind, FieldKind::float_number);
  EXPECT_EQ(input("integer_batch", "integers").constraints.item_kind, FieldKind::integer);
  EXPECT_EQ(input("string_batch", "strings").constraints.item_kind, FieldKind::string);
}

TEST(NodeTemplates, ConstraintsInsideAnyOfBranchesAndPydanticBounds) {
  const auto& x = input("crop_latents", "x");  // anyOf [{integer, minimum 0, multipleOf 8}, null]
  EXPECT_EQ(x.kind, FieldKind::integer);
  EXPECT_EQ(x.constraints.minimum, 0.0);
  EXPECT_EQ(x.constraints.multiple_of, 8.0);
  const auto& weight = input("controlnet", "control_weight");  // top-level ge/le beside anyOf
  EXPECT_EQ(weight.kind, FieldKind::float_number);
  EXPECT_EQ(weight.constraints.minimum, -1.0);
  EXPECT_EQ(weight.constraints.maximum, 2.0);
}

TEST(NodeTemplates, LiteralEnumsAndConsts) {
  const auto& seq = input("flux_text_encoder", "t5_max_seq_len");  // Literal[256, 512]
  EXPECT_EQ(seq.kind, FieldKind::integer);
  EXPECT_EQ(seq.constraints.choices, (std::vector<std::string>{"256", "512"}));
  const auto& clip = input("flux_ip_adapter", "clip_vision_model");  // const "ViT-L"
  EXPECT_EQ(clip.kind, FieldKind::enumeration);
  EXPECT_EQ(clip.constraints.choices, (std::vector<std::string>{"ViT-L"}));
  const auto& op = input("float_math", "operation");
  EXPECT_EQ(op.kind, FieldKind::enumeration);
  EXPECT_EQ(op.constraints.choices.size(), 9u);
  EXPECT_EQ(input("metadata_item", "value").kind, FieldKind::json);  // ui_type AnyField
  EXPECT_EQ(input("string", "value").kind, FieldKind::string);
  EXPECT_EQ(input("iterate", "collection").kind, FieldKind::collection);
}

TEST(NodeTemplates, CopiesShareTheParsedTemplates) {
  NodeTemplates copy;
  copy = templates();
  EXPECT_EQ(copy.size(), templates().size());
  EXPECT_EQ(copy.find("l2i"), templates().find("l2i"));  // same storage, no deep copy
  NodeTemplates empty;
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_EQ(empty.find("l2i"), nullptr);
  EXPECT_TRUE(empty.types().empty());
}

// A small hand-written document for schema shapes the 6.8 document does not use.
constexpr const char* kSyntheticDoc = R"({
  "openapi": "3.1.0",
  "components": {"schemas": {
    "Mode": {"enum": ["fast", "slow"], "type": "string", "title": "Mode"},
    "ThingOutput": {"class": "output", "properties": {
      "things": {"type": "array", "items": {"$ref": "#/components/schemas/ImageField"}, "field_kind": "output"},
      "type": {"const": "thing_output", "field_kind": "node_attribute", "type": "string"}}},
    "ImageField": {"type": "object", "properties": {"image_name": {"type": "string"}}},
    "ThingInvocation": {"class": "invocation", "title": "Thing", "version": "2.0.0",
      "output": {"$ref": "#/components/schemas/ThingOutput"},
      "properties": {
        "id": {"type": "string", "field_kind": "node_attribute"},
        "name": {"type": "string", "minLength": 2, "maxLength": 16, "default": "ab", "field_kind": "input",
                 "input": "direct", "orig_required": true, "title": "Name"},
        "mode": {"$ref": "#/components/schemas/Mode", "default": "fast", "field_kind": "input", "input": "any"},
        "wrapped": {"allOf": [{"$ref": "#/components/schemas/ImageField"}], "field_kind": "input"},
        "maybe": {"type": ["integer", "null"], "maximum": 9, "field_kind": "input"},
        "legacy_model": {"type": "object", "ui_type": "SDXLMainModelField", "field_kind": "input"},
        "ratio": {"type": "number", "default": 1e300, "field_kind": "input"},
        "level": {"enum": ["low", "high", null], "field_kind": "input"},
        "gain": {"enum": [0.5, 1, 2], "field_kind": "input"},
        "text": {"type": "string", "default": "tab\tquote\" done", "field_kind": "input"},
        "type": {"const": "thing", "default": "thing", "field_kind": "node_attribute", "type": "string"}}},
    "NotANode": {"type": "object", "properties": {}}
  }}})";

TEST(NodeTemplates, SyntheticSchemaShapes) {
  auto parsed = NodeTemplates::from_openapi(kSyntheticDoc);
  ASSERT_TRUE(parsed) << parsed.error().describe();
  ASSERT_EQ(parsed->size(), 1u);
  const auto* thing = parsed->find("thing");
  ASSERT_NE(thing, nullptr);
  EXPECT_EQ(thing->title, "Thing");
  EXPECT_EQ(thing->category, "");

  const auto* name = thing->input("name");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->kind, FieldKind::string);
  EXPECT_EQ(name->constraints.min_length, 2u);
  EXPECT_EQ(name->constraints.max_length, 16u);
  EXPECT_TRUE(name->required);
  EXPECT_EQ(name->input, "direct");

  const auto* mode = thing->input("mode");  // enum reached through $ref
  ASSERT_NE(mode, nullptr);
  EXPECT_EQ(mode->kind, FieldKind::enumeration);
  EXPECT_EQ(mode->constraints.choices, (std::vector<std::string>{"fast", "slow"}));
  EXPECT_EQ(mode->title, "Mode");

  EXPECT_EQ(thing->input("wrapped")->kind, FieldKind::image);
  const auto* maybe = thing->input("maybe");
  EXPECT_EQ(maybe->kind, FieldKind::integer);
  EXPECT_TRUE(maybe->nullable);
  EXPECT_EQ(maybe->constraints.maximum, 9.0);
  EXPECT_FALSE(maybe->default_json);
  EXPECT_EQ(thing->input("legacy_model")->kind, FieldKind::model);
  EXPECT_EQ(thing->input("ratio")->default_json, "1e+300");
  const auto* level = thing->input("level");
  EXPECT_EQ(level->kind, FieldKind::enumeration);
  EXPECT_TRUE(level->nullable);
  EXPECT_EQ(level->constraints.choices, (std::vector<std::string>{"low", "high"}));
  const auto* gain = thing->input("gain");
  EXPECT_EQ(gain->kind, FieldKind::float_number);
  EXPECT_EQ(gain->constraints.choices, (std::vector<std::string>{"0.5", "1", "2"}));
  EXPECT_EQ(thing->input("text")->default_json, "\"tab\\tquote\\\" done\"");
  EXPECT_EQ(thing->input("id"), nullptr);

  EXPECT_EQ(thing->output_type, "thing_output");
  ASSERT_EQ(thing->outputs.size(), 1u);
  EXPECT_EQ(thing->outputs[0].kind, FieldKind::collection);
  EXPECT_EQ(thing->outputs[0].type_name, "ImageField");
  EXPECT_TRUE(thing->outputs[0].is_collection);
}

TEST(NodeTemplates, InvalidJsonIsAParseError) {
  auto parsed = NodeTemplates::from_openapi(R"({"components": {"schemas": {)");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::parse_error);
  EXPECT_NE(parsed.error().message.find("not valid JSON"), std::string::npos) << parsed.error().message;
}

TEST(NodeTemplates, DocumentWithoutComponentsIsRejected) {
  for (const char* doc :
       {R"({"openapi": "3.1.0", "paths": {}})", "[]", R"({"components": {"schemas": []}})"}) {
    auto parsed = NodeTemplates::from_openapi(doc);
    ASSERT_FALSE(parsed) << doc;
    EXPECT_EQ(parsed.error().code, ErrorCode::invalid_argument);
    EXPECT_EQ(parsed.error().where, "$.components.schemas");
  }
}

TEST(NodeTemplates, DocumentWithoutInvocationsIsRejected) {
  auto parsed = NodeTemplates::from_openapi(R"({"components": {"schemas": {"Pet": {"type": "object"}}}})");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(parsed.error().message.find("no invocation schemas"), std::string::npos);
}

TEST(NodeTemplates, MissingFileIsNotFound) {
  const auto path = ivk::test::shared_dir() / "invokeai" / "no-such-openapi.json";
  auto parsed = NodeTemplates::from_openapi_file(path);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::not_found);
  EXPECT_EQ(parsed.error().source, path.string());
}

TEST(NodeTemplates, NonJsonFileNamesTheFile) {
  const auto path = ivk::test::fixture("images/8079126e-6cb0-4d47-956a-0eec6b71c600.png");
  auto parsed = NodeTemplates::from_openapi_file(path);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::parse_error);
  EXPECT_EQ(parsed.error().source, path.string());
}

}  // namespace
