#pragma once
// The model slots of a workflow: every node field that holds, or should hold, a model, with the
// bases and types it wants. Pure functions over data: no I/O.

#include <optional>
#include <string>
#include <vector>

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

}  // namespace ivk
