#pragma once
#include <filesystem>
#include <string_view>

#include "ivk/error.h"

namespace ivk::detail {

// Writes data to a temporary file beside path, then renames it over path: readers see the old
// file or the new one, never a half-written one.
Status write_file_atomically(const std::filesystem::path& path, std::string_view data);

}  // namespace ivk::detail
