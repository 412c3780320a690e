// Model selection, fallbacks and switching (see ivk/model_selection.h).
#include "ivk/models/model_selection.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>

#include "core/ascii_case.h"
#include "ivk/json_text.h"
#include "ivk/models/model_slots.h"
#include "ivk/models/recommended_settings.h"

namespace ivk {
namespace {

bool contains_lowered(std::string_view haystack_lower, std::string_view needle) {
  return haystack_lower.find(needle) != std::string_view::npos;
}

bool is_quantized(const ModelRecord& r) {
  return contains_lowered(r.format, "quantized") ||
         contains_lowered(detail::ascii_lower(r.name), "quantized") || r.format == "gguf";
}

bool is_inpaint(const ModelRecord& r) {
  return r.variant == "inpaint" || contains_lowered(detail::ascii_lower(r.name), "inpaint");
}

bool fits(const ModelRecord& r, const ModelSelection& sel) {
  return r.type == sel.type && (!sel.base || r.base == *sel.base);
}

// Lower is better; records of equal rank keep catalog order.
int task_rank(const ModelRecord& r, ModelTask task) {
  switch (task) {
    case ModelTask::fast: return is_few_step_model(r) ? 0 : 1;
    case ModelTask::quality: return (is_few_step_model(r) ? 2 : 0) + (is_quantized(r) ? 1 : 0);
    case ModelTask::inpaint: return is_inpaint(r) ? 0 : 1;
    case ModelTask::any: return 0;
  }
  return 0;
}

int fallback_rank(const ModelRecord& r, const FallbackModels& fallbacks) {
  auto it = fallbacks.by_base.find(r.base);
  if (it == fallbacks.by_base.end()) return 1 << 20;
  const auto name = detail::ascii_lower(r.name);
  for (std::size_t i = 0; i < it->second.size(); ++i)
    if (detail::ascii_lower(it->second[i]) == name) return static_cast<int>(i);
  return 1 << 20;
}

const ModelRecord* find_preference(const ModelCatalog& catalog, std::string_view pref,
                                   const ModelSelection& sel) {
  if (const auto* r = catalog.find_by_key(pref); r && fits(*r, sel)) return r;
  const auto wanted = detail::ascii_lower(pref);
  for (const auto& r : catalog.records())
    if (fits(r, sel) && detail::ascii_lower(r.name) == wanted) return &r;
  return nullptr;
}

std::string describe(const ModelSelection& sel) {
  std::string what = "a " + sel.type + " model";
  if (sel.base) what += " of base " + *sel.base;
  if (!sel.preferences.empty()) {
    what += " (preferences tried: ";
    for (std::size_t i = 0; i < sel.preferences.size(); ++i) what += (i ? ", " : "") + sel.preferences[i];
    what += ")";
  }
  return what;
}

bool wants_main(const ModelRequirement& req) {
  return std::find(req.types.begin(), req.types.end(), "main") != req.types.end();
}

// sdxl-refiner graphs take sdxl main models and the other way round only through their own slots;
// for switching, the two count as different bases.
std::string slot_base(const ModelRequirement& req) {
  if (req.current && !req.current->base.empty()) return req.current->base;
  return req.bases.size() == 1 ? req.bases.front() : std::string();
}

}  // namespace

bool is_few_step_model(const ModelRecord& record) {
  if (record.variant == "schnell") return true;
  const auto name = detail::ascii_lower(record.name);
  for (const char* marker : {"turbo", "lightning", "schnell", "hyper", "lcm", "dmd2", "-tcd", "_tcd"})
    if (contains_lowered(name, marker)) return true;
  return false;
}

std::string_view to_string(ModelTask task) noexcept {
  switch (task) {
    case ModelTask::any: return "any";
    case ModelTask::fast: return "fast";
    case ModelTask::quality: return "quality";
    case ModelTask::inpaint: return "inpaint";
  }
  return "any";
}

Result<ModelTask> parse_model_task(std::string_view text) {
  for (auto t : {ModelTask::any, ModelTask::fast, ModelTask::quality, ModelTask::inpaint})
    if (to_string(t) == text) return t;
  return fail(ErrorCode::invalid_argument,
              "unknown model task '" + std::string(text) + "': use any, fast, quality or inpaint");
}

FallbackModels FallbackModels::defaults() {
  FallbackModels f;
  f.by_base["sd-1"] = {"stable-diffusion-v1-5", "Dreamshaper 8", "Juggernaut Reborn (SD1.5)"};
  f.by_base["sdxl"] = {"stable-diffusion-xl-base-1-0", "Juggernaut XL v9",
                       "juggernautXL_v9Rundiffusionphoto2"};
  f.by_base["flux"] = {"FLUX Dev (Quantized)", "FLUX Schnell (Quantized)", "flux1-dev", "flux1-schnell"};
  f.by_base["sd-3"] = {"SD3.5 Medium", "SD3.5 Large"};
  f.by_base["cogview4"] = {"CogView4"};
  return f;
}

Result<ModelRecord> select_model(const ModelCatalog& catalog, const ModelSelection& selection,
                                 const FallbackModels& fallbacks) {
  for (const auto& pref : selection.preferences)
    if (const auto* r = find_preference(catalog, pref, selection)) return *r;
  std::vector<const ModelRecord*> fitting;
  for (const auto& r : catalog.records())
    if (fits(r, selection)) fitting.push_back(&r);
  if (fitting.empty())
    return fail(ErrorCode::not_found, "no installed model fits: wanted " + describe(selection));
  std::stable_sort(fitting.begin(), fitting.end(), [&](const ModelRecord* a, const ModelRecord* b) {
    int ra = task_rank(*a, selection.task), rb = task_rank(*b, selection.task);
    if (ra != rb) return ra < rb;
    if (selection.task == ModelTask::any && selection.base)
      return fallback_rank(*a, fallbacks) < fallback_rank(*b, fallbacks);
    return false;
  });
  return *fitting.front();
}

Result<ModelRecord> find_fallback_model(const ModelCatalog& catalog, std::string_view base,
                                        std::string_view type, const FallbackModels& fallbacks) {
  ModelSelection sel;
  sel.base = std::string(base);
  sel.type = std::string(type);
  if (auto it = fallbacks.by_base.find(sel.base.value()); it != fallbacks.by_base.end())
    for (const auto& name : it->second)
      if (const auto* r = find_preference(catalog, name, sel)) return *r;
  for (const auto& r : catalog.records())
    if (fits(r, sel)) return r;
  return fail(ErrorCode::not_found, "no installed " + sel.type + " model of base " + sel.base.value());
}

Result<SwitchResult> switch_model(Workflow& workflow, const ModelRecord& target,
                                  const SwitchOptions& options) {
  if (target.type != "main")
    return fail(ErrorCode::invalid_argument,
                "'" + target.name + "' is a " + target.type + " model; switch_model takes a main model");
  std::vector<ModelRequirement> slots;
  for (auto& req : model_requirements(workflow))
    if (wants_main(req)) slots.push_back(std::move(req));
  if (slots.empty()) return fail(ErrorCode::not_found, "the workflow has no main-model slot to switch");

  std::string old_base;
  for (const auto& slot : slots) {
    auto base = slot_base(slot);
    if (old_base.empty()) old_base = base;
    if (!options.allow_base_change && !base.empty() && base != target.base)
      return fail(ErrorCode::invalid_argument,
                  "the workflow's main model (node " + slot.node_id + ") is of base " + base + ", '" +
                      target.name + "' is " + target.base +
                      ": allow a base change, then sync the other model slots",
                  slot.node_id + "." + slot.field_name);
  }

  // Work on a copy so that a failure at any step leaves the caller's workflow untouched.
  Workflow next = workflow;
  SwitchResult result;
  const auto id = ModelIdentifier::from_record(target);
  std::vector<std::tuple<std::string, std::string, std::string>> values;
  for (const auto& slot : slots) {
    if (slot.current && slot.current->key == target.key) continue;
    values.emplace_back(slot.node_id, slot.field_name, id.to_json());
    result.changes.push_back(
        SyncChange{slot.current.value_or(ModelIdentifier{}), id, slot.node_id, slot.field_name});
  }
  if (!values.empty())
    if (auto s = next.set_node_values_json(values); !s) return tl::unexpected(std::move(s.error()));

  if (options.adjust_settings) {
    result.settings = recommended_settings(target);
    auto refs = apply_recommended_settings(next, result.settings);
    if (!refs) return tl::unexpected(std::move(refs.error()));
    result.settings_inputs = std::move(*refs);
  }

  if (options.prompt_styles && old_base != target.base) {
    const auto& style = options.prompt_styles->for_base(target.base);
    std::vector<std::pair<std::string, std::string>> prompts;
    for (const auto& in : next.inputs()) {
      if (in.connected || in.kind != FieldKind::string || !in.value_json) continue;
      // Prompts are often string primitives ("value") titled "positive prompt" in the form.
      if (detail::ascii_lower(in.field_name).find("prompt") == std::string::npos &&
          detail::ascii_lower(in.title).find("prompt") == std::string::npos)
        continue;
      auto text = json_unquote(*in.value_json);
      if (!text) continue;
      auto adapted = adapt_prompt(*text, style);
      if (adapted == *text) continue;
      result.prompt_inputs.push_back(std::to_string(in.index));
      prompts.emplace_back(result.prompt_inputs.back(), std::move(adapted));
    }
    if (!prompts.empty())
      if (auto s = next.set_many(prompts); !s) return tl::unexpected(std::move(s.error()));
  }

  workflow = std::move(next);
  return result;
}

}  // namespace ivk
