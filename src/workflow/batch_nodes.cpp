#include "workflow/batch_nodes.h"

#include <simdjson.h>

#include <cmath>
#include <map>
#include <unordered_set>

#include "core/json_write.h"
#include "ivk/workflow/workflow.h"
#include "workflow/graph_nodes.h"
#include "workflow/value_rules.h"
#include "workflow/workflow_access.h"
#include "workflow/workflow_model.h"

namespace ivk::detail {
namespace dom = simdjson::dom;

namespace {

std::string_view collection_input(std::string_view batch_type) {
  if (batch_type == "image_batch") return "images";
  if (batch_type == "string_batch") return "strings";
  if (batch_type == "integer_batch") return "integers";
  return "floats";
}

std::string_view output_handle(std::string_view batch_type) {
  return batch_type == "image_batch" ? "image" : "value";
}

std::string number_text(double v, bool integral) {
  std::string out;
  if (integral)
    append_json_number(out, static_cast<std::int64_t>(std::llround(v)));
  else
    append_json_number(out, v);
  return out;
}

double number_at(dom::object o, const char* key, double fallback) {
  double d = fallback;
  dom::element e;
  if (!o.at_key(key).get(e)) {
    if (e.is_double())
      d = e.get_double().value_unsafe();
    else if (e.is_int64())
      d = static_cast<double>(e.get_int64().value_unsafe());
  }
  return d;
}

// Evaluates a generator node's "generator" value client-side, like the GUI.
Result<std::vector<std::string>> evaluate_generator(const Node& gen, std::string_view value,
                                                    const std::string& where) {
  thread_local dom::parser parser;
  dom::object o;
  if (parser.parse(value.data(), value.size()).get_object().get(o))
    return fail(ErrorCode::invalid_workflow, "generator value is not an object", where);
  std::string_view type;
  if (o.at_key("type").get_string().get(type))
    return fail(ErrorCode::invalid_workflow, "generator value has no \"type\"", where);
  const bool integral = gen.type == "integer_generator";
  std::vector<std::string> items;
  auto ends_with = [&](std::string_view suffix) {
    return type.size() >= suffix.size() && type.substr(type.size() - suffix.size()) == suffix;
  };
  if (ends_with("arithmetic_sequence")) {
    const double start = number_at(o, "start", 0), step = number_at(o, "step", 1);
    const auto count = static_cast<std::int64_t>(number_at(o, "count", 1));
    if (step == 0) return std::vector<std::string>{number_text(start, integral)};
    for (std::int64_t i = 0; i < count && i < 100000; ++i)
      items.push_back(number_text(start + static_cast<double>(i) * step, integral));
    return items;
  }
  if (ends_with("linear_distribution")) {
    const double start = number_at(o, "start", 0), end = number_at(o, "end", 1);
    const auto count = static_cast<std::int64_t>(number_at(o, "count", 1));
    for (std::int64_t i = 0; i < count && i < 100000; ++i) {
      const double t = count > 1 ? static_cast<double>(i) / static_cast<double>(count - 1) : 0.0;
      items.push_back(number_text(start + t * (end - start), integral));
    }
    return items;
  }
  if (ends_with("parse_string")) {
    std::string_view input, split_on = ",";
    if (o.at_key("input").get_string().get(input) != simdjson::SUCCESS) input = {};
    if (o.at_key("splitOn").get_string().get(split_on) != simdjson::SUCCESS) split_on = ",";
    if (split_on.empty()) split_on = ",";
    std::size_t pos = 0;
    while (pos <= input.size()) {
      std::size_t next = input.find(split_on, pos);
      if (next == std::string_view::npos) next = input.size();
      std::string_view part = input.substr(pos, next - pos);
      while (!part.empty() && std::isspace(static_cast<unsigned char>(part.front()))) part.remove_prefix(1);
      while (!part.empty() && std::isspace(static_cast<unsigned char>(part.back()))) part.remove_suffix(1);
      if (!part.empty()) {
        if (gen.type == "string_generator") {
          items.push_back(json_string(part));
        } else {
          char* end = nullptr;
          const std::string s(part);
          const double d = std::strtod(s.c_str(), &end);
          if (end != s.c_str() && *end == '\0' && std::isfinite(d)) items.push_back(number_text(d, integral));
        }
      }
      pos = next + split_on.size();
    }
    return items;
  }
  return fail(ErrorCode::unsupported,
              "generator '" + std::string(type) +
                  "' needs the GUI or a server to evaluate (random values, dynamic prompts, board images); "
                  "replace it with explicit values or a sweep",
              where);
}

const Node* follow_connectors_back(const WorkflowModel& m, const Node* n) {
  std::unordered_set<std::string_view> seen;
  while (n != nullptr && n->kind == "connector") {
    if (!seen.insert(n->id).second) return nullptr;
    const Node* next = nullptr;
    for (const auto& e : m.edges)
      if (e.type == "default" && e.target == n->id && e.target_handle == "in") next = m.node(e.source);
    n = next;
  }
  return n;
}

// Invocation inputs reached from (source, handle), following connectors forward.
void collect_targets(const WorkflowModel& m, std::string_view source, std::string_view handle,
                     std::vector<std::pair<std::string_view, std::string_view>>& out,
                     std::unordered_set<std::string_view>& seen) {
  for (const auto& e : m.edges) {
    if (e.type != "default" || e.source != source || e.source_handle != handle) continue;
    const Node* t = m.node(e.target);
    if (t == nullptr) continue;
    if (t->kind == "connector") {
      if (seen.insert(t->id).second) collect_targets(m, t->id, "out", out, seen);
    } else if (t->kind == "invocation" && !is_batch_node(t->type) && !is_generator_node(t->type)) {
      out.emplace_back(e.target, e.target_handle);
    }
  }
}

}  // namespace

Result<std::vector<std::vector<BatchNodeDatum>>> batch_node_groups(const Workflow& workflow) {
  const WorkflowModel& m = detail::WorkflowAccess::model(workflow);
  std::vector<std::vector<BatchNodeDatum>> groups;
  std::map<std::string, std::size_t> named;  // batch_group_id -> index in groups
  for (const auto& node : m.nodes) {
    if (node.kind != "invocation" || !is_batch_node(node.type)) continue;
    const std::string where = "$.nodes[" + std::to_string(node.position) + "]";
    const std::string input_name(collection_input(node.type));
    std::vector<std::string> items;
    const Node* generator = nullptr;
    for (const auto& e : m.edges)
      if (e.type == "default" && e.target == node.id && e.target_handle == input_name)
        generator = follow_connectors_back(m, m.node(e.source));
    if (generator != nullptr && is_generator_node(generator->type)) {
      auto gv = detail::WorkflowAccess::value_of(workflow, generator->position, "generator");
      if (!gv)
        return fail(ErrorCode::invalid_workflow,
                    "generator node '" + std::string(generator->id) + "' has no value", where);
      auto evaluated =
          evaluate_generator(*generator, *gv, "$.nodes[" + std::to_string(generator->position) + "]");
      if (!evaluated) return tl::unexpected(evaluated.error());
      items = std::move(*evaluated);
    } else if (auto v = detail::WorkflowAccess::value_of(workflow, node.position, input_name)) {
      thread_local dom::parser parser;
      dom::array arr;
      if (parser.parse(v->data(), v->size()).get_array().get(arr))
        return fail(ErrorCode::invalid_workflow, "batch items are not an array",
                    where + ".data.inputs." + input_name);
      for (dom::element item : arr) items.push_back(simdjson::minify(item));
    }
    std::vector<std::pair<std::string_view, std::string_view>> targets;
    std::unordered_set<std::string_view> seen;
    collect_targets(m, node.id, output_handle(node.type), targets, seen);
    if (targets.empty()) continue;  // not wired to anything: nothing to vary
    if (items.empty())
      return fail(ErrorCode::invalid_workflow,
                  "batch node '" + std::string(node.id) + "' has no items (the GUI refuses to enqueue it)",
                  where);
    std::string group_id = "None";
    if (auto g = detail::WorkflowAccess::value_of(workflow, node.position, "batch_group_id");
        g && g->size() >= 2 && g->front() == '"')
      group_id = std::string(g->substr(1, g->size() - 2));
    std::size_t gi = 0;
    if (group_id == "None") {
      gi = groups.size();
      groups.emplace_back();
    } else if (auto it = named.find(group_id); it != named.end()) {
      gi = it->second;
    } else {
      gi = groups.size();
      named.emplace(group_id, gi);
      groups.emplace_back();
    }
    for (const auto& [target, field] : targets) {
      if (!groups[gi].empty() && groups[gi].front().items.size() != items.size())
        return fail(ErrorCode::invalid_workflow,
                    "batch nodes in '" + group_id + "' have different numbers of items (" +
                        std::to_string(groups[gi].front().items.size()) + " and " +
                        std::to_string(items.size()) + ")",
                    where);
      groups[gi].push_back({std::string(target), std::string(field), items});
    }
  }
  return groups;
}

}  // namespace ivk::detail
