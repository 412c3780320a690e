#pragma once
// A zip archive of stored (uncompressed) entries, for POST /api/v1/images/download: PNGs are
// already compressed, so storing them costs little and needs no deflate. Private to the emulator.
#include <string>
#include <utility>
#include <vector>

namespace ivk::emu {

// files: (name inside the archive, bytes). Sizes must stay below 4 GiB (no zip64).
std::string make_stored_zip(const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace ivk::emu
