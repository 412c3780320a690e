#include "ivk/client/run_manifest.h"

#include "core/json_read.h"
#include "core/json_write.h"

namespace ivk {

Result<std::vector<FieldValue>> parse_field_values(std::string_view field_values_json) {
  std::vector<FieldValue> out;
  if (field_values_json.empty() || field_values_json == "null") return out;
  simdjson::dom::parser parser;
  auto doc = parse_json(parser, field_values_json, "the queue item's field_values");
  if (!doc) return tl::unexpected(doc.error());
  simdjson::dom::array values;
  if (doc->get_array().get(values) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "field_values is not an array", "$.field_values");
  std::size_t i = 0;
  for (simdjson::dom::element entry : values) {
    simdjson::dom::object o;
    simdjson::dom::element value;
    if (entry.get_object().get(o) != simdjson::SUCCESS || o.at_key("value").get(value) != simdjson::SUCCESS)
      return fail(ErrorCode::parse_error, "field_values entry is not an object with a value",
                  "$.field_values[" + std::to_string(i) + "]");
    out.push_back({string_member(o, "node_path"), string_member(o, "field_name"), simdjson::minify(value)});
    ++i;
  }
  return out;
}

std::string to_json(const RunManifest& manifest) {
  using detail::append_json_string;
  std::string out = "{\"workflow\":";
  append_json_string(out, manifest.workflow);
  out += ",\"server\":";
  append_json_string(out, manifest.server);
  out += ",\"batch_id\":";
  append_json_string(out, manifest.batch_id);
  out += ",\"items\":[";
  bool first_item = true;
  for (const auto& item : manifest.items) {
    out += first_item ? "\n" : ",\n";
    first_item = false;
    out += "{\"item_id\":" + std::to_string(item.item_id) + ",\"status\":";
    append_json_string(out, item.status);
    out += ",\"inputs\":{";
    bool first = true;
    for (const auto& [name, value] : item.inputs) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, name);
      out += ':';
      out += value;
    }
    out += "},\"images\":[";
    first = true;
    for (const auto& image : item.images) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, image);
    }
    out += ']';
    if (item.error_type) {
      out += ",\"error_type\":";
      append_json_string(out, *item.error_type);
    }
    if (item.error_message) {
      out += ",\"error_message\":";
      append_json_string(out, *item.error_message);
    }
    out += '}';
  }
  out += "\n]}\n";
  return out;
}

}  // namespace ivk
