// ivk::Workflow: an immutable parsed document shared between copies, plus this copy's values.
#include "ivk/workflow/workflow.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <system_error>

#include "core/json_write.h"
#include "ivk/files.h"
#include "ivk/json_text.h"
#include "ivk/workflow/node_templates.h"
#include "ivk/workflow/png_metadata.h"
#include "workflow/field_typing.h"
#include "workflow/form_walk.h"
#include "workflow/graph_nodes.h"
#include "workflow/value_rules.h"
#include "workflow/workflow_loader.h"
#include "workflow/workflow_migration.h"
#include "workflow/workflow_model.h"

namespace ivk {

using detail::WorkflowModel;

std::string WorkflowInput::jsonpath() const {
  return "$.nodes[?(@.id='" + node_id + "')].data.inputs." + field_name;
}

namespace {

using FieldKey = std::pair<std::string, std::string>;  // (node_id, field_name)

// Orders FieldKeys and looks them up by (string_view, string_view): the graph builder asks for
// every node input's value, and building two strings per lookup showed up in profiles.
struct FieldKeyLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    const std::string_view a1 = a.first, b1 = b.first;
    if (a1 != b1) return a1 < b1;
    return std::string_view(a.second) < std::string_view(b.second);
  }
};

int schema_major(std::string_view version) {
  int major = 0;
  std::size_t i = 0;
  while (i < version.size() && std::isdigit(static_cast<unsigned char>(version[i]))) {
    major = major * 10 + (version[i] - '0');
    if (major > 1000) break;
    ++i;
  }
  return i == 0 ? -1 : major;
}

bool is_container_json(std::string_view s) { return !s.empty() && (s.front() == '{' || s.front() == '['); }

}  // namespace

struct Workflow::Impl {
  std::shared_ptr<const WorkflowModel> model;
  std::shared_ptr<const NodeTemplates> templates;
  std::map<FieldKey, std::string, FieldKeyLess> overrides;  // compact JSON values set by the caller
  std::vector<WorkflowInput> inputs;
  detail::NodeFieldSet connected;  // node inputs fed by an edge (views into the model)

  std::optional<std::string_view> current_value(const detail::Node* node, std::string_view field) const {
    if (node == nullptr) return std::nullopt;
    if (auto it = overrides.find(std::pair<std::string_view, std::string_view>(node->id, field));
        it != overrides.end())
      return std::string_view(it->second);
    const detail::InputField* in = node->input(field);
    if (in == nullptr || !in->has_value) return std::nullopt;
    return in->value.in(model->text);
  }

  void build_inputs() {
    inputs.clear();
    const WorkflowModel& m = *model;
    inputs.reserve(m.form_fields.size());
    int index = 0;
    for (const auto& [node_id, field_name] : m.form_fields) {
      WorkflowInput in;
      in.index = index++;
      in.node_id = node_id;
      in.field_name = field_name;
      const detail::Node* node = m.node(node_id);
      const detail::InputField* field = node != nullptr ? node->input(field_name) : nullptr;
      in.node_type = node != nullptr ? node->type : "unknown";
      in.node_name = node != nullptr && !node->label.empty() ? node->label : in.node_type;
      in.label = field != nullptr && field->has_label ? field->label : field_name;
      const NodeTemplate* node_tmpl = templates && node != nullptr ? templates->find(node->type) : nullptr;
      const InputTemplate* tmpl = node_tmpl != nullptr ? node_tmpl->input(field_name) : nullptr;
      auto value = current_value(node, field_name);
      const detail::FieldType type = detail::type_field(in.node_type, field_name, value, tmpl);
      in.kind = type.kind;
      in.constraints = type.constraints;
      in.typed_from_template = type.from_template;
      in.required = type.required;
      in.description =
          field != nullptr && !field->description.empty() ? field->description : type.description;
      if (field != nullptr && !field->label.empty())
        in.title = field->label;
      else if (node != nullptr && !node->label.empty() && field_name == "value")
        in.title = node->label;
      else if (!type.title.empty())
        in.title = type.title;
      else
        in.title = field_name;
      if (value) in.value_json = is_container_json(*value) ? minify_json(*value) : std::string(*value);
      in.connected = connected.contains({node_id, field_name});
      inputs.push_back(std::move(in));
    }
  }

