#pragma once
// Model helpers over a workflow and a catalog: which model slots a workflow has, whether the
// models it names fit together and are installed, the LoRA stack, and a model's recommended
// generation settings. Pure functions over data: no I/O.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ivk/error.h"
#include "ivk/models/model_record.h"
#include "ivk/workflow/workflow.h"

namespace ivk {

// One model slot of a workflow.
struct ModelRequirement {
  std::string node_id;
  std::string field_name;
  std::string node_type;
  std::optional<int> input_index;          // the form input index, when the field is a form input
  std::optional<ModelIdentifier> current;  // nullopt when the slot is empty (absent, null, "")
  // The base the slot wants: the current identifier's base, else the template's accepted bases
  // (constraints.model_bases). Empty: any or unknown.
  std::vector<std::string> bases;
  // The type the slot wants: the template's accepted types (constraints.model_types), else the
  // type the field name implies (vae_model -> vae, t5_encoder_model -> t5_encoder,
  // clip_embed_model -> clip_embed, control_model -> controlnet, lora -> lora, model -> main,
  // other *_model -> the prefix), else the current identifier's type. Empty: unknown.
  std::vector<std::string> types;
};

// Every model slot, nodes and inputs in document order: each reference find_model_references()
// finds, plus the empty model fields of model nodes. A field is a model field when the node
// templates (Workflow::apply_templates) say its kind is FieldKind::model; without a template,
// when it is named "model" or "*_model", or "lora" or "vae" on a node whose type contains
// "loader". Metadata nodes (type containing "metadata") and empty fields fed by an edge are
// not slots.
std::vector<ModelRequirement> model_requirements(const Workflow& workflow);

struct CompatibilityFinding {
  enum class Severity { error, warning };
  enum class Kind {
    missing_model,      // error: neither the key nor the hash is installed
    found_by_hash,      // warning: the key is not installed, the same file is under another key
    record_differs,     // warning: the installed record's base or type differs from the identifier's
    empty_slot,         // warning: a model slot has no model
    type_mismatch,      // error: the slot wants another type of model
    base_not_accepted,  // error: the slot's template does not accept the model's base
    mixed_bases,        // error: main/vae/lora/controlnet models of different bases
  };
  Severity severity = Severity::error;
  Kind kind = Kind::missing_model;
  std::string node_id;
  std::string field;
  std::string message;  // for people, with names, keys and bases
};

std::string_view to_string(CompatibilityFinding::Severity severity) noexcept;
std::string_view to_string(CompatibilityFinding::Kind kind) noexcept;

struct CompatibilityReport {
  std::vector<CompatibilityFinding> findings;  // slots in document order; mixed bases last
  [[nodiscard]] std::size_t error_count() const noexcept;
  [[nodiscard]] std::size_t warning_count() const noexcept;
  [[nodiscard]] bool ok() const noexcept { return error_count() == 0; }
};

// Checks the workflow's model slots against a server's catalog:
// - availability: a current identifier's key must be in the catalog; else a record with the same
//   hash is reported (found_by_hash, warning: model sync fixes it); else missing_model (error);
// - types: a model whose type is not one the slot wants (type_mismatch); a base the slot's
//   template does not accept (base_not_accepted);
// - bases: the main, vae, lora, controlnet, control_lora, t2i_adapter and ip_adapter models
//   (the catalog record's base when installed, else the identifier's) must share one base,
//   "sdxl-refiner" counting as "sdxl" and base "any" (encoders) left out. Each model whose base differs from
//   the first main model's is reported; without a main model, one finding lists the bases.
// Metadata nodes (core_metadata, ...) only record models and are not checked.
CompatibilityReport check_compatibility(const Workflow& workflow, const ModelCatalog& catalog);

// One LoRA slot: a node whose type contains "lora_loader" or is "lora_selector".
struct LoraSlot {
  std::string node_id;
  std::string node_type;
  std::optional<ModelIdentifier> lora;  // the "lora" field's identifier; nullopt when empty
  std::optional<double> weight;         // the "weight" field's number, when it holds one
  std::optional<int> lora_input_index;  // form input indices, when the fields are in the form
  std::optional<int> weight_input_index;
  bool connected = false;  // an edge feeds the "lora" field: set_loras does not fill it
};

// The LoRA slots in document order. A LoRA node without a "lora" input is an error
// (ErrorCode::invalid_workflow, naming the node).
Result<std::vector<LoraSlot>> find_lora_slots(const Workflow& workflow);

// Fills the unconnected LoRA slots in document order with (identifier, weight), in one
// set_node_values_json call (all or nothing). More LoRAs than slots is an error naming both
// counts (ErrorCode::invalid_argument), as is an identifier of a type other than "lora" or a
// weight that is not finite; nothing changes then. Slots beyond the given LoRAs keep their
// values and are returned (so the caller can report or clear them).
Result<std::vector<LoraSlot>> set_loras(Workflow& workflow,
                                        const std::vector<std::pair<ModelIdentifier, double>>& loras);

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
