#pragma once
// Reads the text chunks InvokeAI writes into its output PNGs.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ivk/error.h"

namespace ivk {

struct PngMetadata {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::optional<std::string> invokeai_metadata;  // core metadata JSON text
  std::optional<std::string> invokeai_graph;     // the executed graph JSON text
  std::optional<std::string> invokeai_workflow;  // the workflow JSON text
  // Every tEXt/zTXt/iTXt chunk as (keyword, text), in file order.
  std::vector<std::pair<std::string, std::string>> text_chunks;
};

Result<PngMetadata> read_png_metadata(const std::filesystem::path& path);
Result<PngMetadata> read_png_metadata_bytes(std::string_view bytes);

}  // namespace ivk
