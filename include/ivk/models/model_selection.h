#pragma once
// Choosing models from what a server has: by the user's preference list, by task, or by a fallback
// table per base, and switching a workflow to another main model with its settings adjusted.
// Pure functions over a ModelCatalog and a Workflow: no I/O.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"
#include "ivk/models/model_record.h"
#include "ivk/models/model_sync.h"
#include "ivk/models/prompt_style.h"
#include "ivk/models/recommended_settings.h"
#include "ivk/workflow/workflow.h"

namespace ivk {

// A distilled few-step model (SDXL Turbo, Lightning, Hyper-SD, LCM, FLUX schnell): its name or
// variant says so. These want few steps and a low CFG scale.
bool is_few_step_model(const ModelRecord& record);

enum class ModelTask {
  any,      // no preference
  fast,     // previews: few-step models first
  quality,  // finals: full models first (not few-step, not quantized when a full one exists)
  inpaint,  // an inpainting variant first
};
std::string_view to_string(ModelTask task) noexcept;
// "any", "fast", "quality", "inpaint"; anything else is invalid_argument listing them.
Result<ModelTask> parse_model_task(std::string_view text);

// Names of well-known models per base, most wanted first, used when nothing else decides.
struct FallbackModels {
  std::map<std::string, std::vector<std::string>> by_base;
  // A table written for ivk: the InvokeAI starter models' names for sd-1, sdxl, flux, sd-3 and
  // cogview4.
  static FallbackModels defaults();
};

struct ModelSelection {
  std::vector<std::string> preferences;  // keys or names (names compare case-insensitively), in order
  std::optional<std::string> base;       // only models of this base
  std::string type = "main";             // only models of this type
  ModelTask task = ModelTask::any;
};

// Picks one record:
//   1. the first preference that is installed with the wanted type (and base);
//   2. otherwise the records of that type (and base) ranked by task, catalog order breaking ties;
//      with task any and a base, the fallback table's order first;
// not_found when nothing fits, naming what was looked for and the preferences tried.
Result<ModelRecord> select_model(const ModelCatalog& catalog, const ModelSelection& selection,
                                 const FallbackModels& fallbacks = FallbackModels::defaults());

// The fallback for a base: the first installed name of the table's list for that base and type,
// else the first installed record of that base and type; not_found when the base has none.
Result<ModelRecord> find_fallback_model(const ModelCatalog& catalog, std::string_view base,
                                        std::string_view type = "main",
                                        const FallbackModels& fallbacks = FallbackModels::defaults());

struct SwitchOptions {
  // Apply recommended_settings(target) to width/height/steps/cfg_scale/guidance/scheduler inputs.
  bool adjust_settings = true;
  // Allow a target of another base than the workflow's main model. The other model slots
  // (VAE, encoders, LoRAs) then usually need a sync; check_compatibility tells.
  bool allow_base_change = false;
  // Rewrite the form's prompt inputs (string inputs whose field name or title contains "prompt") in the
  // target base's style when the base changes.
  std::optional<PromptStyles> prompt_styles;
};

struct SwitchResult {
  std::vector<SyncChange> changes;           // the main-model slots changed
  RecommendedSettings settings;              // what was applied (empty when adjust_settings is off)
  std::vector<std::string> settings_inputs;  // input indices set by the settings
  std::vector<std::string> prompt_inputs;    // input indices whose prompt was adapted
};

// Puts `target` (a main model) into every main-model slot of the workflow, then applies its
// recommended settings and prompt style: all of it or, on any error, nothing. Errors:
// invalid_argument (target is not a main model; its base differs from a slot's current base and
// allow_base_change is off), not_found (the workflow has no main-model slot). After a base change,
// check_compatibility and plan_model_sync tell what the other slots need.
Result<SwitchResult> switch_model(Workflow& workflow, const ModelRecord& target,
                                  const SwitchOptions& options = {});

}  // namespace ivk
