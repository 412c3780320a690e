#include "model_manager/model_starters.h"

#include <string>
#include <vector>

namespace ivk::emu {
namespace {

struct Starter {
  const char* id;
  const char* name;
  const char* base;
  const char* type;
  const char* format;
  const char* source;
  const char* description;
  std::vector<const char*> dependencies;  // ids
};

const std::vector<Starter>& starters() {
  static const std::vector<Starter> v{
      {"sd15",
       "Stable Diffusion 1.5",
       "sd-1",
       "main",
       "diffusers",
       "stable-diffusion-v1-5/stable-diffusion-v1-5",
       "Stable Diffusion version 1.5 diffusers model (4.27 GB)",
       {}},
      {"sdxl_vae",
       "sdxl-vae-fp16-fix",
       "sdxl",
       "vae",
       "diffusers",
       "madebyollin/sdxl-vae-fp16-fix",
       "SDXL VAE that works with FP16.",
       {}},
      {"sdxl",
       "SDXL Base",
       "sdxl",
       "main",
       "diffusers",
       "stabilityai/stable-diffusion-xl-base-1.0",
       "Stable Diffusion XL base model (12 GB)",
       {"sdxl_vae"}},
      {"sdxl_refiner",
       "SDXL Refiner",
       "sdxl-refiner",
       "main",
       "diffusers",
       "stabilityai/stable-diffusion-xl-refiner-1.0",
       "Stable Diffusion XL refiner model (12 GB)",
       {"sdxl_vae"}},
      {"t5",
       "t5_bnb_int8_quantized_encoder",
       "any",
       "t5_encoder",
       "bnb_quantized_int8b",
       "InvokeAI/t5-v1_1-xxl::bnb_llm_int8",
       "T5-XXL text encoder with bitsandbytes LLM.int8() quantization",
       {}},
      {"clip",
       "clip-vit-large-patch14",
       "any",
       "clip_embed",
       "diffusers",
       "InvokeAI/clip-vit-large-patch14-text-encoder::bfloat16",
       "CLIP-L text encoder (used in FLUX pipelines)",
       {}},
      {"flux_vae",
       "FLUX.1-schnell_ae",
       "flux",
       "vae",
       "checkpoint",
       "https://huggingface.co/black-forest-labs/FLUX.1-schnell/resolve/main/ae.safetensors",
       "FLUX VAE compatible with both schnell and dev variants.",
       {}},
      {"flux_schnell",
       "FLUX Schnell",
       "flux",
       "main",
       "checkpoint",
       "https://huggingface.co/black-forest-labs/FLUX.1-schnell/resolve/main/flux1-schnell.safetensors",
       "FLUX schnell transformer in bfloat16. Total size with dependencies: ~33GB",
       {"t5", "clip", "flux_vae"}},
      {"pixel_art",
       "Pixel Art XL",
       "sdxl",
       "lora",
       "lycoris",
       "nerijs/pixel-art-xl::pixel-art-xl.safetensors",
       "Pixel art style LoRA. Trigger with 'pixel art'.",
       {}},
      {"canny_sdxl",
       "controlnet-canny-sdxl-1.0",
       "sdxl",
       "controlnet",
       "diffusers",
       "xinsir/controlnet-canny-sdxl-1.0",
       "ControlNet weights trained on sdxl-1.0 with canny edge detection.",
       {}},
  };
  return v;
}

const Starter* find_starter(const std::string& id) {
  for (const Starter& s : starters())
    if (id == s.id) return &s;
  return nullptr;
}

bool installed(const Starter& s, const std::vector<Json>& records) {
  for (const Json& r : records)
    if (r.value("source", "") == s.source || r.value("name", "") == s.name) return true;
  return false;
}

Json starter_json(const Starter& s, const std::vector<Json>& records, bool with_dependencies) {
  Json j = Json::object();
  j["description"] = s.description;
  j["source"] = s.source;
  j["name"] = s.name;
  j["base"] = s.base;
  j["type"] = s.type;
  j["format"] = s.format;
  j["is_installed"] = installed(s, records);
  j["previous_names"] = Json::array();
  if (with_dependencies) {
    if (s.dependencies.empty()) {
      j["dependencies"] = nullptr;
    } else {
      Json deps = Json::array();
      for (const char* id : s.dependencies)
        if (const Starter* d = find_starter(id)) deps.push_back(starter_json(*d, records, false));
      j["dependencies"] = deps;
    }
  }
  return j;
}

}  // namespace

Json starter_models_response(const ModelStore& store) {
  const std::vector<Json> records = store.all();
  Json models = Json::array();
  for (const Starter& s : starters()) models.push_back(starter_json(s, records, true));
  auto bundle = [&](const char* name, std::vector<const char*> ids) {
    Json list = Json::array();
    for (const char* id : ids)
      if (const Starter* s = find_starter(id)) list.push_back(starter_json(*s, records, true));
    return Json{{"name", name}, {"models", list}};
  };
  Json bundles = Json::object();
  bundles["sd-1"] = bundle("Stable Diffusion 1.5", {"sd15"});
  bundles["sdxl"] = bundle("SDXL", {"sdxl", "sdxl_vae", "sdxl_refiner", "pixel_art", "canny_sdxl"});
  bundles["flux"] = bundle("FLUX.1 schnell", {"flux_schnell", "t5", "clip", "flux_vae"});
  Json out = Json::object();
  out["starter_models"] = models;
  out["starter_bundles"] = bundles;
  return out;
}

}  // namespace ivk::emu
