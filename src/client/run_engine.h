#pragma once
// The state of a durable run while it executes, shared by its parts: feeding (run_feed.cpp),
// following (run_follow.cpp), collecting (run_collect.cpp) and the loop that drives them (run.cpp).
// Everything here is touched by the run's own thread only, except the members under `mutex`, which
// the event socket's thread and the download threads fill. Private to src/client.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "batch_run_events.h"
#include "ivk/api/queue_api.h"
#include "ivk/client.h"
#include "ivk/client/image_download.h"
#include "ivk/client/run.h"
#include "ivk/client/run_plan.h"
#include "ivk/events/event_stream.h"
#include "ivk/workflow/workflow.h"
#include "run_journal.h"

namespace ivk {

struct Run::Impl {
  using Clock = std::chrono::steady_clock;

  Impl(Client& c, Workflow wf, RunSpec s, RunPlan p)
      : client(c), workflow(std::move(wf)), spec(std::move(s)), plan(std::move(p)) {}

  Client& client;
  Workflow workflow;
  RunSpec spec;
  RunPlan plan;
  std::unique_ptr<detail::RunJournal> journal;
  bool resumed = false;
  std::string server_url;

  // --- one execute() -------------------------------------------------------------------------
  Clock::time_point started{}, deadline{};
  const Observer* observer = nullptr;
  std::size_t window = 0, chunk = 0;

  struct OpenItem {
    std::uint64_t index = 0;
    std::string batch_id;
    std::string status = "pending";
  };
  std::map<std::int64_t, OpenItem> open;  // this run's server items that are not terminal

  struct BatchTrack {
    std::set<std::int64_t> open_ids;  // of `open`
    // The batch's counts at the last look; a change means some of its items must be read.
    std::int64_t last_finished = -1, last_total = -1, in_progress = 0;
  };
  std::map<std::string, BatchTrack> batches;
  std::set<std::int64_t> to_fetch;             // events said these finished: read them
  std::optional<Clock::time_point> fetch_due;  // when to_fetch is read even if few
  // Batches whose enqueue answer is unknown (lost, or without item ids): looked up before feeding on.
  std::vector<std::pair<std::string, std::vector<std::uint64_t>>> unresolved;
  // Batches judged absent after a lost answer, watched for a while in case the request arrives late:
  // if one shows up it is canceled, so its items never run twice.
  std::map<std::string, std::chrono::steady_clock::time_point> absent_watch;

  Clock::time_point next_poll{}, feed_paused_until{};
  std::chrono::milliseconds backoff{0};
  std::uint64_t finished_this_execute = 0;
  RunCounts counts;
  bool cancel_sent = false;

  // Filled by other threads, guarded by mutex; cv wakes the loop.
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<detail::BatchEvent> inbox;
  std::deque<std::pair<bool, std::string>> stream_changes;  // (restored?, why)
  std::deque<DownloadedImage> downloads_done;
  bool live = false;
  bool reconcile_now = false;

  EventStream* events = nullptr;
  EventStream::Subscription event_sub = 0, state_sub = 0;
  std::unique_ptr<ImageDownloader> downloader;
  std::map<std::uint64_t, int> images_left;  // plan index -> images still downloading
  // Downloads that failed for a reason that passes (a cut connection, a 503): fetched again after a
  // backoff, until the deadline or kDownloadAttempts.
  struct DownloadRetry {
    std::string image_name, file_name;
    std::int64_t tag = 0;
    Clock::time_point due{};
  };
  std::vector<DownloadRetry> download_retries;
  std::map<std::string, int> download_attempts;  // file name -> failed attempts so far

  // --- helpers shared by the parts ------------------------------------------------------------
  void notify(const RunNotice& notice) {
    if (observer != nullptr && *observer) (*observer)(notice, counts);
  }
  [[nodiscard]] std::chrono::milliseconds left() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  }
  // Labels and values of a plan item's inputs, for notices and run.json.
  // The fixed inputs first, then the plan's fields.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> inputs_of(
      const std::string& values_json) const;
  // A journaled values array split into its compact JSON elements ({} when unreadable).
  [[nodiscard]] static std::vector<std::string> values_of(const std::string& values_json);

  // run_feed.cpp
  Status feed();
  Status resolve_sending_batch(const std::string& batch_id, const std::vector<std::uint64_t>& indices);
  // A batch marked absent reached the server after all: canceled, and its items journaled as
  // duplicates (their plan items were sent again in another batch).
  Status cancel_late_batch(const std::string& batch_id, std::int64_t total);
  // run_follow.cpp
  void track(std::int64_t item_id, std::uint64_t index, const std::string& batch_id);
  // Forgets a server item (it ended or vanished); drops its batch once nothing of it is open.
  void untrack(std::int64_t item_id);
  RunNotice finished_notice(std::uint64_t index, std::int64_t item_id, std::string status);
  // The item is gone or was interrupted: run it again while retries last, else it has failed.
  Status retry_or_fail(std::uint64_t index, std::int64_t item_id, const std::string& why);
  Status on_terminal(const QueueItem& item);
  Status apply_events();
  Status poll();
  Status fetch_items(const std::vector<std::int64_t>& ids);
  Status cancel_on_server();
  // run_collect.cpp
  Status collect(std::uint64_t index, const QueueItem& item);
  Status collect_from_journal(const detail::JournalItem& item);
  Status drain_downloads();
  void retry_due_downloads();
  Status finish_item(std::uint64_t index);
  // run.cpp: the loop of Run::execute, one turn at a time.
  void begin_execute(const Observer& run_observer);
  void end_execute();
  // Waits for the downloads, writes run.json and reports (or returns the error that ended the run).
  Result<RunReport> report(std::optional<Error> error);
  // One turn of the loop: send, look up, wait, follow, collect. True when every plan item is done.
  Result<bool> turn(Clock::time_point& next_counts);
  std::optional<Error> check_deadline_and_cancel(Clock::time_point now);
  std::optional<Error> resolve_lost_answers(Clock::time_point now);
  Result<bool> all_done();
  void wait_for_work(Clock::time_point now);
  std::optional<Error> poll_when_due();
  Status recover();
  Status refresh_counts();
  Status write_manifest();
  void attach_events();
  void detach_events();
  void server_trouble(const Error& why);
};

}  // namespace ivk
