// Input discovery: the form walk must give the Python client's indices on every fixture, and
// ivk's typing must keep every value's kind (spec pyclient §1.4, invokeai-api §10.5).
//
// The expected tables were produced by running invokeai-py-client 1.1.1 itself on the
// fixtures. For the files where the Python client finds no inputs (a form rooted elsewhere
// than "root", or no form but legacy exposedFields) the tables come from running it on the
// same file with the root aliased / the form built from exposedFields as the UI builds it:
// those are the indices a GUI user sees, and what ivk reports.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "ivk/workflow/node_templates.h"
#include "ivk/workflow/workflow.h"
#include "support/workflow_util.h"

namespace {

using ivk::ErrorCode;
using ivk::FieldKind;
using ivk::Workflow;
using ivk::test::load_json;
using ivk::test::load_workflow;

struct ExpectedInput {
  const char* node_id;
  const char* field_name;
  const char* node_type;
  const char* label;                 // Python's label: the export's "label" ("" in most GUI exports)
  FieldKind kind;                    // without templates
  std::optional<const char*> value;  // compact JSON; nullopt when the input has no "value" key
};

void expect_inputs(const Workflow& wf, const std::vector<ExpectedInput>& expected) {
  ASSERT_EQ(wf.inputs().size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& in = wf.inputs()[i];
    const auto& ex = expected[i];
    SCOPED_TRACE("input " + std::to_string(i) + " " + ex.node_id + "." + ex.field_name);
    EXPECT_EQ(in.index, static_cast<int>(i));
    EXPECT_EQ(in.node_id, ex.node_id);
    EXPECT_EQ(in.field_name, ex.field_name);
    EXPECT_EQ(in.node_type, ex.node_type);
    EXPECT_EQ(in.label, ex.label);
    EXPECT_EQ(ivk::to_string(in.kind), ivk::to_string(ex.kind));
    EXPECT_FALSE(in.typed_from_template);
    EXPECT_FALSE(in.required);
    if (ex.value) {
      ASSERT_TRUE(in.value_json.has_value());
      EXPECT_EQ(*in.value_json, *ex.value);
    } else {
      EXPECT_FALSE(in.value_json.has_value()) << *in.value_json;
    }
    EXPECT_EQ(in.jsonpath(),
              std::string("$.nodes[?(@.id='") + ex.node_id + "')].data.inputs." + ex.field_name);
  }
}

bool has_warning(const Workflow& wf, std::string_view where, std::string_view text) {
  return std::any_of(wf.warnings().begin(), wf.warnings().end(), [&](const ivk::Diagnostic& d) {
    return d.where == where && d.message.find(text) != std::string::npos;
  });
}

// --- fixtures with a form: exactly the Python client's inputs -------------------------------

TEST(WorkflowInputs, SdxlTextToImageMatchesThePythonClient) {
  const Workflow wf = load_workflow("sdxl-text-to-image.json");
  expect_inputs(
      wf,
      {
          {"sdxl_model_loader:PwBr7RXRsy", "model", "sdxl_model_loader", "", FieldKind::model,
           R"J({"key":"914b2e5a-b8d3-4da1-965f-b3775bbc5745","hash":"blake3:7bb02e9351409debc5727aeeb83f77340931d3c8f86d2d6c69f67af8de20dd74","name":"juggernautXL_v9Rundiffusionphoto2","base":"sdxl","type":"main"})J"},
          {"positive_prompt:kjUMdcg0zO", "value", "string", "positive prompt", FieldKind::string,
           R"J("deep space, high quality, colorful")J"},
          {"484ecc77-b7a0-4e19-b793-cc313f20fbe6", "value", "string", "negative prompt", FieldKind::string,
           R"J("earth, star war, blurry")J"},
          {"noise:f4Bv4UWa22", "width", "noise", "", FieldKind::integer, R"J(768)J"},
          {"noise:f4Bv4UWa22", "height", "noise", "", FieldKind::integer, R"J(1024)J"},
          {"denoise_latents:TRC0Y88EWe", "steps", "denoise_latents", "", FieldKind::integer, R"J(30)J"},
          {"denoise_latents:TRC0Y88EWe", "cfg_scale", "denoise_latents", "", FieldKind::float_number,
           R"J(7.5)J"},
          {"denoise_latents:TRC0Y88EWe", "scheduler", "denoise_latents", "", FieldKind::enumeration,
           R"J("dpmpp_3m_k")J"},
          {"canvas_output:JbPTiAJ26r", "board", "l2i", "", FieldKind::board, std::nullopt},
      });
  EXPECT_TRUE(wf.warnings().empty());
  // node_name: the node label, else the node type (Python's IvkWorkflowInput.node_name).
  EXPECT_EQ(wf.inputs()[0].node_name, "sdxl_model_loader");
  EXPECT_EQ(wf.inputs()[1].node_name, "Positive Prompt");
  EXPECT_EQ(wf.inputs()[2].node_name, "Negative Prompt");
  EXPECT_EQ(wf.inputs()[8].node_name, "l2i");
  // Titles without templates: the field label, else the field name.
  EXPECT_EQ(wf.inputs()[1].title, "positive prompt");
  EXPECT_EQ(wf.inputs()[3].title, "width");
  EXPECT_EQ(wf.inputs()[0].jsonpath(), "$.nodes[?(@.id='sdxl_model_loader:PwBr7RXRsy')].data.inputs.model");
  // None of the form inputs is fed by an edge.
  for (const auto& in : wf.inputs()) EXPECT_FALSE(in.connected) << in.index;
}

TEST(WorkflowInputs, FluxImageToImageMatchesThePythonClient) {
  const Workflow wf = load_workflow("flux-image-to-image.json");
  expect_inputs(
      wf,
      {
          {"f8d9d7c8-9ed7-4bd7-9e42-ab0e89bfac90", "model", "flux_model_loader",
           "Model (dev variant recommended for Image-to-Image)", FieldKind::model,
           R"J({"key":"4ea8c1b5-e56c-47c0-949e-3805d06c1301","hash":"blake3:202d1d57667fdc0b5b088a46dce7c801ffcf2e0933d4c521e272399ece17aa7b","name":"flux1-schnell","base":"flux","type":"main"})J"},
          {"7b056f05-a4fe-40d3-b913-1a4b3897230f", "image", "image", "", FieldKind::image,
           R"J({"image_name":"e95bfe35-42f9-4693-968a-65ea655641a5.png"})J"},
          {"f8d9d7c8-9ed7-4bd7-9e42-ab0e89bfac90", "t5_encoder_model", "flux_model_loader", "",
           FieldKind::model,
           R"J({"key":"cc644930-283a-464f-b48f-831e6add8ed5","hash":"blake3:38aafa42899cf4fe8b1055d17de6e7fe15af104d193da4a320e34ca24db32754","name":"t5_bnb_int8_quantized_encoder","base":"any","type":"t5_encoder"})J"},
          {"f8d9d7c8-9ed7-4bd7-9e42-ab0e89bfac90", "clip_embed_model", "flux_model_loader", "",
           FieldKind::model,
           R"J({"key":"6fca3865-ce3f-45cd-a4d4-1086ea40504e","hash":"blake3:17c19f0ef941c3b7609a9c94a659ca5364de0be364a91d4179f0e39ba17c3b70","name":"clip-vit-large-patch14","base":"any","type":"clip_embed"})J"},
          {"f8d9d7c8-9ed7-4bd7-9e42-ab0e89bfac90", "vae_model", "flux_model_loader", "", FieldKind::model,
           R"J({"key":"53fdb8d0-6376-44b4-a02f-d25fdb375451","hash":"blake3:ce21cb76364aa6e2421311cf4a4b5eb052a76c4f1cd207b50703d8978198a068","name":"FLUX.1-schnell_ae","base":"flux","type":"vae"})J"},
          {"01f674f8-b3d1-4df1-acac-6cb8e0bfb63c", "prompt", "flux_text_encoder", "Positive Prompt",
           FieldKind::string, R"J("good looking girl")J"},
          {"e87ba3b6-c98f-4644-903a-e13c421f2add", "prompt", "flux_text_encoder", "Negative Prompt",
           FieldKind::string, R"J("naked, adult")J"},
          {"9c773392-5647-4f2b-958e-9da1707b6e6a", "num_steps", "flux_denoise_meta", "", FieldKind::integer,
           R"J(10)J"},
          {"9c773392-5647-4f2b-958e-9da1707b6e6a", "denoising_start", "flux_denoise_meta", "",
           FieldKind::float_number, R"J(0.4)J"},
          {"7e5172eb-48c1-44db-a770-8fd83e1435d1", "board", "flux_vae_decode", "", FieldKind::board,
           R"J("none")J"},
      });
  // The 6 legacy exposedFields are ignored: the form decides.
  EXPECT_TRUE(wf.warnings().empty());
  EXPECT_EQ(wf.migrated_from(), "");
  EXPECT_EQ(wf.inputs()[5].node_name, "Positive Prompt - FLUX");
  EXPECT_EQ(wf.inputs()[7].node_name, "flux_denoise_meta");
}

TEST(WorkflowInputs, CopyImageInputsHaveNoValues) {
  const Workflow wf = load_workflow("copy-image.json");
  expect_inputs(wf,
                {
                    {"node-save", "image", "save_image", "Source Image", FieldKind::image, std::nullopt},
                    {"node-save", "board", "save_image", "Destination Board", FieldKind::board, std::nullopt},
                });
  EXPECT_EQ(wf.inputs()[0].node_name, "Save Image (Copy)");
  EXPECT_TRUE(wf.warnings().empty());
}

TEST(WorkflowInputs, NestedContainersOfA4xWorkflowWalkDepthFirst) {
  // 4.0.0 file with nested row/column containers, headings, text and dividers.
  const Workflow wf = load_workflow("default-text-to-video-wan-2.2-lightning.json");
  EXPECT_EQ(wf.schema_version(), "4.0.0");
  expect_inputs(wf, {
                        {"2b1f7d8c-ae3f-5c4d-9f2b-3a4e5d6c7b8f", "prompt", "wan_text_encoder", "",
                         FieldKind::string, R"J("")J"},
                        {"4d3b9faf-c05b-7e6f-bf4d-5c6a7f8e9dab", "width", "wan_video_denoise", "",
                         FieldKind::integer, R"J(832)J"},
                        {"4d3b9faf-c05b-7e6f-bf4d-5c6a7f8e9dab", "height", "wan_video_denoise", "",
                         FieldKind::integer, R"J(480)J"},
                        {"4d3b9faf-c05b-7e6f-bf4d-5c6a7f8e9dab", "steps", "wan_video_denoise", "",
                         FieldKind::integer, R"J(4)J"},
                        {"4d3b9faf-c05b-7e6f-bf4d-5c6a7f8e9dab", "num_frames", "wan_video_denoise", "Frames",
                         FieldKind::integer, R"J(81)J"},
                        {"6f5dcb1c-e27d-9fb0-d16f-7e8cbaa1fcbd", "fps", "wan_l2v", "FPS", FieldKind::integer,
                         R"J(16)J"},
                        {"1a0e6c7b-9d2f-4b3c-8e1a-2f3d4c5b6a7e", "model", "wan_model_loader",
                         "Transformer (High Noise)", FieldKind::model, R"J(null)J"},
                        {"4d3b9faf-c05b-7e6f-bf4d-5c6a7f8e9dab", "guidance_scale", "wan_video_denoise",
                         "CFG (High Noise)", FieldKind::integer, R"J(1)J"},
                        {"1a0e6c7b-9d2f-4b3c-8e1a-2f3d4c5b6a7e", "transformer_low_noise_model",
                         "wan_model_loader", "", FieldKind::model, R"J(null)J"},
                        {"4d3b9faf-c05b-7e6f-bf4d-5c6a7f8e9dab", "guidance_scale_low_noise",
                         "wan_video_denoise", "CFG (Low Noise)", FieldKind::integer, R"J(1)J"},
                        {"291abec8-b996-4c7b-959c-360f56a3ed60", "lora", "wan_lora_loader",
                         "Lightning LoRA (High Noise)", FieldKind::string, R"J(null)J"},
                        {"291abec8-b996-4c7b-959c-360f56a3ed60", "weight", "wan_lora_loader", "",
                         FieldKind::integer, R"J(1)J"},
                        {"ae8f115d-a3b8-4f76-b280-7313366a94ad", "lora", "wan_lora_loader",
                         "Lightning LoRA (Low Noise)", FieldKind::string, R"J(null)J"},
                        {"ae8f115d-a3b8-4f76-b280-7313366a94ad", "weight", "wan_lora_loader", "",
                         FieldKind::integer, R"J(1)J"},
                        {"1a0e6c7b-9d2f-4b3c-8e1a-2f3d4c5b6a7e", "wan_t5_encoder_model", "wan_model_loader",
                         "", FieldKind::model, R"J(null)J"},
                        {"1a0e6c7b-9d2f-4b3c-8e1a-2f3d4c5b6a7e", "vae_model", "wan_model_loader", "",
                         FieldKind::model, R"J(null)J"},
                        {"1a0e6c7b-9d2f-4b3c-8e1a-2f3d4c5b6a7e", "component_source", "wan_model_loader", "",
                         FieldKind::string, std::nullopt},
                    });
  EXPECT_TRUE(wf.warnings().empty());
}

TEST(WorkflowInputs, ExampleNodesHasAnEmptyForm) {
  const Workflow wf = load_workflow("example-nodes.json");
  EXPECT_TRUE(wf.inputs().empty());
  EXPECT_TRUE(wf.warnings().empty());
  EXPECT_EQ(wf.node_count(), 6u);
}

// The Python client hard-codes the root id "root" and finds 0 inputs here; ivk follows
// form.rootElementId like the GUI.
TEST(WorkflowInputs, CogView4FollowsRootElementId) {
  const Workflow wf = load_workflow("default-cogview4-texttoimage.json");
  expect_inputs(
      wf,
      {
          {"a4569d8b-6a43-44b9-8919-4ceec6682904", "prompt", "cogview4_text_encoder", "Positive Prompt",
           FieldKind::string,
           R"J("A whimsical stuffed gnome sits on a golden sandy beach, its plush fabric slightly textured and well-worn. The gnome has a round, cheerful face with a fluffy white beard, a bulbous nose, and a tall, slightly floppy red hat with a few decorative stitching details. It wears a tiny blue vest over a soft, earthy-toned tunic, and its stubby arms grasp a ripe yellow banana with a few brown speckles. The ocean waves gently roll onto the shore in the background, with turquoise water reflecting the warm glow of the late afternoon sun. A few scattered seashells and driftwood pieces are near the gnome, while a colorful beach umbrella and footprints in the sand hint at a lively beach scene. The sky is a soft pastel blend of pink, orange, and light blue, with wispy clouds stretching across the horizon.\n")J"},
          {"acb26944-1208-4016-9929-ab8dd0860573", "prompt", "cogview4_text_encoder", "Negative Prompt",
           FieldKind::string, R"J("")J"},
          {"7890507c-d346-4d13-bcb4-bc6d4850b2e3", "model", "cogview4_model_loader", "", FieldKind::model,
           std::nullopt},
      });
  EXPECT_TRUE(wf.warnings().empty());
}

// --- legacy exposedFields: the form the UI builds from them ----------------------------------

struct LegacyCase {
  const char* file;
  std::vector<ExpectedInput> inputs;
};

class WorkflowInputsLegacy : public ::testing::TestWithParam<LegacyCase> {};

TEST_P(WorkflowInputsLegacy, BuildsTheFormFromExposedFields) {
  const Workflow wf = load_workflow(GetParam().file);
  expect_inputs(wf, GetParam().inputs);
  EXPECT_EQ(wf.schema_version(), "3.0.0");
  EXPECT_EQ(wf.migrated_from(), "exposedFields");
  EXPECT_TRUE(has_warning(wf, "$.exposedFields", "legacy exposedFields")) << wf.warnings().size();
}

INSTANTIATE_TEST_SUITE_P(
    Workflow, WorkflowInputsLegacy,
    ::testing::Values(
        LegacyCase{
            "default-text-to-image-sd1.5.json",
            {
                {"c8d55139-f380-4695-b7f2-8b3d1e1e3db8", "model", "main_model_loader", "", FieldKind::model,
                 std::nullopt},
                {"7d8bf987-284f-413a-b2fd-d825445a5d6c", "prompt", "compel", "Positive Prompt",
                 FieldKind::string,
                 R"J("Super cute tiger cub, national geographic award-winning photograph")J"},
                {"93dc02a4-d05b-48ed-b99c-c9b616af3402", "prompt", "compel", "Negative Prompt",
                 FieldKind::string, R"J("")J"},
                {"55705012-79b9-4aac-9f26-c0b10309785b", "width", "noise", "", FieldKind::integer,
                 R"J(512)J"},
                {"55705012-79b9-4aac-9f26-c0b10309785b", "height", "noise", "", FieldKind::integer,
                 R"J(768)J"},
                {"58c957f5-0d01-41fc-a803-b2bbf0413d4f", "board", "l2i", "", FieldKind::board, std::nullopt},
            }},
        LegacyCase{
            "default-text-to-image-sdxl.json",
            {
                {"ade2c0d3-0384-4157-b39b-29ce429cfa15", "value", "string", "Positive Prompt",
                 FieldKind::string, R"J("Super cute tiger cub, fierce, traditional chinese watercolor")J"},
                {"719dabe8-8297-4749-aea1-37be301cd425", "value", "string", "Negative Prompt",
                 FieldKind::string, R"J("photograph")J"},
                {"30d3289c-773c-4152-a9d2-bd8a99c8fd22", "model", "sdxl_model_loader", "", FieldKind::model,
                 std::nullopt},
                {"0093692f-9cf4-454d-a5b8-62f0e3eb3bb8", "vae_model", "vae_loader",
                 "VAE (use the FP16 model)", FieldKind::model, std::nullopt},
                {"63e91020-83b2-4f35-b174-ad9692aabb48", "board", "l2i", "", FieldKind::board, std::nullopt},
            }},
        LegacyCase{
            "default-text-to-image-with-lora.json",
            {
                {"24e9d7ed-4836-4ec4-8f9e-e747721f9818", "model", "main_model_loader", "", FieldKind::model,
                 std::nullopt},
                {"c41e705b-f2e3-4d1a-83c4-e34bb9344966", "lora", "lora_loader", "", FieldKind::string,
                 std::nullopt},
                {"c41e705b-f2e3-4d1a-83c4-e34bb9344966", "weight", "lora_loader", "LoRA Weight",
                 FieldKind::integer, R"J(1)J"},
                {"c3fa6872-2599-4a82-a596-b3446a66cf8b", "prompt", "compel", "Positive Prompt",
                 FieldKind::string, R"J("super cute tiger cub")J"},
                {"ea18915f-2c5b-4569-b725-8e9e9122e8d3", "width", "noise", "", FieldKind::integer,
                 R"J(512)J"},
                {"ea18915f-2c5b-4569-b725-8e9e9122e8d3", "height", "noise", "", FieldKind::integer,
                 R"J(768)J"},
                {"a9683c0a-6b1f-4a5e-8187-c57e764b3400", "board", "l2i", "", FieldKind::board, std::nullopt},
            }},
        LegacyCase{"default-multi-controlnet-canny-depth.json",
                   {
                       {"54486974-835b-4d81-8f82-05f9f32ce9e9", "model", "main_model_loader", "",
                        FieldKind::model, std::nullopt},
                       {"7ce68934-3419-42d4-ac70-82cfc9397306", "prompt", "compel", "Positive Prompt",
                        FieldKind::string, R"J("")J"},
                       {"273e3f96-49ea-4dc5-9d5b-9660390f14e1", "prompt", "compel", "Negative Prompt",
                        FieldKind::string, R"J("")J"},
                       {"c4b23e64-7986-40c4-9cad-46327b12e204", "image", "image", "Canny Input Image",
                        FieldKind::image, std::nullopt},
                       {"8e860e51-5045-456e-bf04-9a62a2a5c49e", "image", "image", "Depth Input Image",
                        FieldKind::image, std::nullopt},
                       {"d204d184-f209-4fae-a0a1-d152800844e1", "control_model", "controlnet",
                        "Control Model (select canny)", FieldKind::model, std::nullopt},
                       {"a33199c2-8340-401e-b8a2-42ffa875fc1c", "control_model", "controlnet",
                        "Control Model (select depth)", FieldKind::model, std::nullopt},
                   }},
        LegacyCase{
            "default-multidiffusion-sdxl.json",
            {
                {"011039f6-04cf-4607-8eb1-3304eb819c8c", "image", "spandrel_image_to_image_autoscale",
                 "Image to Upscale", FieldKind::image, std::nullopt},
                {"011039f6-04cf-4607-8eb1-3304eb819c8c", "scale", "spandrel_image_to_image_autoscale",
                 "Scale (2x, 4x, 8x, 16x)", FieldKind::integer, R"J(2)J"},
                {"c3b60a50-8039-4924-90e3-8c608e1fecb5", "board", "l2i", "Output Board", FieldKind::board,
                 std::nullopt},
                {"1dd915a3-6756-48ed-b68b-ee3b4bd06c1d", "a", "float_math", "Creativity Control (-10 to 10)",
                 FieldKind::float_number, R"J(0)J"},
                {"bd094e2f-41e5-4b61-9f7b-56cf337d53fa", "a", "float_math", "Structural Control (-10 to 10)",
                 FieldKind::float_number, R"J(0)J"},
                {"c26bff37-4f12-482f-ba45-3a5d729b4c4f", "value", "string", "Positive Prompt (Optional)",
                 FieldKind::string, R"J("")J"},
                {"f5ca24ee-21c5-4c8c-8d3c-371b5079b086", "value", "string", "Negative Prompt (Optional)",
                 FieldKind::string, R"J("")J"},
                {"e277e4b7-01cd-4daa-86ab-7bfa3cdcd9fd", "model", "sdxl_model_loader", "SDXL Model",
                 FieldKind::model, std::nullopt},
                {"100b3143-b3fb-4ff3-bb3c-8d4d3f89ae3a", "vae_model", "vae_loader", "", FieldKind::model,
                 std::nullopt},
                {"011039f6-04cf-4607-8eb1-3304eb819c8c", "image_to_image_model",
                 "spandrel_image_to_image_autoscale", "", FieldKind::model,
                 R"J({"key":"38bb1a29-8ede-42ba-b77f-64b3478896eb","hash":"blake3:e52fdbee46a484ebe9b3b20ea0aac0a35a453ab6d0d353da00acfd35ce7a91ed","name":"4xNomosWebPhoto_esrgan","base":"sdxl","type":"spandrel_image_to_image"})J"},
                {"f936ebb3-6902-4df9-a775-6a68bac2da70", "model", "model_identifier",
                 "ControlNet Model - Choose a Tile ControlNet", FieldKind::model, std::nullopt},
            }}),
    [](const ::testing::TestParamInfo<LegacyCase>& param_info) {
      std::string name = param_info.param.file;
      name = name.substr(0, name.find(".json"));
      std::replace_if(
          name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
      return name;
    });

// --- form walk details on small inline workflows ----------------------------------------------

// Builders for small 3.0.0 workflows: the tests below spell out only what they are about.
std::string field(const std::string& name, const std::string& value_json = "",
                  const std::string& label = "") {
  std::string out = "\"" + name + "\": {\"name\": \"" + name + "\", \"label\": \"" + label + "\"";
  if (!value_json.empty()) out += ", \"value\": " + value_json;
  return out + "}";
}

std::string node(const std::string& id, const std::string& type, const std::vector<std::string>& inputs,
                 const std::string& label = "") {
  std::string joined;
  for (const auto& i : inputs) joined += (joined.empty() ? "" : ", ") + i;
  return "{\"id\": \"" + id + "\", \"type\": \"invocation\", \"data\": {\"id\": \"" + id +
         "\", \"type\": \"" + type + "\", \"label\": \"" + label + "\", \"inputs\": {" + joined + "}}}";
}

std::string node_field(const std::string& id, const std::string& node_id, const std::string& field_name) {
  return "\"" + id + "\": {\"id\": \"" + id +
         "\", \"type\": \"node-field\", \"data\": {\"fieldIdentifier\": {\"nodeId\": \"" + node_id +
         "\", \"fieldName\": \"" + field_name + "\"}}}";
}

std::string container(const std::string& id, const std::vector<std::string>& children) {
  std::string list;
  for (const auto& c : children) list += (list.empty() ? "\"" : ", \"") + c + "\"";
  return "\"" + id + "\": {\"id\": \"" + id +
         "\", \"type\": \"container\", \"data\": {\"layout\": \"column\", \"children\": [" + list + "]}}";
}

std::string workflow(const std::vector<std::string>& nodes, const std::vector<std::string>& elements,
                     const std::string& edges = "", const std::string& extra = "") {
  std::string n, e;
  for (const auto& x : nodes) n += (n.empty() ? "" : ", ") + x;
  for (const auto& x : elements) e += (e.empty() ? "" : ", ") + x;
  return "{\"name\": \"inline\", \"meta\": {\"version\": \"3.0.0\", \"category\": \"user\"}" + extra +
         ", \"nodes\": [" + n + "], \"edges\": [" + edges +
         "], \"form\": {\"rootElementId\": \"root\", \"elements\": {" + e + "}}}";
}

std::vector<std::string> refs(const Workflow& wf) {
  std::vector<std::string> out;
  for (const auto& in : wf.inputs()) out.push_back(in.node_id + "." + in.field_name);
  return out;
}

using Refs = std::vector<std::string>;

TEST(WorkflowInputs, OnlyNodeFieldsConsumeAnIndexInDepthFirstPreOrder) {
  const Workflow wf = load_json(workflow(
      {node("n", "some_node",
            {field("a", "1"), field("b", "2"), field("c", "3"), field("d", "4"), field("e", "5")})},
      {container("root", {"heading-1", "text-1", "divider-1", "row-1", "nf-c", "col-1", "text-2", "nf-e"}),
       R"("heading-1": {"id": "heading-1", "type": "heading", "data": {"content": "Title"}})",
       R"("text-1": {"id": "text-1", "type": "text", "data": {"content": "Words"}})",
       R"("divider-1": {"id": "divider-1", "type": "divider"})",  // no data, as the GUI writes it
       container("row-1", {"nf-b", "nf-a"}), container("col-1", {"inner-1"}), container("inner-1", {"nf-d"}),
       R"("text-2": {"id": "text-2", "type": "text", "data": {"content": "More"}})",  //
       node_field("nf-a", "n", "a"), node_field("nf-b", "n", "b"), node_field("nf-c", "n", "c"),
       node_field("nf-d", "n", "d"), node_field("nf-e", "n", "e")}));
  EXPECT_EQ(refs(wf), (Refs{"n.b", "n.a", "n.c", "n.d", "n.e"}));
  EXPECT_TRUE(wf.warnings().empty());
}

TEST(WorkflowInputs, DanglingChildIsSkippedWithAWarning) {
  const Workflow wf = load_json(workflow({node("n", "some_node", {field("a", "1"), field("b", "2")})},
                                         {container("root", {"nf-a", "ghost-1", "nf-b"}),
                                          node_field("nf-a", "n", "a"), node_field("nf-b", "n", "b")}));
  EXPECT_EQ(refs(wf), (Refs{"n.a", "n.b"}));
  EXPECT_TRUE(has_warning(wf, "$.form.elements.root.data.children", "'ghost-1'"));
}

TEST(WorkflowInputs, TheSameFieldPlacedTwiceGivesTwoInputs) {
  const Workflow wf = load_json(workflow(
      {node("n", "some_node", {field("a", "1")})},
      {container("root", {"nf-1", "nf-2"}), node_field("nf-1", "n", "a"), node_field("nf-2", "n", "a")}));
  EXPECT_EQ(refs(wf), (Refs{"n.a", "n.a"}));
  EXPECT_EQ(wf.inputs()[1].index, 1);
}

TEST(WorkflowInputs, NodeFieldWithoutIdentifierConsumesNoIndex) {
  const Workflow wf = load_json(workflow(
      {node("n", "some_node", {field("a", "1")})},
      {container("root", {"nf-0", "nf-1"}), R"("nf-0": {"id": "nf-0", "type": "node-field", "data": {}})",
       node_field("nf-1", "n", "a")}));
  EXPECT_EQ(refs(wf), (Refs{"n.a"}));
}

TEST(WorkflowInputs, FieldOfAMissingNodeIsAnUnknownInput) {
  // The Python client keeps such an input (node type "unknown", a string field); so does ivk,
  // with a warning, and it refuses to set it.
  Workflow wf =
      load_json(workflow({node("n", "some_node", {field("a", "1")})},
                         {container("root", {"nf-1", "nf-2", "nf-3"}), node_field("nf-1", "gone", "x"),
                          node_field("nf-2", "n", "a"), node_field("nf-3", "n", "missing_field")}));
  ASSERT_EQ(wf.inputs().size(), 3u);
  EXPECT_EQ(wf.inputs()[0].node_type, "unknown");
  EXPECT_EQ(wf.inputs()[0].node_name, "unknown");
  EXPECT_EQ(wf.inputs()[0].kind, FieldKind::string);
  EXPECT_FALSE(wf.inputs()[0].value_json.has_value());
  EXPECT_EQ(wf.inputs()[0].label, "x");  // no "label" key anywhere: Python falls back to the field name
  EXPECT_TRUE(has_warning(wf, "$.form", "node 'gone'"));
  EXPECT_TRUE(has_warning(wf, "$.form", "field 'missing_field'"));
  auto s = wf.set_from_text("0", "abc");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::invalid_workflow);
  EXPECT_NE(s.error().message.find("gone.x"), std::string::npos) << s.error().message;
}

TEST(WorkflowInputs, MissingRootElementGivesNoInputsAndAWarning) {
  std::string text = workflow({node("n", "some_node", {field("a", "1")})},
                              {container("top", {"nf-1"}), node_field("nf-1", "n", "a")});
  text = ivk::test::replace_once(text, "\"rootElementId\": \"root\"", "\"rootElementId\": \"nope\"");
  const Workflow wf = load_json(text);
  EXPECT_TRUE(wf.inputs().empty());
  EXPECT_TRUE(has_warning(wf, "$.form.rootElementId", "'nope'"));
}

TEST(WorkflowInputs, ExposedFieldsAreUsedOnlyWhenTheFormIsEmpty) {
  const std::string exposed =
      R"(, "exposedFields": [{"nodeId": "n", "fieldName": "b"}, {"nodeId": "n", "fieldName": "a"}])";
  const auto n = node("n", "some_node", {field("a", "1"), field("b", "2")});
  // An empty root container (what the GUI saves when nobody built a form).
  const Workflow empty = load_json(workflow({n}, {container("root", {})}, "", exposed));
  EXPECT_EQ(refs(empty), (Refs{"n.b", "n.a"}));
  EXPECT_EQ(empty.migrated_from(), "exposedFields");
  // A form with content wins; exposedFields is ignored as by the Python client.
  const Workflow with_form =
      load_json(workflow({n}, {container("root", {"nf-a"}), node_field("nf-a", "n", "a")}, "", exposed));
  EXPECT_EQ(refs(with_form), (Refs{"n.a"}));
  EXPECT_EQ(with_form.migrated_from(), "");
  EXPECT_TRUE(with_form.warnings().empty());
}

// --- kinds without templates ---------------------------------------------------------------

TEST(WorkflowInputs, KindsFromNamesAndValuesWithoutTemplates) {
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"count", "3"},
      {"strength", "1"},  // a float exported as 1: integer without templates (Python does the same)
      {"seed", "3.0"},    // an integer exported as 3.0: float without templates (Python too)
      {"ratio", "0.5"},
      {"flag", "true"},
      {"text", "\"hi\""},
      {"colors", "[1, 2]"},  // Python: IvkStringField(None), dropped on submit; ivk keeps it
      {"color", R"({"r": 1, "g": 2, "b": 3, "a": 255})"},
      {"gen", R"({"type": "integer_generator_arithmetic_sequence", "start": 0, "step": 1, "count": 10})"},
      {"mdl", R"({"key": "k", "hash": "h", "name": "n", "base": "sdxl", "type": "main"})"},
      {"dest", R"({"board_id": "b1"})"},
      {"pic", R"({"image_name": "a.png"})"},
      {"nothing", "null"},
      {"unset", ""},
      {"board", ""},
      {"vae_model", ""},
      {"image", ""},
      {"scheduler", "\"euler\""},
  };
  std::vector<std::string> inputs, elements, children;
  for (const auto& [name, value] : fields) {
    inputs.push_back(field(name, value));
    children.push_back("nf-" + name);
    elements.push_back(node_field("nf-" + name, "n", name));
  }
  elements.push_back(container("root", children));
  const Workflow wf = load_json(workflow({node("n", "some_node", inputs)}, elements));
  const std::vector<std::pair<FieldKind, std::optional<std::string>>> expected = {
      {FieldKind::integer, "3"},
      {FieldKind::integer, "1"},
      {FieldKind::float_number, "3.0"},
      {FieldKind::float_number, "0.5"},
      {FieldKind::boolean, "true"},
      {FieldKind::string, "\"hi\""},
      {FieldKind::collection, "[1,2]"},
      {FieldKind::color, R"({"r":1,"g":2,"b":3,"a":255})"},
      {FieldKind::json, R"({"type":"integer_generator_arithmetic_sequence","start":0,"step":1,"count":10})"},
      {FieldKind::model, R"({"key":"k","hash":"h","name":"n","base":"sdxl","type":"main"})"},
      {FieldKind::board, R"({"board_id":"b1"})"},
      {FieldKind::image, R"({"image_name":"a.png"})"},
      {FieldKind::string, "null"},
      {FieldKind::string, std::nullopt},
      {FieldKind::board, std::nullopt},
      {FieldKind::model, std::nullopt},
      {FieldKind::image, std::nullopt},
      {FieldKind::enumeration, "\"euler\""},
  };
  ASSERT_EQ(wf.inputs().size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(fields[i].first);
    EXPECT_EQ(ivk::to_string(wf.inputs()[i].kind), ivk::to_string(expected[i].first));
    EXPECT_EQ(wf.inputs()[i].value_json, expected[i].second);
  }
  // Without templates a scheduler has no choices: any string is accepted (as in Python).
  EXPECT_TRUE(wf.inputs()[17].constraints.choices.empty());
}

