#pragma once
// Each subcommand registers itself on the CLI11 app; one file per subcommand.
#include <CLI/CLI.hpp>

namespace ivk::cli {

// Runs after parsing; returns the process exit code.
using Runner = std::function<int()>;

void add_inputs_command(CLI::App& app, Runner& run);
void add_payload_command(CLI::App& app, Runner& run);
void add_workflow_command(CLI::App& app, Runner& run);

}  // namespace ivk::cli
