// ModelCatalogCache: GET /api/v2/models/ once per TTL, lookups delegated to ModelCatalog.
#include "ivk/api/model_catalog_cache.h"

#include "ivk/api/models_api.h"

namespace ivk {

ModelCatalogCache::ModelCatalogCache(ModelsApi& api, std::chrono::seconds ttl, Now now)
    : api_(&api), ttl_(ttl), now_(now ? std::move(now) : Now([] { return Clock::now(); })) {}

Status ModelCatalogCache::refresh() {
  auto records = api_->list();
  if (!records) return tl::unexpected(records.error());
  catalog_.emplace(std::move(*records), now_());
  stale_ = false;
  ++fetches_;
  return {};
}

Result<const ModelCatalog*> ModelCatalogCache::catalog() {
  if (!catalog_ || stale_ || catalog_->is_stale(ttl_, now_()))
    if (auto s = refresh(); !s) return tl::unexpected(s.error());
  return &*catalog_;
}

Result<std::optional<ModelRecord>> ModelCatalogCache::find_by_key(std::string_view key) {
  auto c = catalog();
  if (!c) return tl::unexpected(c.error());
  const ModelRecord* r = (*c)->find_by_key(key);
  return r ? std::optional<ModelRecord>(*r) : std::nullopt;
}

Result<std::optional<ModelRecord>> ModelCatalogCache::find_by_hash(std::string_view hash) {
  auto c = catalog();
  if (!c) return tl::unexpected(c.error());
  const ModelRecord* r = (*c)->find_by_hash(hash);
  return r ? std::optional<ModelRecord>(*r) : std::nullopt;
}

Result<std::vector<ModelRecord>> ModelCatalogCache::find_by_name(std::string_view name) {
  auto c = catalog();
  if (!c) return tl::unexpected(c.error());
  std::vector<ModelRecord> out;
  for (const ModelRecord* r : (*c)->find_by_name(name)) out.push_back(*r);
  return out;
}

Result<std::vector<ModelRecord>> ModelCatalogCache::filter(std::string_view base, std::string_view type) {
  auto c = catalog();
  if (!c) return tl::unexpected(c.error());
  std::vector<ModelRecord> out;
  for (const ModelRecord* r : (*c)->filter(base, type)) out.push_back(*r);
  return out;
}

}  // namespace ivk
