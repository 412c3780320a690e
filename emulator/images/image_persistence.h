#pragma once
// Image records and boards in the emulator's database (--persist): the rows ImageLibrary writes
// through on every change, and what it loads at start. The PNG bytes stay files (data_dir/images).
// Private to the emulator.
#include <cstdint>
#include <string>
#include <vector>

#include "images/image_library.h"
#include "ivk/error.h"
#include "storage/state_db.h"

namespace ivk::emu {

struct LoadedImages {
  std::vector<ImageRecord> images;  // creation order
  std::vector<BoardRecord> boards;  // creation order
  std::uint64_t next_sequence = 1;  // after every stored image and board
};

Result<LoadedImages> load_images(StateDb& db);

// Inserts or replaces the whole record.
Status save_image_record(StateDb& db, const ImageRecord& record);
Status delete_image_record(StateDb& db, const std::string& image_name);
Status save_board_record(StateDb& db, const BoardRecord& board);
Status delete_board_record(StateDb& db, const std::string& board_id);

}  // namespace ivk::emu
