#include "model_manager/model_persistence.h"

#include "storage/sql_json.h"

namespace ivk::emu {

Result<std::optional<Json>> load_models(StateDb& db) {
  auto saved = db.meta("models_saved");
  if (!saved) return tl::unexpected(saved.error());
  if (saved->empty()) return std::optional<Json>();
  Json models = Json::array();
  auto rows = db.query("SELECT config FROM models ORDER BY position", {}, [&models](const SqlRow& row) {
    Json config = column_json(row, 0);
    if (config.is_object()) models.push_back(std::move(config));
  });
  if (!rows) return tl::unexpected(rows.error());
  return std::optional<Json>(std::move(models));
}

Status save_models(StateDb& db, const std::vector<Json>& models) {
  return db.transaction([&]() -> Status {
    if (auto cleared = db.run("DELETE FROM models"); !cleared) return cleared;
    std::int64_t position = 0;
    for (const Json& m : models)
      if (auto saved =
              db.run("INSERT INTO models (position, config) VALUES (?1, ?2)", {position++, sql_dump(m)});
          !saved)
        return saved;
    return db.set_meta("models_saved", "1");
  });
}

}  // namespace ivk::emu
