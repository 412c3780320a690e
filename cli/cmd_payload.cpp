#include "commands.h"
namespace ivk::cli {
void add_payload_command(CLI::App& app, Runner& run) {
  auto* sub = app.add_subcommand("payload", "todo");
  sub->callback([&run] { run = [] { return 0; }; });
}
}  // namespace ivk::cli
