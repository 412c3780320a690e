#include "commands.h"
namespace ivk::cli {
void add_inputs_command(CLI::App& app, Runner& run) {
  auto* sub = app.add_subcommand("inputs", "todo");
  sub->callback([&run] { run = [] { return 0; }; });
}
}  // namespace ivk::cli
