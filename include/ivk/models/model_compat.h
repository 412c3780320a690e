#pragma once
// Whether the models a workflow names fit together and are installed on a server: a report over
// the workflow's model slots (ivk/models/model_slots.h) and a catalog. Pure functions over data:
// no I/O.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/models/model_record.h"
#include "ivk/workflow/workflow.h"

namespace ivk {

struct CompatibilityFinding {
  enum class Severity { error, warning };
  enum class Kind {
    missing_model,      // error: neither the key nor the hash is installed
    found_by_hash,      // warning: the key is not installed, the same file is under another key
    record_differs,     // warning: the installed record's base or type differs from the identifier's
    empty_slot,         // warning: a model slot has no model
    type_mismatch,      // error: the slot wants another type of model
    base_not_accepted,  // error: the slot's template does not accept the model's base
    mixed_bases,        // error: main/vae/lora/controlnet models of different bases
  };
  Severity severity = Severity::error;
  Kind kind = Kind::missing_model;
  std::string node_id;
  std::string field;
  std::string message;  // for people, with names, keys and bases
};

std::string_view to_string(CompatibilityFinding::Severity severity) noexcept;
std::string_view to_string(CompatibilityFinding::Kind kind) noexcept;

struct CompatibilityReport {
  std::vector<CompatibilityFinding> findings;  // slots in document order; mixed bases last
  [[nodiscard]] std::size_t error_count() const noexcept;
  [[nodiscard]] std::size_t warning_count() const noexcept;
  [[nodiscard]] bool ok() const noexcept { return error_count() == 0; }
};

// Checks the workflow's model slots against a server's catalog:
// - availability: a current identifier's key must be in the catalog; else a record with the same
//   hash is reported (found_by_hash, warning: model sync fixes it); else missing_model (error);
// - types: a model whose type is not one the slot wants (type_mismatch); a base the slot's
//   template does not accept (base_not_accepted);
// - bases: the main, vae, lora, controlnet, control_lora, t2i_adapter and ip_adapter models
//   (the catalog record's base when installed, else the identifier's) must share one base,
//   "sdxl-refiner" counting as "sdxl" and base "any" (encoders) left out. Each model whose base differs from
//   the first main model's is reported; without a main model, one finding lists the bases.
// Metadata nodes (core_metadata, ...) only record models and are not checked.
CompatibilityReport check_compatibility(const Workflow& workflow, const ModelCatalog& catalog);

}  // namespace ivk
