// Reading the ModelInstallJob objects of /api/v2/models/install and what their status means.
#include <array>
#include <tuple>
#include <utility>

#include "core/json_read.h"
#include "ivk/api/model_install.h"

namespace ivk {
namespace {

using dom::element;
using dom::object;

// The source union (local / hf / url / external) in the form install() accepts, so a job's source
// can be shown and compared with a record's `source`.
std::pair<std::string, std::string> source_text(element source) {
  std::string_view plain;
  if (source.get_string().get(plain) == simdjson::SUCCESS) return {std::string(plain), ""};
  object o;
  if (source.get_object().get(o) != simdjson::SUCCESS) return {"", ""};
  std::string type = string_member(o, "type");
  if (type == "local") return {string_member(o, "path"), type};
  if (type == "url") return {string_member(o, "url"), type};
  if (type == "external")
    return {"external://" + string_member(o, "provider_id") + "/" + string_member(o, "provider_model_id"),
            type};
  if (type == "hf") {
    std::string text = string_member(o, "repo_id");
    const std::string variant = string_member(o, "variant");
    const std::string subfolder = string_member(o, "subfolder");
    if (!variant.empty() || !subfolder.empty()) text += ":" + variant;
    if (!subfolder.empty()) text += ":" + subfolder;
    return {text, type};
  }
  return {simdjson::minify(source), type};
}

Result<ModelInstallJob> job_from(element whole, const std::string& where) {
  object o;
  if (whole.get_object().get(o) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "install job is not a JSON object", where);
  ModelInstallJob job;
  const auto id = int_member(o, "id");
  if (!id) return fail(ErrorCode::parse_error, "install job has no integer \"id\"", where + ".id");
  job.id = *id;
  job.status = string_member(o, "status");
  job.bytes = int_member(o, "bytes").value_or(0);
  job.total_bytes = int_member(o, "total_bytes").value_or(0);
  element source;
  if (o.at_key("source").get(source) == simdjson::SUCCESS)
    std::tie(job.source, job.source_type) = source_text(source);
  job.inplace = bool_member(o, "inplace");
  job.local_path = string_member(o, "local_path");
  job.error_reason = string_member(o, "error_reason");
  job.error = string_member(o, "error");
  element config;
  if (o.at_key("config_out").get(config) == simdjson::SUCCESS && config.is_object()) {
    auto record = parse_model_record(simdjson::minify(config));
    if (!record) {
      Error e = record.error();
      e.where = where + ".config_out" + (e.where.size() > 1 ? e.where.substr(1) : "");
      return tl::unexpected(e);
    }
    job.config_out = std::move(*record);
  }
  job.raw_json = simdjson::minify(whole);
  return job;
}

}  // namespace

InstallState install_state_from(std::string_view status) noexcept {
  static constexpr std::array<std::pair<std::string_view, InstallState>, 8> kStates{{
      {"waiting", InstallState::waiting},
      {"downloading", InstallState::downloading},
      {"downloads_done", InstallState::downloads_done},
      {"running", InstallState::running},
      {"paused", InstallState::paused},
      {"completed", InstallState::completed},
      {"error", InstallState::error},
      {"cancelled", InstallState::cancelled},
  }};
  for (const auto& [name, state] : kStates)
    if (name == status) return state;
  return InstallState::other;
}

bool ModelInstallJob::is_terminal() const noexcept {
  const InstallState s = state();
  return s == InstallState::completed || s == InstallState::error || s == InstallState::cancelled;
}

bool ModelInstallJob::succeeded() const noexcept {
  return state() == InstallState::completed || (state() == InstallState::error && is_duplicate());
}

std::optional<double> ModelInstallJob::fraction() const noexcept {
  if (total_bytes <= 0) return std::nullopt;
  const double f = static_cast<double>(bytes) / static_cast<double>(total_bytes);
  return f < 0 ? 0.0 : (f > 1 ? 1.0 : f);
}

Status ModelInstallJob::as_status() const {
  if (state() == InstallState::cancelled)
    return fail(ErrorCode::cancelled, "model install " + std::to_string(id) + " was cancelled");
  if (state() != InstallState::error || is_duplicate()) return {};
  // The message names the exception class; the server's message goes in detail (describe() shows
  // both, once).
  Error e =
      make_error(ErrorCode::http, "model install " + std::to_string(id) + " of '" + source + "' failed" +
                                      (error_reason.empty() ? std::string() : ": " + error_reason));
  e.detail = error;
  return tl::unexpected(e);
}

Result<ModelInstallJob> parse_install_job(std::string_view json) {
  dom::parser parser;
  auto doc = parse_json(parser, json, "install job");
  if (!doc) return tl::unexpected(doc.error());
  return job_from(*doc, "$");
}

Result<std::vector<ModelInstallJob>> parse_install_job_list(std::string_view json) {
  dom::parser parser;
  auto doc = parse_json(parser, json, "install job list");
  if (!doc) return tl::unexpected(doc.error());
  dom::array items;
  if (doc->get_array().get(items) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "install job list is not a JSON array", "$");
  std::vector<ModelInstallJob> jobs;
  std::size_t i = 0;
  for (element item : items) {
    auto job = job_from(item, "$[" + std::to_string(i++) + "]");
    if (!job) return tl::unexpected(job.error());
    jobs.push_back(std::move(*job));
  }
  return jobs;
}

}  // namespace ivk
