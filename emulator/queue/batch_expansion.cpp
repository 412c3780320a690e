#include "queue/batch_expansion.h"

#include <limits>
#include <map>
#include <set>
#include <string>

#include "core/uuid.h"
#include "queue/node_schema_checks.h"

namespace ivk::emu {
namespace {

const Json kEmpty = Json::array();

const Json& items_of(const Json& datum) {
  const auto it = datum.find("items");
  return it != datum.end() && it->is_array() ? *it : kEmpty;
}

// The rough item kind pydantic compares in "All items in a batch must have the same type"
// (int and float may mix).
int item_kind(const Json& item) {
  if (item.is_string()) return 0;
  if (item.is_number()) return 1;
  return 2;
}

// Checks Batch.data's shape, equal zip group lengths, one item type per datum and unique
// (node_path, field_name) pairs. Returns false if unusable.
bool validate_data(const Json& data, Validation& v) {
  const Json loc = Json::array({"body", "batch", "data"});
  if (data.is_null()) return true;
  if (!data.is_array()) {
    v.add(list_type_item(loc, data));
    return false;
  }
  bool shape_ok = true;
  for (std::size_t g = 0; g < data.size(); ++g) {
    const Json& group = data[g];
    Json gloc = loc;
    gloc.push_back(g);
    if (!group.is_array()) {
      v.add(list_type_item(gloc, group));
      shape_ok = false;
      continue;
    }
    for (std::size_t d = 0; d < group.size(); ++d) {
      const Json& datum = group[d];
      Json dloc = gloc;
      dloc.push_back(d);
      if (!datum.is_object()) {
        v.add(dict_type_item(dloc, datum));
        shape_ok = false;
        continue;
      }
      auto field_loc = [&dloc](const char* f) {
        Json l = dloc;
        l.push_back(f);
        return l;
      };
      if (!v.field_string(datum, "node_path", field_loc("node_path"))) shape_ok = false;
      if (!v.field_string(datum, "field_name", field_loc("field_name"))) shape_ok = false;
      const auto items = datum.find("items");
      if (items != datum.end() && !items->is_array()) {
        v.add(list_type_item(field_loc("items"), *items));
        shape_ok = false;
      }
    }
  }
  if (!shape_ok) return false;
  // The server's field validators run in this order and each stops at its first problem.
  for (const auto& group : data) {
    if (group.empty()) continue;
    const std::size_t n = items_of(group[0]).size();
    for (const auto& datum : group)
      if (items_of(datum).size() != n) {
        v.add(value_error_item(loc, data, "Zipped batch items must all have the same length"));
        return false;
      }
  }
  for (const auto& group : data)
    for (const auto& datum : group) {
      const Json& items = items_of(datum);
      for (const auto& item : items)
        if (item_kind(item) != item_kind(items[0])) {
          v.add(value_error_item(loc, data, "All items in a batch must have the same type"));
          return false;
        }
    }
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& group : data)
    for (const auto& datum : group)
      if (!seen.emplace(datum["node_path"].get<std::string>(), datum["field_name"].get<std::string>())
               .second) {
        v.add(value_error_item(loc, data, "Each batch data must have unique node_id and field_name"));
        return false;
      }
  return true;
}

// Node and edge checks of Graph.validate_self (rows 8-14; 12-13 only with node schemas), first
// failure only, like the server.
std::optional<std::string> graph_problem(const Json& graph, const NodeTemplates* templates) {
  const Json& nodes = graph["nodes"];
  for (const auto& [key, node] : nodes.items())
    if (node["id"].get<std::string>() != key)
      return "Node ids must match, got " + key + " and " + node["id"].get<std::string>();
  for (const auto& edge : graph["edges"]) {
    const std::string src = edge["source"]["node_id"].get<std::string>();
    if (!nodes.contains(src)) return "Edge source node " + src + " does not exist in the graph";
    const std::string dst = edge["destination"]["node_id"].get<std::string>();
    if (!nodes.contains(dst)) return "Edge destination node " + dst + " does not exist in the graph";
    if (templates != nullptr)
      if (auto problem = edge_field_problem(edge, nodes, *templates)) return problem;
  }
  // Kahn's algorithm: nodes left over sit on a cycle.
  std::map<std::string, int> indegree;
  std::multimap<std::string, std::string> out;
  for (const auto& [key, node] : nodes.items()) indegree[key] = 0;
  for (const auto& edge : graph["edges"]) {
    ++indegree[edge["destination"]["node_id"].get<std::string>()];
    out.emplace(edge["source"]["node_id"].get<std::string>(),
                edge["destination"]["node_id"].get<std::string>());
  }
  std::vector<std::string> ready;
  for (const auto& [key, d] : indegree)
    if (d == 0) ready.push_back(key);
  std::size_t done = 0;
  while (!ready.empty()) {
    const std::string id = ready.back();
    ready.pop_back();
    ++done;
    auto [b, e] = out.equal_range(id);
    for (auto it = b; it != e; ++it)
      if (--indegree[it->second] == 0) ready.push_back(it->second);
  }
  if (done != indegree.size()) return "Graph contains cycles";
  return std::nullopt;
}

// Shape checks of Graph (nodes a dict of typed node objects, edges well formed). Returns false if
// the graph cannot be used.
bool validate_graph_shape(const Json& graph, Validation& v, const NodeTemplates* templates) {
  const Json loc = Json::array({"body", "batch", "graph"});
  if (!graph.is_object()) {
    v.add(dict_type_item(loc, graph));
    return false;
  }
  bool ok = true;
  const auto nodes = graph.find("nodes");
  if (nodes != graph.end() && !nodes->is_object()) {
    Json l = loc;
    l.push_back("nodes");
    v.add(dict_type_item(l, *nodes));
    ok = false;
  } else if (nodes != graph.end()) {
    for (const auto& [key, node] : nodes->items()) {
      Json l = loc;
      l.push_back("nodes");
      l.push_back(key);
      if (!node.is_object()) {
        v.add(validation_item("model_attributes_type", l,
                              "Input should be a valid dictionary or object to extract fields from", node));
        ok = false;
      } else if (!node.contains("type") || !node["type"].is_string()) {
        v.add(validation_item("union_tag_not_found", l, "Unable to extract tag using discriminator 'type'",
                              node, Json{{"discriminator", "'type'"}}));
        ok = false;
      } else if (!node.contains("id") || !node["id"].is_string()) {
        Json fl = l;
        fl.push_back(node["type"]);
        fl.push_back("id");
        v.add(node.contains("id") ? string_type_item(fl, node["id"]) : missing_item(fl, node));
        ok = false;
      } else if (templates != nullptr && !check_node_against_schema(key, node, *templates, v)) {
        ok = false;
      }
    }
  }
  const auto edges = graph.find("edges");
  if (edges != graph.end() && !edges->is_array()) {
    Json l = loc;
    l.push_back("edges");
    v.add(list_type_item(l, *edges));
    ok = false;
  } else if (edges != graph.end()) {
    for (std::size_t i = 0; i < edges->size(); ++i) {
      const Json& edge = (*edges)[i];
      for (const char* end : {"source", "destination"}) {
        Json l = loc;
        l.push_back("edges");
        l.push_back(i);
        l.push_back(end);
        const Json* conn = edge.is_object() && edge.contains(end) ? &edge[end] : nullptr;
        if (conn == nullptr) {
          v.add(edge.is_object() ? missing_item(l, edge) : dict_type_item(l, edge));
          ok = false;
          continue;
        }
        if (!conn->is_object()) {
          v.add(dict_type_item(l, *conn));
          ok = false;
          continue;
        }
        for (const char* f : {"node_id", "field"}) {
          Json fl = l;
          fl.push_back(f);
          if (!v.field_string(*conn, f, fl)) ok = false;
        }
      }
    }
  }
  return ok;
}

}  // namespace

