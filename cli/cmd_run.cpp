// ivk run WF: a durable run of a workflow on a server (once, a sweep, or the rows of an inputs file),
// every image saved exactly once, resumable from the journal in --out. A thin shell over ivk::Run:
// this file turns flags into a RunSpec and notices into lines on the terminal.
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"
#include "common.h"
#include "exit_codes.h"
#include "ivk/api/boards_api.h"
#include "ivk/api/models_api.h"
#include "ivk/client.h"
#include "ivk/client/run.h"
#include "ivk/json_text.h"
#include "ivk/models/model_sync.h"
#include "run_view.h"
#include "server_options.h"
#include "workflow_args.h"

namespace ivk::cli {
namespace {

// Set by SIGINT/SIGTERM; the run cancels its items on the server and stops.
std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int /*signal*/) {
  g_interrupted.store(true);
  // A second Ctrl-C ends ivk at once (the journal is consistent at every commit).
  std::signal(SIGINT, SIG_DFL);
}

struct RunCliOptions {
  std::string workflow;
  std::string templates;
  WorkflowArgs values;
  ServerOptions server;
  std::string board;
  std::string out = "ivk-output";
  std::string inputs;
  std::string resume;
  std::string name;
  bool start_new = false;
  bool sync_models = false;
  double timeout_s = 3600;
  bool json = false;
  bool no_events = false;
  bool no_download = false;
  bool prepend = false;
  bool retry_failed = false;
  int retries = 1;
  std::size_t window = 0;
  int concurrency = 4;
};

// The counts as members of the object being built (they ride on each item_finished line).
void add_counts(JsonBuilder& out, const RunCounts& c) {
  out.key("done").integer(static_cast<std::int64_t>(c.done));
  out.key("running").integer(static_cast<std::int64_t>(c.running));
  out.key("pending").integer(static_cast<std::int64_t>(c.pending));
  out.key("waiting").integer(static_cast<std::int64_t>(c.waiting));
  out.key("failed").integer(static_cast<std::int64_t>(c.failed));
  out.key("canceled").integer(static_cast<std::int64_t>(c.canceled));
  out.key("total").integer(static_cast<std::int64_t>(c.total));
  out.key("items_per_second").number(c.items_per_second);
  if (c.eta_seconds) out.key("eta_seconds").number(*c.eta_seconds);
}

std::string notice_kind_name(RunNotice::Kind kind) {
  switch (kind) {
    case RunNotice::Kind::resumed: return "resumed";
    case RunNotice::Kind::enqueued: return "submitted";
    case RunNotice::Kind::short_enqueue: return "short_enqueue";
    case RunNotice::Kind::batch_adopted: return "batch_adopted";
    case RunNotice::Kind::batch_absent: return "batch_absent";
    case RunNotice::Kind::item_finished: return "item_finished";
    case RunNotice::Kind::item_requeued: return "item_requeued";
    case RunNotice::Kind::image_failed: return "image_failed";
    case RunNotice::Kind::stream_lost: return "stream_lost";
    case RunNotice::Kind::stream_restored: return "stream_restored";
    case RunNotice::Kind::server_unreachable: return "server_unreachable";
    case RunNotice::Kind::node_progress: return "progress";
  }
  return "unknown";
}

// Syncs the workflow's model references to the server's models; every reference must resolve.
Status sync_models(Workflow& wf, Client& client, bool quiet) {
  auto records = client.models().list();
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

// The -s values as run.json lists them (label as typed -> compact JSON).
std::vector<std::pair<std::string, std::string>> fixed_inputs(
    const Workflow& wf, const std::vector<std::pair<std::string, std::string>>& sets) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [ref, text] : sets)
    if (auto input = wf.find_input(ref); input && (*input)->value_json)
      out.emplace_back(ref, *(*input)->value_json);
  return out;
}

class RunPrinter {
 public:
  explicit RunPrinter(bool json) : json_(json) {}

