// ivk models bench WF --models KEY1,KEY2,...: the workflow once per model (its main-model slots
// switched and its settings adjusted per model), timed, with the images each run made.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "common.h"
#include "exit_codes.h"
#include "ivk/api/images_api.h"
#include "ivk/api/models_api.h"
#include "ivk/api/queue_api.h"
#include "ivk/client/batch_run.h"
#include "ivk/client/image_download.h"
#include "ivk/client/output_mapping.h"
#include "ivk/events/event_stream.h"
#include "ivk/json_text.h"
#include "ivk/models/model_selection.h"
#include "ivk/workflow/batch.h"
#include "models_commands.h"
#include "server_options.h"
#include "table.h"
#include "workflow_args.h"

namespace ivk::cli {
namespace {

struct BenchOptions {
  std::string workflow;
  std::string templates;
  std::string models;  // comma-separated keys
  WorkflowArgs values;
  ServerOptions server;
  bool allow_base_change = false;
  bool keep_settings = false;
  std::string out;
  double timeout_s = 1800;
  bool json = false;
};

struct BenchRow {
  std::string key, name, base, status;
  double seconds = 0;
  std::vector<std::string> images;
  std::string error;
};

std::vector<std::string> split_keys(const std::string& text) {
  std::vector<std::string> keys;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    std::string key = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!key.empty()) keys.push_back(std::move(key));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return keys;
}

int run_bench(const BenchOptions& opts) {
  const auto keys = split_keys(opts.models);
  if (keys.empty()) return usage_error("models bench: --models needs at least one key");
  auto assignments = parse_sets(opts.values);
  if (!assignments) return usage_error(assignments.error().message);
  // The file first: a bad one fails before any request.
  auto base_wf = load_workflow(opts.workflow, "");
  if (!base_wf) return report_error(base_wf.error());
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  // Typed by the server's own templates (or --templates) before any value is set, so a value out
  // of its node's range is refused here and no model's run is enqueued.
  if (auto typed = apply_server_templates(*base_wf, opts.templates, **session); !typed)
    return report_error(typed.error());
  if (!assignments->empty())
    if (auto ok = base_wf->set_many(*assignments); !ok) return report_error(ok.error());
  ModelsApi models(**session);
  // Every model and every body first: a typo in the last key must not cost the first runs.
  std::vector<std::pair<ModelRecord, std::string>> plans;
  for (const auto& key : keys) {
    auto record = models.get(key);
    if (!record) return report_error(record.error());
    Workflow wf = *base_wf;
    SwitchOptions switch_options;
    switch_options.allow_base_change = opts.allow_base_change;
    switch_options.adjust_settings = !opts.keep_settings;
    if (auto switched = switch_model(wf, *record, switch_options); !switched) {
      Error e = switched.error();
      e.message = "model " + key + ": " + e.message;
      return report_error(e);
    }
    BatchOptions batch;
    batch.runs = opts.values.runs;
    auto body = build_enqueue_body(wf, batch);
    if (!body) return report_error(body.error());
    plans.emplace_back(std::move(*record), std::move(*body));
  }

  std::unique_ptr<EventStream> events;
  {
    if (auto stream = EventStream::connect((*session)->url(), event_stream_options(opts.server, **session)))
      events = std::move(*stream);
  }
  QueueApi queue(**session);
  ImagesApi images(**session);
  RunOptions run_options;
  run_options.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(opts.timeout_s * 1000));

