#include "model_manager/model_files.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <string>
#include <system_error>

namespace ivk::emu {

bool has_model_file_extension(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".safetensors" || ext == ".ckpt" || ext == ".pt" || ext == ".pth" || ext == ".bin" ||
         ext == ".gguf" || ext == ".sft" || ext == ".onnx";
}

namespace {

void write_if_absent(const std::filesystem::path& file, const std::string& text) {
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) return;
  std::filesystem::create_directories(file.parent_path(), ec);
  std::ofstream out(file, std::ios::binary);
  out << text;
}

}  // namespace

void create_placeholder(const std::filesystem::path& where, const Json& config) {
  const std::string type = config.value("type", "");
  if (has_model_file_extension(where)) {
    write_if_absent(where, "ivk emulator placeholder for " + config.value("name", "") + "\n");
    return;
  }
  // A diffusers folder: pipelines have model_index.json, single components config.json.
  Json cfg = Json::object();
  cfg["_ivk_placeholder"] = true;
  cfg["name"] = config.value("name", "");
  const std::string file = type == "main" ? "model_index.json" : "config.json";
  write_if_absent(where / file, cfg.dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
}

void remove_model_files(const std::filesystem::path& where) {
  std::error_code ec;
  std::filesystem::remove_all(where, ec);
}

}  // namespace ivk::emu
