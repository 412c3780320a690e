// ivk: command-line client for InvokeAI servers.
#include <exception>
#include <iostream>
#include <string>

#include "commands.h"
#include "exit_codes.h"
#include "ivk/version.h"

int main(int argc, char** argv) {
  CLI::App app{"ivk: run and manage InvokeAI workflows from the command line"};
  app.name("ivk");
  app.set_version_flag("--version", std::string(ivk::version()), "Print ivk's version and exit");
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.require_subcommand(1);
  ivk::cli::Runner run;
  ivk::cli::add_inputs_command(app, run);
  ivk::cli::add_payload_command(app, run);
  ivk::cli::add_run_command(app, run);
  ivk::cli::add_queue_command(app, run);
  ivk::cli::add_boards_command(app, run);
  ivk::cli::add_images_command(app, run);
  ivk::cli::add_workflow_command(app, run);
  ivk::cli::add_models_command(app, run);
  ivk::cli::add_emulator_command(app, run);
  // After the subcommands, which would inherit it otherwise.
  app.footer(
      "Results go to stdout, errors to stderr as `ivk: error: ...`. Exit status: 0 ok, 1 failure\n"
      "(e.g. index drift), 2 bad command line, 3 invalid value or unknown input, 4 unreadable\n"
      "workflow, 5 file error, 6 server error, 7 network, 8 timeout, 9 auth, 70 internal error;\n"
      "see docs/cli.md.\n"
      "Environment: IVK_TEMPLATES (default --templates), INVOKEAI_URL (default --server),\n"
      "INVOKEAI_TOKEN (default --token), INVOKEAI_EMAIL + INVOKEAI_PASSWORD (multi-user login).");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? ivk::cli::kExitOk : ivk::cli::kExitUsage;
  }
  if (!run) return ivk::cli::kExitUsage;
  try {
    const int code = run();
    std::cout.flush();
    return code;
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "ivk: error: internal error (please report it): " << e.what() << '\n';
    return ivk::cli::kExitInternal;
  }
}