TEST(WorkflowInputs, PrimitiveNodesTypeTheirValueByNodeType) {
  const Workflow wf = load_json(
      workflow({node("i", "integer", {field("value", "1.0")}), node("f", "float", {field("value", "1")}),
                node("b", "boolean", {field("value")}), node("s", "string", {field("value", "3")}),
                node("m", "float_math", {field("a", "0"), field("b", "2.5"), field("operation", "\"MUL\"")})},
               {container("root", {"1", "2", "3", "4", "5", "6", "7"}), node_field("1", "i", "value"),
                node_field("2", "f", "value"), node_field("3", "b", "value"), node_field("4", "s", "value"),
                node_field("5", "m", "a"), node_field("6", "m", "b"), node_field("7", "m", "operation")}));
  ASSERT_EQ(wf.inputs().size(), 7u);
  EXPECT_EQ(wf.inputs()[0].kind, FieldKind::integer);
  EXPECT_EQ(wf.inputs()[1].kind, FieldKind::float_number);
  EXPECT_EQ(wf.inputs()[2].kind, FieldKind::boolean);
  EXPECT_EQ(wf.inputs()[3].kind, FieldKind::string);
  // float_math operands are floats even when exported as 0; its operation stays a string
  // (the Python client types it float, fails to build it and falls back to a string).
  EXPECT_EQ(wf.inputs()[4].kind, FieldKind::float_number);
  EXPECT_EQ(wf.inputs()[5].kind, FieldKind::float_number);
  EXPECT_EQ(wf.inputs()[6].kind, FieldKind::string);
}

