// Output mapping: results + prepared_source_mapping -> images per enqueued node. See output_mapping.h.
#include "ivk/client/output_mapping.h"

#include <array>
#include <map>
#include <set>

#include "core/json_read.h"
#include "ivk/workflow/node_templates.h"
#include "ivk/workflow/workflow.h"

namespace ivk {

namespace {

namespace dom = simdjson::dom;

// invokeai-py-client's fixed list of output node types, plus the GUI's canvas output node.
constexpr std::array<std::string_view, 6> kFallbackOutputTypes = {
    "save_image", "l2i", "flux_vae_decode", "flux_vae_encode", "hed_edge_detection", "canvas_output"};

void add_unique(std::vector<std::string>& names, std::set<std::string>& seen, std::string name) {
  if (name.empty() || !seen.insert(name).second) return;
  names.push_back(std::move(name));
}

// The image names one invocation output carries: "image" or "collection" of image fields.
std::vector<std::string> output_image_names(dom::object output) {
  std::vector<std::string> names;
  dom::object image;
  if (output.at_key("image").get_object().get(image) == simdjson::SUCCESS)
    names.push_back(string_member(image, "image_name"));
  dom::array collection;
  if (output.at_key("collection").get_array().get(collection) == simdjson::SUCCESS)
    for (dom::element item : collection) {
      dom::object o;
      if (item.get_object().get(o) == simdjson::SUCCESS) names.push_back(string_member(o, "image_name"));
    }
  return names;
}

struct GraphNode {
  std::string type = "unknown";
  bool is_intermediate = false;
  std::string board_id = "none";
};

GraphNode read_graph_node(dom::object node) {
  GraphNode out;
  if (auto type = string_member(node, "type"); !type.empty()) out.type = std::move(type);
  out.is_intermediate = bool_member(node, "is_intermediate", false);
  dom::object board;
  if (node.at_key("board").get_object().get(board) == simdjson::SUCCESS)
    if (auto id = string_member(board, "board_id"); !id.empty()) out.board_id = std::move(id);
  return out;
}

}  // namespace

std::span<const std::string_view> fallback_output_node_types() noexcept { return kFallbackOutputTypes; }

bool is_output_node_type(std::string_view type, const NodeTemplates* templates) {
  if (templates != nullptr)
    if (const NodeTemplate* t = templates->find(type)) {
      if (!t->has_board) return false;
      if (t->output_type == "image_output" || t->output_type == "image_collection_output") return true;
      for (const auto& output : t->outputs)
        if (output.type_name == "ImageField") return true;
      return false;
    }
  for (std::string_view known : kFallbackOutputTypes)
    if (known == type) return true;
  return false;
}

Result<ItemImages> map_item_images(std::string_view session_json, const NodeTemplates* templates,
                                   const Workflow* workflow) {
  dom::parser parser;
  auto doc = parse_json(parser, session_json, "the queue item's session");
  if (!doc) return tl::unexpected(doc.error());
  dom::object session;
  if (doc->get_object().get(session) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "the queue item's session is not an object", "$.session");

  // Enqueued node id -> its graph node, in graph order.
  std::vector<std::pair<std::string, GraphNode>> graph_nodes;
  std::map<std::string, std::size_t, std::less<>> node_index;
  dom::object graph;
  dom::object nodes;
  if (session.at_key("graph").get_object().get(graph) == simdjson::SUCCESS &&
      graph.at_key("nodes").get_object().get(nodes) == simdjson::SUCCESS)
    for (auto field : nodes) {
      dom::object node;
      if (field.value.get_object().get(node) != simdjson::SUCCESS)
        return fail(ErrorCode::parse_error, "graph node " + std::string(field.key) + " is not an object",
                    "$.session.graph.nodes");
      node_index.emplace(std::string(field.key), graph_nodes.size());
      graph_nodes.emplace_back(std::string(field.key), read_graph_node(node));
    }

  dom::object mapping;
  const bool has_mapping =
      session.at_key("prepared_source_mapping").get_object().get(mapping) == simdjson::SUCCESS;

  ItemImages out;
  std::set<std::string> seen_all;
  std::vector<std::vector<std::string>> per_node(graph_nodes.size());
  std::vector<std::set<std::string>> per_node_seen(graph_nodes.size());
  dom::element results_element;
  if (session.at_key("results").get(results_element) == simdjson::SUCCESS && !results_element.is_null()) {
    dom::object results;
    if (results_element.get_object().get(results) != simdjson::SUCCESS)
      return fail(ErrorCode::parse_error, "the session's results are not an object", "$.session.results");
    for (auto field : results) {
      dom::object output;
      if (field.value.get_object().get(output) != simdjson::SUCCESS) continue;
      std::string source(field.key);
      if (has_mapping) {
        std::string_view mapped;
        if (mapping.at_key(field.key).get_string().get(mapped) == simdjson::SUCCESS) source = mapped;
      }
      for (auto& name : output_image_names(output)) {
        add_unique(out.all_images, seen_all, name);
        if (auto it = node_index.find(source); it != node_index.end())
          add_unique(per_node[it->second], per_node_seen[it->second], std::move(name));
      }
    }
  }

  std::vector<std::string> fallback_collect;
  std::set<std::string> seen_collect;
  std::set<std::string> seen_fallback;
  for (std::size_t i = 0; i < graph_nodes.size(); ++i) {
    const auto& [id, node] = graph_nodes[i];
    if (!node.is_intermediate)
      for (const auto& name : per_node[i]) add_unique(fallback_collect, seen_fallback, name);
    if (!is_output_node_type(node.type, templates)) continue;
    OutputImages record;
    record.node_id = id;
    record.node_type = node.type;
    record.board_id = node.board_id;
    record.image_names = per_node[i];
    record.tier = record.image_names.empty() ? "none" : "results";
    record.is_intermediate = node.is_intermediate;
    if (workflow != nullptr)
      for (const auto& input : workflow->inputs())
        if (input.node_id == id && input.field_name == "board") {
          record.input_index = input.index;
          record.label = input.label;
          break;
        }
    if (!node.is_intermediate)
      for (const auto& name : record.image_names) add_unique(out.collect, seen_collect, name);
    out.outputs.push_back(std::move(record));
  }
  if (out.collect.empty()) out.collect = std::move(fallback_collect);
  return out;
}

}  // namespace ivk