  void operator()(const RunNotice& n, const RunCounts& c) {
    if (json_) return print_json(n, c);
    switch (n.kind) {
      case RunNotice::Kind::node_progress: break;
      case RunNotice::Kind::enqueued: break;
      case RunNotice::Kind::item_finished:
        if (n.status != "completed" || n.error_message)
          status_.note("ivk: item " + std::to_string(n.index) + " " + n.status +
                       (n.error_type ? ": " + *n.error_type : std::string()) +
                       (n.error_message ? ": " + *n.error_message : std::string()));
        break;
      case RunNotice::Kind::stream_lost:
        status_.note("ivk: event socket lost (" + n.message + "); polling until it is back");
        break;
      case RunNotice::Kind::stream_restored: break;
      case RunNotice::Kind::server_unreachable: {
        // Once per trouble, not once per retry.
        const auto now = std::chrono::steady_clock::now();
        if (now - last_trouble_ > std::chrono::seconds(10)) status_.note("ivk: warning: " + n.message);
        last_trouble_ = now;
        break;
      }
      default: status_.note("ivk: " + n.message); break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ >= std::chrono::milliseconds(100) || n.kind == RunNotice::Kind::item_finished) {
      status_.update(c);
      last_draw_ = now;
    }
  }

  void finish() { status_.finish(); }

 private:
  void print_json(const RunNotice& n, const RunCounts& c) {
    if (n.kind == RunNotice::Kind::node_progress) return;  // too many; counts ride on item_finished
    JsonBuilder line;
    line.begin_object().key("event").string(notice_kind_name(n.kind));
    if (n.kind == RunNotice::Kind::enqueued) {
      line.key("batch_id").string(n.batch_id).key("enqueued").integer(static_cast<std::int64_t>(n.count));
    } else if (n.kind == RunNotice::Kind::item_finished) {
      line.key("index").integer(static_cast<std::int64_t>(n.index)).key("item_id").integer(n.item_id);
      line.key("status").string(n.status).key("images").raw(json_string_array(n.images));
      line.key("inputs").begin_object();
      for (const auto& [name, value_json] : n.inputs) line.key(name).raw(value_json);
      line.end_object();
      if (n.error_type) line.key("error_type").string(*n.error_type);
      if (n.error_message) line.key("error_message").string(*n.error_message);
      add_counts(line, c);
    } else {
      if (!n.batch_id.empty()) line.key("batch_id").string(n.batch_id);
      if (n.item_id != 0) line.key("item_id").integer(n.item_id);
      if (n.count != 0) line.key("count").integer(static_cast<std::int64_t>(n.count));
      if (!n.message.empty()) line.key("message").string(n.message);
    }
    print_line(line.end_object().str());
  }

  bool json_;
  RunStatusLine status_;
  std::chrono::steady_clock::time_point last_draw_{}, last_trouble_{};
};

