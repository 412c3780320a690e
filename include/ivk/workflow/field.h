#pragma once
// What kind of value a workflow input holds, and the rules a new value must follow.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ivk {

enum class FieldKind {
  string,
  integer,
  float_number,
  boolean,
  enumeration,  // a string from a fixed list of choices (schedulers, modes, ...)
  model,        // a ModelIdentifierField {key, hash, name, base, type[, submodel_type]}
  board,        // "auto", "none" or {"board_id": ...}
  image,        // {"image_name": ...}
  color,        // {"r","g","b","a"}
  collection,   // a JSON array
  json,         // any other structured value (latents, conditioning, generators, dicts)
};

// Stable name used in JSON output and tables: "string", "integer", "float", "boolean", "enum",
// "model", "board", "image", "color", "collection", "json".
std::string_view to_string(FieldKind kind) noexcept;

struct FieldConstraints {
  std::optional<double> minimum;
  std::optional<double> maximum;
  std::optional<double> exclusive_minimum;
  std::optional<double> exclusive_maximum;
  std::optional<double> multiple_of;
  std::optional<std::size_t> min_length;  // strings: characters; collections: items
  std::optional<std::size_t> max_length;
  std::vector<std::string> choices;      // enumeration choices, in template order
  std::vector<std::string> model_bases;  // model fields: accepted bases (ui_model_base), empty = any
  std::vector<std::string> model_types;  // model fields: accepted types (ui_model_type), empty = any
  std::optional<FieldKind> item_kind;    // collections: kind of one item, when known
};

}  // namespace ivk
