#pragma once
// /api/v1/app routes: version, dependencies, config, runtime config, the invocation cache
// switches and the log level. Their mutable state lives here, guarded for the I/O threads.
// Private to the emulator.
#include <cstdint>
#include <mutex>
#include <string>

#include "http/router.h"

namespace ivk::emu {

struct AppState {
  std::string version;       // what /version reports
  std::string openapi_json;  // served at /openapi.json when not empty (EmulatorOptions::openapi_file)
  std::mutex mutex;
  bool cache_enabled = true;
  std::int64_t cache_hits = 0;
  std::int64_t cache_misses = 0;
  int log_level = 20;  // logging.INFO
  // What GET /runtime_config reports of the emulator's own settings. port is set once bound.
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::int64_t max_queue_size = 10000;
  bool in_memory = true;  // use_memory_db: nothing survives a restart without --persist
};

void add_app_routes(Router& router, AppState& state);

}  // namespace ivk::emu