TEST(WorkflowInputs, TitlePrefersFieldLabelThenNodeLabelForValueFields) {
  const Workflow wf = load_json(workflow(
      {node("s", "string", {field("value", "\"x\"")}, "Prompt Node"),
       node("n", "noise", {field("width", "512", "My Width"), field("height", "512")}, "Noise Node")},
      {container("root", {"1", "2", "3"}), node_field("1", "s", "value"), node_field("2", "n", "width"),
       node_field("3", "n", "height")}));
  ASSERT_EQ(wf.inputs().size(), 3u);
  EXPECT_EQ(wf.inputs()[0].title, "Prompt Node");
  EXPECT_EQ(wf.inputs()[0].label, "");
  EXPECT_EQ(wf.inputs()[1].title, "My Width");
  EXPECT_EQ(wf.inputs()[2].title, "height");
  EXPECT_EQ(wf.inputs()[2].node_name, "Noise Node");
}

TEST(WorkflowInputs, ConnectedInputsAreFlagged) {
  const Workflow wf = load_json(workflow(
      {node("src", "integer", {field("value", "5")}),
       node("dst", "some_node", {field("count", "3"), field("other", "4")})},
      {container("root", {"1", "2"}), node_field("1", "dst", "count"), node_field("2", "dst", "other")},
      R"({"id": "e1", "type": "default", "source": "src", "sourceHandle": "value", "target": "dst", "targetHandle": "count"},
         {"id": "e2", "type": "collapsed", "source": "src", "target": "dst"})"));
  ASSERT_EQ(wf.inputs().size(), 2u);
  EXPECT_TRUE(wf.inputs()[0].connected);
  EXPECT_FALSE(wf.inputs()[1].connected);     // collapsed edges are visual only
  EXPECT_EQ(wf.inputs()[0].value_json, "3");  // the literal stays readable
}

// --- finding inputs -----------------------------------------------------------------------------

TEST(WorkflowInputs, FindByIndexLabelTitleAndNodeField) {
  const Workflow wf = load_workflow("sdxl-text-to-image.json");
  auto expect_found = [&](std::string_view ref, int index) {
    auto r = wf.find_input(ref);
    ASSERT_TRUE(r) << ref << ": " << r.error().describe();
    EXPECT_EQ((*r)->index, index) << ref;
  };
  expect_found("0", 0);
  expect_found("8", 8);
  expect_found("007", 7);
  expect_found("positive prompt", 1);          // exact label
  expect_found("NEGATIVE Prompt", 2);          // case-insensitive
  expect_found("noise:f4Bv4UWa22.height", 4);  // node id with a colon
  expect_found("denoise_latents:TRC0Y88EWe.scheduler", 7);
  expect_found("width", 3);  // title (the field name without templates)
  expect_found("CFG_SCALE", 6);

  auto r = wf.get_input(5);
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)->field_name, "steps");
}

