#pragma once
// Stand-in model files on disk. The emulator never holds real weights: an installed or built-in
// model is a small placeholder file (or a diffusers-style folder) at the record's path, so that
// GET /missing, scan_folder and deletes behave as on a real server.
#include <filesystem>
#include <string_view>

#include "http/fastapi_errors.h"

namespace ivk::emu {

// Extensions of single-file models, as the server's folder scan recognises them.
bool has_model_file_extension(const std::filesystem::path& path);

// Creates the placeholder for a record at `where` (a file for single-file paths, else a folder with
// a config.json / model_index.json). Existing files are kept. Errors are ignored: a placeholder that
// cannot be written only makes the model show up as missing.
void create_placeholder(const std::filesystem::path& where, const Json& config);

// Removes a model's file or folder (ignores errors, like the server's best-effort delete).
void remove_model_files(const std::filesystem::path& where);

}  // namespace ivk::emu
