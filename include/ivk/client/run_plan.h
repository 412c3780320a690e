#pragma once
// The plan of a durable sweep run: `runs` repeats × the rows of an optional inputs file (CSV or
// JSONL) × the sweep groups. The plan is lazy: only an offset index of the file's rows is kept
// (8 bytes a row), and item(i) reads and converts its one row on demand, so a plan of millions of
// items costs megabytes, not gigabytes.
//
// Index order: index = ((run * rows) + row) * combos + combo, where combos is the product of the
// group sizes and combo is a mixed-radix number over the groups with the LAST group varying
// fastest, as the InvokeAI server expands batch.data. rows is 1 without a file.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ivk/error.h"
#include "ivk/workflow/batch.h"

namespace ivk {

class Workflow;

// One input the plan varies.
struct PlanField {
  std::string node_path;  // WorkflowInput::node_id
  std::string field_name;
  std::string label;  // the reference as the user wrote it (CSV header, JSONL key or sweep input)
};

struct PlanItem {
  std::uint64_t index = 0;
  std::vector<std::string>
      values_json;  // compact JSON, parallel to RunPlan::fields(); every field has a value
};

struct PlanSpec {
  std::vector<SweepGroup> sweeps;     // as ivk::cli::sweep_groups builds them (values compact JSON)
  std::filesystem::path inputs_file;  // empty: none; ".csv" or ".jsonl" by extension (case-insensitive)
  int runs = 1;
};

class RunPlan {
 public:
  // Validates everything up front (every row of the file, every value against its input) so a bad
  // row is reported before anything is enqueued, and builds the row offset index. File errors have
  // Error::source = the file and Error::where = "line L, column C" (CSV: the cell's 1-based
  // position; JSONL: the 1-based byte column of the offending key or value).
  static Result<RunPlan> make(const Workflow& workflow, const PlanSpec& spec);

  RunPlan(RunPlan&&) noexcept;
  RunPlan& operator=(RunPlan&&) noexcept;
  RunPlan(const RunPlan&) = delete;
  RunPlan& operator=(const RunPlan&) = delete;
  ~RunPlan();

  [[nodiscard]] std::uint64_t size() const noexcept;
  // Inputs file columns/keys first (CSV header order; JSONL order of first appearance), then the
  // sweep data in group order.
  [[nodiscard]] const std::vector<PlanField>& fields() const noexcept;
  // How many of fields() come from the inputs file (they come first).
  [[nodiscard]] std::size_t file_field_count() const noexcept;
  [[nodiscard]] std::uint64_t rows() const noexcept;    // data rows of the file; 1 without a file
  [[nodiscard]] std::uint64_t combos() const noexcept;  // product of the sweep group sizes
  [[nodiscard]] int runs() const noexcept;

  // The item at index (< size()). Thread-safe. Fails only for an index out of range or when the
  // inputs file can no longer be read as it was when the plan was made.
  [[nodiscard]] Result<PlanItem> item(std::uint64_t index) const;

  // Lowercase hex SHA-256 identifying the plan: runs, the fields (node_path.field_name, in order),
  // the workflow values that fill a file's missing cells, every sweep value, and the inputs file's
  // format and bytes. Equal iff the same plan; labels (how inputs were named) do not count.
  [[nodiscard]] std::string fingerprint() const;

 private:
  struct Impl;
  explicit RunPlan(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ivk
