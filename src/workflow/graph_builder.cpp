// Workflow -> graph. The GUI style follows the web UI's buildNodesGraph;
// the pyclient style reproduces invokeai-py-client 1.1's submit_sync payload for scripts
// that compare against it. Values are copied from the document text, so numbers keep their
// exact spelling.
#include "ivk/workflow/graph.h"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/json_write.h"
#include "core/uuid.h"
#include "ivk/json_text.h"
#include "ivk/workflow/node_templates.h"
#include "ivk/workflow/workflow.h"
#include "workflow/graph_nodes.h"
#include "workflow/value_rules.h"
#include "workflow/workflow_access.h"
#include "workflow/workflow_model.h"

namespace ivk {

using detail::Node;
using detail::WorkflowModel;

namespace {

bool is_container(std::string_view v) { return !v.empty() && (v.front() == '{' || v.front() == '['); }

void append_value(std::string& out, std::string_view raw) {
  if (is_container(raw))
    out += minify_json(raw);
  else
    out += raw;
}

std::string_view unquote(std::string_view json_string) {
  if (json_string.size() >= 2 && json_string.front() == '"' && json_string.back() == '"')
    return json_string.substr(1, json_string.size() - 2);
  return {};
}

// Views into the (immutable) workflow model: building a graph copies no ids.
// {"source":{"node_id","field"},"destination":{"node_id","field"}}, the server's Edge.
void append_edge(std::string& out, std::string_view source, std::string_view source_field,
                 std::string_view target, std::string_view target_field) {
  out += "{\"source\":{\"node_id\":";
  detail::append_json_string(out, source);
  out += ",\"field\":";
  detail::append_json_string(out, source_field);
  out += "},\"destination\":{\"node_id\":";
  detail::append_json_string(out, target);
  out += ",\"field\":";
  detail::append_json_string(out, target_field);
  out += "}}";
}

struct GraphEdge {
  std::string_view source, source_field, target, target_field;
  bool operator<(const GraphEdge& o) const {
    return std::tie(source, source_field, target, target_field) <
           std::tie(o.source, o.source_field, o.target, o.target_field);
  }
};

// Follows a connector chain backwards to the invocation that feeds it (resolveConnectorSource).
// Returns false for dead ends and cycles.
bool resolve_connector_source(const WorkflowModel& m, std::string_view connector_id,
                              std::string_view& node_id, std::string_view& field) {
  std::unordered_set<std::string_view> seen;
  std::string_view current = connector_id;
  while (true) {
    if (!seen.insert(current).second) return false;
    const detail::Edge* incoming = nullptr;
    for (const auto& e : m.edges)
      if (e.type == "default" && e.target == current && e.target_handle == "in") {
        incoming = &e;
        break;
      }
    if (incoming == nullptr) return false;
    const Node* src = m.node(incoming->source);
    if (src == nullptr) return false;
    if (src->kind == "connector") {
      current = src->id;
      continue;
    }
    if (src->kind != "invocation") return false;
    node_id = src->id;
    field = incoming->source_handle;
    return true;
  }
}

Result<std::string> build_gui_graph(const Workflow& wf, const GraphOptions& options,
                                    const NodeTemplates* templates) {
  const WorkflowModel& m = detail::WorkflowAccess::model(wf);
  // 1. Which nodes are executable graph nodes (by position in the nodes array).
  std::vector<bool> kept_at(m.nodes.size(), false);
  for (const auto& node : m.nodes) {
    if (node.kind != "invocation") continue;
    if (detail::is_batch_node(node.type) || detail::is_generator_node(node.type)) continue;
    if (templates != nullptr && templates->find(node.type) == nullptr)
      continue;  // the GUI skips unknown types
    kept_at[node.position] = true;
  }
  auto kept = [&](std::string_view id) {
    const Node* n = m.node(id);
    return n != nullptr && kept_at[n->position];
  };
  // 2. Edges: default only, connectors flattened, deduplicated, in document order.
  std::vector<GraphEdge> edges;
  std::set<GraphEdge> seen;  // few edges: an ordered set of views is cheap enough
  // Per node position, the inputs an edge feeds (a handful at most: scanned, not hashed).
  std::vector<std::vector<std::string_view>> connected(m.nodes.size());
  for (const auto& e : m.edges) {
    if (e.type != "default" || e.source_handle.empty() || e.target_handle.empty()) continue;
    const Node* target = m.node(e.target);
    if (target == nullptr || !kept_at[target->position]) continue;
    const Node* src = m.node(e.source);
    if (src == nullptr) continue;
    GraphEdge g{e.source, e.source_handle, e.target, e.target_handle};
    if (src->kind == "connector") {
      if (!resolve_connector_source(m, src->id, g.source, g.source_field)) continue;
      if (!kept(g.source)) continue;
    } else if (!kept_at[src->position]) {
      continue;  // from batch/generator nodes (their values travel in batch.data) or dropped nodes
    }
    if (!seen.insert(g).second) continue;
    connected[target->position].push_back(g.target_field);
    edges.push_back(std::move(g));
  }
  // 3. Nodes.
  std::string out;
  out.reserve(m.text.size() / 2);
  out += "{\"id\":";
  detail::append_json_string(out, options.graph_id.empty() ? detail::uuid4() : options.graph_id);
  out += ",\"nodes\":{";
  bool first_node = true;
  for (const auto& node : m.nodes) {
    if (!kept_at[node.position]) continue;
    const auto& fed = connected[node.position];
    const NodeTemplate* tmpl = templates != nullptr ? templates->find(node.type) : nullptr;
    if (!first_node) out.push_back(',');
    first_node = false;
    detail::append_json_string(out, node.id);
    out += ":{\"type\":";
    detail::append_json_string(out, node.type);
    out += ",\"id\":";
    detail::append_json_string(out, node.id);
    for (std::size_t input_index = 0; input_index < node.inputs.size(); ++input_index) {
      const detail::InputField& input = node.inputs[input_index];
      if (std::find(fed.begin(), fed.end(), input.name) != fed.end())
        continue;  // an edge feeds it: never a literal
      const InputTemplate* in_tmpl = tmpl != nullptr ? tmpl->input(input.name) : nullptr;
      if (tmpl != nullptr && in_tmpl == nullptr && !tmpl->accepts_extra_inputs) continue;
      const bool is_board = in_tmpl != nullptr ? in_tmpl->kind == FieldKind::board : input.name == "board";
      auto value = detail::WorkflowAccess::value_of_input(wf, node.position, input_index);
      if (is_board) {
        const std::string_view board = value ? unquote(*value) : std::string_view("auto");
        const bool auto_board = !value || *value == "null" || board == "auto";
        if (auto_board) {
          if (options.auto_board.empty() || options.auto_board == "none") continue;
          out += ",\"board\":{\"board_id\":";
          detail::append_json_string(out, options.auto_board);
          out += "}";
          continue;
        }
        if (board == "none") continue;
        if (!board.empty()) {  // a bare board id string: send it as the GUI's BoardField
          out += ",\"board\":{\"board_id\":";
          detail::append_json_string(out, board);
          out += "}";
          continue;
        }
      }
      if (!value) continue;
      out.push_back(',');
      detail::append_json_string(out, input.name);
      out.push_back(':');
      const bool is_image = in_tmpl != nullptr ? in_tmpl->kind == FieldKind::image : input.name == "image";
      if (is_image && !unquote(*value).empty()) {
        out += "{\"image_name\":";
        out += *value;
        out += "}";
      } else {
        append_value(out, *value);
      }
    }
    // Values set on fields the export did not have (the Python client adds them too).
    for (const auto& [field, value] : detail::WorkflowAccess::added_values(wf, node.position)) {
      if (std::find(fed.begin(), fed.end(), field) != fed.end()) continue;
      if (tmpl != nullptr && tmpl->input(field) == nullptr && !tmpl->accepts_extra_inputs) continue;
      out.push_back(',');
      detail::append_json_string(out, field);
      out.push_back(':');
      append_value(out, value);
    }
    out += ",\"use_cache\":";
    out += node.use_cache ? "true" : "false";
    out += ",\"is_intermediate\":";
    out += node.is_intermediate ? "true" : "false";
    out += "}";
  }
  out += "},\"edges\":[";
  bool first_edge = true;
  for (const auto& e : edges) {
    if (!first_edge) out.push_back(',');
    first_edge = false;
    append_edge(out, e.source, e.source_field, e.target, e.target_field);
  }
  out += "]}";
  return out;
}

// invokeai-py-client 1.1: every node but notes, every literal (connected ones too), edges unfiltered.
Result<std::string> build_pyclient_graph(const Workflow& wf, const GraphOptions& options) {
  const WorkflowModel& m = detail::WorkflowAccess::model(wf);
  detail::NodeFieldSet exposed_models;
  for (const auto& in : wf.inputs())
    if (in.kind == FieldKind::model) exposed_models.insert({in.node_id, in.field_name});
  std::string out;
  out += "{\"id\":";
  detail::append_json_string(out, options.graph_id.empty() ? "workflow" : options.graph_id);
  out += ",\"nodes\":{";
  bool first_node = true;
  for (const auto& node : m.nodes) {
    if (node.id.empty() || node.type == "notes") continue;
    if (!first_node) out.push_back(',');
    first_node = false;
    detail::append_json_string(out, node.id);
    out += ":{\"id\":";
    detail::append_json_string(out, node.id);
    out += ",\"type\":";
    detail::append_json_string(out, node.type);
    out += ",\"is_intermediate\":";
    out += node.is_intermediate ? "true" : "false";
    out += ",\"use_cache\":";
    out += node.use_cache ? "true" : "false";
    for (std::size_t input_index = 0; input_index < node.inputs.size(); ++input_index) {
      const detail::InputField& input = node.inputs[input_index];
      auto value = detail::WorkflowAccess::value_of_input(wf, node.position, input_index);
      if (!value || *value == "null") continue;
      out.push_back(',');
      detail::append_json_string(out, input.name);
      out.push_back(':');
      const std::string_view s = unquote(*value);
      if (input.name == "image" && !s.empty()) {
        out += "{\"image_name\":";
        out += *value;
        out += "}";
      } else if (input.name == "board" && !s.empty()) {
        out += "{\"board_id\":";
        detail::append_json_string(out, s == "auto" ? "none" : s);
        out += "}";
      } else if (exposed_models.contains({std::string_view(node.id), std::string_view(input.name)}) &&
                 value->front() == '{') {
        out += detail::normalize_model_identifier(*value);
      } else {
        append_value(out, *value);
      }
    }
    for (const auto& [field, value] : detail::WorkflowAccess::added_values(wf, node.position)) {
      if (value == "null") continue;
      out.push_back(',');
      detail::append_json_string(out, field);
      out.push_back(':');
      append_value(out, value);
    }
    out += "}";
  }
  out += "},\"edges\":[";
  bool first_edge = true;
  for (const auto& e : m.edges) {
    if (!first_edge) out.push_back(',');
    first_edge = false;
    append_edge(out, e.source, e.source_handle, e.target, e.target_handle);
  }
  out += "]}";
  return out;
}

}  // namespace

Result<std::string> build_graph(const Workflow& workflow, const GraphOptions& options) {
  const NodeTemplates* templates = options.templates != nullptr ? options.templates : workflow.templates();
  if (options.style == GraphStyle::pyclient) return build_pyclient_graph(workflow, options);
  return build_gui_graph(workflow, options, templates);
}

}  // namespace ivk
