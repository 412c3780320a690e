// Reading the smaller model manager answers: folder scans, cache stats, the HF token state,
// starter models. Loose like every server read: unknown members are ignored.
#include "api/model_manager_parse.h"

#include "core/json_read.h"

namespace ivk {

std::string_view to_string(HfTokenStatus status) noexcept {
  switch (status) {
    case HfTokenStatus::valid: return "valid";
    case HfTokenStatus::invalid: return "invalid";
    case HfTokenStatus::unknown: return "unknown";
  }
  return "unknown";
}

namespace detail {

Result<std::vector<FoundModel>> parse_found_models(std::string_view json) {
  dom::parser parser;
  auto items = parse_array(parser, json, "scan_folder answer");
  if (!items) return tl::unexpected(items.error());
  std::vector<FoundModel> found;
  std::size_t i = 0;
  for (dom::element item : *items) {
    dom::object o;
    std::string_view path;
    if (item.get_object().get(o) != simdjson::SUCCESS ||
        o.at_key("path").get_string().get(path) != simdjson::SUCCESS)
      return fail(ErrorCode::parse_error, "scan_folder entry has no string \"path\"",
                  "$[" + std::to_string(i) + "].path");
    found.push_back(FoundModel{std::string(path), bool_member(o, "is_installed")});
    ++i;
  }
  return found;
}

Result<std::optional<CacheStats>> parse_cache_stats(std::string_view json) {
  dom::parser parser;
  auto doc = parse_json(parser, json, "model cache stats");
  if (!doc) return tl::unexpected(doc.error());
  if (doc->is_null()) return std::optional<CacheStats>();
  dom::object o;
  if (doc->get_object().get(o) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "model cache stats are not a JSON object or null", "$");
  CacheStats s;
  s.hits = int_member(o, "hits").value_or(0);
  s.misses = int_member(o, "misses").value_or(0);
  s.high_watermark = int_member(o, "high_watermark").value_or(0);
  s.in_cache = int_member(o, "in_cache").value_or(0);
  s.cleared = int_member(o, "cleared").value_or(0);
  s.cache_size = int_member(o, "cache_size").value_or(0);
  dom::object sizes;
  if (o.at_key("loaded_model_sizes").get_object().get(sizes) == simdjson::SUCCESS)
    for (auto field : sizes)
      if (auto v = int_member(sizes, field.key)) s.loaded_model_sizes[std::string(field.key)] = *v;
  s.raw_json = simdjson::minify(*doc);
  return std::optional<CacheStats>(std::move(s));
}

Result<HfTokenStatus> parse_hf_token_status(std::string_view json) {
  dom::parser parser;
  auto doc = parse_json(parser, json, "Hugging Face token status");
  if (!doc) return tl::unexpected(doc.error());
  std::string_view s;
  if (doc->get_string().get(s) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "Hugging Face token status is not a JSON string", "$");
  if (s == "valid") return HfTokenStatus::valid;
  if (s == "invalid") return HfTokenStatus::invalid;
  return HfTokenStatus::unknown;
}

Result<StarterModels> parse_starter_models(std::string_view json) {
  dom::parser parser;
  auto doc = parse_json(parser, json, "starter models");
  if (!doc) return tl::unexpected(doc.error());
  dom::object root;
  dom::array items;
  if (doc->get_object().get(root) != simdjson::SUCCESS ||
      root.at_key("starter_models").get_array().get(items) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "starter models answer has no \"starter_models\" array",
                "$.starter_models");
  StarterModels out;
  for (dom::element item : items) {
    dom::object o;
    if (item.get_object().get(o) != simdjson::SUCCESS) continue;
    StarterModel m;
    m.name = string_member(o, "name");
    m.source = string_member(o, "source");
    m.base = string_member(o, "base");
    m.type = string_member(o, "type");
    m.format = string_member(o, "format");
    m.description = string_member(o, "description");
    m.is_installed = bool_member(o, "is_installed");
    dom::array deps;
    if (o.at_key("dependencies").get_array().get(deps) == simdjson::SUCCESS)
      for (dom::element dep : deps) {
        dom::object d;
        if (dep.get_object().get(d) == simdjson::SUCCESS)
          m.dependency_sources.push_back(string_member(d, "source"));
      }
    m.raw_json = simdjson::minify(item);
    out.models.push_back(std::move(m));
  }
  dom::element bundles;
  out.bundles_json = root.at_key("starter_bundles").get(bundles) == simdjson::SUCCESS && bundles.is_object()
                         ? simdjson::minify(bundles)
                         : "{}";
  return out;
}

Result<HfRepoInfo> parse_hf_repo_info(std::string_view json) {
  dom::parser parser;
  auto o = parse_object(parser, json, "Hugging Face repository info");
  if (!o) return tl::unexpected(o.error());
  HfRepoInfo info;
  info.is_diffusers = bool_member(*o, "is_diffusers");
  // Absent or null urls stay nullopt: "no list" differs from an empty list.
  dom::element urls;
  if (o->at_key("urls").get(urls) == simdjson::SUCCESS && urls.is_array()) info.urls = string_array(urls);
  return info;
}

Result<BulkDeleteResult> parse_bulk_delete(std::string_view json) {
  dom::parser parser;
  auto o = parse_object(parser, json, "bulk delete answer");
  if (!o) return tl::unexpected(o.error());
  BulkDeleteResult out;
  out.deleted = string_array_member(*o, "deleted");
  dom::array failed;
  if (o->at_key("failed").get_array().get(failed) == simdjson::SUCCESS)
    for (dom::element f : failed) {
      dom::object fo;
      if (f.get_object().get(fo) == simdjson::SUCCESS)
        out.failed.push_back({string_member(fo, "key"), string_member(fo, "error")});
    }
  return out;
}

}  // namespace detail
}  // namespace ivk
