#pragma once
// Model sync: point a workflow's model identifiers at the models a server really has.
//
// Two modes:
// - sync_dnn_model_compat(): exactly what invokeai-py-client 1.1.1 sync_dnn_model returns
//   (hash, then name, then base fallback, alphabetical tie-break), but atomic.
// - plan_model_sync() + apply_model_sync(): the default. A full decision list, and none of the
//   Python client's bugs: user-set values are respected, base "any" encoders resolve, a slot
//   never receives a model of another type (or base), the tie-break is configurable and
//   deterministic, submodel_type is kept, and applying is all-or-nothing.
//
// Planner rules, for each reference (in document order):
//   1. Set by the user since loading (Workflow::changed_values) and !override_user_values:
//      skipped_user_value.
//   2. A record with the same key and hash (and type): kept, unchanged.
//   3. Records with the same hash, type and base: matched_by_hash.
//   4. by_name: records with the same name, type and base: matched_by_name.
//   5. by_base: records of the same base and type (base "any" included: encoders of the same
//      type): matched_by_base.
//   Otherwise unresolved. Among several candidates the tie-break is: the key preferred for the
//   base (SyncOptions::preferred_keys), then a record whose name equals the old name, then the
//   smallest name (byte order), then the smallest key. A chosen identifier equal to the current
//   one is reported as kept. The old submodel_type is carried over.
// Pure functions over data: no I/O.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ivk/error.h"
#include "ivk/models/model_record.h"
#include "ivk/workflow/workflow.h"

namespace ivk {

// One identifier-shaped literal in a workflow: an input whose current value is an object with
// "key" and "name" members (the Python client's scan), in any node, in the form or not.
struct ModelReference {
  std::string node_id;
  std::string field_name;
  std::string node_type;
  ModelIdentifier current;
  std::optional<int> input_index;  // the form input index, when the field is a form input
  bool user_set = false;           // the value was set since loading
};

// Every model reference, nodes in document order, inputs in document order.
std::vector<ModelReference> find_model_references(const Workflow& workflow);

struct SyncChange {
  ModelIdentifier old;
  ModelIdentifier new_;
  std::string node_id;
  std::string field_name;
};

// invokeai-py-client 1.1.1's sync_dnn_model(by_name, by_base): same matches, same changes,
// same error text ("Unrecognized model reference: node='…' field='…' name='…' hash='…'
// (strategies tried: hash, name, base)", ErrorCode::not_found). Unlike Python it is atomic
// (on error the workflow is unchanged) and it accepts records with unknown enums.
Result<std::vector<SyncChange>> sync_dnn_model_compat(Workflow& workflow, const ModelCatalog& catalog,
                                                      bool by_name = true, bool by_base = false);

struct SyncOptions {
  bool by_name = true;
  bool by_base = false;
  bool override_user_values = false;
  // Empty: every reference. Otherwise only the references that are these form inputs.
  std::vector<int> field_indices;
  // base -> key of the model to prefer when several candidates fit.
  std::map<std::string, std::string> preferred_keys;
};

struct SyncDecision {
  enum class Outcome {
    kept,
    matched_by_hash,
    matched_by_name,
    matched_by_base,
    unresolved,
    skipped_user_value
  };
  ModelReference ref;
  Outcome outcome = Outcome::unresolved;
  std::optional<ModelIdentifier> chosen;    // the identifier after sync (kept: the current one)
  std::vector<ModelIdentifier> candidates;  // what the deciding strategy found, in catalog order
  std::string reason;                       // for people
};

std::string_view to_string(SyncDecision::Outcome outcome) noexcept;

struct SyncPlan {
  std::vector<SyncDecision> decisions;
  bool complete = true;  // no unresolved decision
};

Result<SyncPlan> plan_model_sync(const Workflow& workflow, const ModelCatalog& catalog,
                                 const SyncOptions& options = {});

// Applies the plan's matches in one set_node_values_json call (all or nothing). Refuses a plan
// with unresolved decisions unless allow_partial, and a plan whose references no longer hold
// the values it was made from (ErrorCode::conflict). Returns the changed references only.
Result<std::vector<SyncChange>> apply_model_sync(Workflow& workflow, const SyncPlan& plan,
                                                 bool allow_partial = false);

// [{"old": ID, "new": ID}, ...] with ID = {key, hash, name, base, type, submodel_type}.
std::string to_json(const std::vector<SyncChange>& changes);
// {"complete": bool, "decisions": [{"node_id", "field_name", "node_type", "input_index",
//  "user_set", "outcome", "current", "chosen", "candidates", "reason"}]}
std::string to_json(const SyncPlan& plan);
// The "decisions" array of to_json(plan) alone.
std::string decisions_to_json(const SyncPlan& plan);

}  // namespace ivk
