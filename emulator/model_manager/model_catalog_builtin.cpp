#include "model_manager/model_catalog_builtin.h"

#include "model_manager/model_configs.h"

namespace ivk::emu {
namespace {

Json main_settings(int width, int height, std::optional<int> steps, std::optional<double> cfg) {
  // MainModelDefaultSettings of 6.8 forbids extra keys: exactly these nine.
  Json s = Json::object();
  s["vae"] = nullptr;
  s["vae_precision"] = nullptr;
  s["scheduler"] = nullptr;
  s["steps"] = steps ? Json(*steps) : Json(nullptr);
  s["cfg_scale"] = cfg ? Json(*cfg) : Json(nullptr);
  s["cfg_rescale_multiplier"] = nullptr;
  s["width"] = width;
  s["height"] = height;
  s["guidance"] = nullptr;
  return s;
}

ConfigSeed seed(std::string key, std::string name, std::string base, std::string type, std::string format,
                std::string path, std::uint64_t size, std::string source, std::string source_type) {
  ConfigSeed s;
  s.key = std::move(key);
  s.hash = content_hash(name + "|" + path);
  s.name = std::move(name);
  s.base = std::move(base);
  s.type = std::move(type);
  s.format = std::move(format);
  s.path = std::move(path);
  s.file_size = size;
  s.source = std::move(source);
  s.source_type = std::move(source_type);
  return s;
}

}  // namespace

Json builtin_model_catalog() {
  Json out = Json::array();

  ConfigSeed sd15 = seed("5cbb2ca6-6bd8-4b1f-8f0c-3f0d7f3a1c01", "stable-diffusion-v1-5", "sd-1", "main",
                         "diffusers", "sd-1/main/stable-diffusion-v1-5", 2132626066,
                         "stable-diffusion-v1-5/stable-diffusion-v1-5", "hf_repo_id");
  sd15.description = "Stable Diffusion version 1.5 diffusers model (4.27 GB)";
  sd15.default_settings = main_settings(512, 512, 30, 7.5);
  out.push_back(make_config(sd15));

  ConfigSeed sdxl = seed("914b2e5a-b8d3-4da1-965f-b3775bbc5745", "juggernautXL_v9", "sdxl", "main",
                         "checkpoint", "sdxl/main/juggernautXL_v9.safetensors", 7105348188,
                         "https://civitai.com/api/download/models/348913", "url");
  sdxl.description = "SDXL main model";
  sdxl.default_settings = main_settings(1024, 1024, 30, 6.0);
  out.push_back(make_config(sdxl));

  ConfigSeed refiner =
      seed("3f1c2b7d-9a4e-4c55-a0b3-6e2d8c4f1a02", "stable-diffusion-xl-refiner-1.0", "sdxl-refiner", "main",
           "diffusers", "sdxl-refiner/main/stable-diffusion-xl-refiner-1.0", 6075981930,
           "stabilityai/stable-diffusion-xl-refiner-1.0", "hf_repo_id");
  refiner.description = "Stable Diffusion XL refiner model (12 GB)";
  refiner.default_settings = main_settings(1024, 1024, 20, 7.0);
  out.push_back(make_config(refiner));

  ConfigSeed schnell =
      seed("4ea8c1b5-e56c-47c0-949e-3805d06c1301", "FLUX Schnell", "flux", "main", "checkpoint",
           "flux/main/flux1-schnell.safetensors", 23782506688,
           "https://huggingface.co/black-forest-labs/FLUX.1-schnell/resolve/main/flux1-schnell.safetensors",
           "url");
  schnell.description = "FLUX.1 schnell transformer in bfloat16, 4 steps";
  schnell.default_settings = main_settings(1024, 1024, 4, std::nullopt);
  out.push_back(make_config(schnell));

  ConfigSeed t5 = seed("cc644930-283a-464f-b48f-831e6add8ed5", "t5_bnb_int8_quantized_encoder", "any",
                       "t5_encoder", "bnb_quantized_int8b", "any/t5_encoder/t5_bnb_int8_quantized_encoder",
                       5135699968, "InvokeAI/t5-v1_1-xxl::bnb_llm_int8", "hf_repo_id");
  t5.description = "T5-XXL text encoder with bitsandbytes LLM.int8() quantization";
  out.push_back(make_config(t5));

  ConfigSeed clip = seed("6fca3865-ce3f-45cd-a4d4-1086ea40504e", "clip-vit-large-patch14", "any",
                         "clip_embed", "diffusers", "any/clip_embed/clip-vit-large-patch14", 246144152,
                         "InvokeAI/clip-vit-large-patch14-text-encoder::bfloat16", "hf_repo_id");
  clip.description = "CLIP-L text encoder (used by FLUX)";
  clip.variant = "large";
  out.push_back(make_config(clip));

  ConfigSeed flux_vae =
      seed("53fdb8d0-6376-44b4-a02f-d25fdb375451", "FLUX.1-schnell_ae", "flux", "vae", "checkpoint",
           "flux/vae/FLUX.1-schnell_ae.safetensors", 335304388,
           "https://huggingface.co/black-forest-labs/FLUX.1-schnell/resolve/main/ae.safetensors", "url");
  flux_vae.description = "FLUX autoencoder";
  out.push_back(make_config(flux_vae));

  ConfigSeed sdxl_vae =
      seed("a1b2c3d4-0000-4000-8000-000000000002", "sdxl-vae-fp16-fix", "sdxl", "vae", "diffusers",
           "sdxl/vae/sdxl-vae-fp16-fix", 334643268, "madebyollin/sdxl-vae-fp16-fix", "hf_repo_id");
  sdxl_vae.description = "SDXL VAE that runs in fp16 without NaNs";
  out.push_back(make_config(sdxl_vae));

  ConfigSeed pixel = seed("a1b2c3d4-0000-4000-8000-000000000003", "pixel-art-xl", "sdxl", "lora", "lycoris",
                          "sdxl/lora/pixel-art-xl.safetensors", 170543052,
                          "nerijs/pixel-art-xl::pixel-art-xl.safetensors", "hf_repo_id");
  pixel.description = "Pixel art style LoRA for SDXL";
  pixel.trigger_phrases = Json::array({"pixel art"});
  pixel.default_settings = Json{{"weight", 0.75}};
  out.push_back(make_config(pixel));

  ConfigSeed detail = seed("8d2e4f60-1b3a-4c7d-9e8f-0a1b2c3d4e05", "add_detail", "sd-1", "lora", "lycoris",
                           "sd-1/lora/add_detail.safetensors", 37861176,
                           "https://civitai.com/api/download/models/62833", "url");
  detail.description = "Detail tweaker LoRA for SD 1.5";
  detail.default_settings = Json{{"weight", 0.5}};
  out.push_back(make_config(detail));

  ConfigSeed canny = seed("b7e1d2c3-4f5a-4b6c-8d7e-9f0a1b2c3d06", "controlnet-canny-sdxl-1.0", "sdxl",
                          "controlnet", "diffusers", "sdxl/controlnet/controlnet-canny-sdxl-1.0", 2502139136,
                          "xinsir/controlnet-canny-sdxl-1.0", "hf_repo_id");
  canny.description = "ControlNet canny edges for SDXL";
  canny.default_settings = Json{{"preprocessor", "canny_image_processor"}};
  out.push_back(make_config(canny));

  return out;
}

}  // namespace ivk::emu
