// ModelManager: wiring of the catalog (model_store), installs (model_install) and the routes
// (model_routes_*.cpp).
#include "model_manager/model_manager.h"

#include <cstdlib>
#include <optional>
#include <system_error>

#include "model_manager/model_catalog_builtin.h"
#include "model_manager/model_files.h"
#include "model_manager/model_manager_impl.h"
#include "model_manager/model_persistence.h"

namespace ivk::emu {
namespace {

// model_install_complete carries the installed config since 6.9.
bool complete_event_has_config(const std::string& version) {
  int major = 0;
  int minor = 0;
  char* end = nullptr;
  major = static_cast<int>(std::strtol(version.c_str(), &end, 10));
  if (end != nullptr && *end == '.') minor = static_cast<int>(std::strtol(end + 1, nullptr, 10));
  return major > 6 || (major == 6 && minor >= 9);
}

InstallSettings install_settings(const EmulatorOptions& o) {
  InstallSettings s;
  s.bytes_per_second = o.download_bytes_per_second;
  s.simulated_bytes = o.simulated_download_bytes;
  s.fail_matching = o.fail_install_matching;
  s.complete_event_has_config = complete_event_has_config(o.version);
  return s;
}

}  // namespace

ModelManagerImpl::ModelManagerImpl(const EmulatorOptions& options, std::filesystem::path data_dir,
                                   EventSink events, std::shared_ptr<StateDb> db)
    : data_dir_(std::move(data_dir)), store_(data_dir_, std::move(db)) {
  installs_ = std::make_unique<InstallQueue>(install_settings(options), store_, std::move(events));
}

ModelManagerImpl::~ModelManagerImpl() { installs_.reset(); }

std::string ModelManagerImpl::hf_token_status() const {
  std::lock_guard lock(mu_);
  // No token, or one that does not look like a Hugging Face token, fails the server's check.
  if (!hf_token_) return "invalid";
  return hf_token_->rfind("hf_", 0) == 0 && hf_token_->size() >= 10 ? "valid" : "invalid";
}

std::string ModelManagerImpl::set_hf_token(std::optional<std::string> token) {
  {
    std::lock_guard lock(mu_);
    hf_token_ = std::move(token);
  }
  return hf_token_status();
}

Json ModelManagerImpl::cache_stats() const {
  std::lock_guard lock(mu_);
  // Nothing is ever loaded: an empty cache, counting only the clears.
  return Json{{"hits", 0},
              {"misses", 0},
              {"high_watermark", 0},
              {"in_cache", 0},
              {"cleared", cache_cleared_},
              {"cache_size", 0},
              {"loaded_model_sizes", Json::object()}};
}

void ModelManagerImpl::empty_model_cache() {
  std::lock_guard lock(mu_);
  ++cache_cleared_;
}

Response model_json_response(int status, const Json& body) {
  return Response::json(status, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

Result<std::unique_ptr<ModelManager>> ModelManager::create(const EmulatorOptions& options,
                                                           const std::filesystem::path& data_dir,
                                                           EventSink events, std::shared_ptr<StateDb> db) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir / "models", ec);
  if (ec)
    return tl::unexpected(make_error(ErrorCode::io, "cannot create the models folder: " + ec.message(), {},
                                     (data_dir / "models").string()));
  std::optional<Json> stored;
  if (options.persist) {
    if (!db) {
      auto opened = StateDb::open(data_dir);
      if (!opened) return tl::unexpected(opened.error());
      db = std::move(*opened);
    }
    auto loaded = load_models(*db);
    if (!loaded) return tl::unexpected(loaded.error());
    stored = std::move(*loaded);
  }
  auto impl = std::make_unique<ModelManagerImpl>(options, data_dir, std::move(events), db);
  ModelStore& store = impl->store();
  // Where the catalog comes from: the persisted one wins, then --models, then the built-in one.
  if (stored) {
    store.reset(std::move(*stored));
  } else if (options.persist && std::filesystem::exists(store.legacy_persist_file(), ec)) {
    auto models = ModelStore::read_catalog_file(store.legacy_persist_file());
    if (!models) return tl::unexpected(models.error());
    store.reset(std::move(*models));
  } else if (!options.models_file.empty()) {
    auto models = ModelStore::read_catalog_file(options.models_file);
    if (!models) return tl::unexpected(models.error());
    store.reset(std::move(*models));
  } else {
    Json models = builtin_model_catalog();
    // Built-in models get stand-in files so GET /missing does not list them.
    for (const Json& m : models) create_placeholder(store.absolute_path(m), m);
    store.reset(std::move(models));
  }
  return std::unique_ptr<ModelManager>(std::move(impl));
}

void add_model_routes(Router& router, ModelManager& models) {
  auto* impl = dynamic_cast<ModelManagerImpl*>(&models);
  if (impl == nullptr) return;
  // Order matters where paths overlap: the first registered route wins, as in Starlette.
  add_model_install_routes(router, *impl);
  add_model_query_routes(router, *impl);
  add_model_record_routes(router, *impl);
  add_model_service_routes(router, *impl);
}

}  // namespace ivk::emu
