#pragma once
// The state behind ModelManager: the catalog, the install queue, the Hugging Face token and the
// model cache counters. Shared by model_manager.cpp and the route files (model_routes_*.cpp).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "model_manager/model_install.h"
#include "model_manager/model_manager.h"
#include "model_manager/model_store.h"

namespace ivk::emu {

// Where the model manager's routes live (InvokeAI's v2 models router).
inline constexpr const char* kModelsPrefix = "/api/v2/models";

class ModelManagerImpl final : public ModelManager {
 public:
  ModelManagerImpl(const EmulatorOptions& options, std::filesystem::path data_dir, EventSink events,
                   std::shared_ptr<StateDb> db);
  ~ModelManagerImpl() override;

  ModelStore& store() { return store_; }
  InstallQueue& installs() { return *installs_; }
  [[nodiscard]] const std::filesystem::path& data_dir() const { return data_dir_; }

  // "valid", "invalid" or "unknown" (the HFTokenStatus of 6.8).
  [[nodiscard]] std::string hf_token_status() const;
  // Stores a token (nullopt forgets it) and returns the new status.
  std::string set_hf_token(std::optional<std::string> token);

  // CacheStats of GET /stats; empty_model_cache() counts as one clear.
  [[nodiscard]] Json cache_stats() const;
  void empty_model_cache();

 private:
  std::filesystem::path data_dir_;
  ModelStore store_;
  std::unique_ptr<InstallQueue> installs_;  // after store_: destroyed (joined) first

  mutable std::mutex mu_;
  std::optional<std::string> hf_token_;
  std::int64_t cache_cleared_ = 0;
};

// Route registration, one file per group (all take the manager behind add_model_routes).
void add_model_query_routes(Router& router, ModelManagerImpl& models);
void add_model_record_routes(Router& router, ModelManagerImpl& models);
void add_model_install_routes(Router& router, ModelManagerImpl& models);
void add_model_service_routes(Router& router, ModelManagerImpl& models);

// A JSON response body, with invalid UTF-8 replaced rather than thrown on.
Response model_json_response(int status, const Json& body);

}  // namespace ivk::emu
