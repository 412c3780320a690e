#pragma once
// The server-facing members of `ivk models`, each in a file of its own (cmd_models_*.cpp);
// registered by add_models_command in cmd_models.cpp.
#include "commands.h"

namespace ivk::cli {

void add_models_show_command(CLI::App& models, Runner& run);      // show KEY
void add_models_install_command(CLI::App& models, Runner& run);   // install SOURCE
void add_models_jobs_commands(CLI::App& models, Runner& run);     // jobs, cancel ID, prune
void add_models_delete_command(CLI::App& models, Runner& run);    // delete KEY...
void add_models_scan_command(CLI::App& models, Runner& run);      // scan PATH
void add_models_stats_command(CLI::App& models, Runner& run);     // stats
void add_models_hf_login_command(CLI::App& models, Runner& run);  // hf-login
void add_models_bench_command(CLI::App& models, Runner& run);     // bench WF --models ...

}  // namespace ivk::cli
