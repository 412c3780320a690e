#include "model_manager/model_scan.h"

#include <algorithm>
#include <system_error>

#include "model_manager/model_files.h"

namespace ivk::emu {
namespace {

bool is_diffusers_folder(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::is_regular_file(dir / "model_index.json", ec) ||
         std::filesystem::is_regular_file(dir / "config.json", ec);
}

// Depth-limited so a symlink loop cannot recurse forever.
void walk(const std::filesystem::path& dir, int depth, std::vector<std::filesystem::path>& found) {
  if (depth > 32) return;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::filesystem::path p = it->path();
    std::error_code kind_ec;
    if (it->is_directory(kind_ec)) {
      if (is_diffusers_folder(p))
        found.push_back(p);
      else
        walk(p, depth + 1, found);
    } else if (it->is_regular_file(kind_ec) && has_model_file_extension(p)) {
      found.push_back(p);
    }
  }
}

}  // namespace

std::optional<std::vector<std::filesystem::path>> scan_for_models(const std::filesystem::path& dir) {
  std::error_code ec;
  if (dir.empty() || !std::filesystem::is_directory(dir, ec)) return std::nullopt;
  std::filesystem::directory_iterator probe(dir, ec);
  if (ec) return std::nullopt;
  std::vector<std::filesystem::path> found;
  if (is_diffusers_folder(dir))
    found.push_back(std::filesystem::absolute(dir, ec));
  else
    walk(std::filesystem::absolute(dir, ec), 0, found);
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace ivk::emu
