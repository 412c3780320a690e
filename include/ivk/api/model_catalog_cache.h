#pragma once
// A server's model catalog, fetched on demand and kept for a while: lookups by key, name, base and
// type without one request each. The catalog is fetched again when it is older than the TTL (or
// after invalidate(), e.g. once an install or delete changed the server). Not thread-safe.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"
#include "ivk/models/model_record.h"

namespace ivk {

class ModelsApi;

class ModelCatalogCache {
 public:
  using Clock = ModelCatalog::Clock;
  using Now = std::function<Clock::time_point()>;

  // `now` replaces the clock (tests); empty: Clock::now.
  explicit ModelCatalogCache(ModelsApi& api, std::chrono::seconds ttl = std::chrono::seconds(60),
                             Now now = {});

  // Fetches GET /models/ now, whatever the age. On error the previous catalog is kept.
  Status refresh();
  // The catalog, fetched first when there is none yet or it is older than the TTL. The reference
  // stays valid until the next call that refreshes.
  Result<const ModelCatalog*> catalog();
  // The next catalog() fetches.
  void invalidate() noexcept { stale_ = true; }

  // Lookups over catalog() (so they may fetch); copies, safe to keep across refreshes.
  Result<std::optional<ModelRecord>> find_by_key(std::string_view key);
  Result<std::optional<ModelRecord>> find_by_hash(std::string_view hash);
  Result<std::vector<ModelRecord>> find_by_name(std::string_view name);
  // Empty base or type matches every value.
  Result<std::vector<ModelRecord>> filter(std::string_view base, std::string_view type);

  [[nodiscard]] std::chrono::seconds ttl() const noexcept { return ttl_; }
  // How many times the catalog was fetched successfully.
  [[nodiscard]] int fetch_count() const noexcept { return fetches_; }

 private:
  ModelsApi* api_;
  std::chrono::seconds ttl_;
  Now now_;
  std::optional<ModelCatalog> catalog_;
  bool stale_ = false;
  int fetches_ = 0;
};

}  // namespace ivk
