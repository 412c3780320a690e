#pragma once
// One form input of a workflow, as discovered by the form walk (see Workflow::inputs()).

#include <optional>
#include <string>

#include "ivk/workflow/field.h"

namespace ivk {

struct WorkflowInput {
  // Position in the depth-first pre-order walk of the form: identical to invokeai-py-client's index.
  int index = 0;
  // The raw field label exactly as invokeai-py-client reports it: the export's "label"
  // (usually ""), or the field name when the key is absent.
  std::string label;
  // The best human label: the field label, else the template title, else the field name.
  std::string title;
  std::string node_id;
  std::string field_name;
  std::string node_type;  // data.type, "unknown" when the node is missing
  std::string node_name;  // node label, else node type
  std::string description;
  FieldKind kind = FieldKind::string;
  bool typed_from_template = false;  // kind and constraints come from a node template
  FieldConstraints constraints;
  // The current value as compact JSON text; nullopt when the input has no value.
  std::optional<std::string> value_json;
  bool required = false;   // template orig_required (always false without templates, like the Python client)
  bool connected = false;  // an edge feeds this input, so its literal value is not sent

  // "$.nodes[?(@.id='<node_id>')].data.inputs.<field_name>", the Python client's drift key.
  [[nodiscard]] std::string jsonpath() const;
};

}  // namespace ivk
