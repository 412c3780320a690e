#pragma once
// GET /api/v2/models/starter_models: a short list of well-known models in the 6.8
// StarterModelResponse shape, with is_installed computed against the catalog.
#include "http/fastapi_errors.h"
#include "model_manager/model_store.h"

namespace ivk::emu {

Json starter_models_response(const ModelStore& store);

}  // namespace ivk::emu
