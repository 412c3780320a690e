#include "run_settings.h"

#include "core/json_read.h"
#include "core/json_write.h"

namespace ivk::detail {

namespace {

void append_sweeps(std::string& out, const std::vector<SweepGroup>& groups) {
  out += '[';
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (g != 0) out += ',';
    out += '[';
    for (std::size_t d = 0; d < groups[g].data.size(); ++d) {
      const SweepDatum& datum = groups[g].data[d];
      if (d != 0) out += ',';
      out += "{\"input\":";
      detail::append_json_string(out, datum.input);
      out += ",\"items\":[";
      for (std::size_t i = 0; i < datum.items.size(); ++i) {
        if (i != 0) out += ',';
        out += datum.items[i];  // compact JSON already
      }
      out += "]}";
    }
    out += ']';
  }
  out += ']';
}

}  // namespace

std::string settings_to_json(const RunSpec& spec) {
  using detail::append_json_string;
  std::string out = "{\"sweeps\":";
  append_sweeps(out, spec.plan.sweeps);
  out += ",\"inputs_file\":";
  append_json_string(out, spec.plan.inputs_file.empty()
                              ? std::string()
                              : std::filesystem::absolute(spec.plan.inputs_file).string());
  out += ",\"runs\":" + std::to_string(spec.plan.runs);
  out += ",\"board_id\":";
  if (spec.board_id)
    append_json_string(out, *spec.board_id);
  else
    out += "null";
  out += ",\"prepend\":";
  out += spec.prepend ? "true" : "false";
  out += ",\"retries\":" + std::to_string(spec.retries);
  out += ",\"download\":";
  out += spec.download ? "true" : "false";
  out += ",\"name_template\":";
  append_json_string(out, spec.name_template);
  out += ",\"workflow_name\":";
  append_json_string(out, spec.workflow_name);
  out += '}';
  return out;
}

Status settings_from_json(std::string_view json, RunSpec& spec) {
  simdjson::dom::parser parser;
  auto root = parse_object(parser, json, "the run journal's settings");
  if (!root) return tl::unexpected(root.error());
  spec.plan.sweeps.clear();
  simdjson::dom::array groups;
  if ((*root)["sweeps"].get_array().get(groups) == simdjson::SUCCESS) {
    for (simdjson::dom::element group : groups) {
      SweepGroup g;
      simdjson::dom::array data;
      if (group.get_array().get(data) != simdjson::SUCCESS)
        return fail(ErrorCode::parse_error, "a sweep group is not an array", "$.sweeps");
      for (simdjson::dom::element datum : data) {
        simdjson::dom::object o;
        simdjson::dom::array items;
        if (datum.get_object().get(o) != simdjson::SUCCESS ||
            o["items"].get_array().get(items) != simdjson::SUCCESS)
          return fail(ErrorCode::parse_error, "a sweep is not {\"input\", \"items\"}", "$.sweeps");
        SweepDatum d;
        d.input = string_member(o, "input");
        for (simdjson::dom::element item : items) d.items.push_back(simdjson::minify(item));
        g.data.push_back(std::move(d));
      }
      spec.plan.sweeps.push_back(std::move(g));
    }
  }
  const std::string inputs_file = string_member(*root, "inputs_file");
  spec.plan.inputs_file = inputs_file.empty() ? std::filesystem::path() : std::filesystem::path(inputs_file);
  spec.plan.runs = static_cast<int>(int_member(*root, "runs").value_or(1));
  spec.board_id = optional_string_member(*root, "board_id");
  spec.prepend = bool_member(*root, "prepend", false);
  spec.retries = static_cast<int>(int_member(*root, "retries").value_or(1));
  spec.download = bool_member(*root, "download", true);
  spec.name_template = string_member(*root, "name_template");
  spec.workflow_name = string_member(*root, "workflow_name");
  return {};
}

std::string run_difference(const RunSpec& stored, const RunSpec& requested) {
  std::vector<std::string> what;
  if (stored.board_id != requested.board_id) what.emplace_back("the board");
  if (stored.name_template != requested.name_template) what.emplace_back("--name");
  if (stored.download != requested.download) what.emplace_back("--no-download");
  std::string out;
  for (const auto& w : what) out += (out.empty() ? "" : ", ") + w;
  return out;
}

}  // namespace ivk::detail
