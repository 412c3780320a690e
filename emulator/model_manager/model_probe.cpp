#include "model_manager/model_probe.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <system_error>
#include <vector>

#include "core/ascii_case.h"
#include "http/fastapi_errors.h"
#include "model_manager/model_files.h"

namespace ivk::emu {
namespace {

bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

// The JSON header of a .safetensors file: 8 bytes little-endian length, then that much JSON.
std::optional<Json> read_safetensors_header(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::array<unsigned char, 8> len_bytes{};
  if (!in.read(reinterpret_cast<char*>(len_bytes.data()), 8)) return std::nullopt;
  std::uint64_t len = 0;
  for (std::size_t i = 0; i < 8; ++i) len |= static_cast<std::uint64_t>(len_bytes[i]) << (8 * i);
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  // Real headers are a few MB at most; refuse absurd lengths instead of allocating them.
  if (ec || len == 0 || len > 100ull * 1024 * 1024 || len > size - 8) return std::nullopt;
  std::string text(static_cast<std::size_t>(len), '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(len))) return std::nullopt;
  Json header = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object()) return std::nullopt;
  return header;
}

bool any_key(const std::vector<std::string>& keys, std::string_view needle) {
  return std::any_of(keys.begin(), keys.end(), [&](const std::string& k) { return contains(k, needle); });
}

bool any_prefix(const std::vector<std::string>& keys, std::string_view prefix) {
  return std::any_of(keys.begin(), keys.end(), [&](const std::string& k) { return k.rfind(prefix, 0) == 0; });
}

// Dimension `dim` of a tensor's shape in the header, if recorded.
std::optional<std::int64_t> shape_dim(const Json& header, const std::string& key, std::size_t dim) {
  const auto it = header.find(key);
  if (it == header.end() || !it->is_object()) return std::nullopt;
  const auto shape = it->find("shape");
  if (shape == it->end() || !shape->is_array() || shape->size() <= dim || !(*shape)[dim].is_number_integer())
    return std::nullopt;
  return (*shape)[dim].get<std::int64_t>();
}

std::optional<ProbedModel> probe_safetensors(const std::filesystem::path& file) {
  const auto header = read_safetensors_header(file);
  if (!header) return std::nullopt;
  std::vector<std::string> keys;
  for (const auto& [k, v] : header->items())
    if (k != "__metadata__") keys.push_back(k);
  if (keys.empty()) return std::nullopt;
  const std::string name = ivk::detail::ascii_lower(file.filename().string());

  if (any_prefix(keys, "lora_unet_") || any_prefix(keys, "lora_te") || any_key(keys, ".lora_down.") ||
      any_key(keys, ".lora_up.") || any_key(keys, ".lora_A.") || any_key(keys, ".hada_w1") ||
      any_key(keys, ".lokr_w1")) {
    std::string base = "sd-1";
    if (any_key(keys, "double_blocks") || any_key(keys, "single_blocks") ||
        any_key(keys, "single_transformer_blocks") || any_prefix(keys, "lora_transformer_"))
      base = "flux";
    else if (any_prefix(keys, "lora_te2_") || any_key(keys, "lora_unet_input_blocks") ||
             any_key(keys, "lora_unet_output_blocks") || any_key(keys, "lora_unet_middle_block"))
      base = "sdxl";
    return ProbedModel{"lora", "lycoris", base, std::nullopt, std::nullopt};
  }
  if (any_prefix(keys, "control_model.") || any_key(keys, "input_hint_block.") ||
      any_key(keys, "controlnet_cond_embedding.") || any_key(keys, "controlnet_x_embedder")) {
    std::string base = "sd-1";
    if (any_key(keys, "controlnet_x_embedder") || any_key(keys, "double_blocks"))
      base = "flux";
    else if (any_key(keys, "add_embedding.") || any_key(keys, "label_emb.") || contains(name, "xl"))
      base = "sdxl";
    return ProbedModel{"controlnet", "checkpoint", base, std::nullopt, std::nullopt};
  }
  if (any_key(keys, "double_blocks.") && (any_key(keys, "img_in.") || any_key(keys, "single_blocks.")))
    return ProbedModel{"main", "checkpoint", "flux", "normal", std::nullopt};
  if (any_prefix(keys, "conditioner.embedders.1."))
    return ProbedModel{"main", "checkpoint", "sdxl", "normal", "epsilon"};
  if (any_prefix(keys, "conditioner.embedders.0.") && any_prefix(keys, "model.diffusion_model."))
    return ProbedModel{"main", "checkpoint", "sdxl-refiner", "normal", "epsilon"};
  if (any_prefix(keys, "model.diffusion_model.")) {
    const bool sd2 = any_prefix(keys, "cond_stage_model.model.");
    std::string variant = "normal";
    const auto in_ch = shape_dim(*header, "model.diffusion_model.input_blocks.0.0.weight", 1);
    if (in_ch == 9) variant = "inpaint";
    if (in_ch == 5) variant = "depth";
    return ProbedModel{"main", "checkpoint", sd2 ? "sd-2" : "sd-1", variant,
                       sd2 ? "v_prediction" : "epsilon"};
  }
  if ((any_prefix(keys, "encoder.") && any_prefix(keys, "decoder.")) ||
      any_prefix(keys, "first_stage_model.")) {
    std::string base = contains(name, "xl") ? "sdxl" : "sd-1";
    if (shape_dim(*header, "decoder.conv_in.weight", 1) == 16 || contains(name, "flux")) base = "flux";
    return ProbedModel{"vae", "checkpoint", base, std::nullopt, std::nullopt};
  }
  if (any_key(keys, "emb_params") || any_key(keys, "string_to_param")) {
    return ProbedModel{"embedding", "embedding_file", "sd-1", std::nullopt, std::nullopt};
  }
  if (any_prefix(keys, "clip_g") && any_prefix(keys, "clip_l"))
    return ProbedModel{"embedding", "embedding_file", "sdxl", std::nullopt, std::nullopt};
  if (any_prefix(keys, "conv_first.") || any_prefix(keys, "model.0.") || any_prefix(keys, "body."))
    return ProbedModel{"spandrel_image_to_image", "checkpoint", "any", std::nullopt, std::nullopt};
  return std::nullopt;
}

// Members of a config.json read leniently: a file of the wrong shape must not throw.
std::string string_member(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
double number_member(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::optional<Json> read_json_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  Json j = Json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

std::optional<ProbedModel> probe_folder(const std::filesystem::path& dir) {
  if (const auto index = read_json_file(dir / "model_index.json")) {
    const std::string cls = string_member(*index, "_class_name");
    if (contains(cls, "StableDiffusionXLImg2Img") ||
        contains(ivk::detail::ascii_lower(dir.filename().string()), "refiner"))
      return ProbedModel{"main", "diffusers", "sdxl-refiner", "normal", std::nullopt};
    if (contains(cls, "StableDiffusionXL"))
      return ProbedModel{"main", "diffusers", "sdxl", contains(cls, "Inpaint") ? "inpaint" : "normal",
                         std::nullopt};
    if (contains(cls, "StableDiffusion3")) return ProbedModel{"main", "diffusers", "sd-3", "normal", {}};
    if (contains(cls, "Flux")) return ProbedModel{"main", "diffusers", "flux", "normal", std::nullopt};
    if (contains(cls, "CogView4")) return ProbedModel{"main", "diffusers", "cogview4", "normal", {}};
    if (contains(cls, "StableDiffusion")) {
      // SD 2 text encoders have a 1024-wide cross attention.
      const auto unet = read_json_file(dir / "unet" / "config.json");
      const bool sd2 = unet && number_member(*unet, "cross_attention_dim") == 1024.0;
      return ProbedModel{"main", "diffusers", sd2 ? "sd-2" : "sd-1",
                         contains(cls, "Inpaint") ? "inpaint" : "normal", std::nullopt};
    }
    return std::nullopt;
  }
  const auto config = read_json_file(dir / "config.json");
  if (!config) return std::nullopt;
  std::string cls = string_member(*config, "_class_name");
  if (cls.empty() && config->contains("architectures") && (*config)["architectures"].is_array() &&
      !(*config)["architectures"].empty() && (*config)["architectures"][0].is_string())
    cls = (*config)["architectures"][0].get<std::string>();
  if (cls == "AutoencoderKL") {
    // SDXL's VAE scales latents by 0.13025, SD 1.5's by 0.18215.
    const double scaling = number_member(*config, "scaling_factor");
    const bool xl = scaling > 0.13 && scaling < 0.131;
    return ProbedModel{"vae", "diffusers", xl ? "sdxl" : "sd-1", std::nullopt, std::nullopt};
  }
  if (cls == "ControlNetModel") {
    const bool xl = number_member(*config, "cross_attention_dim") == 2048.0;
    return ProbedModel{"controlnet", "diffusers", xl ? "sdxl" : "sd-1", std::nullopt, std::nullopt};
  }
  if (cls == "T2IAdapter") return ProbedModel{"t2i_adapter", "diffusers", "sd-1", std::nullopt, {}};
  if (cls == "CLIPTextModel") return ProbedModel{"clip_embed", "diffusers", "any", "large", {}};
  if (cls == "CLIPTextModelWithProjection")
    return ProbedModel{"clip_embed", "diffusers", "any", "gigantic", std::nullopt};
  if (cls == "CLIPVisionModelWithProjection")
    return ProbedModel{"clip_vision", "diffusers", "any", std::nullopt, std::nullopt};
  if (cls == "T5EncoderModel") return ProbedModel{"t5_encoder", "t5_encoder", "any", std::nullopt, {}};
  if (cls == "SiglipModel") return ProbedModel{"siglip", "diffusers", "any", std::nullopt, std::nullopt};
  return std::nullopt;
}

}  // namespace

ProbedModel guess_model_from_name(std::string_view raw_name, bool single_file) {
  const std::string n = ivk::detail::ascii_lower(raw_name);
  std::string base = "sd-1";
  if (contains(n, "flux"))
    base = "flux";
  else if (contains(n, "refiner"))
    base = "sdxl-refiner";
  else if (contains(n, "xl"))
    base = "sdxl";
  else if (contains(n, "sd3") || contains(n, "sd-3") || contains(n, "stable-diffusion-3"))
    base = "sd-3";
  else if (contains(n, "sd2") || contains(n, "sd-2") || contains(n, "v2-1") || contains(n, "2-1"))
    base = "sd-2";
  const std::string file_format = single_file ? "checkpoint" : "diffusers";

  if (contains(n, "lora") || contains(n, "lycoris") || contains(n, "locon"))
    return ProbedModel{"lora", single_file ? "lycoris" : "diffusers", base, std::nullopt, std::nullopt};
  if (contains(n, "controlnet") || contains(n, "control_"))
    return ProbedModel{"controlnet", file_format, base, std::nullopt, std::nullopt};
  if (contains(n, "vae") || contains(n, "_ae.") || n.rfind("ae.", 0) == 0 || contains(n, "/ae."))
    return ProbedModel{"vae", file_format, base, std::nullopt, std::nullopt};
  if (contains(n, "t5"))
    return ProbedModel{"t5_encoder", contains(n, "int8") ? "bnb_quantized_int8b" : "t5_encoder", "any",
                       std::nullopt, std::nullopt};
  if (contains(n, "clip"))
    return ProbedModel{"clip_embed", "diffusers", "any",
                       contains(n, "bigg") || contains(n, "clip-g") ? "gigantic" : "large", std::nullopt};
  if (contains(n, "esrgan") || contains(n, "upscal"))
    return ProbedModel{"spandrel_image_to_image", "checkpoint", "any", std::nullopt, std::nullopt};
  if (contains(n, "embedding") || contains(n, "textual"))
    return ProbedModel{"embedding", single_file ? "embedding_file" : "embedding_folder", base, std::nullopt,
                       std::nullopt};
  ProbedModel main{"main", file_format, base, "normal", std::nullopt};
  if (single_file && (base == "sd-1" || base == "sdxl" || base == "sdxl-refiner"))
    main.prediction_type = "epsilon";
  if (single_file && base == "sd-2") main.prediction_type = "v_prediction";
  if (contains(n, "inpaint")) main.variant = "inpaint";
  return main;
}

Result<ProbedModel> probe_model_path(const std::filesystem::path& path) {
  std::error_code ec;
  const std::string unknown = "Unable to determine model type for " + path.string();
  if (std::filesystem::is_directory(path, ec)) {
    if (auto m = probe_folder(path)) return *m;
    return ivk::fail(ErrorCode::unsupported, unknown);
  }
  if (!std::filesystem::is_regular_file(path, ec))
    return ivk::fail(ErrorCode::not_found, "No such file or directory: " + path.string());
  const std::string ext = ivk::detail::ascii_lower(path.extension().string());
  if (ext == ".safetensors" || ext == ".sft") {
    if (auto m = probe_safetensors(path)) return *m;
    return ivk::fail(ErrorCode::unsupported, unknown);
  }
  if (ext == ".gguf") return ProbedModel{"main", "gguf_quantized", "flux", "normal", std::nullopt};
  if (!has_model_file_extension(path)) return ivk::fail(ErrorCode::unsupported, unknown);
  // Pickled checkpoints cannot be read safely: go by the name, and by size for plain names
  // (a main model weighs gigabytes; small files with an uninformative name stay unknown).
  ProbedModel guess = guess_model_from_name(path.filename().string(), /*single_file=*/true);
  if (guess.type == "main" && std::filesystem::file_size(path, ec) < 1'000'000'000ull)
    return ivk::fail(ErrorCode::unsupported, unknown);
  return guess;
}

}  // namespace ivk::emu
