#include "model_manager/model_configs.h"

#include <openssl/sha.h>

#include <array>

#include "core/uuid.h"

namespace ivk::emu {

const std::vector<std::string>& base_model_types() {
  static const std::vector<std::string> v{"any",          "sd-1",       "sd-2",         "sd-3",    "sdxl",
                                          "sdxl-refiner", "flux",       "cogview4",     "imagen3", "imagen4",
                                          "gemini-2.5",   "chatgpt-4o", "flux-kontext", "veo3",    "runway"};
  return v;
}

const std::vector<std::string>& model_types() {
  static const std::vector<std::string> v{"onnx",
                                          "main",
                                          "vae",
                                          "lora",
                                          "control_lora",
                                          "controlnet",
                                          "embedding",
                                          "ip_adapter",
                                          "clip_vision",
                                          "clip_embed",
                                          "t2i_adapter",
                                          "t5_encoder",
                                          "spandrel_image_to_image",
                                          "siglip",
                                          "flux_redux",
                                          "llava_onevision",
                                          "video"};
  return v;
}

const std::vector<std::string>& model_formats() {
  static const std::vector<std::string> v{"omi",
                                          "diffusers",
                                          "checkpoint",
                                          "lycoris",
                                          "onnx",
                                          "olive",
                                          "embedding_file",
                                          "embedding_folder",
                                          "invokeai",
                                          "t5_encoder",
                                          "bnb_quantized_int8b",
                                          "bnb_quantized_nf4b",
                                          "gguf_quantized",
                                          "api"};
  return v;
}

const std::vector<std::string>& model_source_types() {
  static const std::vector<std::string> v{"path", "url", "hf_repo_id"};
  return v;
}

bool is_sd_family(std::string_view base) {
  return base == "sd-1" || base == "sd-2" || base == "sdxl" || base == "sdxl-refiner";
}

namespace {

bool is_checkpoint_like(std::string_view format) {
  return format == "checkpoint" || format == "bnb_quantized_nf4b" || format == "gguf_quantized";
}

// Adds the fields of each 6.8 config class beyond the common ones, with that class's defaults.
void add_family_extras(Json& j, const ConfigSeed& s) {
  const std::string& t = s.type;
  const std::string& f = s.format;
  if (t == "main") {
    j["trigger_phrases"] = s.trigger_phrases;
    j["default_settings"] = s.default_settings;
    j["variant"] = s.variant.value_or("normal");
    if (f == "diffusers") {
      j["repo_variant"] = "";
    } else if (is_checkpoint_like(f)) {
      if (is_sd_family(s.base)) j["prediction_type"] = s.prediction_type.value_or("epsilon");
      j["config_path"] = "";
    }
  } else if (t == "lora" || t == "control_lora") {
    j["trigger_phrases"] = s.trigger_phrases;
    j["default_settings"] = s.default_settings;
  } else if (t == "controlnet" || t == "t2i_adapter") {
    j["default_settings"] = s.default_settings;
    if (f == "diffusers") j["repo_variant"] = "";
    if (is_checkpoint_like(f)) j["config_path"] = "";
  } else if (t == "vae") {
    if (is_checkpoint_like(f)) j["config_path"] = "";
  } else if (t == "clip_embed") {
    j["repo_variant"] = "";
    j["variant"] = s.variant.value_or("large");
  } else if (t == "clip_vision" || t == "siglip" || t == "llava_onevision") {
    j["repo_variant"] = "";
  }
}

}  // namespace

Json make_config(const ConfigSeed& s) {
  Json j = Json::object();
  j["key"] = s.key.empty() ? ivk::detail::uuid4() : s.key;
  j["hash"] = s.hash;
  j["path"] = s.path;
  j["file_size"] = s.file_size;
  j["name"] = s.name;
  j["type"] = s.type;
  j["format"] = s.format;
  j["base"] = s.base;
  j["source"] = s.source;
  j["source_type"] = s.source_type;
  j["description"] = s.description ? Json(*s.description) : Json(nullptr);
  j["source_api_response"] = nullptr;
  j["cover_image"] = nullptr;
  j["submodels"] = nullptr;
  j["usage_info"] = nullptr;
  add_family_extras(j, s);
  return j;
}

std::string content_hash(std::string_view bytes) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest.data());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "blake3:";
  for (const unsigned char c : digest) {
    out += kHex[c >> 4];
    out += kHex[c & 0x0f];
  }
  return out;
}

}  // namespace ivk::emu
