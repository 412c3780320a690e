#pragma once
// What a RunPlan holds, shared by the files that build it (run_plan.cpp for sweeps, sizes and the
// fingerprint; run_plan_inputs.cpp for the inputs file) and read it back (item()).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "client/run_plan_file.h"
#include "ivk/client/run_plan.h"
#include "ivk/workflow/workflow.h"
#include "ivk/workflow/workflow_input.h"

namespace ivk::detail {

enum class PlanFileFormat { none, csv, jsonl };

// The data of one sweep group: zipped, so one index picks an item of every datum.
struct PlanSweepGroup {
  std::vector<std::size_t> fields;              // positions in RunPlan::fields()
  std::vector<std::vector<std::string>> items;  // per datum, compact JSON
  std::uint64_t size = 0;
};

// RunPlan::Impl is this (run_plan.cpp); a named type so helpers in other files can take it.
struct RunPlanState {
  std::vector<PlanField> fields;
  // Where each field was named, for the error when an input is named twice ("CSV column 2").
  std::vector<std::string> origins;
  // (node_id, field_name) -> position in fields.
  std::map<std::pair<std::string, std::string>, std::size_t> by_input;

  // The inputs file: its fields come first in `fields`, with the workflow's values for missing cells.
  PlanFileFormat format = PlanFileFormat::none;
  std::optional<PlanFile> file;
  std::string file_digest;  // SHA-256 of the file's bytes
  std::vector<WorkflowInput> file_inputs;
  std::vector<std::string> file_defaults;
  std::unordered_map<std::string, std::size_t> jsonl_keys;  // key as written -> field
  // Each row's first byte, then the end of the last row: rows + 1 offsets.
  std::vector<std::uint64_t> row_offsets;

  std::vector<PlanSweepGroup> groups;
  int runs = 1;
  std::uint64_t rows = 1;
  std::uint64_t combos = 1;
  std::uint64_t size = 0;
  std::string fingerprint;

  // Resolves ref to a form input and adds it as the next field, or fails when the input is unknown,
  // fed by an edge, or already a field. origin says where ref was written ("CSV column 2").
  Result<const WorkflowInput*> add_field(const Workflow& workflow, const std::string& ref,
                                         std::string origin);

  // Reads the whole inputs file once: validates every row, records the file's fields and row offsets.
  Status read_inputs_file(const Workflow& workflow, const std::filesystem::path& path);
  // The two formats' row readers: each records row_offsets and returns where the last row ends.
  Result<std::uint64_t> read_csv_rows(const Workflow& workflow, ByteSource& in);
  Result<std::uint64_t> read_jsonl_rows(const Workflow& workflow, ByteSource& in);
  // Adds the input ref names as the next field of the file, with its current value as the default.
  Status add_file_field(const Workflow& workflow, const std::string& ref, std::string origin);
  // Fills values[0 .. file_inputs.size()) from data row `row`.
  Status fill_file_values(std::uint64_t row, std::vector<std::string>& values) const;
};

}  // namespace ivk::detail
