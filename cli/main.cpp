// ivk: command-line client for InvokeAI servers.
#include <iostream>

#include "commands.h"
#include "exit_codes.h"
#include "ivk/version.h"

int main(int argc, char** argv) {
  CLI::App app{"ivk: run and manage InvokeAI workflows from the command line"};
  app.set_version_flag("--version", std::string(ivk::version()));
  app.require_subcommand(1);
  ivk::cli::Runner run;
  ivk::cli::add_inputs_command(app, run);
  ivk::cli::add_payload_command(app, run);
  ivk::cli::add_workflow_command(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : ivk::cli::kExitUsage;
  }
  return run ? run() : ivk::cli::kExitUsage;
}
