#pragma once
// The emulator's model manager: the model catalog (records shaped like the server's AnyModelConfig),
// install jobs with simulated downloads, folder scans, conversion, cache stats and the HF token.
// Thread-safe: route handlers run on several I/O threads and the install worker on its own.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "http/router.h"
#include "ivk/emulator.h"
#include "ivk/error.h"
#include "socketio/event_sink.h"
#include "storage/state_db.h"

namespace ivk::emu {

class ModelManager {
 public:
  // Loads the catalog: with options.persist the one stored in the database (`db`, or
  // data_dir/emulator.db opened here when db is null) if a change was ever saved, else a models.json
  // left by earlier emulators, else options.models_file, else the built-in catalog. data_dir exists
  // and is writable. Starts the install worker thread. `events` receives the model-install events
  // ("model_install_download_progress", ...); may be empty.
  static Result<std::unique_ptr<ModelManager>> create(const EmulatorOptions& options,
                                                      const std::filesystem::path& data_dir,
                                                      EventSink events = {},
                                                      std::shared_ptr<StateDb> db = {});
  virtual ~ModelManager() = default;  // the implementation stops and joins its worker
  ModelManager(const ModelManager&) = delete;
  ModelManager& operator=(const ModelManager&) = delete;

 protected:
  ModelManager() = default;
};

// Registers every /api/v2/models route on the router.
void add_model_routes(Router& router, ModelManager& models);

}  // namespace ivk::emu
