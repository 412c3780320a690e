#pragma once
// The model catalog in the emulator's database (--persist). The catalog changes rarely and is
// small, so each change rewrites it whole, in order, in one commit. Private to the emulator.
#include <optional>
#include <vector>

#include "http/fastapi_errors.h"  // Json
#include "ivk/error.h"
#include "storage/state_db.h"

namespace ivk::emu {

// The stored catalog as a JSON array, or nullopt when no change was ever saved (the catalog then
// comes from --models or the built-in one, as it did before).
Result<std::optional<Json>> load_models(StateDb& db);
Status save_models(StateDb& db, const std::vector<Json>& models);

}  // namespace ivk::emu
