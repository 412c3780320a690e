#pragma once
// The parsed form of a workflow document (private to ivk).
//
// The document text is kept; nodes, edges and the form are indexed with byte spans into it,
// so builders copy values verbatim (numbers keep their exact text) and edits are splices.

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ivk/workflow.h"

namespace ivk::detail {

struct Span {
  std::size_t offset = 0;
  std::size_t length = 0;
  [[nodiscard]] std::string_view in(const std::string& text) const {
    return std::string_view(text).substr(offset, length);
  }
};

struct InputField {
  std::string name;   // the key in data.inputs
  std::string label;  // "label", "" when absent
  bool has_label = false;
  std::string description;
  bool has_value = false;
  Span value;  // raw JSON of "value" when has_value
  // Where to insert a new ` "value": X` member when has_value is false: right after the last
  // member of the input object (needs a leading comma) or right after "{" when it is empty.
  std::size_t insert_at = 0;
  bool object_empty = false;
};

struct Node {
  std::size_t position = 0;  // index in the "nodes" array
  std::string id;
  std::string kind;                // node "type": "invocation", "notes", "connector", ...
  std::string type;                // data.type: the invocation type ("l2i", "string", ...)
  std::string label;               // data.label
  std::string version;             // data.version
  bool is_intermediate = true;     // data.isIntermediate (GUI default true)
  bool use_cache = true;           // data.useCache (GUI default true)
  std::vector<InputField> inputs;  // document order
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
  std::string id;
  std::string type;  // "default" or "collapsed" ("default" when absent)
  std::string source;
  std::string source_handle;
  std::string target;
  std::string target_handle;
};

struct FormElement {
  std::string id;
  std::string type;  // "container", "node-field", "heading", "text", "divider", ...
  std::vector<std::string> children;
  bool has_field_identifier = false;
  std::string node_id;
  std::string field_name;
};

struct WorkflowModel {
  std::string text;  // document bytes (after migration, if one was needed)
  std::string source_name;
  std::string name;
  bool has_id = false;
  std::string id;
  std::string meta_version;
  std::string meta_category;
  std::string migrated_from;
  std::vector<Node> nodes;
  std::unordered_map<std::string, std::size_t> node_by_id;  // id -> index into nodes
  std::vector<Edge> edges;
  bool has_form = false;
  std::string form_root;  // rootElementId, "root" when absent
  std::unordered_map<std::string, FormElement> form_elements;
  std::vector<std::pair<std::string, std::string>> exposed_fields;  // (nodeId, fieldName)
  // The form's node fields in input-index order (node_id, field_name), from the form walk.
  std::vector<std::pair<std::string, std::string>> form_fields;
  std::vector<Diagnostic> warnings;

  [[nodiscard]] const Node* node(std::string_view id_) const {
    auto it = node_by_id.find(std::string(id_));
    return it == node_by_id.end() ? nullptr : &nodes[it->second];
  }
};

}  // namespace ivk::detail
