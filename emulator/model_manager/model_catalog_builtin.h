#pragma once
// The emulator's built-in model catalog: what a fresh server with the usual starter models would
// list (SD 1.5, SDXL with refiner and VAE, FLUX schnell with its encoders and VAE, two LoRAs and a
// ControlNet). Keys are fixed so examples and tests can name them.
#include "http/fastapi_errors.h"

namespace ivk::emu {

// The records, as a JSON array of 6.8-shaped configs.
Json builtin_model_catalog();

}  // namespace ivk::emu
