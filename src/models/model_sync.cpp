#include "ivk/models/model_sync.h"

#include <simdjson.h>

#include <algorithm>
#include <set>
#include <unordered_map>
#include <utility>

#include "core/json_read.h"
#include "core/json_write.h"
#include "ivk/json_text.h"
#include "workflow/workflow_access.h"
#include "workflow/workflow_model.h"

namespace ivk {
namespace dom = simdjson::dom;

namespace {

// The Python scan's test: an object with "key" and "name" members (of any type).
std::optional<ModelIdentifier> identifier_in(dom::parser& parser, std::string_view value) {
  std::size_t i = 0;
  while (i < value.size() && (value[i] == ' ' || value[i] == '\n' || value[i] == '\t' || value[i] == '\r'))
    ++i;
  if (i == value.size() || value[i] != '{') return std::nullopt;
  dom::object o;
  if (parser.parse(value.data(), value.size()).get_object().get(o) != simdjson::SUCCESS) return std::nullopt;
  dom::element key_el, name_el;
  if (o.at_key("key").get(key_el) != simdjson::SUCCESS || o.at_key("name").get(name_el) != simdjson::SUCCESS)
    return std::nullopt;
  ModelIdentifier id;
  id.key = string_member(o, "key");
  id.hash = string_member(o, "hash");
  id.name = string_member(o, "name");
  id.base = string_member(o, "base");
  id.type = string_member(o, "type");
  id.submodel_type = optional_string_member(o, "submodel_type");
  return id;
}

std::string strategies_text(bool by_name, bool by_base) {
  std::string s = "hash";
  if (by_name) s += ", name";
  if (by_base) s += ", base";
  return s;
}

void write_identifier(JsonBuilder& w, const ModelIdentifier& id) { w.raw(id.to_json()); }

}  // namespace

std::vector<ModelReference> find_model_references(const Workflow& workflow) {
  const detail::WorkflowModel& m = detail::WorkflowAccess::model(workflow);
  std::set<std::pair<std::string, std::string>> user_set;
  for (const auto& [node_id, field, json] : workflow.changed_values()) user_set.emplace(node_id, field);
  std::map<std::pair<std::string_view, std::string_view>, int> form_index;
  for (const auto& in : workflow.inputs())
    form_index.emplace(std::pair<std::string_view, std::string_view>(in.node_id, in.field_name), in.index);

  dom::parser parser;
  std::vector<ModelReference> out;
  for (std::size_t n = 0; n < m.nodes.size(); ++n) {
    const detail::Node& node = m.nodes[n];
    for (const auto& input : node.inputs) {
      auto value = detail::WorkflowAccess::value_of(workflow, n, input.name);
      if (!value) continue;
      auto id = identifier_in(parser, *value);
      if (!id) continue;
      ModelReference ref;
      ref.node_id = std::string(node.id);
      ref.field_name = std::string(input.name);
      ref.node_type = std::string(node.type);
      ref.current = std::move(*id);
      if (auto it = form_index.find({node.id, input.name}); it != form_index.end())
        ref.input_index = it->second;
      ref.user_set = user_set.count({ref.node_id, ref.field_name}) > 0;
      out.push_back(std::move(ref));
    }
  }
  return out;
}

Result<std::vector<SyncChange>> sync_dnn_model_compat(Workflow& workflow, const ModelCatalog& catalog,
                                                      bool by_name, bool by_base) {
  // Python builds dicts from the list: later duplicates win.
  std::unordered_map<std::string_view, const ModelRecord*> by_hash, name_map;
  for (const auto& r : catalog.records()) {
    by_hash[r.hash] = &r;
    name_map[r.name] = &r;
  }
  std::vector<SyncChange> changes;
  for (auto& ref : find_model_references(workflow)) {
    const ModelIdentifier& cand = ref.current;
    const ModelRecord* match = nullptr;
    if (auto it = by_hash.find(cand.hash); !cand.hash.empty() && it != by_hash.end()) {
      match = it->second;
    } else if (auto nit = name_map.find(cand.name); by_name && nit != name_map.end()) {
      match = nit->second;
    } else if (by_base && !cand.base.empty() && cand.base != "any") {
      std::vector<const ModelRecord*> pool = catalog.filter(cand.base, {});
      std::vector<const ModelRecord*> same;
      for (const auto* r : pool)
        if (r->type == cand.type) same.push_back(r);
      if (!same.empty()) pool = std::move(same);
      // sorted(pool, key=name)[0]: the first of the smallest names (the sort is stable).
      auto best = std::min_element(pool.begin(), pool.end(), [](const ModelRecord* a, const ModelRecord* b) {
        return a->name < b->name;
      });
      if (best != pool.end()) match = *best;
    }
    if (match == nullptr)
      return fail(ErrorCode::not_found,
                  "Unrecognized model reference: node='" + ref.node_id + "' field='" + ref.field_name +
                      "' name='" + cand.name + "' hash='" + cand.hash +
                      "' (strategies tried: " + strategies_text(by_name, by_base) + ")",
                  "$.nodes[?(@.id='" + ref.node_id + "')].data.inputs." + ref.field_name);
    ModelIdentifier updated = ModelIdentifier::from_record(*match);
    if (updated != cand) changes.push_back({cand, std::move(updated), ref.node_id, ref.field_name});
  }
  std::vector<std::tuple<std::string, std::string, std::string>> values;
  values.reserve(changes.size());
  for (const auto& c : changes) values.emplace_back(c.node_id, c.field_name, c.new_.to_json());
  if (!values.empty())
    if (auto s = workflow.set_node_values_json(values); !s) return tl::unexpected(std::move(s.error()));
  return changes;
}

std::string_view to_string(SyncDecision::Outcome outcome) noexcept {
  using O = SyncDecision::Outcome;
  switch (outcome) {
    case O::kept: return "kept";
    case O::matched_by_hash: return "matched_by_hash";
    case O::matched_by_name: return "matched_by_name";
    case O::matched_by_base: return "matched_by_base";
    case O::unresolved: return "unresolved";
    case O::skipped_user_value: return "skipped_user_value";
  }
  return "unresolved";
}

namespace {

// The tie-break: preferred key for the base, then the old name, then name, then key.
const ModelRecord* pick(const std::vector<const ModelRecord*>& candidates, const ModelIdentifier& current,
                        const SyncOptions& options) {
  if (candidates.empty()) return nullptr;
  auto rank = [&](const ModelRecord* r) {
    auto pref = options.preferred_keys.find(r->base);
    const bool preferred = pref != options.preferred_keys.end() && pref->second == r->key;
    return std::make_tuple(!preferred, r->name != current.name, std::string_view(r->name),
                           std::string_view(r->key));
  };
  return *std::min_element(candidates.begin(), candidates.end(),
                           [&](const ModelRecord* a, const ModelRecord* b) { return rank(a) < rank(b); });
}

SyncDecision decide(const ModelReference& ref, const ModelCatalog& catalog, const SyncOptions& options) {
  using O = SyncDecision::Outcome;
  SyncDecision d;
  d.ref = ref;
  const ModelIdentifier& cur = ref.current;
  if (ref.user_set && !options.override_user_values) {
    d.outcome = O::skipped_user_value;
    d.reason = "set by the user since loading; override_user_values (--override) syncs it too";
    return d;
  }
  auto fits = [&](const ModelRecord& r) { return r.type == cur.type && r.base == cur.base; };
  if (const ModelRecord* same = catalog.find_by_key(cur.key);
      same != nullptr && same->hash == cur.hash && same->type == cur.type) {
    d.outcome = O::kept;
    d.chosen = cur;
    d.candidates.push_back(ModelIdentifier::from_record(*same));
    d.reason = same->name == cur.name ? "the server has this key and hash"
                                      : "the server has this key and hash (named '" + same->name + "' there)";
    return d;
  }
  struct Strategy {
    bool enabled;
    O outcome;
    const char* what;
  };
  const Strategy strategies[] = {{!cur.hash.empty(), O::matched_by_hash, "hash"},
                                 {options.by_name, O::matched_by_name, "name"},
                                 {options.by_base && !cur.base.empty(), O::matched_by_base, "base"}};
  std::string tried;
  for (const auto& s : strategies) {
    if (!s.enabled) continue;
    tried += tried.empty() ? s.what : std::string(", ") + s.what;
    std::vector<const ModelRecord*> found;
    for (const auto& r : catalog.records()) {
      if (!fits(r)) continue;
      if ((s.outcome == O::matched_by_hash && r.hash == cur.hash) ||
          (s.outcome == O::matched_by_name && r.name == cur.name) || s.outcome == O::matched_by_base)
        found.push_back(&r);
    }
    if (found.empty()) continue;
    const ModelRecord* best = pick(found, cur, options);
    for (const auto* r : found) d.candidates.push_back(ModelIdentifier::from_record(*r));
    ModelIdentifier chosen = ModelIdentifier::from_record(*best);
    chosen.submodel_type = cur.submodel_type;
    d.outcome = chosen == cur ? O::kept : s.outcome;
    d.reason = "by " + std::string(s.what) + ": '" + best->name + "' (" + best->key + ")";
    if (found.size() > 1) d.reason += ", 1 of " + std::to_string(found.size()) + " candidates";
    d.chosen = std::move(chosen);
    return d;
  }
  d.outcome = O::unresolved;
  d.reason = "no " + cur.base + " " + cur.type + " model on the server matches (strategies tried: " +
             (tried.empty() ? std::string("none") : tried) + ")";
  return d;
}

}  // namespace

Result<SyncPlan> plan_model_sync(const Workflow& workflow, const ModelCatalog& catalog,
                                 const SyncOptions& options) {
  SyncPlan plan;
  for (const auto& ref : find_model_references(workflow)) {
    if (!options.field_indices.empty()) {
      if (!ref.input_index) continue;
      if (std::find(options.field_indices.begin(), options.field_indices.end(), *ref.input_index) ==
          options.field_indices.end())
        continue;
    }
    plan.decisions.push_back(decide(ref, catalog, options));
    if (plan.decisions.back().outcome == SyncDecision::Outcome::unresolved) plan.complete = false;
  }
  for (int index : options.field_indices) {
    const bool found = std::any_of(plan.decisions.begin(), plan.decisions.end(),
                                   [&](const SyncDecision& d) { return d.ref.input_index == index; });
    if (!found)
      return fail(ErrorCode::invalid_argument,
                  "input " + std::to_string(index) + " is not a model reference of the workflow's form",
                  std::to_string(index));
  }
  return plan;
}

Result<std::vector<SyncChange>> apply_model_sync(Workflow& workflow, const SyncPlan& plan,
                                                 bool allow_partial) {
  using O = SyncDecision::Outcome;
  std::size_t unresolved = 0;
  for (const auto& d : plan.decisions)
    if (d.outcome == O::unresolved) ++unresolved;
  if (unresolved > 0 && !allow_partial)
    return fail(ErrorCode::not_found, std::to_string(unresolved) +
                                          " model reference(s) could not be resolved; nothing was changed "
                                          "(allow_partial applies the rest)");
  // The plan must still describe the workflow.
  std::map<std::pair<std::string, std::string>, ModelIdentifier> now;
  for (auto& ref : find_model_references(workflow))
    now.emplace(std::pair(ref.node_id, ref.field_name), ref.current);
  std::vector<SyncChange> changes;
  std::vector<std::tuple<std::string, std::string, std::string>> values;
  for (const auto& d : plan.decisions) {
    if (!d.chosen || d.outcome == O::unresolved || d.outcome == O::skipped_user_value) continue;
    auto it = now.find({d.ref.node_id, d.ref.field_name});
    if (it == now.end() || it->second != d.ref.current)
      return fail(ErrorCode::conflict, "the workflow changed since the sync was planned; plan again",
                  "$.nodes[?(@.id='" + d.ref.node_id + "')].data.inputs." + d.ref.field_name);
    if (*d.chosen == d.ref.current) continue;
    changes.push_back({d.ref.current, *d.chosen, d.ref.node_id, d.ref.field_name});
    values.emplace_back(d.ref.node_id, d.ref.field_name, d.chosen->to_json());
  }
  if (!values.empty())
    if (auto s = workflow.set_node_values_json(values); !s) return tl::unexpected(std::move(s.error()));
  return changes;
}

std::string to_json(const std::vector<SyncChange>& changes) {
  JsonBuilder w;
  w.begin_array();
  for (const auto& c : changes) {
    w.begin_object();
    w.key("old");
    write_identifier(w, c.old);
    w.key("new");
    write_identifier(w, c.new_);
    w.end_object();
  }
  w.end_array();
  return w.str();
}

std::string decisions_to_json(const SyncPlan& plan) {
  JsonBuilder w;
  w.begin_array();
  for (const auto& d : plan.decisions) {
    w.begin_object();
    w.key("node_id").string(d.ref.node_id);
    w.key("field_name").string(d.ref.field_name);
    w.key("node_type").string(d.ref.node_type);
    w.key("input_index");
    if (d.ref.input_index)
      w.integer(*d.ref.input_index);
    else
      w.null();
    w.key("user_set").boolean(d.ref.user_set);
    w.key("outcome").string(to_string(d.outcome));
    w.key("current");
    write_identifier(w, d.ref.current);
    w.key("chosen");
    if (d.chosen)
      write_identifier(w, *d.chosen);
    else
      w.null();
    w.key("candidates").begin_array();
    for (const auto& c : d.candidates) write_identifier(w, c);
    w.end_array();
    w.key("reason").string(d.reason);
    w.end_object();
  }
  w.end_array();
  return w.str();
}

std::string to_json(const SyncPlan& plan) {
  JsonBuilder w;
  w.begin_object();
  w.key("complete").boolean(plan.complete);
  w.key("decisions").raw(decisions_to_json(plan));
  w.end_object();
  return w.str();
}

}  // namespace ivk
