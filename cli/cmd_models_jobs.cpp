// ivk models jobs | cancel ID | prune: the server's model install jobs.
#include <charconv>
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
#include "table.h"

namespace ivk::cli {
namespace {

constexpr std::size_t kSourceWidth = 60;

struct JobsOptions {
  ServerOptions server;
  std::string id;
  bool json = false;
};

int run_jobs(const JobsOptions& opts) {
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  ModelsApi api(**session);
  auto jobs = api.list_jobs();
  if (!jobs) return report_error(jobs.error());
  if (opts.json) {
    JsonBuilder out;
    out.begin_array();
    for (const auto& j : *jobs) out.raw(j.raw_json);
    out.end_array();
    print_line(pretty_json(out.str()));
    return kExitOk;
  }
  if (jobs->empty()) {
    std::cout << "no install jobs\n";
    return kExitOk;
  }
  Table table({"ID", "STATUS", "PROGRESS", "SOURCE", "RESULT"});
  table.align_right(0);
  for (const auto& j : *jobs) {
    std::string result = "-";
    if (j.config_out)
      result = j.config_out->key;
    else if (!j.error_reason.empty() || !j.error.empty())
      result = j.error_reason.empty() ? j.error : j.error_reason;
    table.add_row({std::to_string(j.id), j.status, progress_text(j),
                   truncate_for_display(j.source, kSourceWidth), truncate_for_display(result, kSourceWidth)});
  }
  table.print(std::cout);
  return kExitOk;
}

int run_cancel(const JobsOptions& opts) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(opts.id.data(), opts.id.data() + opts.id.size(), id);
  if (opts.id.empty() || ec != std::errc() || end != opts.id.data() + opts.id.size())
    return usage_error("ID must be an install job number (ivk models jobs lists them), got '" + opts.id +
                       "'");
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  ModelsApi api(**session);
  if (auto s = api.cancel_job(id); !s) return report_error(s.error());
  auto job = api.get_job(id);
  if (opts.json) {
    if (!job) return report_error(job.error());
    print_line(pretty_json(job->raw_json));
  } else {
    std::cout << "cancelled install job " << id << (job ? " (now " + job->status + ")" : std::string())
              << '\n';
  }
  return kExitOk;
}

int run_prune(const JobsOptions& opts) {
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  ModelsApi api(**session);
  if (auto s = api.prune_jobs(); !s) return report_error(s.error());
  if (opts.json)
    print_line("{\"pruned\": true}");
  else
    std::cout << "removed finished install jobs (completed, error, cancelled)\n";
  return kExitOk;
}

}  // namespace

void add_models_jobs_commands(CLI::App& models, Runner& run) {
  {
    auto opts = std::make_shared<JobsOptions>();
    auto* sub = models.add_subcommand("jobs", "List the server's model install jobs");
    add_server_options(sub, opts->server);
    sub->add_flag("--json", opts->json, "Print the jobs as the server sent them (JSON array)");
    sub->footer("Columns: job id, status, bytes downloaded, source, and the installed key or the error.");
    sub->callback([&run, opts] { run = [opts] { return run_jobs(*opts); }; });
  }
  {
    auto opts = std::make_shared<JobsOptions>();
    auto* sub = models.add_subcommand("cancel", "Cancel a model install job");
    sub->add_option("id", opts->id, "The job number (ivk models jobs)")->required()->type_name("ID");
    add_server_options(sub, opts->server);
    sub->add_flag("--json", opts->json, "Print the job after cancelling, as JSON");
    sub->footer("Exit 0; 3 when the server has no such job.");
    sub->callback([&run, opts] { run = [opts] { return run_cancel(*opts); }; });
  }
  {
    auto opts = std::make_shared<JobsOptions>();
    auto* sub = models.add_subcommand("prune", "Forget finished model install jobs");
    add_server_options(sub, opts->server);
    sub->add_flag("--json", opts->json, "Print {\"pruned\": true}");
    sub->footer("Removes completed, errored and cancelled jobs from the server's list; running jobs stay.");
    sub->callback([&run, opts] { run = [opts] { return run_prune(*opts); }; });
  }
}

}  // namespace ivk::cli