std::optional<EnqueueBody> parse_enqueue_body(const Request& req, Validation& v,
                                              const NodeTemplates* templates) {
  auto body = v.json_object_body(req);
  if (!body) return std::nullopt;
  EnqueueBody out;
  out.prepend = v.field_bool(*body, "prepend", Json::array({"body", "prepend"}), false).value_or(false);
  const auto batch_it = body->find("batch");
  if (batch_it == body->end()) {
    v.add(missing_item(Json::array({"body", "batch"}), nullptr));
    return std::nullopt;
  }
  const Json& batch = *batch_it;
  if (!batch.is_object()) {
    v.add(validation_item("model_attributes_type", Json::array({"body", "batch"}),
                          "Input should be a valid dictionary or object to extract fields from", batch));
    return std::nullopt;
  }
  const Json bloc = Json::array({"body", "batch"});
  auto at = [&bloc](const char* f) {
    Json l = bloc;
    l.push_back(f);
    return l;
  };
  Json normalized = Json::object();
  if (batch.contains("batch_id")) {
    if (auto id = v.field_string(batch, "batch_id", at("batch_id"))) normalized["batch_id"] = *id;
  } else {
    normalized["batch_id"] = detail::uuid4();
  }
  for (const char* f : {"origin", "destination"}) {
    const auto it = batch.find(f);
    if (it == batch.end() || it->is_null())
      normalized[f] = nullptr;
    else if (it->is_string())
      normalized[f] = *it;
    else
      v.add(string_type_item(at(f), *it));
  }
  const Json data = batch.value("data", Json());
  const bool data_ok = validate_data(data, v);
  normalized["data"] = data;
  bool graph_ok = false;
  const auto graph_it = batch.find("graph");
  if (graph_it == batch.end()) {
    v.add(missing_item(at("graph"), batch));
  } else if (validate_graph_shape(*graph_it, v, templates)) {
    Json graph = *graph_it;
    if (!graph.contains("id")) graph["id"] = detail::uuid4();
    if (!graph.contains("nodes")) graph["nodes"] = Json::object();
    if (!graph.contains("edges")) graph["edges"] = Json::array();
    if (auto problem = graph_problem(graph, templates)) {
      v.add(value_error_item(at("graph"), *graph_it, *problem));
    } else {
      graph_ok = true;
    }
    normalized["graph"] = std::move(graph);
  }
  const auto workflow = batch.find("workflow");
  if (workflow != batch.end() && !workflow->is_null() && !workflow->is_object())
    v.add(dict_type_item(at("workflow"), *workflow));
  normalized["workflow"] = workflow == batch.end() ? Json() : *workflow;
  if (auto runs = v.field_int(batch, "runs", at("runs"), 1)) {
    if (*runs < 1)
      v.add(ge_item(at("runs"), batch["runs"], 1));
    else
      normalized["runs"] = *runs;
  }
  // The model validator (rows 21-22) runs only when every field is otherwise valid.
  if (v.ok() && data_ok && graph_ok && data.is_array()) {
    const Json& nodes = normalized["graph"]["nodes"];
    for (const auto& group : data)
      for (const auto& datum : group) {
        const std::string node = datum["node_path"].get<std::string>();
        if (!nodes.contains(node)) {
          v.add(value_error_item(bloc, batch, "Node " + node + " not found in graph"));
          return std::nullopt;
        }
        const std::string field = datum["field_name"].get<std::string>();
        if (templates != nullptr && !node_has_field(nodes[node], field, *templates)) {
          v.add(value_error_item(bloc, batch, "Field " + field + " not found in node " + node));
          return std::nullopt;
        }
      }
  }
  if (!v.ok()) return std::nullopt;
  out.batch = std::move(normalized);
  return out;
}

