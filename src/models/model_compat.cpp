#include "ivk/models/model_compat.h"

#include <algorithm>
#include <set>
#include <utility>

#include "models/model_slots_internal.h"

namespace ivk {

namespace {

using detail::describe;
using detail::join;

std::string family(std::string_view base) { return base == "sdxl-refiner" ? "sdxl" : std::string(base); }

bool base_checked_type(std::string_view type) {
  return type == "main" || type == "vae" || type == "lora" || type == "controlnet" ||
         type == "control_lora" || type == "t2i_adapter" || type == "ip_adapter";
}

CompatibilityFinding finding(CompatibilityFinding::Severity s, CompatibilityFinding::Kind k,
                             const ModelRequirement& r, std::string message) {
  CompatibilityFinding f;
  f.severity = s;
  f.kind = k;
  f.node_id = r.node_id;
  f.field = r.field_name;
  f.message = std::move(message);
  return f;
}

std::string where_text(const ModelRequirement& r) {
  return r.node_type + " node " + r.node_id + " field " + r.field_name;
}

}  // namespace

std::string_view to_string(CompatibilityFinding::Severity severity) noexcept {
  return severity == CompatibilityFinding::Severity::error ? "error" : "warning";
}

std::string_view to_string(CompatibilityFinding::Kind kind) noexcept {
  using K = CompatibilityFinding::Kind;
  switch (kind) {
    case K::missing_model: return "missing_model";
    case K::found_by_hash: return "found_by_hash";
    case K::record_differs: return "record_differs";
    case K::empty_slot: return "empty_slot";
    case K::type_mismatch: return "type_mismatch";
    case K::base_not_accepted: return "base_not_accepted";
    case K::mixed_bases: return "mixed_bases";
  }
  return "missing_model";
}

std::size_t CompatibilityReport::error_count() const noexcept {
  return static_cast<std::size_t>(std::count_if(
      findings.begin(), findings.end(),
      [](const CompatibilityFinding& f) { return f.severity == CompatibilityFinding::Severity::error; }));
}

std::size_t CompatibilityReport::warning_count() const noexcept { return findings.size() - error_count(); }

CompatibilityReport check_compatibility(const Workflow& workflow, const ModelCatalog& catalog) {
  using S = CompatibilityFinding::Severity;
  using K = CompatibilityFinding::Kind;
  CompatibilityReport report;
  struct Based {
    const ModelRequirement* req;
    std::string base;
    std::string type;
    std::string name;
  };
  std::vector<Based> based;
  const std::vector<detail::Slot> slots = detail::find_slots(workflow);
  for (const detail::Slot& slot : slots) {
    const ModelRequirement& r = slot.req;
    if (detail::is_metadata_node(r.node_type)) continue;
    if (!r.current) {
      report.findings.push_back(
          finding(S::warning, K::empty_slot, r,
                  where_text(r) + " has no model" +
                      (r.types.empty() ? std::string() : " (wants " + join(r.types) + ")")));
      continue;
    }
    const ModelIdentifier& id = *r.current;
    const ModelRecord* record = catalog.find_by_key(id.key);
    if (record == nullptr) {
      if (const ModelRecord* same = catalog.find_by_hash(id.hash); same != nullptr) {
        report.findings.push_back(finding(S::warning, K::found_by_hash, r,
                                          where_text(r) + ": " + describe(id) +
                                              " is not installed under that key, but the same file (hash " +
                                              id.hash + ") is installed as '" + same->name + "' (key " +
                                              same->key + "); model sync will point the workflow at it"));
        record = same;
      } else {
        report.findings.push_back(
            finding(S::error, K::missing_model, r,
                    where_text(r) + ": " + describe(id) +
                        " is not installed on the server (no model with that key or hash)"));
      }
    } else if ((!id.base.empty() && id.base != record->base) ||
               (!id.type.empty() && id.type != record->type)) {
      report.findings.push_back(finding(S::warning, K::record_differs, r,
                                        where_text(r) + ": " + describe(id) + " is installed as base " +
                                            record->base + ", type " + record->type));
    }
    const std::string base = record != nullptr ? record->base : id.base;
    const std::string type = record != nullptr ? record->type : id.type;
    const std::string name = record != nullptr ? record->name : id.name;
    if (!type.empty() && !r.types.empty() && std::find(r.types.begin(), r.types.end(), type) == r.types.end())
      report.findings.push_back(finding(S::error, K::type_mismatch, r,
                                        where_text(r) + " wants a model of type " + join(r.types, " or ") +
                                            ", but '" + name + "' is of type " + type));
    if (!base.empty() && !slot.accepted_bases.empty() &&
        std::find(slot.accepted_bases.begin(), slot.accepted_bases.end(), base) == slot.accepted_bases.end())
      report.findings.push_back(finding(S::error, K::base_not_accepted, r,
                                        where_text(r) + " accepts base " + join(slot.accepted_bases, " or ") +
                                            ", but '" + name + "' is of base " + base));
    if (!base.empty() && base != "any" && base_checked_type(type)) based.push_back({&r, base, type, name});
  }

  // Mixed bases: against the first main model, else one finding listing them.
  const auto main_it =
      std::find_if(based.begin(), based.end(), [](const Based& b) { return b.type == "main"; });
  if (main_it != based.end()) {
    const std::string want = family(main_it->base);
    for (const Based& b : based) {
      if (family(b.base) == want) continue;
      report.findings.push_back(finding(S::error, K::mixed_bases, *b.req,
                                        where_text(*b.req) + ": " + b.type + " model '" + b.name +
                                            "' is of base " + b.base + ", but the main model '" +
                                            main_it->name + "' (node " + main_it->req->node_id +
                                            ") is of base " + main_it->base));
    }
  } else {
    std::set<std::string> families;
    for (const Based& b : based) families.insert(family(b.base));
    if (families.size() > 1) {
      std::vector<std::string> parts;
      for (const Based& b : based) parts.push_back("'" + b.name + "' (" + b.type + ", " + b.base + ")");
      report.findings.push_back(finding(S::error, K::mixed_bases, *based.front().req,
                                        "the workflow mixes models of different bases: " + join(parts)));
    }
  }
  return report;
}

}  // namespace ivk
