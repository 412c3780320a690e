#include "ivk/models/model_slots.h"

#include <map>
#include <optional>
#include <string_view>
#include <utility>

#include "ivk/models/model_sync.h"
#include "ivk/workflow/node_templates.h"
#include "models/model_slots_internal.h"
#include "workflow/workflow_access.h"
#include "workflow/workflow_model.h"

namespace ivk {

namespace detail {

std::span<const std::string_view> known_model_types() noexcept {
  static constexpr std::string_view kTypes[] = {
      // The ModelType enum of InvokeAI 6.8, in its order (tests/conformance/model_types_test.cpp
      // fails when one is missing).
      "onnx",
      "main",
      "vae",
      "lora",
      "control_lora",
      "controlnet",
      "embedding",
      "ip_adapter",
      "clip_vision",
      "clip_embed",
      "t2i_adapter",
      "t5_encoder",
      "spandrel_image_to_image",
      "siglip",
      "flux_redux",
      "llava_onevision",
      "video",
      // Types of servers newer than 6.8: kept so that their "<type>_model" fields get a type too.
      "qwen3_encoder",
      "qwen_vl_encoder",
      "qwen3_vl_encoder",
      "mistral_encoder",
      "wan_t5_encoder",
      "gemma2_encoder",
      "text_llm",
      "pid_decoder",
  };
  return kTypes;
}

std::set<FieldKey> connected_fields(const Workflow& workflow) {
  std::set<FieldKey> out;
  for (const auto& e : WorkflowAccess::model(workflow).edges)
    out.emplace(std::string(e.target), std::string(e.target_handle));
  return out;
}

std::string describe(const ModelIdentifier& id) {
  std::string s = "'" + id.name + "' (key " + id.key;
  if (!id.base.empty()) s += ", base " + id.base;
  if (!id.type.empty()) s += ", type " + id.type;
  return s + ")";
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += sep;
    out += i;
  }
  return out;
}

}  // namespace detail

namespace {

using detail::FieldKey;

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// True for a value that holds no model: absent, null, "" or whitespace.
bool is_empty_value(std::optional<std::string_view> value) {
  if (!value) return true;
  std::string_view v = *value;
  while (!v.empty() && (v.front() == ' ' || v.front() == '\n' || v.front() == '\t' || v.front() == '\r'))
    v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\n' || v.back() == '\t' || v.back() == '\r'))
    v.remove_suffix(1);
  return v.empty() || v == "null" || v == "\"\"";
}

// The model type a field name implies ("" when it implies none ivk knows).
std::string type_from_field(std::string_view node_type, std::string_view field) {
  if (field == "model") return node_type == "model_identifier" ? std::string() : std::string("main");
  if (field == "lora") return detail::contains(node_type, "control_lora") ? "control_lora" : "lora";
  if (field == "vae") return "vae";
  if (!ends_with(field, "_model")) return {};
  const std::string_view prefix = field.substr(0, field.size() - 6);
  if (prefix == "control") return "controlnet";
  if (prefix == "image_to_image") return "spandrel_image_to_image";
  if (prefix == "transformer_low_noise" || prefix == "transformer_high_noise") return "main";
  for (std::string_view t : detail::known_model_types())
    if (t == prefix) return std::string(prefix);
  return {};
}

// Without templates: the field-name rule.
bool named_like_model_field(std::string_view node_type, std::string_view field) {
  if (field == "model" || ends_with(field, "_model")) return true;
  return (field == "lora" || field == "vae") && detail::contains(node_type, "loader");
}

}  // namespace

namespace detail {

std::vector<Slot> find_slots(const Workflow& workflow) {
  const WorkflowModel& m = WorkflowAccess::model(workflow);
  const NodeTemplates* templates = workflow.templates();
  std::map<FieldKey, ModelReference> refs;
  for (auto& r : find_model_references(workflow)) {
    FieldKey k{r.node_id, r.field_name};
    refs.emplace(std::move(k), std::move(r));
  }
  std::map<FieldKey, const WorkflowInput*> form;
  for (const auto& in : workflow.inputs()) form.emplace(FieldKey{in.node_id, in.field_name}, &in);
  const std::set<FieldKey> connected = connected_fields(workflow);

  std::vector<Slot> out;
  for (std::size_t n = 0; n < m.nodes.size(); ++n) {
    const Node& node = m.nodes[n];
    const NodeTemplate* tmpl = templates != nullptr ? templates->find(node.type) : nullptr;
    for (const auto& input : node.inputs) {
      FieldKey key{std::string(node.id), std::string(input.name)};
      const InputTemplate* in_tmpl = tmpl != nullptr ? tmpl->input(input.name) : nullptr;
      auto ref = refs.find(key);
      if (ref == refs.end()) {
        if (is_metadata_node(node.type) || connected.count(key) > 0) continue;
        const bool model_field = in_tmpl != nullptr ? in_tmpl->kind == FieldKind::model
                                                    : named_like_model_field(node.type, input.name);
        if (!model_field || !is_empty_value(WorkflowAccess::value_of(workflow, n, input.name))) continue;
      }
      Slot slot;
      ModelRequirement& r = slot.req;
      r.node_id = key.first;
      r.field_name = key.second;
      r.node_type = std::string(node.type);
      if (auto f = form.find(key); f != form.end()) r.input_index = f->second->index;
      const FieldConstraints* c = nullptr;
      if (in_tmpl != nullptr)
        c = &in_tmpl->constraints;
      else if (auto f = form.find(key); f != form.end() && f->second->typed_from_template)
        c = &f->second->constraints;
      if (c != nullptr) slot.accepted_bases = c->model_bases;
      if (ref != refs.end()) r.current = ref->second.current;
      if (r.current && !r.current->base.empty())
        r.bases = {r.current->base};
      else if (c != nullptr)
        r.bases = c->model_bases;
      if (c != nullptr && !c->model_types.empty())
        r.types = c->model_types;
      else if (auto t = type_from_field(node.type, input.name); !t.empty())
        r.types = {t};
      else if (r.current && !r.current->type.empty())
        r.types = {r.current->type};
      out.push_back(std::move(slot));
    }
  }
  return out;
}

}  // namespace detail

std::vector<ModelRequirement> model_requirements(const Workflow& workflow) {
  std::vector<ModelRequirement> out;
  for (auto& s : detail::find_slots(workflow)) out.push_back(std::move(s.req));
  return out;
}

}  // namespace ivk
