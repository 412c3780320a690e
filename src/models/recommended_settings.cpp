#include "ivk/models/recommended_settings.h"

#include <simdjson.h>

#include <cmath>
#include <string_view>
#include <utility>

#include "core/json_read.h"
#include "core/json_write.h"
#include "ivk/models/model_selection.h"

namespace ivk {

namespace {

// A positive whole number up to a million (also written as a whole double, 512.0), or nullopt.
std::optional<int> setting_integer(dom::object o, std::string_view key) {
  const std::optional<double> d = double_member(o, key);
  if (!d || !(*d > 0 && *d <= 1e6) || std::floor(*d) != *d) return std::nullopt;
  return static_cast<int>(*d);
}

}  // namespace

RecommendedSettings recommended_settings(const ModelRecord& record) {
  RecommendedSettings s;
  if (record.default_settings_json) {
    dom::parser parser;
    const std::string& text = *record.default_settings_json;
    dom::element doc;
    dom::object o;
    if (parser.parse(text.data(), text.size()).get(doc) == simdjson::SUCCESS &&
        doc.get_object().get(o) == simdjson::SUCCESS) {
      s.width = setting_integer(o, "width");
      s.height = setting_integer(o, "height");
      s.steps = setting_integer(o, "steps");
      s.cfg_scale = double_member(o, "cfg_scale");
      s.guidance = double_member(o, "guidance");
      if (std::string scheduler = string_member(o, "scheduler"); !scheduler.empty())
        s.scheduler = std::move(scheduler);
    }
  }
  if (record.type != "main") return s;

  struct Table {
    int size;
    std::optional<int> steps;
    std::optional<double> cfg, guidance;
    std::optional<std::string> scheduler;
  };
  std::optional<Table> t;
  const std::string& b = record.base;
  if (b == "sd-1")
    t = Table{512, 30, 7.5, std::nullopt, "dpmpp_3m_k"};
  else if (b == "sd-2")
    t = Table{768, 30, 7.5, std::nullopt, "dpmpp_3m_k"};
  else if (b == "sdxl")
    t = Table{1024, 30, 6.5, std::nullopt, "dpmpp_3m_k"};
  else if (b == "sd-3")
    t = Table{1024, 28, 7.0, std::nullopt, std::nullopt};
  else if (b == "flux")
    t = record.variant == "schnell" ? Table{1024, 4, 1.0, std::nullopt, std::nullopt}
                                    : Table{1024, 28, 1.0, 3.5, std::nullopt};
  else if (b == "cogview4")
    t = Table{1024, 50, 3.5, std::nullopt, std::nullopt};
  if (!t) return s;
  // Distilled SD/SDXL models (Turbo, Lightning, Hyper, LCM) diverge at the full models' step
  // counts and CFG scales; these are the values their authors publish.
  if ((b == "sd-1" || b == "sdxl") && is_few_step_model(record)) {
    const auto name = record.name;
    bool lcm = name.find("lcm") != std::string::npos || name.find("LCM") != std::string::npos;
    bool turbo = name.find("turbo") != std::string::npos || name.find("Turbo") != std::string::npos;
    t->steps = turbo ? 4 : 6;
    t->cfg = turbo ? 1.0 : 1.5;
    t->scheduler = lcm ? "lcm" : (turbo ? "euler_a" : "euler");
  }
  if (!s.width) s.width = t->size;
  if (!s.height) s.height = t->size;
  if (!s.steps) s.steps = t->steps;
  if (!s.cfg_scale) s.cfg_scale = t->cfg;
  if (!s.guidance) s.guidance = t->guidance;
  if (!s.scheduler) s.scheduler = t->scheduler;
  return s;
}

Result<std::vector<std::string>> apply_recommended_settings(Workflow& workflow,
                                                            const RecommendedSettings& settings) {
  auto text_of = [&](std::string_view field) -> std::optional<std::string> {
    auto integer = [](const std::optional<int>& v) -> std::optional<std::string> {
      if (!v) return std::nullopt;
      return std::to_string(*v);
    };
    auto number = [](const std::optional<double>& v) -> std::optional<std::string> {
      if (!v) return std::nullopt;
      std::string out;
      detail::append_json_number(out, *v);
      return out;
    };
    if (field == "width") return integer(settings.width);
    if (field == "height") return integer(settings.height);
    if (field == "steps" || field == "num_steps") return integer(settings.steps);
    if (field == "cfg_scale") return number(settings.cfg_scale);
    if (field == "guidance") return number(settings.guidance);
    if (field == "scheduler") return settings.scheduler;
    return std::nullopt;
  };
  std::vector<std::pair<std::string, std::string>> values;
  std::vector<std::string> refs;
  for (const auto& in : workflow.inputs()) {
    if (in.connected) continue;
    auto text = text_of(in.field_name);
    if (!text) continue;
    refs.push_back(std::to_string(in.index));
    values.emplace_back(refs.back(), std::move(*text));
  }
  if (!values.empty())
    if (auto s = workflow.set_many(values); !s) return tl::unexpected(std::move(s.error()));
  return refs;
}

}  // namespace ivk
