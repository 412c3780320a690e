// ivk run WF: set inputs (once or as a sweep), enqueue on a server, follow the batch live, download
// the images and write run.json. The whole main job of ivk in one command.
#include <atomic>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"
#include "common.h"
#include "exit_codes.h"
#include "ivk/batch.h"
#include "ivk/batch_run.h"
#include "ivk/boards_api.h"
#include "ivk/event_stream.h"
#include "ivk/image_download.h"
#include "ivk/images_api.h"
#include "ivk/json_text.h"
#include "ivk/model_sync.h"
#include "ivk/models_api.h"
#include "ivk/output_mapping.h"
#include "ivk/queue_api.h"
#include "ivk/run_manifest.h"
#include "run_view.h"
#include "server_options.h"
#include "workflow_args.h"

namespace ivk::cli {
namespace {

// Set by SIGINT/SIGTERM; the wait cancels the batch on the server and lets the items end.
std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int /*signal*/) {
  g_interrupted.store(true);
  // A second Ctrl-C ends ivk at once.
  std::signal(SIGINT, SIG_DFL);
}

struct RunCliOptions {
  std::string workflow;
  std::string templates;
  WorkflowArgs values;
  ServerOptions server;
  std::string board;
  std::string out = "ivk-output";
  bool sync_models = false;
  double timeout_s = 3600;
  bool json = false;
  bool no_events = false;
  bool no_download = false;
  bool prepend = false;
  int concurrency = 4;
};

std::string event_kind_name(RunEvent::Kind kind) {
  switch (kind) {
    case RunEvent::Kind::item_started: return "item_started";
    case RunEvent::Kind::node_started: return "node_started";
    case RunEvent::Kind::node_progress: return "node_progress";
    case RunEvent::Kind::node_completed: return "node_completed";
    case RunEvent::Kind::item_finished: return "item_finished";
    case RunEvent::Kind::stream_lost: return "stream_lost";
    case RunEvent::Kind::stream_restored: return "stream_restored";
  }
  return "unknown";
}

std::string json_string_array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + json_quote(items[i]);
  return out + "]";
}

// Input references as the user typed them, per "node_id.field_name", to name the swept values.
std::map<std::string, std::string> sweep_reference_names(const Workflow& wf, const WorkflowArgs& args) {
  std::map<std::string, std::string> names;
  auto add = [&](const std::vector<std::string>& list) {
    for (const auto& text : list)
      if (auto parts = split_assignment(text))
        if (auto input = wf.find_input(parts->first))
          names[(*input)->node_id + "." + (*input)->field_name] = parts->first;
  };
  add(args.sweeps);
  add(args.sweeps_json);
  return names;
}

// Syncs the workflow's model references to the server's models; every reference must resolve.
Status sync_models(Workflow& wf, ServerSession& session, bool quiet) {
  ModelsApi models(session);
  auto records = models.list();
  if (!records) return tl::unexpected(records.error());
  ModelCatalog catalog(std::move(*records));
  // By hash, then name, then base: a run needs some model of the right base, not necessarily the one
  // the workflow was exported with.
  SyncOptions options;
  options.by_base = true;
  auto plan = plan_model_sync(wf, catalog, options);
  if (!plan) return tl::unexpected(plan.error());
  auto changes = apply_model_sync(wf, *plan);
  if (!changes) return tl::unexpected(changes.error());
  if (!quiet && !changes->empty())
    std::cerr << "ivk: synced " << changes->size() << " model reference(s) to the server's models\n";
  return {};
}