TEST(WorkflowInputs, FindReportsUnknownAndOutOfRangeReferences) {
  const Workflow wf = load_workflow("sdxl-text-to-image.json");
  auto r = wf.find_input("9");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  EXPECT_NE(r.error().message.find("9 inputs (0..8)"), std::string::npos) << r.error().message;
  r = wf.find_input("99999999999999999999");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  r = wf.find_input("no such input");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  EXPECT_EQ(r.error().where, "no such input");
  r = wf.find_input("");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  // A node field that exists but is not in the form cannot be addressed.
  r = wf.find_input("denoise_latents:TRC0Y88EWe.denoising_start");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  EXPECT_FALSE(wf.get_input(-1));
  EXPECT_FALSE(wf.get_input(9));
}

TEST(WorkflowInputs, AmbiguousLabelListsTheCandidates) {
  const Workflow wf = load_workflow("default-text-to-video-wan-2.2-lightning.json");
  auto r = wf.find_input("weight");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(r.error().message.find("11 (291abec8-b996-4c7b-959c-360f56a3ed60.weight)"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("13 (ae8f115d-a3b8-4f76-b280-7313366a94ad.weight)"), std::string::npos)
      << r.error().message;
  // node_id.field_name disambiguates.
  auto ok = wf.find_input("ae8f115d-a3b8-4f76-b280-7313366a94ad.weight");
  ASSERT_TRUE(ok);
  EXPECT_EQ((*ok)->index, 13);
}

TEST(WorkflowInputs, ExactLabelBeatsCaseInsensitiveMatches) {
  const Workflow wf = load_json(
      workflow({node("n", "some_node", {field("a", "1", "Seed"), field("b", "2", "seed")})},
               {container("root", {"1", "2"}), node_field("1", "n", "a"), node_field("2", "n", "b")}));
  auto r = wf.find_input("seed");
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)->field_name, "b");
  r = wf.find_input("Seed");
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)->field_name, "a");
  r = wf.find_input("SEED");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
}