int run_workflow(RunCliOptions opts) {
  std::optional<StoredRun> stored;
  if (!opts.resume.empty()) {
    if (!opts.workflow.empty())
      return usage_error("--resume DIR goes on from the journal alone: give no workflow");
    auto s = read_stored_run(opts.resume);
    if (!s) return report_error(s.error());
    stored = std::move(*s);
    if (!opts.server.url_given()) {
      opts.server.url = stored->server;
      if (opts.server.url_option != nullptr) opts.server.url_option->add_result(stored->server);
    }
    opts.out = opts.resume;
  } else if (opts.workflow.empty()) {
    return usage_error("give a workflow (WF), or --resume DIR");
  }

  auto assignments = parse_sets(opts.values);
  if (!assignments) return usage_error(assignments.error().message);

  auto client = open_client(opts.server);
  if (!client) return report_error(client.error());

  Result<Workflow> wf = stored
                            ? Workflow::load_string(stored->workflow_json, opts.resume + "/run.sqlite")
                            : load_workflow_for_server(opts.workflow, opts.templates, (*client)->session());
  if (!wf) return report_error(wf.error());
  if (stored)
    if (auto ok = apply_server_templates(*wf, opts.templates, (*client)->session()); !ok)
      return report_error(ok.error());

  RunSpec spec;
  if (stored) {
    spec = stored->spec;
  } else {
    if (!assignments->empty())
      if (auto ok = wf->set_many(*assignments); !ok) return report_error(ok.error());
    auto groups = sweep_groups(*wf, opts.values);
    if (!groups) return report_error(groups.error());
    spec.plan.sweeps = std::move(*groups);
    spec.plan.inputs_file = opts.inputs;
    spec.plan.runs = opts.values.runs;
    spec.workflow_name =
        opts.workflow == "-" ? "<stdin>" : std::filesystem::path(opts.workflow).filename().string();
    spec.fixed_inputs = fixed_inputs(*wf, *assignments);
    spec.prepend = opts.prepend;
    spec.retries = opts.retries;
    spec.download = !opts.no_download;
    spec.name_template = opts.name;
    if (opts.sync_models)
      if (auto ok = sync_models(*wf, **client, opts.json); !ok) return report_error(ok.error());
    if (!opts.board.empty() && opts.board != "none") {
      auto board = (*client)->boards().get_or_create(opts.board);
      if (!board) return report_error(board.error());
      spec.board_id = board->board_id;
    }
  }
  spec.out_dir = opts.out;
  spec.retry_failed = opts.retry_failed;
  spec.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(opts.timeout_s * 1000));
  spec.window = opts.window;
  spec.concurrency = opts.concurrency;
  spec.use_events = !opts.no_events;
  spec.cancel_requested = [] { return g_interrupted.load(); };

  if (opts.start_new)
    if (auto ok = Run::start_over(spec.out_dir); !ok) return report_error(ok.error());
  auto run = Run::open(**client, *wf, std::move(spec));
  if (!run) return report_error(run.error());
  if (!opts.json && !(*run)->resumed())
    std::cerr << "ivk: running " << (*run)->plan_size() << " item(s) into " << opts.out << '\n';

  g_interrupted = false;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  RunPrinter printer(opts.json);
  auto report = (*run)->execute([&printer](const RunNotice& n, const RunCounts& c) { printer(n, c); });
  printer.finish();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!report) return report_error(report.error());

  const RunCounts& c = report->counts;
  if (opts.json) {
    JsonBuilder done;
    done.begin_object().key("event").string("done");
    done.key("completed").integer(static_cast<std::int64_t>(c.done));
    done.key("failed").integer(static_cast<std::int64_t>(c.failed));
    done.key("canceled").integer(static_cast<std::int64_t>(c.canceled));
    done.key("images").integer(static_cast<std::int64_t>(c.images_saved));
    done.key("downloaded").integer(static_cast<std::int64_t>(c.downloaded));
    done.key("skipped").integer(static_cast<std::int64_t>(c.already_there));
    done.key("images_failed").integer(static_cast<std::int64_t>(c.images_failed));
    done.key("requeued").integer(static_cast<std::int64_t>(c.requeued));
    done.key("total").integer(static_cast<std::int64_t>(c.total));
    print_line(done.end_object().str());
  } else {
    std::cerr << "ivk: " << c.total << " item(s): " << c.done << " completed, " << c.failed << " failed, "
              << c.canceled << " canceled; " << c.images_saved << " image(s)";
    if (!opts.no_download)
      std::cerr << " in " << opts.out << " (" << c.downloaded << " downloaded, " << c.already_there
                << " already there"
                << (c.images_failed ? ", " + std::to_string(c.images_failed) + " failed" : "") << ")";
    std::cerr << '\n';
  }
  if (c.failed > 0 || c.canceled > 0 || c.images_failed > 0 || c.done < c.total) return kExitFailure;
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, Runner& run) {
  auto opts = std::make_shared<RunCliOptions>();
  auto* sub = app.add_subcommand(
      "run", "Run a workflow on a server (once, a sweep or an inputs file), durably, and collect its images");
  sub->add_option("workflow", opts->workflow, "Workflow .json, InvokeAI .png that embeds one, or - for stdin")
      ->type_name("WF");
  add_workflow_args(sub, opts->values);
  add_server_options(sub, opts->server);
  sub->add_option(
         "--inputs", opts->inputs,
         "Items from a file: .csv (a header row naming inputs by label, index or node.field) or .jsonl "
         "(one object per line); combined with --sweep as a product")
      ->type_name("FILE");
  sub->add_option("--board", opts->board, "Put the images on this board (by name; created when missing)")
      ->type_name("NAME");
  sub->add_option("-o,--out", opts->out,
                  "Folder for the images, run.json and the run's journal run.sqlite (default: ivk-output)")
      ->type_name("DIR");
  sub->add_option("--resume", opts->resume, "Go on with the run in DIR from its journal alone")
      ->type_name("DIR");
  sub->add_flag(
      "--new", opts->start_new,
      "Start a new run in --out even if it holds another one (its run.sqlite and run.json are kept as "
      "run-N.*)");
  sub->add_option("--name", opts->name,
                  "File names of the images, e.g. '{index:05}-{Seed}-{image}' (default: the server's names)")
      ->type_name("TEMPLATE");
  sub->add_flag(
      "--sync-models", opts->sync_models,
      "Point the workflow's model references at the server's models first (by hash, name, then base; all "
      "must resolve)");
  sub->add_option("--timeout", opts->timeout_s, "A deadline for the whole run, in seconds (default 3600)")
      ->check(CLI::PositiveNumber)
      ->type_name("S");
  sub->add_option("--window", opts->window,
                  "At most N of this run's items on the server at once (default: a quarter of its "
                  "max_queue_size, at most 1000)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))
      ->type_name("N");
  sub->add_option(
         "--retries", opts->retries,
         "Enqueue an item again up to N times when it vanishes from the server or a restart cancels it "
         "(default 1)")
      ->check(CLI::Range(0, 100))
      ->type_name("N");
  sub->add_flag("--retry-failed", opts->retry_failed, "Run items that failed on the server again (resuming)");
  sub->add_flag("--json", opts->json, "One JSON event per line on stdout instead of the progress display");
  sub->add_flag("--no-events", opts->no_events, "Follow the run by polling only (no Socket.IO)");
  sub->add_flag("--no-download", opts->no_download,
                "Do not download the images (the journal and run.json list them)");
  sub->add_flag("--prepend", opts->prepend, "Put the items at the front of the queue");
  sub->add_option("--concurrency", opts->concurrency, "Parallel image downloads (default 4)")
      ->check(CLI::Range(1, 64))
      ->type_name("N");
  add_templates_option(sub, opts->templates);
  // --resume takes the plan and its settings from the journal: a flag that would change them is an
  // error, not silently ignored.
  CLI::Option* resume = sub->get_option("--resume");
  for (const char* name :
       {"--set", "--sweep", "--sweep-json", "--zip", "--runs", "--inputs", "--board", "--out", "--new",
        "--name", "--sync-models", "--retries", "--no-download", "--prepend"})
    resume->excludes(sub->get_option(name));
  sub->footer(
      "Every decision is journaled in DIR/run.sqlite before it is acted on: kill ivk at any moment and run\n"
      "the same command again (or --resume DIR) to go on; nothing completed is enqueued again, and every\n"
      "plan item's images are saved exactly once. A folder holding another run is refused (see --new).\n"
      "--resume DIR takes the plan and its settings from the journal (with -s, --sweep, --inputs, --out...\n"
      "it is refused); --timeout, --window, --retry-failed, --concurrency and --no-events may be given.\n"
      "run.json: {\"workflow\", \"server\", \"batch_id\", \"plan_size\", \"counts\", \"items\": [{\"index\", "
      "\"item_id\",\n"
      "  \"status\", \"inputs\": {...}, \"images\": [file names], \"files\": [{file, image_name, bytes, "
      "sha256}],\n"
      "  \"attempts\", \"error_type\"?, \"error_message\"?}]}\n"
      "Ctrl-C cancels this run's items on the server and stops (twice: quit at once).\n"
      "Exit status: 0 when every item completed and every image was saved, 1 when an item failed or was\n"
      "canceled or an image could not be saved, 8 when --timeout passed, others as for every command.\n\n"
      "Examples:\n"
      "  ivk run wf.json -s \"Positive Prompt=a red fox\" --out foxes\n"
      "  ivk run wf.json --sweep seed=1,2,3,4 --sweep steps=10,20 --board sweeps   # 8 items\n"
      "  ivk run wf.json --inputs prompts.csv --sweep Seed=1,2 --name '{index:05}-{Seed}-{image}'\n"
      "  ivk run --resume foxes");
  sub->callback([&run, opts] { run = [opts] { return run_workflow(*opts); }; });
}

}  // namespace ivk::cli
