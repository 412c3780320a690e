#include "ivk/models/model_record.h"

#include <simdjson.h>

#include "core/json_read.h"
#include "core/json_write.h"
#include "ivk/json_text.h"

namespace ivk {
namespace dom = simdjson::dom;

namespace {

Result<ModelRecord> record_from(dom::object o, const std::string& where) {
  ModelRecord r;
  for (const char* required : {"key", "hash", "name", "base", "type"}) {
    if (!optional_string_member(o, required))
      return fail(ErrorCode::parse_error, std::string("model record has no string \"") + required + "\"",
                  where + "." + required);
  }
  r.key = string_member(o, "key");
  r.hash = string_member(o, "hash");
  r.name = string_member(o, "name");
  r.base = string_member(o, "base");
  r.type = string_member(o, "type");
  r.format = string_member(o, "format");
  r.path = string_member(o, "path");
  r.description = string_member(o, "description");
  r.source = string_member(o, "source");
  r.source_type = string_member(o, "source_type");
  r.variant = string_member(o, "variant");
  r.prediction_type = string_member(o, "prediction_type");
  r.repo_variant = string_member(o, "repo_variant");
  r.cover_image = string_member(o, "cover_image");
  if (auto size = int_member(o, "file_size"); size && *size >= 0) r.file_size = *size;
  r.trigger_phrases = string_array_member(o, "trigger_phrases");
  dom::element settings;
  if (o.at_key("default_settings").get(settings) == simdjson::SUCCESS && !settings.is_null())
    r.default_settings_json = simdjson::minify(settings);
  r.raw_json = simdjson::minify(o);
  return r;
}

}  // namespace

Result<std::vector<ModelRecord>> parse_model_list(std::string_view body) {
  dom::parser parser;
  auto top = parse_object(parser, body, "model list");
  if (!top) return tl::unexpected(std::move(top.error()));
  dom::array models;
  if (top->at_key("models").get_array().get(models) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "model list has no \"models\" array", "$.models");
  std::vector<ModelRecord> out;
  out.reserve(models.size());
  std::size_t i = 0;
  for (dom::element item : models) {
    const std::string where = "$.models[" + std::to_string(i) + "]";
    dom::object o;
    if (item.get_object().get(o) != simdjson::SUCCESS)
      return fail(ErrorCode::parse_error, "model record is not an object", where);
    auto rec = record_from(o, where);
    if (!rec) return tl::unexpected(std::move(rec.error()));
    out.push_back(std::move(*rec));
    ++i;
  }
  return out;
}

Result<ModelRecord> parse_model_record(std::string_view json) {
  dom::parser parser;
  auto o = parse_object(parser, json, "model record");
  if (!o) return tl::unexpected(std::move(o.error()));
  return record_from(*o, "$");
}

std::string ModelIdentifier::to_json() const {
  JsonBuilder w;
  w.begin_object();
  w.key("key").string(key);
  w.key("hash").string(hash);
  w.key("name").string(name);
  w.key("base").string(base);
  w.key("type").string(type);
  w.key("submodel_type");
  if (submodel_type)
    w.string(*submodel_type);
  else
    w.null();
  w.end_object();
  return w.str();
}

ModelIdentifier ModelIdentifier::from_record(const ModelRecord& record) {
  return ModelIdentifier{record.key, record.hash, record.name, record.base, record.type, std::nullopt};
}

Result<ModelIdentifier> parse_model_identifier(std::string_view json) {
  dom::parser parser;
  auto parsed = parse_object(parser, json, "model identifier");
  if (!parsed) return tl::unexpected(std::move(parsed.error()));
  const dom::object o = *parsed;
  for (const char* required : {"key", "name"}) {
    if (!optional_string_member(o, required))
      return fail(ErrorCode::parse_error, std::string("model identifier has no string \"") + required + "\"",
                  std::string("$.") + required);
  }
  ModelIdentifier id;
  id.key = string_member(o, "key");
  id.hash = string_member(o, "hash");
  id.name = string_member(o, "name");
  id.base = string_member(o, "base");
  id.type = string_member(o, "type");
  id.submodel_type = optional_string_member(o, "submodel_type");
  return id;
}

ModelCatalog::ModelCatalog(std::vector<ModelRecord> records, Clock::time_point fetched_at)
    : records_(std::move(records)), fetched_at_(fetched_at) {}

Result<ModelCatalog> ModelCatalog::from_json(std::string_view body, Clock::time_point fetched_at) {
  auto records = parse_model_list(body);
  if (!records) return tl::unexpected(std::move(records.error()));
  return ModelCatalog(std::move(*records), fetched_at);
}

const ModelRecord* ModelCatalog::find_by_key(std::string_view key) const noexcept {
  for (const auto& r : records_)
    if (r.key == key) return &r;
  return nullptr;
}

const ModelRecord* ModelCatalog::find_by_hash(std::string_view hash) const noexcept {
  if (hash.empty()) return nullptr;
  for (const auto& r : records_)
    if (r.hash == hash) return &r;
  return nullptr;
}

std::vector<const ModelRecord*> ModelCatalog::find_by_name(std::string_view name) const {
  std::vector<const ModelRecord*> out;
  for (const auto& r : records_)
    if (r.name == name) out.push_back(&r);
  return out;
}

std::vector<const ModelRecord*> ModelCatalog::filter(std::string_view base, std::string_view type) const {
  std::vector<const ModelRecord*> out;
  for (const auto& r : records_)
    if ((base.empty() || r.base == base) && (type.empty() || r.type == type)) out.push_back(&r);
  return out;
}

}  // namespace ivk
