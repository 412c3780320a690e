// ivk workflow ...: tools for workflow files (check, from-image, index-map).
#include "commands.h"

namespace ivk::cli {

void add_workflow_command(CLI::App& app, Runner& run) {
  auto* group =
      app.add_subcommand("workflow", "Check workflow files, extract them from images, track input indices");
  group->require_subcommand(1);
  add_workflow_check_command(*group, run);
  add_workflow_from_image_command(*group, run);
  add_workflow_index_map_command(*group, run);
}

}  // namespace ivk::cli
