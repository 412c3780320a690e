#pragma once
// Paths and file helpers for tests that read ../shared fixtures.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ivk::test {

inline std::filesystem::path shared_dir() { return IVK_SHARED_DIR; }
inline std::filesystem::path source_dir() { return IVK_SOURCE_DIR; }
inline std::filesystem::path fixture(const std::string& rel) { return shared_dir() / "fixtures" / rel; }
inline std::filesystem::path openapi_path() { return shared_dir() / "invokeai" / "openapi-v6.8.json"; }

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace ivk::test
