#pragma once
// What the model slot, compatibility and LoRA stack sources share: the slot scan with the bases a
// slot's template accepts, the node and field tests, the model types ivk knows, and message text.
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ivk/models/model_record.h"
#include "ivk/models/model_slots.h"
#include "ivk/workflow/workflow.h"

namespace ivk::detail {

using FieldKey = std::pair<std::string, std::string>;  // (node id, field name)

inline bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}
inline bool is_metadata_node(std::string_view type) { return contains(type, "metadata"); }
inline bool is_lora_node(std::string_view type) {
  return contains(type, "lora_loader") || type == "lora_selector";
}

// The model types a "<type>_model" field name can imply: every ModelType of the servers ivk
// supports, and those of newer servers.
std::span<const std::string_view> known_model_types() noexcept;

// The node fields an edge feeds.
std::set<FieldKey> connected_fields(const Workflow& workflow);

struct Slot {
  ModelRequirement req;
  std::vector<std::string> accepted_bases;  // the template's, empty = any
};

// The model slots as model_requirements() describes them, with the template's accepted bases.
std::vector<Slot> find_slots(const Workflow& workflow);

// "'name' (key k, base b, type t)" for messages.
std::string describe(const ModelIdentifier& id);

std::string join(const std::vector<std::string>& items, std::string_view sep = ", ");

}  // namespace ivk::detail
