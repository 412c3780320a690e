#pragma once
// The value-setting arguments that `ivk payload` and `ivk run` share: -s INPUT=VALUE, --sweep,
// --sweep-json, --zip, --runs; parsed against a loaded workflow.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "ivk/error.h"
#include "ivk/workflow/batch.h"
#include "ivk/workflow/workflow.h"

namespace ivk::cli {

struct WorkflowArgs {
  std::vector<std::string> sets;
  std::vector<std::string> sweeps;
  std::vector<std::string> sweeps_json;
  bool zip = false;
  int runs = 1;
  // Set by add_workflow_args: needed to read the sweeps back in command-line order.
  CLI::App* sub = nullptr;
  CLI::Option* sweep_option = nullptr;
  CLI::Option* sweep_json_option = nullptr;
  CLI::Option* zip_option = nullptr;
  CLI::Option* runs_option = nullptr;
};

// Registers -s/--set, --sweep, --sweep-json, --zip and --runs on sub.
void add_workflow_args(CLI::App* sub, WorkflowArgs& args);

// "REF=VALUE" split at the first '='.
std::optional<std::pair<std::string, std::string>> split_assignment(const std::string& text);

// The -s assignments; usage errors (no '=') come back as ErrorCode::invalid_argument naming the option.
Result<std::vector<std::pair<std::string, std::string>>> parse_sets(const WorkflowArgs& args);

// The sweeps in the order they were given (--sweep and --sweep-json interleaved), grouped: one group
// per sweep, or all in one group with --zip. Values are checked against each input.
Result<std::vector<SweepGroup>> sweep_groups(const Workflow& wf, const WorkflowArgs& args);

}  // namespace ivk::cli
