#pragma once
// Reading and writing whole files the way every ivk tool needs it: errors that name the file,
// and writes that never leave a half-written file behind.
#include <filesystem>
#include <string>
#include <string_view>

#include "ivk/error.h"

namespace ivk {

// The whole file. not_found when it does not exist; io when it is a directory or unreadable.
Result<std::string> read_file(const std::filesystem::path& path);

// Writes data to a temporary file beside path, flushes it, then renames it over path: readers
// see the old file or the new one, never a half-written one.
Status write_file_atomically(const std::filesystem::path& path, std::string_view data);

}  // namespace ivk
