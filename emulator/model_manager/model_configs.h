#pragma once
// Model config records shaped like the v6.8 server's AnyModelConfig classes: the
// enum values the routes validate against, and one builder that lays out a record's fields in the
// order and with the extras of its config class, so every record we create validates against the
// 6.8 OpenAPI document. Private to the emulator's model manager.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/fastapi_errors.h"

namespace ivk::emu {

// Enum values of the v6.8 OpenAPI document (query parameters are validated against these).
const std::vector<std::string>& base_model_types();
const std::vector<std::string>& model_types();
const std::vector<std::string>& model_formats();
const std::vector<std::string>& model_source_types();

// What is needed to lay out one record; family extras get their class defaults when unset.
struct ConfigSeed {
  std::string key;  // empty: a fresh uuid4
  std::string hash;
  std::string path;  // relative to the models dir, or absolute for in-place installs
  std::uint64_t file_size = 0;
  std::string name;
  std::optional<std::string> description;
  std::string source;
  std::string source_type = "path";            // path | url | hf_repo_id
  std::string type;                            // "main", "lora", ...
  std::string format;                          // "checkpoint", "diffusers", ...
  std::string base;                            // "sdxl", ...
  std::optional<std::string> variant;          // main: normal|inpaint|depth; clip_embed: large|gigantic
  std::optional<std::string> prediction_type;  // main SD1/2/XL checkpoints
  Json trigger_phrases = nullptr;
  Json default_settings = nullptr;
};

// The record as the server stores it (cover_image null; see with_cover_image for responses).
Json make_config(const ConfigSeed& seed);

// A "blake3:<64 hex>" looking hash of some bytes. Not real BLAKE3 (no such library here): clients
// only compare hashes, so any stable 256-bit digest serves.
std::string content_hash(std::string_view bytes);

// True when main records of this base carry prediction_type (the SD1/2/XL family).
bool is_sd_family(std::string_view base);

}  // namespace ivk::emu