int run_workflow(const RunCliOptions& opts) {
  auto assignments = parse_sets(opts.values);
  if (!assignments) return usage_error(assignments.error().message);
  auto wf = load_workflow(opts.workflow, opts.templates);
  if (!wf) return report_error(wf.error());
  if (!assignments->empty())
    if (auto ok = wf->set_many(*assignments); !ok) return report_error(ok.error());
  auto groups = sweep_groups(*wf, opts.values);
  if (!groups) return report_error(groups.error());

  const std::filesystem::path out_dir = opts.out;
  if (!opts.no_download) {
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec || !std::filesystem::is_directory(out_dir))
      return report_error(
          fail(ErrorCode::io, "cannot create the output folder " + opts.out + ": " + ec.message()).value());
  }

  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  if (opts.sync_models)
    if (auto ok = sync_models(*wf, **session, opts.json); !ok) return report_error(ok.error());

  BoardsApi boards(**session);
  std::optional<std::string> board_id;
  if (!opts.board.empty() && opts.board != "none") {
    auto board = boards.get_or_create(opts.board);
    if (!board) return report_error(board.error());
    board_id = board->board_id;
  }

  BatchOptions batch;
  batch.runs = opts.values.runs;
  batch.prepend = opts.prepend;
  batch.sweeps = std::move(*groups);
  if (board_id) batch.graph.auto_board = *board_id;
  auto body = build_enqueue_body(*wf, batch);
  if (!body) return report_error(body.error());

  // Live events are a nicety: without them the run still completes, by polling.
  std::unique_ptr<EventStream> events;
  if (!opts.no_events) {
    auto stream = EventStream::connect((*session)->url(), event_stream_options(opts.server, **session));
    if (stream)
      events = std::move(*stream);
    else if (!opts.json)
      std::cerr << "ivk: warning: no live events (" << stream.error().message << "); following by polling\n";
  }

  QueueApi queue(**session);
  ImagesApi images(**session);
  RunOptions run_options;
  run_options.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(opts.timeout_s * 1000));
  run_options.keep_item_json = false;
  run_options.cancel_requested = [] { return g_interrupted.load(); };
  g_interrupted = false;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);

  auto run = BatchRun::submit(queue, events.get(), *body, run_options);
  if (!run) return report_error(run.error());
  const EnqueueResult& enqueued = (*run)->enqueued();
  if (opts.json) {
    std::vector<std::string> ids;
    for (auto id : enqueued.item_ids) ids.push_back(std::to_string(id));
    std::string line = "{\"event\":\"submitted\",\"batch_id\":" + json_quote(enqueued.batch_id) +
                       ",\"enqueued\":" + std::to_string(enqueued.enqueued) + ",\"item_ids\":[";
    for (std::size_t i = 0; i < ids.size(); ++i) line += (i ? "," : "") + ids[i];
    print_line(line + "]}");
  } else {
    std::cerr << "ivk: enqueued " << enqueued.enqueued << " item(s) as batch " << enqueued.batch_id << '\n';
  }

  RunManifest manifest;
  manifest.workflow = std::filesystem::path(opts.workflow).filename().string();
  manifest.server = (*session)->url().to_string();
  manifest.batch_id = enqueued.batch_id;
  const auto sweep_names = sweep_reference_names(*wf, opts.values);
  std::vector<std::pair<std::string, std::string>> set_values;
  for (const auto& [ref, text] : *assignments)
    if (auto input = wf->find_input(ref); input && (*input)->value_json)
      set_values.emplace_back(ref, *(*input)->value_json);

  std::optional<ImageDownloader> downloader;
  if (!opts.no_download) downloader.emplace(images, out_dir, opts.concurrency);
  std::vector<Error> problems;
  RunStatusLine status_line;
  std::size_t image_count = 0;

  auto on_event = [&](const RunEvent& e, const RunProgress& progress) {
    if (e.kind == RunEvent::Kind::item_finished && e.item != nullptr) {
      const QueueItem& item = *e.item;
      ManifestItem record;
      record.item_id = item.item_id;
      record.status = item.status;
      record.inputs = set_values;
      if (auto values = parse_field_values(item.field_values_json))
        for (const auto& v : *values) {
          const std::string key = v.node_path + "." + v.field_name;
          auto name = sweep_names.find(key);
          record.inputs.emplace_back(name != sweep_names.end() ? name->second : key, v.value_json);
        }
      record.error_type = item.error_type;
      record.error_message = item.error_message;
      std::vector<std::string> names;
      if (item.status == "completed") {
        if (auto mapped = map_item_images(item.session_json, wf->templates(), &*wf))
          names = mapped->collect;
        else
          problems.push_back(mapped.error());
      }
      for (const auto& name : names) {
        record.images.push_back(safe_image_file_name(name));
        if (downloader) downloader->add(name, item.item_id);
      }
      image_count += names.size();
      if (board_id && !names.empty())
        if (auto moved = boards.add_images(*board_id, names); !moved) problems.push_back(moved.error());
      if (opts.json) {
        std::string line = "{\"event\":\"item_finished\",\"item_id\":" + std::to_string(item.item_id) +
                           ",\"status\":" + json_quote(item.status) +
                           ",\"images\":" + json_string_array(record.images);
        if (item.error_type) line += ",\"error_type\":" + json_quote(*item.error_type);
        if (item.error_message) line += ",\"error_message\":" + json_quote(*item.error_message);
        print_line(line + "}");
      } else if (item.status != "completed") {
        status_line.note("item " + std::to_string(item.item_id) + " " + item.status +
                         (item.error_type ? ": " + *item.error_type : std::string()) +
                         (item.error_message ? ": " + *item.error_message : std::string()));
      }
      manifest.items.push_back(std::move(record));
    } else if (opts.json) {
      std::string line = "{\"event\":\"" + event_kind_name(e.kind) + "\"";
      if (e.item_id != 0) line += ",\"item_id\":" + std::to_string(e.item_id);
      if (!e.node_id.empty()) line += ",\"node_id\":" + json_quote(e.node_id);
      if (!e.node_type.empty()) line += ",\"node_type\":" + json_quote(e.node_type);
      if (e.percentage) line += ",\"percentage\":" + json_number(*e.percentage);
      if (!e.message.empty()) line += ",\"message\":" + json_quote(e.message);
      print_line(line + "}");
    } else if (e.kind == RunEvent::Kind::stream_lost) {
      status_line.note("ivk: event socket lost (" + e.message + "); polling until it is back");
    }
    if (!opts.json) status_line.update(progress);
  };

  auto summary = (*run)->wait(on_event);
  status_line.finish();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);

  std::size_t downloaded = 0, skipped = 0;
  if (downloader) {
    for (const auto& d : downloader->wait()) {
      if (d.error)
        problems.push_back(*d.error);
      else if (d.skipped)
        ++skipped;
      else
        ++downloaded;
    }
  }
  std::sort(manifest.items.begin(), manifest.items.end(),
            [](const ManifestItem& a, const ManifestItem& b) { return a.item_id < b.item_id; });
  if (!opts.no_download)
    if (auto written = write_file_atomically(out_dir / "run.json", to_json(manifest)); !written)
      problems.push_back(written.error());

  for (const auto& problem : problems) std::cerr << "ivk: error: " << problem.describe() << '\n';
  if (!summary) return report_error(summary.error());

  if (opts.json) {
    print_line(
        "{\"event\":\"done\",\"batch_id\":" + json_quote(summary->batch_id) + ",\"completed\":" +
        std::to_string(summary->completed) + ",\"failed\":" + std::to_string(summary->failed) +
        ",\"canceled\":" + std::to_string(summary->canceled) + ",\"images\":" + std::to_string(image_count) +
        ",\"downloaded\":" + std::to_string(downloaded) + ",\"skipped\":" + std::to_string(skipped) + "}");
  } else {
    std::cerr << "ivk: " << summary->items.size() << " item(s): " << summary->completed << " completed, "
              << summary->failed << " failed, " << summary->canceled << " canceled; " << image_count
              << " image(s)";
    if (!opts.no_download)
      std::cerr << " in " << out_dir.string() << " (" << downloaded << " downloaded, " << skipped
                << " already there)";
    std::cerr << '\n';
  }
  if (summary->failed > 0 || summary->canceled > 0 || !problems.empty()) return kExitFailure;
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, Runner& run) {
  auto opts = std::make_shared<RunCliOptions>();
  auto* sub =
      app.add_subcommand("run", "Run a workflow on a server (once or as a sweep) and collect its images");
  sub->add_option("workflow", opts->workflow, "Workflow .json, InvokeAI .png that embeds one, or - for stdin")
      ->required()
      ->type_name("WF");
  add_workflow_args(sub, opts->values);
  add_server_options(sub, opts->server);
  sub->add_option("--board", opts->board, "Put the images on this board (by name; created when missing)")
      ->type_name("NAME");
  sub->add_option("-o,--out", opts->out, "Folder for the images and run.json (default: ivk-output)")
      ->type_name("DIR");
  sub->add_flag(
      "--sync-models", opts->sync_models,
      "Point the workflow's model references at the server's models first (by hash, name, then base; all "
      "must resolve)");
  sub->add_option("--timeout", opts->timeout_s, "Give up waiting after S seconds (default 3600)")
      ->check(CLI::PositiveNumber)
      ->type_name("S");
  sub->add_flag("--json", opts->json, "One JSON event per line on stdout instead of the progress display");
  sub->add_flag("--no-events", opts->no_events, "Follow the batch by polling only (no Socket.IO)");
  sub->add_flag("--no-download", opts->no_download, "Do not download images or write run.json");
  sub->add_flag("--prepend", opts->prepend, "Put the batch at the front of the queue");
  sub->add_option("--concurrency", opts->concurrency, "Parallel image downloads (default 4)")
      ->check(CLI::Range(1, 64))
      ->type_name("N");
  add_templates_option(sub, opts->templates);
  sub->footer(
      "Writes each item's images into --out (skipping files already there) and run.json:\n"
      "  {\"workflow\", \"server\", \"batch_id\", \"items\": [{\"item_id\", \"status\", \"inputs\": {...},\n"
      "   \"images\": [file names], \"error_type\"?, \"error_message\"?}]}\n"
      "Ctrl-C cancels the batch on the server and waits for its items to stop (twice: quit at once).\n"
      "Exit status: 0 when every item completed and every image was saved, 1 when an item failed or\n"
      "was canceled, 8 on --timeout, others as for every command.\n\n"
      "Examples:\n"
      "  ivk run wf.json -s \"Positive Prompt=a red fox\" --out foxes\n"
      "  ivk run wf.json --sweep seed=1,2,3,4 --sweep steps=10,20 --board sweeps   # 8 items\n"
      "  ivk run wf.json --sweep 3=512,768 --sweep 4=512,1024 --zip --json       # 2 items");
  sub->callback([&run, opts] { run = [opts] { return run_workflow(*opts); }; });
}

}  // namespace ivk::cli
