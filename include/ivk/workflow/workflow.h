#pragma once
// A workflow exported by the InvokeAI GUI: load it, discover its form inputs, set their values.
//
// The document's bytes are kept as loaded: setting a value changes only that value's text,
// so to_json() of an unchanged workflow returns the input byte for byte, and every key the
// GUI or a future InvokeAI writes survives.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "ivk/error.h"
#include "ivk/workflow/workflow_input.h"

namespace ivk {

class NodeTemplates;
namespace detail {
struct WorkflowModel;
class WorkflowAccess;
}  // namespace detail

// Something worth telling about a workflow that does not stop it from loading.
struct Diagnostic {
  std::string where;  // JSON path
  std::string message;
};

class Workflow {
 public:
  static Result<Workflow> load_file(const std::filesystem::path& path);
  // source_name names the data in error messages (a file name, "<stdin>", ...).
  static Result<Workflow> load_string(std::string json, std::string source_name = "<string>");
  // The workflow embedded in an InvokeAI PNG (tEXt "invokeai_workflow").
  static Result<Workflow> load_png(const std::filesystem::path& path);

  Workflow(const Workflow&);
  Workflow& operator=(const Workflow&);
  Workflow(Workflow&&) noexcept;
  Workflow& operator=(Workflow&&) noexcept;
  ~Workflow();

  // --- what the document says -----------------------------------------------------------
  [[nodiscard]] std::string_view name() const noexcept;
  [[nodiscard]] std::optional<std::string> id() const;             // top-level "id", if present
  [[nodiscard]] std::string_view schema_version() const noexcept;  // meta.version after migration
  // The schema version the file had when it was migrated (e.g. "2.0.0"), or "" if it was current.
  // Also set to "exposedFields" when a form was built from legacy exposed fields.
  [[nodiscard]] std::string_view migrated_from() const noexcept;
  [[nodiscard]] std::size_t node_count() const noexcept;
  [[nodiscard]] std::size_t edge_count() const noexcept;
  [[nodiscard]] const std::vector<Diagnostic>& warnings() const noexcept;

  // --- inputs ------------------------------------------------------------------------------
  // The form's inputs in the Python client's index order, with their current values.
  [[nodiscard]] const std::vector<WorkflowInput>& inputs() const noexcept;
  [[nodiscard]] const std::vector<WorkflowInput>& list_inputs() const noexcept { return inputs(); }
  // Resolves a reference: an index ("3"), a "node_id.field_name", or a label/title
  // (exact, then case-insensitive; an ambiguous label is an error listing the candidates).
  [[nodiscard]] Result<const WorkflowInput*> find_input(std::string_view ref) const;
  [[nodiscard]] Result<const WorkflowInput*> get_input(int index) const;

  // Re-types the inputs from node templates (kind, constraints, required, defaults).
  // Without templates, kinds are detected from the exported values.
  void apply_templates(std::shared_ptr<const NodeTemplates> templates);
  [[nodiscard]] const NodeTemplates* templates() const noexcept;

  // --- setting values (validated; on error nothing changes) ----------------------------------
  Status set_json(std::string_view ref, std::string_view json_value);
  Status set_int(std::string_view ref, std::int64_t value);
  Status set_float(std::string_view ref, double value);
  Status set_bool(std::string_view ref, bool value);
  Status set_string(std::string_view ref, std::string_view value);
  // Text as typed on a command line, read according to the input's kind: numbers, booleans
  // (true/false/yes/no/1/0), enum choices, board ids ("none", "auto"), image names, colors
  // ("#RRGGBB[AA]"), and JSON for models, collections and other structured values.
  Status set_from_text(std::string_view ref, std::string_view text);
  // Several values at once: all are validated first, then all are applied, or none.
  Status set_many(const std::vector<std::pair<std::string, std::string>>& ref_and_text);
  // Forgets every value set since loading.
  void reset_values();

  // Sets the value of any node input, in the form or not, as JSON (syntax-checked only; the
  // caller owns the meaning). For whole-graph tools such as model sync, which rewrites model
  // identifiers wherever they are. Several at once: all or none.
  Status set_node_values_json(
      const std::vector<std::tuple<std::string, std::string, std::string>>& node_field_json);
  // The node inputs that were set since loading, as (node_id, field_name) -> JSON.
  [[nodiscard]] std::vector<std::tuple<std::string, std::string, std::string>> changed_values() const;

  // Parses text for an input the way set_from_text does, returning compact JSON, or an error.
  [[nodiscard]] Result<std::string> value_from_text(const WorkflowInput& input, std::string_view text) const;
  // Checks a JSON value against the input's kind and constraints.
  [[nodiscard]] Status validate_value(const WorkflowInput& input, std::string_view json_value) const;

  // --- output ----------------------------------------------------------------------------
  // The workflow JSON with the current values; byte-identical to the input when nothing was set.
  [[nodiscard]] std::string to_json() const;
  Status save(const std::filesystem::path& path) const;  // atomic: temp file + rename

 private:
  // The builders (graph, batch, index map, models) read the parsed document through
  // detail::WorkflowAccess (src/workflow/workflow_access.h); it is not part of the API.
  friend class detail::WorkflowAccess;
  // The parsed document.
  [[nodiscard]] const detail::WorkflowModel& model() const noexcept;
  // Current JSON text of a node input's value (a set value, else the exported one), or nullopt.
  [[nodiscard]] std::optional<std::string_view> value_of(std::size_t node_index,
                                                         std::string_view field) const;
  // The same for the input at input_index of that node (no lookup by name: builders walk every input).
  [[nodiscard]] std::optional<std::string_view> value_of_input(std::size_t node_index,
                                                               std::size_t input_index) const;
  // Values set on fields the node's exported inputs do not have, as (field_name, JSON), in name
  // order: builders add them after the node's own inputs.
  [[nodiscard]] std::vector<std::pair<std::string_view, std::string_view>> added_values(
      std::size_t node_index) const;

  struct Impl;
  explicit Workflow(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ivk
