#pragma once
// Each subcommand registers itself on the CLI11 app; one file per subcommand.
// A subcommand's parse callback stores what to run in `run`; main() runs it after parsing,
// so nothing happens before the whole command line has been accepted.
#include <functional>

#include <CLI/CLI.hpp>

namespace ivk::cli {

// Runs after parsing; returns the process exit code.
using Runner = std::function<int()>;

void add_inputs_command(CLI::App& app, Runner& run);
void add_payload_command(CLI::App& app, Runner& run);
void add_workflow_command(CLI::App& app, Runner& run);  // the `workflow` group and its members
void add_models_command(CLI::App& app, Runner& run);    // `models list`, `models sync`
void add_emulator_command(CLI::App& app, Runner& run);  // serves until SIGINT/SIGTERM
void add_run_command(CLI::App& app, Runner& run);       // run a workflow, collect its images
void add_queue_command(CLI::App& app, Runner& run);     // the session queue
void add_boards_command(CLI::App& app, Runner& run);    // boards
void add_images_command(CLI::App& app, Runner& run);    // images

// Members of `ivk models` in files of their own.
void add_models_check_command(CLI::App& models, Runner& run);

// Members of `ivk workflow` (cmd_workflow_*.cpp).
void add_workflow_check_command(CLI::App& workflow, Runner& run);
void add_workflow_from_image_command(CLI::App& workflow, Runner& run);
void add_workflow_index_map_command(CLI::App& workflow, Runner& run);

}  // namespace ivk::cli
