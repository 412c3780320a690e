#pragma once
// The parsed form of a workflow document (private to ivk).
//
// The document text is kept; nodes, edges and the form are indexed with byte spans into it,
// so builders copy values verbatim (numbers keep their exact text) and edits are splices.

#include <cstddef>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ivk/workflow/workflow.h"

namespace ivk::detail {

struct Span {
  std::size_t offset = 0;
  std::size_t length = 0;
  [[nodiscard]] std::string_view in(const std::string& text) const {
    return std::string_view(text).substr(offset, length);
  }
};

struct InputField {
  std::string_view name;   // the key in data.inputs
  std::string_view label;  // "label", "" when absent
  bool has_label = false;
  std::string_view description;
  bool has_value = false;
  Span value;  // raw JSON of "value" when has_value
  // Where to insert a new ` "value": X` member when has_value is false: right after the last
  // member of the input object (needs a leading comma) or right after "{" when it is empty.
  std::size_t insert_at = 0;
  bool object_empty = false;
};

struct Node {
  std::size_t position = 0;  // index in the "nodes" array
  std::string_view id;
  std::string_view kind;        // node "type": "invocation", "notes", "connector", ...
  std::string_view type;        // data.type: the invocation type ("l2i", "string", ...)
  std::string_view label;       // data.label
  std::string_view version;     // data.version
  bool is_intermediate = true;  // data.isIntermediate (GUI default true)
  bool use_cache = true;        // data.useCache (GUI default true)
  // This node's inputs in document order: a view into WorkflowModel::input_storage (one flat
  // vector for the whole document, so indexing does not allocate per node).
  std::span<const InputField> inputs;
  std::size_t first_input = 0;
  std::size_t input_count = 0;
  // Where to insert a new input into data.inputs (same rules as InputField::insert_at);
  // has_inputs_object is false when the node has no "inputs" object at all.
  bool has_inputs_object = false;
  std::size_t inputs_insert_at = 0;
  bool inputs_empty = false;

  [[nodiscard]] const InputField* input(std::string_view field) const noexcept {
    for (const auto& in : inputs)
      if (in.name == field) return &in;
    return nullptr;
  }
};

struct Edge {
  std::string_view id;
  std::string_view type;  // "default" or "collapsed" ("default" when absent)
  std::string_view source;
  std::string_view source_handle;
  std::string_view target;
  std::string_view target_handle;
};

struct FormElement {
  std::string_view id;
  std::string_view type;  // "container", "node-field", "heading", "text", "divider", ...
  std::vector<std::string_view> children;
  bool has_field_identifier = false;
  std::string_view node_id;
  std::string_view field_name;
};

// Every string_view in the model points into `text` or into `unescaped`: the model is built
// once, never copied and never changed (it is shared, const, between Workflow copies).
struct WorkflowModel {
  WorkflowModel() = default;
  WorkflowModel(const WorkflowModel&) = delete;
  WorkflowModel& operator=(const WorkflowModel&) = delete;
  std::string text;  // document bytes (after migration, if one was needed)
  std::string source_name;
  std::string_view name;
  bool has_id = false;
  std::string_view id;
  std::string_view meta_version;
  std::string_view meta_category;
  std::string migrated_from;
  std::vector<Node> nodes;
  std::vector<InputField> input_storage;                         // every node's inputs, node after node
  std::unordered_map<std::string_view, std::size_t> node_by_id;  // id -> index into nodes
  std::vector<Edge> edges;
  bool has_form = false;
  std::string_view form_root;  // rootElementId, "root" when absent
  std::unordered_map<std::string_view, FormElement> form_elements;
  std::vector<std::pair<std::string_view, std::string_view>> exposed_fields;  // (nodeId, fieldName)
  // The form's node fields in input-index order (node_id, field_name), from the form walk.
  std::vector<std::pair<std::string_view, std::string_view>> form_fields;
  std::vector<Diagnostic> warnings;
  std::deque<std::string> unescaped;  // strings that had escapes in the text, decoded (stable addresses)

  [[nodiscard]] const Node* node(std::string_view id_) const {
    auto it = node_by_id.find(id_);
    return it == node_by_id.end() ? nullptr : &nodes[it->second];
  }
};

}  // namespace ivk::detail
