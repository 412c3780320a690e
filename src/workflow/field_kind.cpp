#include "ivk/workflow/field.h"

namespace ivk {

std::string_view to_string(FieldKind kind) noexcept {
  switch (kind) {
    case FieldKind::string: return "string";
    case FieldKind::integer: return "integer";
    case FieldKind::float_number: return "float";
    case FieldKind::boolean: return "boolean";
    case FieldKind::enumeration: return "enum";
    case FieldKind::model: return "model";
    case FieldKind::board: return "board";
    case FieldKind::image: return "image";
    case FieldKind::color: return "color";
    case FieldKind::collection: return "collection";
    case FieldKind::json: return "json";
  }
  return "json";  // unreachable for valid enumerators; keeps -Wreturn-type quiet
}

}  // namespace ivk
