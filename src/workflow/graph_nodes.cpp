#include "workflow/graph_nodes.h"

#include <simdjson.h>

#include "core/json_write.h"
#include "ivk/json_text.h"
#include "workflow/value_rules.h"

namespace ivk::detail {

bool is_batch_node(std::string_view type) noexcept {
  return type == "image_batch" || type == "string_batch" || type == "integer_batch" || type == "float_batch";
}

bool is_generator_node(std::string_view type) noexcept {
  return type == "image_generator" || type == "string_generator" || type == "integer_generator" ||
         type == "float_generator";
}

std::string normalize_model_identifier(std::string_view json_object) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object o;
  if (parser.parse(json_object.data(), json_object.size()).get_object().get(o))
    return minify_json(json_object);
  std::string out = "{";
  bool first = true;
  for (const char* k : {"key", "hash", "name", "base", "type", "submodel_type"}) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, k);
    out.push_back(':');
    simdjson::dom::element v;
    if (o.at_key(k).get(v))
      out += "null";
    else
      out += simdjson::minify(v);
  }
  out += "}";
  return out;
}

}  // namespace ivk::detail
