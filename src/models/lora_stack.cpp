#include "ivk/models/lora_stack.h"

#include <simdjson.h>

#include <cmath>
#include <cstddef>
#include <map>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

#include "core/json_read.h"
#include "core/json_write.h"
#include "models/model_slots_internal.h"
#include "workflow/workflow_access.h"
#include "workflow/workflow_model.h"

namespace ivk {

namespace {

using detail::FieldKey;

std::optional<ModelIdentifier> identifier_of(dom::parser& parser, std::optional<std::string_view> value) {
  if (!value) return std::nullopt;
  dom::element doc;
  if (parser.parse(value->data(), value->size()).get(doc) != simdjson::SUCCESS) return std::nullopt;
  dom::object o;
  if (doc.get_object().get(o) != simdjson::SUCCESS) return std::nullopt;
  auto key = optional_string_member(o, "key");
  auto name = optional_string_member(o, "name");
  if (!key || !name) return std::nullopt;
  ModelIdentifier id;
  id.key = std::move(*key);
  id.name = std::move(*name);
  id.hash = string_member(o, "hash");
  id.base = string_member(o, "base");
  id.type = string_member(o, "type");
  id.submodel_type = optional_string_member(o, "submodel_type");
  return id;
}

}  // namespace

Result<std::vector<LoraSlot>> find_lora_slots(const Workflow& workflow) {
  const detail::WorkflowModel& m = detail::WorkflowAccess::model(workflow);
  std::map<FieldKey, int> form;
  for (const auto& in : workflow.inputs()) form.emplace(FieldKey{in.node_id, in.field_name}, in.index);
  const std::set<FieldKey> connected = detail::connected_fields(workflow);
  dom::parser parser;
  std::vector<LoraSlot> out;
  for (std::size_t n = 0; n < m.nodes.size(); ++n) {
    const detail::Node& node = m.nodes[n];
    if (!detail::is_lora_node(node.type)) continue;
    if (node.input("lora") == nullptr)
      return fail(
          ErrorCode::invalid_workflow,
          "LoRA node '" + std::string(node.id) + "' (" + std::string(node.type) + ") has no \"lora\" input",
          "$.nodes[" + std::to_string(node.position) + "].data.inputs");
    LoraSlot slot;
    slot.node_id = std::string(node.id);
    slot.node_type = std::string(node.type);
    slot.lora = identifier_of(parser, detail::WorkflowAccess::value_of(workflow, n, "lora"));
    if (auto w = detail::WorkflowAccess::value_of(workflow, n, "weight"); w) {
      dom::element e;
      double d = 0;
      if (parser.parse(w->data(), w->size()).get(e) == simdjson::SUCCESS &&
          e.get_double().get(d) == simdjson::SUCCESS)
        slot.weight = d;
    }
    if (auto f = form.find({slot.node_id, "lora"}); f != form.end()) slot.lora_input_index = f->second;
    if (auto f = form.find({slot.node_id, "weight"}); f != form.end()) slot.weight_input_index = f->second;
    slot.connected = connected.count({slot.node_id, "lora"}) > 0;
    out.push_back(std::move(slot));
  }
  return out;
}

Result<std::vector<LoraSlot>> set_loras(Workflow& workflow,
                                        const std::vector<std::pair<ModelIdentifier, double>>& loras) {
  auto all = find_lora_slots(workflow);
  if (!all) return tl::unexpected(std::move(all.error()));
  std::vector<LoraSlot> slots;
  for (auto& s : *all)
    if (!s.connected) slots.push_back(std::move(s));
  if (loras.size() > slots.size()) {
    std::vector<std::string> ids;
    for (const auto& s : slots) ids.push_back(s.node_id);
    return fail(ErrorCode::invalid_argument,
                std::to_string(loras.size()) + " LoRA" + (loras.size() == 1 ? "" : "s") +
                    " given, but the workflow has " + std::to_string(slots.size()) + " LoRA slot" +
                    (slots.size() == 1 ? "" : "s") +
                    (ids.empty() ? std::string() : " (" + detail::join(ids) + ")") +
                    "; add LoRA loader nodes or pass fewer LoRAs");
  }
  std::vector<std::tuple<std::string, std::string, std::string>> values;
  for (std::size_t i = 0; i < loras.size(); ++i) {
    const auto& [id, weight] = loras[i];
    const std::string want = detail::contains(slots[i].node_type, "control_lora") ? "control_lora" : "lora";
    if (!id.type.empty() && id.type != want)
      return fail(ErrorCode::invalid_argument, "LoRA " + std::to_string(i + 1) + " " + detail::describe(id) +
                                                   " is not a " + want + " model (slot node '" +
                                                   slots[i].node_id + "')");
    if (!std::isfinite(weight))
      return fail(ErrorCode::invalid_argument, "LoRA " + std::to_string(i + 1) + " '" + id.name +
                                                   "' has a weight that is not a finite number");
    std::string w;
    detail::append_json_number(w, weight);
    values.emplace_back(slots[i].node_id, "lora", id.to_json());
    values.emplace_back(slots[i].node_id, "weight", std::move(w));
  }
  if (!values.empty())
    if (auto s = workflow.set_node_values_json(values); !s) return tl::unexpected(std::move(s.error()));
  std::vector<LoraSlot> rest(slots.begin() + static_cast<std::ptrdiff_t>(loras.size()), slots.end());
  return rest;
}

}  // namespace ivk
