#pragma once
// Identifying a model the way the server's probe does, in miniature: a .safetensors file by the
// tensor names in its JSON header, a diffusers folder by its model_index.json / config.json, and
// anything else (.ckpt, .pt, .bin, .gguf, remote sources) by its name. Good enough for the
// emulator to register realistic records; not a faithful re-implementation.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "ivk/error.h"

namespace ivk::emu {

struct ProbedModel {
  std::string type;    // ModelType
  std::string format;  // ModelFormat
  std::string base;    // BaseModelType
  std::optional<std::string> variant;
  std::optional<std::string> prediction_type;
};

// Identifies a local file or folder. Error (message says why) when it cannot: the install job then
// fails with InvalidModelConfigException, as on the server.
Result<ProbedModel> probe_model_path(const std::filesystem::path& path);

// Guesses from a name alone ("pixel-art-xl-lora.safetensors", "stabilityai/sdxl-turbo").
// single_file: the name is a weights file, not a folder or repository.
ProbedModel guess_model_from_name(std::string_view name, bool single_file);

}  // namespace ivk::emu
