#pragma once
// GET /api/v2/models/scan_folder: finds model-looking files (.safetensors, .ckpt, ...) and
// diffusers folders (a folder with model_index.json or config.json counts as one model and is not
// descended into) under a directory.
#include <filesystem>
#include <optional>
#include <vector>

namespace ivk::emu {

// The models found, sorted by path; nullopt when `dir` is not a readable directory.
std::optional<std::vector<std::filesystem::path>> scan_for_models(const std::filesystem::path& dir);

}  // namespace ivk::emu