std::uint64_t requested_sessions(const Json& batch) {
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t total = batch.value("runs", std::uint64_t{1});
  const Json& data = batch["data"];
  if (!data.is_array()) return total;
  for (const auto& group : data) {
    const std::uint64_t n = group.empty() ? 0 : items_of(group[0]).size();
    if (n == 0) return 0;
    total = total > kMax / n ? kMax : total * n;
  }
  return total;
}

std::vector<ExpandedSession> expand_batch(const Json& batch, std::uint64_t limit) {
  std::vector<ExpandedSession> out;
  const std::uint64_t total = requested_sessions(batch);
  const std::uint64_t count = total < limit ? total : limit;
  const Json& data = batch["data"];
  const bool has_data = data.is_array();
  std::vector<std::size_t> sizes;
  if (has_data)
    for (const auto& group : data) sizes.push_back(group.empty() ? 0 : items_of(group[0]).size());
  if (count == 0) return out;
  std::uint64_t per_run = 1;
  for (auto n : sizes) per_run *= n;  // no overflow: count bounds what is used
  out.reserve(static_cast<std::size_t>(count));
  for (std::uint64_t s = 0; s < count; ++s) {
    ExpandedSession session;
    session.graph = batch["graph"];
    // Always a list, empty without data: the server stores json.dumps of the substitutions made.
    session.field_values = Json::array();
    if (has_data) {
      // Mixed-radix digits of the index within one run: the last group is the fastest digit.
      std::uint64_t rest = s % per_run;
      std::vector<std::size_t> index(sizes.size());
      for (std::size_t g = sizes.size(); g-- > 0;) {
        index[g] = static_cast<std::size_t>(rest % sizes[g]);
        rest /= sizes[g];
      }
      for (std::size_t g = 0; g < sizes.size(); ++g)
        for (const auto& datum : data[g]) {
          const std::string node = datum["node_path"].get<std::string>();
          const std::string field = datum["field_name"].get<std::string>();
          const Json& value = items_of(datum)[index[g]];
          session.graph["nodes"][node][field] = value;
          session.field_values.push_back(Json{{"node_path", node}, {"field_name", field}, {"value", value}});
        }
    }
    out.push_back(std::move(session));
  }
  return out;
}

}  // namespace ivk::emu