  void refresh_values() {
    const WorkflowModel& m = *model;
    for (auto& in : inputs) {
      auto value = current_value(m.node(in.node_id), in.field_name);
      if (value)
        in.value_json = is_container_json(*value) ? minify_json(*value) : std::string(*value);
      else
        in.value_json.reset();
    }
  }
};

Workflow::Workflow(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Workflow::Workflow(const Workflow& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
Workflow& Workflow::operator=(const Workflow& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}
Workflow::Workflow(Workflow&&) noexcept = default;
Workflow& Workflow::operator=(Workflow&&) noexcept = default;
Workflow::~Workflow() = default;

Result<Workflow> Workflow::load_string(std::string json, std::string source_name) {
  auto model = std::make_shared<WorkflowModel>();
  model->text = std::move(json);
  model->source_name = std::move(source_name);
  auto with_source = [&](Error e) {
    e.source = model->source_name;
    return tl::unexpected<Error>(std::move(e));
  };
  if (auto s = detail::index_workflow(*model); !s) return with_source(s.error());

  if (model->meta_version.empty())
    return with_source(make_error(ErrorCode::invalid_workflow,
                                  "missing \"meta.version\": cannot tell which workflow schema this is",
                                  "$.meta.version"));
  const int major = schema_major(model->meta_version);
  if (major == 1 || major == 2) {
    auto migrated = detail::migrate_to_v3(model->text);
    if (!migrated) return with_source(migrated.error());
    auto fresh = std::make_shared<WorkflowModel>();
    fresh->text = std::move(*migrated);
    fresh->source_name = model->source_name;
    fresh->migrated_from = model->meta_version;
    if (auto s = detail::index_workflow(*fresh); !s) return with_source(s.error());
    model = std::move(fresh);
  } else if (major != 3 && major != 4) {
    return with_source(
        make_error(ErrorCode::unsupported,
                   "workflow schema " + std::string(model->meta_version) +
                       " is not supported (ivk reads 1.x and 2.x by migrating them, 3.x and 4.x as they are)",
                   "$.meta.version"));
  }

  auto fields = detail::walk_form(*model, model->warnings);
  if (!fields) return with_source(fields.error());
  // As workflow.h promises: a current-schema file whose form was built from exposedFields says so.
  if (model->migrated_from.empty() && detail::form_from_exposed_fields(*model))
    model->migrated_from = "exposedFields";
  for (const auto& f : *fields) model->form_fields.emplace_back(f.node_id, f.field_name);
  for (std::size_t i = 0; i < model->edges.size(); ++i) {
    const auto& e = model->edges[i];
    if (e.type != "default") continue;
    for (const std::string_view id : {e.source, e.target})
      if (model->node(id) == nullptr)
        model->warnings.push_back(
            {"$.edges[" + std::to_string(i) + "]",
             "edge refers to node '" + std::string(id) + "', which does not exist; it is ignored"});
  }
  for (std::size_t i = 0; i < model->form_fields.size(); ++i) {
    const auto& [node_id, field] = model->form_fields[i];
    const detail::Node* node = model->node(node_id);
    if (node == nullptr)
      model->warnings.push_back({"$.form", "input " + std::to_string(i) + " refers to node '" +
                                               std::string(node_id) + "', which does not exist"});
    else if (node->input(field) == nullptr)
      model->warnings.push_back({"$.form", "input " + std::to_string(i) + " refers to field '" +
                                               std::string(field) + "', which node '" + std::string(node_id) +
                                               "' does not have"});
  }

  auto impl = std::make_unique<Impl>();
  for (const auto& e : model->edges)
    if (e.type == "default") impl->connected.insert({e.target, e.target_handle});
  impl->model = std::move(model);
  impl->build_inputs();
  return Workflow(std::move(impl));
}

Result<Workflow> Workflow::load_file(const std::filesystem::path& path) {
  auto text = read_file(path);
  if (!text) return tl::unexpected(text.error());
  return load_string(std::move(*text), path.string());
}

Result<Workflow> Workflow::load_png(const std::filesystem::path& path) {
  auto meta = read_png_metadata(path);
  if (!meta) return tl::unexpected(meta.error());
  if (!meta->invokeai_workflow) {
    std::string found;
    for (const auto& [k, v] : meta->text_chunks) found += (found.empty() ? "" : ", ") + k;
    return tl::unexpected(
        make_error(ErrorCode::not_found,
                   "the PNG has no \"invokeai_workflow\" text chunk" +
                       (found.empty() ? std::string(" (it has no text chunks)") : " (it has: " + found + ")"),
                   {}, path.string()));
  }
  return load_string(std::move(*meta->invokeai_workflow), path.string() + " (invokeai_workflow)");
}

std::string_view Workflow::name() const noexcept { return impl_->model->name; }
std::optional<std::string> Workflow::id() const {
  if (!impl_->model->has_id) return std::nullopt;
  return std::string(impl_->model->id);
}
std::string_view Workflow::schema_version() const noexcept { return impl_->model->meta_version; }
std::string_view Workflow::migrated_from() const noexcept { return impl_->model->migrated_from; }
std::size_t Workflow::node_count() const noexcept { return impl_->model->nodes.size(); }
std::size_t Workflow::edge_count() const noexcept { return impl_->model->edges.size(); }
const std::vector<Diagnostic>& Workflow::warnings() const noexcept { return impl_->model->warnings; }
const std::vector<WorkflowInput>& Workflow::inputs() const noexcept { return impl_->inputs; }
const detail::WorkflowModel& Workflow::model() const noexcept { return *impl_->model; }
const NodeTemplates* Workflow::templates() const noexcept { return impl_->templates.get(); }

void Workflow::apply_templates(std::shared_ptr<const NodeTemplates> templates) {
  impl_->templates = std::move(templates);
  impl_->build_inputs();
}

Result<const WorkflowInput*> Workflow::get_input(int index) const {
  if (index < 0 || static_cast<std::size_t>(index) >= impl_->inputs.size())
    return fail(ErrorCode::not_found,
                "no input " + std::to_string(index) + ": the workflow has " +
                    std::to_string(impl_->inputs.size()) + " inputs (0.." +
                    std::to_string(static_cast<long>(impl_->inputs.size()) - 1) + ")",
                std::to_string(index));
  return &impl_->inputs[static_cast<std::size_t>(index)];
}

Result<const WorkflowInput*> Workflow::find_input(std::string_view ref) const {
  const auto& inputs = impl_->inputs;
  if (ref.empty()) return fail(ErrorCode::invalid_argument, "empty input reference", "");
  if (std::all_of(ref.begin(), ref.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    if (ref.size() > 9) return get_input(-1);
    return get_input(std::stoi(std::string(ref)));
  }
  // node_id.field_name (node ids may contain dots: split at the last one)
  if (auto dot = ref.rfind('.'); dot != std::string_view::npos) {
    const std::string_view node_id = ref.substr(0, dot), field = ref.substr(dot + 1);
    for (const auto& in : inputs)
      if (in.node_id == node_id && in.field_name == field) return &in;
  }
  // Three tiers, the first with any hit decides: label or title exactly, then ignoring case,
  // then the bare field name (so "cfg_scale" keeps working after templates retitle it "CFG Scale").
  enum class Tier { exact, folded, field_name };
  auto match = [&](Tier tier) -> std::vector<const WorkflowInput*> {
    const bool fold = tier == Tier::folded;
    auto eq = [&](std::string_view a) {
      if (a.size() != ref.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i) {
        const char x = fold ? static_cast<char>(std::tolower(static_cast<unsigned char>(a[i]))) : a[i];
        const char y = fold ? static_cast<char>(std::tolower(static_cast<unsigned char>(ref[i]))) : ref[i];
        if (x != y) return false;
      }
      return true;
    };
    std::vector<const WorkflowInput*> hits;
    std::set<FieldKey> seen;
    for (const auto& in : inputs) {
      const bool hit = tier == Tier::field_name ? eq(in.field_name) : (eq(in.label) || eq(in.title));
      if (hit && seen.insert({in.node_id, in.field_name}).second) hits.push_back(&in);
    }
    return hits;
  };
  for (Tier tier : {Tier::exact, Tier::folded, Tier::field_name}) {
    auto hits = match(tier);
    if (hits.size() == 1) return hits.front();
    if (hits.size() > 1) {
      std::string list;
      for (const auto* h : hits)
        list += (list.empty() ? "" : ", ") + std::to_string(h->index) + " (" + h->node_id + "." +
                h->field_name + ")";
      return fail(ErrorCode::invalid_argument,
                  "'" + std::string(ref) + "' matches several inputs: " + list +
                      "; use an index or node_id.field_name",
                  std::string(ref));
    }
  }
  // A node field that is not in the form is still a valid target for node_id.field_name? No:
  // only form inputs are settable, as in the GUI's form and the Python client.
  return fail(ErrorCode::not_found,
              "no input '" + std::string(ref) +
                  "'; refer to inputs by index, label or node_id.field_name (see `ivk inputs`)",
              std::string(ref));
}

Result<std::string> Workflow::value_from_text(const WorkflowInput& input, std::string_view text) const {
  auto json = detail::value_from_text(input, text);
  if (!json) return json;
  return detail::check_value(input, *json);
}

Status Workflow::validate_value(const WorkflowInput& input, std::string_view json_value) const {
  auto r = detail::check_value(input, json_value);
  if (!r) return tl::unexpected(r.error());
  return {};
}

namespace {
Status check_settable(const WorkflowModel& m, const WorkflowInput& in) {
  const detail::Node* node = m.node(in.node_id);
  if (node == nullptr)
    return fail(ErrorCode::invalid_workflow,
                detail::describe_input(in) + ": its node is not in the workflow, so it cannot be set",
                in.jsonpath());
  if (node->input(in.field_name) == nullptr && !node->has_inputs_object)
    return fail(ErrorCode::invalid_workflow,
                detail::describe_input(in) + ": its node has no \"inputs\" object to hold a value",
                in.jsonpath());
  return {};
}
}  // namespace

Status Workflow::set_many(const std::vector<std::pair<std::string, std::string>>& ref_and_text) {
  std::vector<std::pair<FieldKey, std::string>> staged;
  for (const auto& [ref, text] : ref_and_text) {
    auto in = find_input(ref);
    if (!in) return tl::unexpected(in.error());
    if (auto s = check_settable(*impl_->model, **in); !s) return s;
    auto json = value_from_text(**in, text);
    if (!json) return tl::unexpected(json.error());
    staged.push_back({{(*in)->node_id, (*in)->field_name}, std::move(*json)});
  }
  for (auto& [key, json] : staged) impl_->overrides[key] = std::move(json);
  impl_->refresh_values();
  return {};
}

Status Workflow::set_from_text(std::string_view ref, std::string_view text) {
  return set_many({{std::string(ref), std::string(text)}});
}

Status Workflow::set_json(std::string_view ref, std::string_view json_value) {
  auto in = find_input(ref);
  if (!in) return tl::unexpected(in.error());
  if (auto s = check_settable(*impl_->model, **in); !s) return s;
  auto checked = detail::check_value(**in, json_value);
  if (!checked) return tl::unexpected(checked.error());
  impl_->overrides[{(*in)->node_id, (*in)->field_name}] = std::move(*checked);
  impl_->refresh_values();
  return {};
}

Status Workflow::set_node_values_json(
    const std::vector<std::tuple<std::string, std::string, std::string>>& node_field_json) {
  std::vector<std::pair<FieldKey, std::string>> staged;
  for (const auto& [node_id, field, json] : node_field_json) {
    const detail::Node* node = impl_->model->node(node_id);
    const std::string where = "$.nodes[?(@.id='" + node_id + "')].data.inputs." + field;
    if (node == nullptr)
      return fail(ErrorCode::not_found, "no node '" + node_id + "' in the workflow", where);
    if (node->input(field) == nullptr && !node->has_inputs_object)
      return fail(ErrorCode::invalid_workflow, "node '" + node_id + "' has no \"inputs\" object", where);
    if (auto s = detail::validate_json_syntax(json); !s)
      return fail(ErrorCode::invalid_argument, "value is not valid JSON: " + json, where);
    const std::string_view trimmed = json;
    staged.push_back(
        {{node_id, field},
         !trimmed.empty() && (trimmed.front() == '{' || trimmed.front() == '[') ? minify_json(json) : json});
  }
  for (auto& [key, json] : staged) impl_->overrides[key] = std::move(json);
  impl_->refresh_values();
  return {};
}

std::vector<std::tuple<std::string, std::string, std::string>> Workflow::changed_values() const {
  std::vector<std::tuple<std::string, std::string, std::string>> out;
  for (const auto& [key, json] : impl_->overrides) out.emplace_back(key.first, key.second, json);
  return out;
}

Status Workflow::set_int(std::string_view ref, std::int64_t value) {
  return set_json(ref, std::to_string(value));
}
Status Workflow::set_float(std::string_view ref, double value) {
  // JSON has no NaN or infinity; written as null they would silently clear the value.
  if (!std::isfinite(value)) {
    auto in = find_input(ref);
    if (!in) return tl::unexpected(in.error());
    return fail(ErrorCode::invalid_argument, detail::describe_input(**in) + ": expects a finite number",
                (*in)->jsonpath());
  }
  std::string s;
  detail::append_json_number(s, value);
  return set_json(ref, s);
}
Status Workflow::set_bool(std::string_view ref, bool value) {
  return set_json(ref, value ? "true" : "false");
}
Status Workflow::set_string(std::string_view ref, std::string_view value) {
  auto in = find_input(ref);
  if (!in) return tl::unexpected(in.error());
  // Boards and images are named by strings too; everything else gets a JSON string.
  if ((*in)->kind == FieldKind::board || (*in)->kind == FieldKind::image) return set_from_text(ref, value);
  return set_json(ref, detail::json_string(value));
}

void Workflow::reset_values() {
  impl_->overrides.clear();
  impl_->refresh_values();
}

std::optional<std::string_view> Workflow::value_of(std::size_t node_index, std::string_view field) const {
  const auto& nodes = impl_->model->nodes;
  if (node_index >= nodes.size()) return std::nullopt;
  return impl_->current_value(&nodes[node_index], field);
}

std::optional<std::string_view> Workflow::value_of_input(std::size_t node_index,
                                                         std::size_t input_index) const {
  const auto& nodes = impl_->model->nodes;
  if (node_index >= nodes.size() || input_index >= nodes[node_index].inputs.size()) return std::nullopt;
  const detail::Node& node = nodes[node_index];
  const detail::InputField& in = node.inputs[input_index];
  if (!impl_->overrides.empty()) {
    auto it = impl_->overrides.find(std::pair<std::string_view, std::string_view>(node.id, in.name));
    if (it != impl_->overrides.end()) return std::string_view(it->second);
  }
  if (!in.has_value) return std::nullopt;
  return in.value.in(impl_->model->text);
}

std::vector<std::pair<std::string_view, std::string_view>> Workflow::added_values(
    std::size_t node_index) const {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  const auto& nodes = impl_->model->nodes;
  if (node_index >= nodes.size() || impl_->overrides.empty()) return out;
  const detail::Node& node = nodes[node_index];
  // Overrides are ordered by (node id, field): this node's entries are one contiguous run.
  for (auto it = impl_->overrides.lower_bound(std::pair<std::string_view, std::string_view>(node.id, ""));
       it != impl_->overrides.end() && it->first.first == node.id; ++it)
    if (node.input(it->first.second) == nullptr) out.emplace_back(it->first.second, it->second);
  return out;
}

std::string Workflow::to_json() const {
  const WorkflowModel& m = *impl_->model;
  if (impl_->overrides.empty()) return m.text;
  struct Edit {
    std::size_t offset;
    std::size_t length;
    std::string text;
    std::size_t order;
  };
  std::vector<Edit> edits;
  std::map<std::size_t, bool> inputs_object_empty;  // node index -> still empty while inserting
  std::size_t order = 0;
  for (const auto& [key, json] : impl_->overrides) {
    const detail::Node* node = m.node(key.first);
    if (node == nullptr) continue;
    const detail::InputField* in = node->input(key.second);
    if (in != nullptr && in->has_value) {
      edits.push_back({in->value.offset, in->value.length, json, order++});
    } else if (in != nullptr) {
      edits.push_back(
          {in->insert_at, 0, (in->object_empty ? "" : ", ") + std::string("\"value\": ") + json, order++});
    } else if (node->has_inputs_object) {
      auto [it, fresh] = inputs_object_empty.try_emplace(node->position, node->inputs_empty);
      const bool empty = it->second;
      it->second = false;
      const std::string name = detail::json_string(key.second);
      edits.push_back({node->inputs_insert_at, 0,
                       (empty ? "" : ", ") + name + ": {\"name\": " + name +
                           ", \"label\": \"\", \"value\": " + json + "}",
                       order++});
    }
  }
  std::stable_sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.order < b.order;
  });
  std::string out;
  out.reserve(m.text.size() + 256);
  std::size_t pos = 0;
  for (const auto& e : edits) {
    out.append(m.text, pos, e.offset - pos);
    out += e.text;
    pos = e.offset + e.length;
  }
  out.append(m.text, pos, std::string::npos);
  return out;
}

Status Workflow::save(const std::filesystem::path& path) const {
  return write_file_atomically(path, to_json());
}

}  // namespace ivk
