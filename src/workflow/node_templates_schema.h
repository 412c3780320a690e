#pragma once
// Private: turns one OpenAPI property schema of an InvokeAI invocation (or output) into a
// FieldKind, constraints and a type name. Kept apart from node_templates.cpp so the schema
// rules (anyOf, $ref, ui_type hints) read in one place.

#include <string>
#include <string_view>
#include <unordered_map>

#include <simdjson.h>

#include "ivk/workflow/field.h"

namespace ivk::detail {

// components.schemas by name, so that $ref lookups are O(1) instead of a scan of ~500 keys.
using SchemaIndex = std::unordered_map<std::string_view, simdjson::dom::element>;

struct ResolvedField {
  FieldKind kind = FieldKind::json;
  FieldConstraints constraints;
  bool nullable = false;             // anyOf has a {"type":"null"} branch
  bool is_collection = false;        // the chosen branch is an array
  bool also_scalar_or_list = false;  // anyOf offers both a scalar and an array (e.g. cfg_scale)
  std::string type_name;             // $ref'd schema name ("ImageField"), item type for arrays, or JSON type
};

// Resolves a property schema. For anyOf with several non-null branches the first non-array
// branch decides the kind (cfg_scale: number | number[] is a float); also_scalar_or_list says so.
ResolvedField resolve_field(const simdjson::dom::element& property, const SchemaIndex& schemas);

// Compact JSON text of a value. Doubles keep a fraction ("0.0", not "0") so a float default
// reads back as a float, as Python's json writes it; other numbers use the shortest text.
std::string compact_json(const simdjson::dom::element& value);

// "tile_size" -> "Tile Size": the title the GUI shows for a field whose schema has none.
std::string start_case(std::string_view name);

}  // namespace ivk::detail