TEST(WorkflowInputs, NodeIdsMayContainDots) {
  const Workflow wf = load_json(workflow({node("a.b", "some_node", {field("c", "1")})},
                                         {container("root", {"1"}), node_field("1", "a.b", "c")}));
  auto r = wf.find_input("a.b.c");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ((*r)->node_id, "a.b");
}

// --- typing from node templates (InvokeAI 6.8 OpenAPI) --------------------------------------------

TEST(WorkflowTemplates, SdxlInputsAreTypedFromTemplates) {
  auto templates = ivk::test::node_templates();
  ASSERT_NE(templates, nullptr);
  Workflow wf = load_workflow("sdxl-text-to-image.json");
  wf.apply_templates(templates);
  EXPECT_EQ(wf.templates(), templates.get());
  const auto& in = wf.inputs();
  ASSERT_EQ(in.size(), 9u);
  for (const auto& i : in) EXPECT_TRUE(i.typed_from_template) << i.index;
  // Labels are the Python client's and do not change; titles come from the templates.
  EXPECT_EQ(in[0].label, "");
  EXPECT_EQ(in[0].title, "Model");
  EXPECT_EQ(in[1].title, "positive prompt");
  EXPECT_EQ(in[3].title, "Width");
  EXPECT_EQ(in[7].title, "Scheduler");
  EXPECT_EQ(in[0].kind, FieldKind::model);
  EXPECT_EQ(in[0].constraints.model_bases, (std::vector<std::string>{"sdxl"}));
  EXPECT_EQ(in[0].constraints.model_types, (std::vector<std::string>{"main"}));
  EXPECT_EQ(in[3].kind, FieldKind::integer);
  EXPECT_EQ(in[3].constraints.multiple_of, 8.0);
  EXPECT_EQ(in[4].constraints.multiple_of, 8.0);
  EXPECT_EQ(in[6].kind, FieldKind::float_number);
  EXPECT_EQ(in[7].kind, FieldKind::enumeration);
  const auto& choices = in[7].constraints.choices;
  EXPECT_EQ(choices.size(), 30u);
  EXPECT_NE(std::find(choices.begin(), choices.end(), "dpmpp_3m_k"), choices.end());
  EXPECT_NE(std::find(choices.begin(), choices.end(), "euler_a"), choices.end());
  EXPECT_EQ(in[8].kind, FieldKind::board);
  // Values are untouched by typing.
  EXPECT_EQ(in[3].value_json, "768");
  EXPECT_EQ(in[7].value_json, "\"dpmpp_3m_k\"");
}

