#pragma once
// A model's recommended generation settings (size, steps, CFG scale, guidance, scheduler) and
// putting them into a workflow's form. Pure functions over data: no I/O.

#include <optional>
#include <string>
#include <vector>

#include "ivk/error.h"
#include "ivk/models/model_record.h"
#include "ivk/workflow/workflow.h"

namespace ivk {

struct RecommendedSettings {
  std::optional<int> width;
  std::optional<int> height;
  std::optional<int> steps;
  std::optional<double> cfg_scale;
  std::optional<double> guidance;
  std::optional<std::string> scheduler;

  friend bool operator==(const RecommendedSettings&, const RecommendedSettings&) = default;
};

// A model's recommended settings: its default_settings first (nulls and other members ignored),
// then, for main models, ivk's per-base table for what is still missing:
//   sd-1:     512x512,   30 steps, cfg 7.5, dpmpp_3m_k
//   sd-2:     768x768,   30 steps, cfg 7.5, dpmpp_3m_k
//   sdxl:     1024x1024, 30 steps, cfg 6.5, dpmpp_3m_k
//   sd-3:     1024x1024, 28 steps, cfg 7.0
//   flux:     1024x1024, cfg 1.0; variant "schnell": 4 steps; otherwise 28 steps, guidance 3.5
//   cogview4: 1024x1024, 50 steps, cfg 3.5
//   few-step sd-1/sdxl models (is_few_step_model): Turbo 4 steps, cfg 1.0, euler_a;
//   Lightning/Hyper 6 steps, cfg 1.5, euler; LCM 6 steps, cfg 1.5, lcm
// Other bases (and other model types) get only their default_settings.
RecommendedSettings recommended_settings(const ModelRecord& record);

// Sets the workflow's form inputs named width, height, steps or num_steps, cfg_scale, scheduler
// and guidance (every unconnected form input with that field name) to the settings that are
// present, validated by the inputs' rules, in one set_many call: on any violation the error is
// returned and nothing changes. Returns the indices (as refs, "3") of the inputs it set, in form
// order.
Result<std::vector<std::string>> apply_recommended_settings(Workflow& workflow,
                                                            const RecommendedSettings& settings);

}  // namespace ivk
