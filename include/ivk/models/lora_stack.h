#pragma once
// The LoRA stack of a workflow: its LoRA loader nodes in document order, and filling them with a
// list of LoRAs and weights. Pure functions over data: no I/O.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ivk/error.h"
#include "ivk/models/model_record.h"
#include "ivk/workflow/workflow.h"

namespace ivk {

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

}  // namespace ivk
