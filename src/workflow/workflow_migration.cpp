// Migrates workflows of schema 1.x and 2.x to 3.0.0 the way the InvokeAI UI does on load:
// input instances keep only {name, label, description, value} (their type information now
// comes from node templates), node outputs and sizes are dropped, everything else is kept.
#include "workflow/workflow_migration.h"

#include <boost/json.hpp>

#include "core/json_write.h"

namespace ivk::detail {
namespace json = boost::json;

namespace {

void write_value(std::string& out, const json::value& v, int depth);

void newline(std::string& out, int depth) {
  out.push_back('\n');
  out.append(static_cast<std::size_t>(depth) * 2, ' ');
}

void write_value(std::string& out, const json::value& v, int depth) {
  switch (v.kind()) {
    case json::kind::null: out += "null"; break;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case json::kind::int64: append_json_number(out, v.get_int64()); break;
    case json::kind::uint64: out += std::to_string(v.get_uint64()); break;
    case json::kind::double_: append_json_number(out, v.get_double()); break;
    case json::kind::string: append_json_string(out, v.get_string()); break;
    case json::kind::array: {
      const auto& a = v.get_array();
      if (a.empty()) {
        out += "[]";
        break;
      }
      out.push_back('[');
      bool first = true;
      for (const auto& item : a) {
        if (!first) out.push_back(',');
        first = false;
        newline(out, depth + 1);
        write_value(out, item, depth + 1);
      }
      newline(out, depth);
      out.push_back(']');
      break;
    }
    case json::kind::object: {
      const auto& o = v.get_object();
      if (o.empty()) {
        out += "{}";
        break;
      }
      out.push_back('{');
      bool first = true;
      for (const auto& member : o) {
        if (!first) out.push_back(',');
        first = false;
        newline(out, depth + 1);
        append_json_string(out, member.key());
        out += ": ";
        write_value(out, member.value(), depth + 1);
      }
      newline(out, depth);
      out.push_back('}');
      break;
    }
  }
}

void migrate_node(json::object& node) {
  node.erase("width");
  node.erase("height");
  auto* data = node.if_contains("data");
  if (data == nullptr || !data->is_object()) return;
  auto& d = data->get_object();
  d.erase("outputs");
  auto* inputs = d.if_contains("inputs");
  if (inputs == nullptr || !inputs->is_object()) return;
  for (auto& member : inputs->get_object()) {
    if (!member.value().is_object()) continue;
    auto& in = member.value().get_object();
    json::object kept;
    kept["name"] = in.contains("name") ? in["name"] : json::value(member.key());
    kept["label"] = in.contains("label") ? in["label"] : json::value("");
    if (in.contains("description")) kept["description"] = in["description"];
    if (in.contains("value")) kept["value"] = in["value"];
    in = std::move(kept);
  }
}

}  // namespace

std::string to_pretty_json(const boost::json::value& v) {
  std::string out;
  write_value(out, v, 0);
  out.push_back('\n');
  return out;
}

Result<std::string> migrate_to_v3(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec || !root.is_object()) return fail(ErrorCode::parse_error, "cannot parse the workflow for migration", "$");
  auto& obj = root.get_object();
  if (auto* nodes = obj.if_contains("nodes"); nodes != nullptr && nodes->is_array()) {
    for (auto& n : nodes->get_array())
      if (n.is_object()) migrate_node(n.get_object());
  }
  if (auto* meta = obj.if_contains("meta"); meta != nullptr && meta->is_object())
    meta->get_object()["version"] = "3.0.0";
  return to_pretty_json(root);
}

}  // namespace ivk::detail
