#include "ivk/model_record.h"

#include <simdjson.h>

#include "core/json_write.h"
#include "ivk/json_text.h"

namespace ivk {
namespace dom = simdjson::dom;

namespace {

// The string member `key` of o, or "" when it is absent, null or not a string.
std::string string_member(dom::object o, std::string_view key) {
  std::string_view s;
  dom::element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return {};
  if (e.get_string().get(s) != simdjson::SUCCESS) return {};
  return std::string(s);
}

Result<ModelRecord> record_from(dom::element whole, dom::object o, const std::string& where) {
  ModelRecord r;
  for (const char* required : {"key", "hash", "name", "base", "type"}) {
    dom::element e;
    std::string_view s;
    const bool ok =
        o.at_key(required).get(e) == simdjson::SUCCESS && e.get_string().get(s) == simdjson::SUCCESS;
    if (!ok)
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
  dom::element size;
  if (o.at_key("file_size").get(size) == simdjson::SUCCESS) {
    std::int64_t i = 0;
    std::uint64_t u = 0;
    double d = 0;
    if (size.get_int64().get(i) == simdjson::SUCCESS)
      r.file_size = i;
    else if (size.get_uint64().get(u) == simdjson::SUCCESS)
      r.file_size = static_cast<std::int64_t>(u);
    else if (size.get_double().get(d) == simdjson::SUCCESS && d >= 0)
      r.file_size = static_cast<std::int64_t>(d);
  }
  dom::array phrases;
  if (o.at_key("trigger_phrases").get_array().get(phrases) == simdjson::SUCCESS) {
    for (dom::element p : phrases) {
      std::string_view s;
      if (p.get_string().get(s) == simdjson::SUCCESS) r.trigger_phrases.emplace_back(s);
    }
  }
  dom::element settings;
  if (o.at_key("default_settings").get(settings) == simdjson::SUCCESS && !settings.is_null())
    r.default_settings_json = simdjson::minify(settings);
  r.raw_json = simdjson::minify(whole);
  return r;
}

}  // namespace

Result<std::vector<ModelRecord>> parse_model_list(std::string_view body) {
  dom::parser parser;
  dom::element doc;
  if (auto err = parser.parse(body.data(), body.size()).get(doc); err != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error,
                std::string("model list is not JSON: ") + simdjson::error_message(err), "$");
  dom::object top;
  if (doc.get_object().get(top) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "model list is not a JSON object", "$");
  dom::array models;
  if (top.at_key("models").get_array().get(models) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "model list has no \"models\" array", "$.models");
  std::vector<ModelRecord> out;
  out.reserve(models.size());
  std::size_t i = 0;
  for (dom::element item : models) {
    const std::string where = "$.models[" + std::to_string(i) + "]";
    dom::object o;
    if (item.get_object().get(o) != simdjson::SUCCESS)
      return fail(ErrorCode::parse_error, "model record is not an object", where);
    auto rec = record_from(item, o, where);
    if (!rec) return tl::unexpected(std::move(rec.error()));
    out.push_back(std::move(*rec));
    ++i;
  }
  return out;
}

Result<ModelRecord> parse_model_record(std::string_view json) {
  dom::parser parser;
  dom::element doc;
  if (auto err = parser.parse(json.data(), json.size()).get(doc); err != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error,
                std::string("model record is not JSON: ") + simdjson::error_message(err), "$");
  dom::object o;
  if (doc.get_object().get(o) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "model record is not a JSON object", "$");
  return record_from(doc, o, "$");
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
  dom::element doc;
  if (auto err = parser.parse(json.data(), json.size()).get(doc); err != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error,
                std::string("model identifier is not JSON: ") + simdjson::error_message(err), "$");
  dom::object o;
  if (doc.get_object().get(o) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "model identifier is not a JSON object", "$");
  for (const char* required : {"key", "name"}) {
    dom::element e;
    std::string_view s;
    const bool ok =
        o.at_key(required).get(e) == simdjson::SUCCESS && e.get_string().get(s) == simdjson::SUCCESS;
    if (!ok)
      return fail(ErrorCode::parse_error, std::string("model identifier has no string \"") + required + "\"",
                  std::string("$.") + required);
  }
  ModelIdentifier id;
  id.key = string_member(o, "key");
  id.hash = string_member(o, "hash");
  id.name = string_member(o, "name");
  id.base = string_member(o, "base");
  id.type = string_member(o, "type");
  std::string_view sub;
  dom::element e;
  if (o.at_key("submodel_type").get(e) == simdjson::SUCCESS && e.get_string().get(sub) == simdjson::SUCCESS)
    id.submodel_type = std::string(sub);
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