TEST(WorkflowTemplates, IntegralFloatsStayFloats) {
  auto templates = ivk::test::node_templates();
  ASSERT_NE(templates, nullptr);
  // denoising_start exported as 1: the Python client (and ivk without templates) call it an integer.
  const std::string text = ivk::test::replace_once(
      ivk::test::workflow_text("flux-image-to-image.json"),
      R"("denoising_start": {"name": "denoising_start", "label": "", "description": "", "value": 0.4})",
      R"("denoising_start": {"name": "denoising_start", "label": "", "description": "", "value": 1})");
  Workflow wf = load_json(text);
  EXPECT_EQ(wf.inputs()[8].kind, FieldKind::integer);
  wf.apply_templates(templates);
  const auto& ds = wf.inputs()[8];
  EXPECT_EQ(ds.field_name, "denoising_start");
  EXPECT_EQ(ds.kind, FieldKind::float_number);
  EXPECT_EQ(ds.constraints.minimum, 0.0);
  EXPECT_EQ(ds.constraints.maximum, 1.0);
  EXPECT_EQ(ds.value_json, "1");
  EXPECT_EQ(ds.title, "Denoising Start");
  // So a fractional value is accepted, which the Python client rejects.
  ASSERT_TRUE(wf.set_float("8", 0.55));
  EXPECT_EQ(wf.inputs()[8].value_json, "0.55");

  // Flux model fields carry their bases and types; the T5 encoder accepts any base.
  EXPECT_EQ(wf.inputs()[0].constraints.model_bases, (std::vector<std::string>{"flux"}));
  EXPECT_EQ(wf.inputs()[2].constraints.model_types, (std::vector<std::string>{"t5_encoder"}));
  EXPECT_TRUE(wf.inputs()[2].constraints.model_bases.empty());
}

