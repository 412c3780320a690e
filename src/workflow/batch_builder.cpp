// The enqueue_batch body as the web UI builds it: graph + workflow (minus its id) + batch.data.
// Sweeps come from two places: the caller's SweepGroups and the workflow's own batch nodes.
#include "ivk/workflow/batch.h"

#include <simdjson.h>

#include <map>
#include <set>

#include "core/json_write.h"
#include "ivk/workflow/workflow.h"
#include "workflow/batch_nodes.h"
#include "workflow/value_rules.h"
#include "workflow/workflow_model.h"

namespace ivk {

namespace {

struct ResolvedDatum {
  std::string node_path;
  std::string field_name;
  std::vector<std::string> items;  // compact JSON
};
using ResolvedGroup = std::vector<ResolvedDatum>;

bool sweepable(FieldKind kind) {
  return kind == FieldKind::string || kind == FieldKind::enumeration || kind == FieldKind::integer ||
         kind == FieldKind::float_number || kind == FieldKind::image;
}

Result<ResolvedGroup> resolve_group(const Workflow& wf, const SweepGroup& group, std::size_t group_index) {
  ResolvedGroup out;
  const std::string where = "sweep group " + std::to_string(group_index);
  for (const auto& datum : group.data) {
    auto input = wf.find_input(datum.input);
    if (!input) return tl::unexpected(input.error());
    const WorkflowInput& in = **input;
    if (!sweepable(in.kind))
      return fail(
          ErrorCode::invalid_argument,
          detail::describe_input(in) + ": a " + std::string(to_string(in.kind)) +
              " input cannot be swept in one batch (the server accepts only strings, numbers and images); "
              "enqueue one batch per value instead",
          where);
    if (in.connected)
      return fail(
          ErrorCode::invalid_argument,
          detail::describe_input(in) + ": an edge feeds this input, so a swept value would be overwritten",
          where);
    if (datum.items.empty())
      return fail(ErrorCode::invalid_argument,
                  detail::describe_input(in) + ": a sweep needs at least one value", where);
    ResolvedDatum r{in.node_id, in.field_name, {}};
    for (const auto& item : datum.items) {
      auto checked = detail::check_value(in, item);
      if (!checked) return tl::unexpected(checked.error());
      if (*checked == "null")
        return fail(ErrorCode::invalid_argument,
                    detail::describe_input(in) + ": a sweep value cannot be null", where);
      r.items.push_back(std::move(*checked));
    }
    if (!out.empty() && out.front().items.size() != r.items.size())
      return fail(ErrorCode::invalid_argument,
                  "zipped sweeps must have the same number of values: " + out.front().node_path + "." +
                      out.front().field_name + " has " + std::to_string(out.front().items.size()) + ", " +
                      r.node_path + "." + r.field_name + " has " + std::to_string(r.items.size()),
                  where);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

Result<std::uint64_t> count_sessions(const BatchOptions& options) {
  if (options.runs < 1) return fail(ErrorCode::invalid_argument, "runs must be at least 1", "runs");
  std::uint64_t total = static_cast<std::uint64_t>(options.runs);
  for (const auto& group : options.sweeps) {
    if (group.data.empty()) continue;
    total *= group.data.front().items.size();
  }
  return total;
}

Result<std::string> build_enqueue_body(const Workflow& workflow, const BatchOptions& options) {
  if (options.runs < 1)
    return fail(ErrorCode::invalid_argument, "runs must be at least 1, got " + std::to_string(options.runs),
                "runs");
  std::vector<ResolvedGroup> groups;
  for (std::size_t i = 0; i < options.sweeps.size(); ++i) {
    if (options.sweeps[i].data.empty()) continue;
    auto g = resolve_group(workflow, options.sweeps[i], i);
    if (!g) return tl::unexpected(g.error());
    groups.push_back(std::move(*g));
  }
  auto node_groups = detail::batch_node_groups(workflow);
  if (!node_groups) return tl::unexpected(node_groups.error());
  for (auto& g : *node_groups) {
    ResolvedGroup rg;
    for (auto& d : g) rg.push_back({std::move(d.node_path), std::move(d.field_name), std::move(d.items)});
    groups.push_back(std::move(rg));
  }
  // The server rejects a (node, field) that appears twice; say so before it does.
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& g : groups)
    for (const auto& d : g)
      if (!seen.insert({d.node_path, d.field_name}).second)
        return fail(ErrorCode::invalid_argument,
                    d.node_path + "." + d.field_name + " is swept more than once", "batch.data");

  auto graph = build_graph(workflow, options.graph);
  if (!graph) return tl::unexpected(graph.error());

  std::string out;
  const std::string workflow_json = options.attach_workflow ? workflow.to_json() : std::string();
  out.reserve(graph->size() + workflow_json.size() + 256);
  out += "{\"prepend\":";
  out += options.prepend ? "true" : "false";
  out += ",\"batch\":{";
  if (!options.batch_id.empty()) {
    out += "\"batch_id\":";
    detail::append_json_string(out, options.batch_id);
    out += ",";
  }
  out += "\"graph\":";
  out += *graph;
  if (options.attach_workflow) {
    // The server stores it (WorkflowWithoutID ignores "id") and embeds it in output images.
    out += ",\"workflow\":";
    out += workflow_json;
  }
  out += ",\"runs\":";
  out += std::to_string(options.runs);
  out += ",\"data\":[";
  for (std::size_t gi = 0; gi < groups.size(); ++gi) {
    if (gi != 0) out.push_back(',');
    out.push_back('[');
    for (std::size_t di = 0; di < groups[gi].size(); ++di) {
      const auto& d = groups[gi][di];
      if (di != 0) out.push_back(',');
      out += "{\"node_path\":";
      detail::append_json_string(out, d.node_path);
      out += ",\"field_name\":";
      detail::append_json_string(out, d.field_name);
      out += ",\"items\":[";
      for (std::size_t k = 0; k < d.items.size(); ++k) {
        if (k != 0) out.push_back(',');
        out += d.items[k];
      }
      out += "]}";
    }
    out.push_back(']');
  }
  out += "]";
  if (!options.origin.empty()) {
    out += ",\"origin\":";
    detail::append_json_string(out, options.origin);
  }
  if (!options.destination.empty()) {
    out += ",\"destination\":";
    detail::append_json_string(out, options.destination);
  }
  out += "}}";
  return out;
}

}  // namespace ivk
