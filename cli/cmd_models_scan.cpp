// ivk models scan PATH [--install]: model files in a folder on the server, and installing the
// ones not installed yet.
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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

struct ScanOptions {
  ServerOptions server;
  std::string path;
  bool install = false;
  bool copy = false;
  bool wait = false;
  double timeout_s = 600;
  bool json = false;
};

struct Row {
  FoundModel found;
  std::optional<ModelInstallJob> job;
  std::optional<Error> error;
};

// Starts (and with --wait, follows) the install of one found file; errors stay with the row.
void install_one(ModelsApi& api, const ScanOptions& opts, Row& row) {
  InstallOptions options;
  options.inplace = !opts.copy;
  auto handle = api.install(row.found.path, options);
  if (!handle) {
    row.error = handle.error();
    return;
  }
  row.job = handle->job();
  if (!opts.wait || handle->already_installed()) return;
  auto done = wait_with_progress(*handle, std::chrono::milliseconds(std::llround(opts.timeout_s * 1000)));
  if (!done) {
    row.error = done.error();
    return;
  }
  row.job = *done;
  if (auto s = done->as_status(); !s) row.error = s.error();
}

int run_scan(const ScanOptions& opts) {
  if (!(opts.timeout_s > 0) || !std::isfinite(opts.timeout_s))
    return usage_error("--timeout must be a positive number of seconds");
  if ((opts.wait || opts.copy) && !opts.install) return usage_error("--wait and --copy go with --install");
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  ModelsApi api(**session);
  auto found = api.scan_folder(opts.path);
  if (!found) return report_error(found.error());
  std::vector<Row> rows;
  for (auto& f : *found) rows.push_back(Row{std::move(f), std::nullopt, std::nullopt});
  if (opts.install)
    for (auto& row : rows)
      if (!row.found.is_installed) install_one(api, opts, row);

  if (opts.json) {
    JsonBuilder out;
    out.begin_array();
    for (const auto& row : rows) {
      out.begin_object()
          .key("path")
          .string(row.found.path)
          .key("is_installed")
          .boolean(row.found.is_installed);
      out.key("job");
      if (row.job)
        out.raw(row.job->raw_json);
      else
        out.null();
      out.end_object();
    }
    out.end_array();
    print_line(pretty_json(out.str()));
  } else if (rows.empty()) {
    std::cout << "no model files found in " << opts.path << '\n';
  } else {
    Table table({"PATH", "INSTALLED", "INSTALL"});
    for (const auto& row : rows) {
      std::string install = "-";
      if (row.job)
        install = row.job->is_terminal() || row.job->id < 0
                      ? job_outcome_text(*row.job)
                      : "job " + std::to_string(row.job->id) + " " + row.job->status;
      table.add_row({row.found.path, row.found.is_installed ? "yes" : "no", install});
    }
    table.print(std::cout);
  }
  std::cout.flush();
  int code = kExitOk;
  for (const auto& row : rows)
    if (row.error) {
      std::cerr << "ivk: error: " << row.found.path << ": " << row.error->describe() << '\n';
      if (code == kExitOk) code = exit_code_for(row.error->code);
    }
  return code;
}

}  // namespace

void add_models_scan_command(CLI::App& models, Runner& run) {
  auto opts = std::make_shared<ScanOptions>();
  auto* sub = models.add_subcommand("scan", "List model files in a folder on the server; install them");
  sub->add_option("path", opts->path, "A folder on the server")->required()->type_name("PATH");
  add_server_options(sub, opts->server);
  sub->add_flag("--install", opts->install, "Install every file found that is not installed yet (in place)");
  sub->add_flag("--copy", opts->copy, "With --install: copy the files into the models folder instead");
  sub->add_flag("--wait", opts->wait, "With --install: wait for each install to end");
  sub->add_option("--timeout", opts->timeout_s, "With --wait: seconds to wait for each install (default 600)")
      ->type_name("S");
  sub->add_flag("--json", opts->json,
                R"(Print [{"path", "is_installed", "job"}] (job: null unless installed now))");
  sub->footer(
      "Exit 0; 3 when the server cannot scan PATH; with --install, the code of the first install\n"
      "that failed (6 install error, 8 timeout).\n\n"
      "Examples:\n"
      "  ivk models scan /data/models/sdxl\n"
      "  ivk models scan /data/models/sdxl --install --wait");
  sub->callback([&run, opts] { run = [opts] { return run_scan(*opts); }; });
}

}  // namespace ivk::cli
