// ivk models install SOURCE: install a model on the server from a path on the server, a URL or a
// Hugging Face repo id, optionally waiting for it with a progress bar.
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>

#include "common.h"
#include "exit_codes.h"
#include "install_view.h"
#include "ivk/api/models_api.h"
#include "ivk/json_text.h"
#include "models_commands.h"
#include "server_options.h"

namespace ivk::cli {
namespace {

struct InstallCliOptions {
  ServerOptions server;
  std::string source;
  bool wait = false;
  double timeout_s = 600;
  bool inplace = false;
  std::string access_token;
  std::string config;
  bool reinstall = false;
  bool json = false;
};

int run_install(const InstallCliOptions& opts, const CLI::Option* access_token_opt) {
  if (!(opts.timeout_s > 0) || !std::isfinite(opts.timeout_s))
    return usage_error("--timeout must be a positive number of seconds");
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  ModelsApi api(**session);
  InstallOptions options;
  options.inplace = opts.inplace;
  if (access_token_opt->count() > 0) options.access_token = opts.access_token;
  options.config_json = opts.config;
  options.skip_if_installed = !opts.reinstall;
  auto handle = api.install(opts.source, options);
  if (!handle) return report_error(handle.error());

  ModelInstallJob job = handle->job();
  if (opts.wait && !handle->already_installed()) {
    auto done = wait_with_progress(*handle, std::chrono::milliseconds(std::llround(opts.timeout_s * 1000)));
    if (!done) {
      if (opts.json) print_line(pretty_json(handle->job().raw_json));
      return report_error(done.error());
    }
    job = std::move(*done);
  }
  if (opts.json) {
    print_line(pretty_json(job.raw_json));
  } else if (!job.is_terminal()) {
    std::cout << "started install job " << job.id << " (" << job.status << ") for " << job.source
              << "; follow it with: ivk models jobs\n";
  } else if (job.succeeded()) {
    std::cout << job_outcome_text(job) << '\n';
  }  // a failure goes to stderr only, below
  return job.is_terminal() ? report_job_outcome(job) : kExitOk;
}

}  // namespace

void add_models_install_command(CLI::App& models, Runner& run) {
  auto opts = std::make_shared<InstallCliOptions>();
  auto* sub =
      models.add_subcommand("install", "Install a model on the server (path, URL or Hugging Face repo)");
  sub->add_option("source", opts->source,
                  "A path on the server, an http(s) URL, or a Hugging Face repo id "
                  "(owner/name[:variant][:subfolder])")
      ->required()
      ->type_name("SOURCE");
  add_server_options(sub, opts->server);
  sub->add_flag("--wait", opts->wait, "Wait until the install ends (progress bar on a terminal)");
  sub->add_option("--timeout", opts->timeout_s, "With --wait: give up waiting after S seconds (default 600)")
      ->type_name("S");
  sub->add_flag("--inplace", opts->inplace, "A local path stays where it is instead of being copied");
  auto* access_token = sub->add_option("--access-token", opts->access_token,
                                       "Token for a gated Hugging Face repo or a private URL")
                           ->type_name("T");
  sub->add_option("--config", opts->config,
                  R"(Record overrides as a JSON object, e.g. '{"name": "my model"}')")
      ->type_name("JSON");
  sub->add_flag("--reinstall", opts->reinstall,
                "Send the install even when a model with this exact source is installed");
  sub->add_flag("--json", opts->json, "Print the job (with --wait: the final job) as JSON");
  sub->footer(
      "Before installing, ivk looks for an installed model with exactly this source and, when there\n"
      "is one, reports it as already installed (exit 0) instead of downloading it again. A job that\n"
      "ends in DuplicateModelException counts as already installed too.\n"
      "Exit 0 started (or, with --wait, completed); 1 cancelled; 3 a source the server does not\n"
      "understand; 6 the install failed or the server refused it; 7 no answer; 8 --timeout ran out\n"
      "(the install keeps running on the server).\n\n"
      "Examples:\n"
      "  ivk models install https://example.com/models/detail.safetensors --wait\n"
      "  ivk models install stabilityai/sdxl-turbo:fp16 --wait --timeout 3600 --json\n"
      "  ivk models install /data/models/juggernautXL_v9.safetensors --inplace");
  sub->callback([&run, opts, access_token] {
    run = [opts, access_token] { return run_install(*opts, access_token); };
  });
}

}  // namespace ivk::cli