  std::vector<BenchRow> rows;
  int rc = kExitOk;
  for (const auto& [record, body] : plans) {
    BenchRow row{record.key, record.name, record.base, "", 0, {}, ""};
    const auto start = std::chrono::steady_clock::now();
    auto run = BatchRun::submit(queue, events.get(), body, run_options);
    Result<RunSummary> summary = run ? (*run)->wait() : Result<RunSummary>(tl::unexpected(run.error()));
    row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!summary) {
      row.status = "error";
      row.error = summary.error().message;
      rc = exit_code_for(summary.error().code);
    } else {
      row.status = summary->failed > 0 ? "failed" : summary->canceled > 0 ? "canceled" : "completed";
      if (row.status != "completed") rc = kExitFailure;
      for (const auto& item : summary->items) {
        if (item.error_message) row.error = item.error_type.value_or("") + ": " + *item.error_message;
        if (auto mapped = map_item_images(item.session_json, base_wf->templates()))
          row.images.insert(row.images.end(), mapped->collect.begin(), mapped->collect.end());
      }
      if (!opts.out.empty() && !row.images.empty()) {
        const auto dir = std::filesystem::path(opts.out) /
                         safe_image_file_name(record.name.empty() ? record.key : record.name);
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        for (const auto& d : download_images(images, row.images, dir))
          if (d.error) {
            std::cerr << "ivk: error: " << d.error->describe() << '\n';
            rc = kExitFailure;
          }
      }
    }
    if (!opts.json) {
      char secs[32];
      std::snprintf(secs, sizeof secs, "%.2f", row.seconds);
      std::cerr << "ivk: " << (row.name.empty() ? row.key : row.name) << ": " << row.status << " in " << secs
                << " s\n";
    }
    rows.push_back(std::move(row));
  }

  if (opts.json) {
    std::string out = "[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& r = rows[i];
      out += std::string(i ? "," : "") + "{\"key\":" + json_quote(r.key) + ",\"name\":" + json_quote(r.name) +
             ",\"base\":" + json_quote(r.base) + ",\"status\":" + json_quote(r.status) +
             ",\"seconds\":" + json_number(r.seconds) + ",\"images\":[";
      for (std::size_t j = 0; j < r.images.size(); ++j) out += (j ? "," : "") + json_quote(r.images[j]);
      out += "]";
      if (!r.error.empty()) out += ",\"error\":" + json_quote(r.error);
      out += "}";
    }
    print_line(out + "]");
  } else {
    Table table({"MODEL", "BASE", "STATUS", "SECONDS", "IMAGES"});
    table.align_right(3);
    for (const auto& r : rows) {
      char secs[32];
      std::snprintf(secs, sizeof secs, "%.2f", r.seconds);
      std::string names;
      for (const auto& n : r.images) names += (names.empty() ? "" : " ") + n;
      table.add_row({truncate_for_display(r.name.empty() ? r.key : r.name, 40), r.base, r.status, secs,
                     names.empty() ? (r.error.empty() ? "-" : truncate_for_display(r.error, 60)) : names});
    }
    table.print(std::cout);
  }
  return rc;
}

}  // namespace

void add_models_bench_command(CLI::App& models, Runner& run) {
  auto opts = std::make_shared<BenchOptions>();
  auto* sub = models.add_subcommand("bench", "Run a workflow once per model and compare time and images");
  sub->add_option("workflow", opts->workflow, "Workflow .json or InvokeAI .png")->required()->type_name("WF");
  sub->add_option("--models", opts->models, "Main models to compare, by key")
      ->required()
      ->type_name("KEY1,KEY2,...");
  add_workflow_args(sub, opts->values);
  add_server_options(sub, opts->server);
  sub->add_flag("--allow-base-change", opts->allow_base_change,
                "Allow models of another base than the workflow's (other slots may need a sync)");
  sub->add_flag("--keep-settings", opts->keep_settings,
                "Keep the workflow's steps/CFG/size instead of each model's recommended ones");
  sub->add_option("-o,--out", opts->out, "Download each model's images into OUT/<model name>/")
      ->type_name("DIR");
  sub->add_option("--timeout", opts->timeout_s, "Per model, in seconds (default 1800)")
      ->check(CLI::PositiveNumber)
      ->type_name("S");
  sub->add_flag("--json", opts->json, "JSON array of {key, name, base, status, seconds, images, error?}");
  add_templates_option(sub, opts->templates)
      ->description(
          "Server OpenAPI document to type inputs from the node schemas (default: $IVK_TEMPLATES, else "
          "the server's own GET /openapi.json, cached)");
  sub->footer(
      "Each model runs after the previous one finished, so times do not overlap. Sweeps are not\n"
      "used here; --runs repeats each model's run.\n\n"
      "Example:\n"
      "  ivk models bench sdxl.json --models KEY1,KEY2 -s \"Positive Prompt=a red fox\" --out bench");
  sub->callback([&run, opts] { run = [opts] { return run_bench(*opts); }; });
}

}  // namespace ivk::cli
