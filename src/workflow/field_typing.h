#pragma once
#include <optional>
#include <string_view>

#include "ivk/workflow/field.h"
#include "ivk/workflow/node_templates.h"

namespace ivk::detail {

struct FieldType {
  FieldKind kind = FieldKind::string;
  FieldConstraints constraints;
  bool from_template = false;
  bool required = false;
  std::string title;
  std::string description;
};

// Types a node input: from its template when one is given, else from the field name and the
// exported value like the Python client, minus its bugs (dicts, lists and colors keep their
// own kinds; only the "value" field of a primitive node is typed by the node type, and only
// the numbers of float_math). Without templates the exported text decides, as in Python: a
// float field exported as 1 is an integer, an integer exported as 3.0 a float.
FieldType type_field(std::string_view node_type, std::string_view field_name,
                     std::optional<std::string_view> value_json, const InputTemplate* tmpl);

}  // namespace ivk::detail