TEST(WorkflowTemplates, LegacyDefaultWorkflowsGetRealKinds) {
  auto templates = ivk::test::node_templates();
  ASSERT_NE(templates, nullptr);
  Workflow lora = load_workflow("default-text-to-image-with-lora.json");
  lora.apply_templates(templates);
  EXPECT_EQ(lora.inputs()[1].kind, FieldKind::model);  // a string without templates
  EXPECT_EQ(lora.inputs()[1].constraints.model_types, (std::vector<std::string>{"lora"}));
  EXPECT_EQ(lora.inputs()[2].kind, FieldKind::float_number);  // "weight": 1
  EXPECT_EQ(lora.inputs()[4].constraints.multiple_of, 8.0);

  Workflow md = load_workflow("default-multidiffusion-sdxl.json");
  md.apply_templates(templates);
  EXPECT_EQ(md.inputs()[1].kind, FieldKind::float_number);  // spandrel "scale": 2
  EXPECT_EQ(md.inputs()[1].constraints.maximum, 16.0);
  EXPECT_EQ(md.inputs()[8].constraints.model_types, (std::vector<std::string>{"vae"}));
}

TEST(WorkflowTemplates, NodesWithoutTemplatesKeepValueTyping) {
  auto templates = ivk::test::node_templates();
  ASSERT_NE(templates, nullptr);
  // The wan nodes are newer than the 6.8 server.
  Workflow wf = load_workflow("default-text-to-video-wan-2.2-lightning.json");
  wf.apply_templates(templates);
  ASSERT_EQ(wf.inputs().size(), 17u);
  EXPECT_FALSE(wf.inputs()[1].typed_from_template);
  EXPECT_EQ(wf.inputs()[1].kind, FieldKind::integer);
  EXPECT_EQ(wf.inputs()[7].kind, FieldKind::integer);
  // Dropping the templates goes back to value typing.
  Workflow sdxl = load_workflow("sdxl-text-to-image.json");
  sdxl.apply_templates(templates);
  sdxl.apply_templates(nullptr);
  EXPECT_EQ(sdxl.templates(), nullptr);
  EXPECT_FALSE(sdxl.inputs()[7].typed_from_template);
  EXPECT_TRUE(sdxl.inputs()[7].constraints.choices.empty());
  EXPECT_EQ(sdxl.inputs()[3].title, "width");
}

}  // namespace
