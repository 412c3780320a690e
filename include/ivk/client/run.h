#pragma once
// A durable run: a workflow's plan (sweeps × inputs-file rows × runs) carried out on a server so that
// every plan item ends with its images on disk exactly once, across crashes, restarts, lost answers
// and full queues.
//
//   plan     RunPlan: produced lazily, each item with a stable index;
//   journal  run.sqlite in the output folder: every decision is committed before it is acted on;
//   feed     at most `window` of this run's items pending on the server, enqueued in chunks, each chunk
//            with a batch_id chosen and journaled before the request;
//   follow   events as hints, the queue item as truth; items that vanish or are canceled by someone
//            else are enqueued again (up to `retries` times);
//   collect  each completed item's images downloaded atomically under their journaled names.
//
// Running the same run again (same folder, same workflow and plan) resumes it: what completed while
// ivk was away is collected, nothing completed is enqueued again. Nothing here prints or throws.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ivk/client/run_plan.h"
#include "ivk/error.h"

namespace ivk {

class Client;
class Workflow;

struct RunSpec {
  std::filesystem::path out_dir = "ivk-output";  // the journal, run.json and the images
  std::string workflow_name;                     // run.json's "workflow" (e.g. the file name)
  PlanSpec plan;
  // Values set once for every item (-s), as label -> compact JSON: run.json lists them with each item.
  std::vector<std::pair<std::string, std::string>> fixed_inputs;
  std::optional<std::string> board_id;  // images go to this board
  bool prepend = false;
  // This run's items pending on the server at most; 0: automatic (a quarter of the server's
  // max_queue_size, at most 1000, leaving room for other users). Always capped below the limit.
  std::size_t window = 0;
  std::size_t chunk = 0;  // items per enqueue_batch; 0: automatic (at most 100)
  // How often an item that vanished from the server, or was canceled by someone else (a server
  // restart cancels what was running), is enqueued again before it counts as failed.
  int retries = 1;
  bool retry_failed = false;  // items that failed on the server run again (once per execute)
  // A deadline for the whole run: every request, wait and download is bounded by what is left.
  std::chrono::milliseconds timeout{std::chrono::hours(1)};
  bool download = true;
  int concurrency = 4;  // parallel image downloads
  // File names: "" keeps the server's image names; else a template such as "{index:05}-{Seed}-{image}"
  // (see docs/cli.md: {index[:0N]}, {n}, {item}, {image}, {batch}, and any plan input by its label).
  std::string name_template;
  bool use_events = true;  // follow with the server's Socket.IO events (polling alone also works)
  // Polled often; when it returns true the run stops feeding, cancels its items on the server and
  // ends with ErrorCode::cancelled (a later resume enqueues them again).
  std::function<bool()> cancel_requested;
  // Reconciliation polls; with live events they only catch what events missed.
  std::chrono::milliseconds poll_with_events{2000};
  std::chrono::milliseconds poll_without_events{250};
};

// The run as a whole, for progress displays.
struct RunCounts {
  std::uint64_t total = 0;       // plan items
  std::uint64_t done = 0;        // completed, every image saved
  std::uint64_t running = 0;     // in progress on the server
  std::uint64_t pending = 0;     // on the server, not started
  std::uint64_t waiting = 0;     // not on the server yet
  std::uint64_t collecting = 0;  // completed, images on their way
  std::uint64_t failed = 0;
  std::uint64_t canceled = 0;
  std::uint64_t images_saved = 0;
  std::uint64_t images_failed = 0;
  std::uint64_t downloaded = 0;     // images fetched (this execute)
  std::uint64_t already_there = 0;  // images whose file was already complete (this execute)
  std::uint64_t requeued = 0;       // re-enqueues of vanished or interrupted items (this execute)
  std::uint64_t duplicates = 0;     // plan items the server completed twice (a late lost batch)
  double items_per_second = 0;      // items finished per second (this execute)
  std::optional<double> eta_seconds;
  bool live_events = false;
  std::optional<std::int64_t> current_item;
  std::string current_node_type;
  std::optional<double> step_fraction;
  [[nodiscard]] std::uint64_t finished() const noexcept { return done + failed + canceled; }
};

struct RunNotice {
  enum class Kind {
    resumed,        // an existing journal was found: message says how far it had got
    enqueued,       // a chunk went to the server (batch_id, count)
    short_enqueue,  // the server took fewer items than sent (the rest go again)
    batch_adopted,  // a lost enqueue answer: the batch was found on the server
    batch_absent,   // a lost enqueue answer: the server does not have it; enqueued again
    item_finished,  // a plan item reached its end (status, images, errors)
    item_requeued,  // vanished or canceled by someone else: enqueued again
    image_failed,   // an image could not be saved (message)
    stream_lost,    // the event socket dropped (polling carries on)
    stream_restored,
    server_unreachable,  // a request failed; retried with backoff until the deadline (message)
    node_progress,       // live progress of the current item (counts carry it)
  };
  Kind kind = Kind::item_finished;
  std::uint64_t index = 0;  // plan item
  std::int64_t item_id = 0;
  std::string batch_id;
  std::uint64_t count = 0;
  std::string status;               // item_finished: completed, failed or canceled
  std::vector<std::string> images;  // item_finished: file names in the output folder
  // item_finished: the plan item's varied inputs (label -> compact JSON), in the plan's field order
  std::vector<std::pair<std::string, std::string>> inputs;
  std::optional<std::string> error_type, error_message;
  std::string message;
};

struct RunReport {
  RunCounts counts;
  std::filesystem::path out_dir;
  std::filesystem::path journal;
  std::filesystem::path manifest;  // run.json
  bool resumed = false;
};

// The settings of an existing run, read from its journal (for `ivk run --resume DIR`).
struct StoredRun {
  std::string workflow_json;  // the workflow as it was run (values set, models synced)
  std::string server;         // the server's URL
  RunSpec spec;               // out_dir set to the folder; cancel_requested empty
};
Result<StoredRun> read_stored_run(const std::filesystem::path& out_dir);

class Run {
 public:
  using Observer = std::function<void(const RunNotice&, const RunCounts&)>;

  // Builds the plan, opens (or creates) the journal in spec.out_dir and locks it (a second run on the
  // folder: ErrorCode::io, saying another run holds it). An existing journal of another workflow or plan:
  // invalid_argument naming the difference (start over with start_over). client must outlive the Run.
  static Result<std::unique_ptr<Run>> open(Client& client, const Workflow& workflow, RunSpec spec);
  // Moves an existing journal and run.json aside (run-1.sqlite, run-1.json, ...), keeping every
  // image, so that open() starts a new run in the folder. Nothing to move: ok.
  static Status start_over(const std::filesystem::path& out_dir);
  ~Run();
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  [[nodiscard]] std::uint64_t plan_size() const noexcept;
  [[nodiscard]] bool resumed() const noexcept;

  // Carries the run out until every plan item is done, failed or canceled. observer runs on the
  // calling thread. Errors: timeout (the deadline passed; the journal is consistent, a resume goes
  // on), cancelled, or a local error (journal, output folder). Items that failed on the server are not
  // an error: see the counts. run.json is written (atomically) at the end and on every error.
  Result<RunReport> execute(const Observer& observer = {});

 private:
  struct Impl;
  explicit Run(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ivk
