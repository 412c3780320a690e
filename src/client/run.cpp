// The durable run's front and its loop: open (plan, journal, same-run check), recover (what the
// journal says was under way), then feed, follow and collect until every plan item has ended.
#include "ivk/client/run.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/json_read.h"
#include "file_name_template.h"
#include "ivk/api/images_api.h"
#include "ivk/transport/server_session.h"
#include "run_engine.h"
#include "run_settings.h"

namespace ivk {

namespace {

// "90", "0.5", "2.25": a duration in seconds as the user typed it.
std::string seconds_text(std::chrono::milliseconds d) {
  std::string text = std::to_string(d.count() / 1000);
  if (const auto ms = d.count() % 1000; ms != 0) {
    std::string frac = std::to_string(1000 + ms).substr(1);
    while (frac.back() == '0') frac.pop_back();
    text += "." + frac;
  }
  return text;
}

constexpr auto kCountsRefresh = std::chrono::milliseconds(500);
constexpr auto kMaxBackoff = std::chrono::milliseconds(5000);

std::string same_run_hint(const std::filesystem::path& dir) {
  return "; use --new to start a new run in " + dir.string() +
         " (the old one's files are kept) or choose another --out";
}

Error mismatch(const std::filesystem::path& dir, const std::string& what) {
  Error e =
      make_error(ErrorCode::invalid_argument, dir.string() + " holds a run of " + what + same_run_hint(dir));
  e.source = (dir / detail::kJournalFileName).string();
  return e;
}

}  // namespace

std::vector<std::string> Run::Impl::values_of(const std::string& values_json) {
  simdjson::dom::parser parser;
  std::vector<std::string> out;
  simdjson::dom::array array;
  if (parser.parse(values_json).get_array().get(array) != simdjson::SUCCESS) return out;
  for (simdjson::dom::element e : array) out.push_back(simdjson::minify(e));
  return out;
}

std::vector<std::pair<std::string, std::string>> Run::Impl::inputs_of(const std::string& values_json) const {
  std::vector<std::pair<std::string, std::string>> out = spec.fixed_inputs;
  const auto values = values_of(values_json);
  const auto& fields = plan.fields();
  for (std::size_t i = 0; i < fields.size() && i < values.size(); ++i)
    out.emplace_back(fields[i].label, values[i]);
  return out;
}

Run::Run(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Run::~Run() {
  if (impl_) impl_->detach_events();
}

std::uint64_t Run::plan_size() const noexcept { return impl_->plan.size(); }
bool Run::resumed() const noexcept { return impl_->resumed; }

Result<std::unique_ptr<Run>> Run::open(Client& client, const Workflow& workflow, RunSpec spec) {
  if (spec.retries < 0) return fail(ErrorCode::invalid_argument, "retries cannot be negative", "--retries");
  auto plan = RunPlan::make(workflow, spec.plan);
  if (!plan) return tl::unexpected(plan.error());
  if (auto ok = detail::check_name_template(spec.name_template, plan->fields()); !ok)
    return tl::unexpected(ok.error());

  std::error_code ec;
  std::filesystem::create_directories(spec.out_dir, ec);
  if (ec || !std::filesystem::is_directory(spec.out_dir)) {
    Error e = make_error(ErrorCode::io, "cannot create the output folder: " + ec.message());
    e.source = spec.out_dir.string();
    return tl::unexpected(std::move(e));
  }
  auto journal = detail::RunJournal::open(spec.out_dir);
  if (!journal) return tl::unexpected(journal.error());

  auto impl = std::make_unique<Impl>(client, workflow, std::move(spec), std::move(*plan));
  impl->journal = std::move(*journal);
  impl->server_url = client.url().to_string();
  detail::RunJournal& j = *impl->journal;
  const std::string workflow_json = impl->workflow.to_json();

  auto stored_workflow = j.meta("workflow");
  if (!stored_workflow) return tl::unexpected(stored_workflow.error());
  if (!*stored_workflow) {
    if (auto ok = j.begin(); !ok) return tl::unexpected(ok.error());
    const std::pair<std::string_view, std::string> meta[] = {
        {"workflow", workflow_json},
        {"plan_fingerprint", impl->plan.fingerprint()},
        {"plan_size", std::to_string(impl->plan.size())},
        {"settings", detail::settings_to_json(impl->spec)},
        {"server", impl->server_url},
    };
    for (const auto& [key, value] : meta)
      if (auto ok = j.set_meta(key, value); !ok) {
        j.rollback();
        return tl::unexpected(ok.error());
      }
    if (auto ok = j.commit(); !ok) return tl::unexpected(ok.error());
    return std::unique_ptr<Run>(new Run(std::move(impl)));
  }

  // An existing journal: the same run goes on; anything else is refused, naming the difference.
  const std::filesystem::path& dir = impl->spec.out_dir;
  if (**stored_workflow != workflow_json)
    return tl::unexpected(mismatch(dir, "another workflow (or other -s values or models)"));
  auto fingerprint = j.meta("plan_fingerprint");
  if (!fingerprint) return tl::unexpected(fingerprint.error());
  if (fingerprint->value_or("") != impl->plan.fingerprint())
    return tl::unexpected(mismatch(dir, "another plan (the sweeps, --runs or the inputs file differ)"));
  auto server = j.meta("server");
  if (!server) return tl::unexpected(server.error());
  if (server->value_or("") != impl->server_url)
    return tl::unexpected(
        mismatch(dir, "another server (" + server->value_or("?") +
                          "); its items are on that server, so this run cannot go on here"));
  auto settings = j.meta("settings");
  if (!settings) return tl::unexpected(settings.error());
  RunSpec stored;
  if (auto ok = detail::settings_from_json(settings->value_or("{}"), stored); !ok)
    return tl::unexpected(ok.error());
  if (const std::string diff = detail::run_difference(stored, impl->spec); !diff.empty())
    return tl::unexpected(mismatch(dir, "other settings (" + diff + " differ)"));
  impl->resumed = true;
  return std::unique_ptr<Run>(new Run(std::move(impl)));
}

Status Run::start_over(const std::filesystem::path& out_dir) {
  const auto journal = out_dir / detail::kJournalFileName;
  std::error_code ec;
  if (!std::filesystem::exists(journal, ec)) return {};
  {
    // Not while another run holds it.
    auto locked = detail::RunJournal::open(out_dir);
    if (!locked) return tl::unexpected(locked.error());
  }
  int n = 1;
  while (std::filesystem::exists(out_dir / ("run-" + std::to_string(n) + ".sqlite"), ec)) ++n;
  const std::string stem = "run-" + std::to_string(n);
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"run.sqlite", stem + ".sqlite"},
                                 {"run.sqlite-wal", stem + ".sqlite-wal"},
                                 {"run.sqlite-shm", stem + ".sqlite-shm"},
                                 {"run.json", stem + ".json"}}) {
    if (!std::filesystem::exists(out_dir / from, ec)) continue;
    std::filesystem::rename(out_dir / from, out_dir / to, ec);
    if (ec) {
      Error e = make_error(ErrorCode::io, "cannot move the old run aside: " + ec.message());
      e.source = (out_dir / from).string();
      return tl::unexpected(std::move(e));
    }
  }
  return {};
}

Result<StoredRun> read_stored_run(const std::filesystem::path& out_dir) {
  std::error_code ec;
  if (!std::filesystem::exists(out_dir / detail::kJournalFileName, ec)) {
    Error e = make_error(ErrorCode::not_found,
                         "no run to resume here (no " + std::string(detail::kJournalFileName) + ")");
    e.source = out_dir.string();
    return tl::unexpected(std::move(e));
  }
  auto journal = detail::RunJournal::open(out_dir);
  if (!journal) return tl::unexpected(journal.error());
  StoredRun out;
  auto workflow = (*journal)->meta("workflow");
  auto server = (*journal)->meta("server");
  auto settings = (*journal)->meta("settings");
  if (!workflow) return tl::unexpected(workflow.error());
  if (!server) return tl::unexpected(server.error());
  if (!settings) return tl::unexpected(settings.error());
  if (!*workflow || !*settings) {
    Error e = make_error(ErrorCode::invalid_workflow,
                         "the run journal has no workflow or settings (an empty journal?)");
    e.source = (*journal)->path().string();
    return tl::unexpected(std::move(e));
  }
  out.workflow_json = **workflow;
  out.server = server->value_or("");
  if (auto ok = detail::settings_from_json(**settings, out.spec); !ok) return tl::unexpected(ok.error());
  out.spec.out_dir = out_dir;
  return out;
}

void Run::Impl::attach_events() {
  if (!spec.use_events) return;
  auto stream = client.events();
  if (!stream) {
    RunNotice n;
    n.kind = RunNotice::Kind::stream_lost;
    n.message = "no live events (" + stream.error().message + "); following by polling";
    notify(n);
    return;
  }
  events = *stream;
  live = events->state() == StreamState::connected;
  event_sub = events->subscribe([this](const ServerEvent& e) {
    auto parsed = detail::parse_batch_event(e.name, e.payload_json);
    if (!parsed) return;
    std::lock_guard lock(mutex);
    if (parsed->kind == detail::BatchEvent::Kind::queue_cleared)
      reconcile_now = true;
    else if (!parsed->batch_id.empty())
      inbox.push_back(std::move(*parsed));
    else
      return;
    cv.notify_all();
  });
  state_sub = events->on_state([this](StreamState state, const Error* why) {
    std::lock_guard lock(mutex);
    if (state == StreamState::connected) {
      if (!live) stream_changes.emplace_back(true, "");
      live = true;
      reconcile_now = true;  // events may have been missed while it was down
    } else if (state == StreamState::reconnecting || state == StreamState::closed) {
      if (live)
        stream_changes.emplace_back(false, why != nullptr ? why->message : std::string("socket closed"));
      live = false;
    }
    cv.notify_all();
  });
}

void Run::Impl::detach_events() {
  if (events == nullptr) return;
  if (event_sub != 0) events->unsubscribe(event_sub);
  if (state_sub != 0) events->unsubscribe(state_sub);
  event_sub = state_sub = 0;
  events = nullptr;
}

void Run::Impl::server_trouble(const Error& why) {
  backoff = backoff.count() == 0 ? std::chrono::milliseconds(250) : std::min(backoff * 2, kMaxBackoff);
  next_poll = Clock::now() + backoff;
  feed_paused_until = std::max(feed_paused_until, next_poll);
  RunNotice n;
  n.kind = RunNotice::Kind::server_unreachable;
  n.message = why.describe() + "; trying again in " + std::to_string(backoff.count()) + " ms";
  notify(n);
}

Status Run::Impl::refresh_counts() {
  auto c = journal->counts();
  if (!c) return tl::unexpected(c.error());
  auto next = journal->next_index();
  if (!next) return tl::unexpected(next.error());
  counts.total = plan.size();
  counts.done = c->done;
  counts.failed = c->failed;
  counts.canceled = c->canceled;
  counts.collecting = c->collecting;
  counts.images_saved = c->images_saved;
  counts.images_failed = c->images_failed;
  counts.duplicates = c->duplicates;
  const std::uint64_t on_server = c->queued;
  counts.running = std::min(counts.running, on_server);
  counts.pending = on_server - counts.running;
  counts.waiting = (plan.size() - std::min<std::uint64_t>(*next, plan.size())) + c->fresh + c->sending;
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  if (elapsed > 0.5 && finished_this_execute > 0) {
    counts.items_per_second = static_cast<double>(finished_this_execute) / elapsed;
    const std::uint64_t remaining = counts.total - std::min(counts.total, counts.finished());
    counts.eta_seconds = static_cast<double>(remaining) / counts.items_per_second;
  }
  return {};
}

Status Run::Impl::recover() {
  // A download cut short by a kill leaves FILE.tmp-PID-N beside where FILE would be: when FILE is one
  // of this run's images, the temporary is ours and only clutter (the image is fetched again).
  std::error_code ec;
  for (std::filesystem::directory_iterator it(spec.out_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const auto tmp = name.rfind(".tmp-");
    if (tmp == std::string::npos || !it->is_regular_file(ec)) continue;
    auto ours = journal->file_name_taken(name.substr(0, tmp));
    if (!ours) return tl::unexpected(ours.error());
    if (*ours) std::filesystem::remove(it->path(), ec);
  }
  // Batches sent without a recorded answer: the server decides whether they exist.
  auto sending = journal->batches_in_state("sending");
  if (!sending) return tl::unexpected(sending.error());
  for (auto& batch : *sending) unresolved.emplace_back(batch.batch_id, std::move(batch.indices));
  // Items on the server: follow them again.
  auto queued = journal->items_in_state("queued");
  if (!queued) return tl::unexpected(queued.error());
  for (const auto& item : *queued)
    if (item.server_item_id) track(*item.server_item_id, item.index, item.batch_id);
  // Canceled because a previous execute was interrupted: they run again.
  auto canceled = journal->items_in_state("canceled");
  if (!canceled) return tl::unexpected(canceled.error());
  for (const auto& item : *canceled)
    if (auto ok = journal->requeue_item(item.index, "interrupted by an earlier stop of this run"); !ok)
      return ok;
  if (spec.retry_failed) {
    auto failed = journal->items_in_state("failed");
    if (!failed) return tl::unexpected(failed.error());
    for (const auto& item : *failed)
      if (auto ok = journal->requeue_item(item.index, "--retry-failed"); !ok) return ok;
  }
  // Completed, images not all saved: fetch what is missing.
  auto collecting = journal->items_in_state("collecting");
  if (!collecting) return tl::unexpected(collecting.error());
  for (const auto& item : *collecting)
    if (auto ok = collect_from_journal(item); !ok) return ok;
  if (resumed) {
    if (auto ok = refresh_counts(); !ok) return ok;
    RunNotice n;
    n.kind = RunNotice::Kind::resumed;
    n.count = counts.finished();
    n.message = "resuming: " + std::to_string(counts.done) + " of " + std::to_string(counts.total) +
                " item(s) done, " + std::to_string(open.size()) + " on the server, " +
                std::to_string(unresolved.size()) + " batch(es) to look up";
    notify(n);
  }
  return {};
}

namespace {

// Errors the server is to blame for and that may pass: the run waits and tries again. Anything
// else (a refusal such as 422, an unsupported server, a local error) ends the run.
bool is_passing(const Error& e) {
  return e.code == ErrorCode::transport || e.code == ErrorCode::timeout ||
         (e.code == ErrorCode::http && e.http_status >= 502 && e.http_status <= 504);
}

}  // namespace

void Run::Impl::begin_execute(const Observer& run_observer) {
  observer = &run_observer;
  started = Clock::now();
  deadline = started + spec.timeout;
  finished_this_execute = 0;
  counts = RunCounts{};
  cancel_sent = false;
  client.session().set_deadline(deadline);

  // The window: how many of this run's items may be on the server at once, below its queue limit.
  auto max_queue = client.max_queue_size();
  const std::int64_t limit = max_queue ? std::max<std::int64_t>(2, *max_queue) : kDefaultMaxQueueSize;
  const auto ceiling = static_cast<std::size_t>(limit - 1);
  window = spec.window != 0 ? std::min(spec.window, ceiling)
                            : std::clamp<std::size_t>(static_cast<std::size_t>(limit / 4), 1, 1000);
  chunk = std::clamp<std::size_t>(spec.chunk != 0 ? spec.chunk : 100, 1, window);

  if (spec.download)
    downloader = std::make_unique<ImageDownloader>(client.images(), spec.out_dir, spec.concurrency,
                                                   [this](const DownloadedImage& d) {
                                                     std::lock_guard lock(mutex);
                                                     downloads_done.push_back(d);
                                                     cv.notify_all();
                                                   });
  attach_events();
}

void Run::Impl::end_execute() {
  client.session().set_deadline(std::nullopt);
  detach_events();
  observer = nullptr;
}

Result<RunReport> Run::Impl::report(std::optional<Error> error) {
  if (downloader) {
    // Every download is bounded by the session's deadline, so this wait ends.
    downloader->wait();
    (void)drain_downloads();
    downloader.reset();
  }
  (void)refresh_counts();
  auto written = write_manifest();
  if (error) return tl::unexpected(std::move(*error));
  if (!written) return tl::unexpected(written.error());
  RunReport out;
  out.counts = counts;
  out.out_dir = spec.out_dir;
  out.journal = journal->path();
  out.manifest = spec.out_dir / detail::kManifestFileName;
  out.resumed = resumed;
  return out;
}

std::optional<Error> Run::Impl::check_deadline_and_cancel(Clock::time_point now) {
  if (now >= deadline) {
    (void)refresh_counts();
    return make_error(ErrorCode::timeout, "the run did not finish within " + seconds_text(spec.timeout) +
                                              " s: " + std::to_string(counts.finished()) + " of " +
                                              std::to_string(counts.total) +
                                              " items finished; run the same command again to go on");
  }
  if (!cancel_sent && spec.cancel_requested && spec.cancel_requested()) {
    if (auto ok = cancel_on_server(); !ok) server_trouble(ok.error());
    cancel_sent = true;
  }
  if (cancel_sent && open.empty() && unresolved.empty())
    return make_error(ErrorCode::cancelled, "the run was interrupted; run the same command again to go on");
  return std::nullopt;
}

std::optional<Error> Run::Impl::resolve_lost_answers(Clock::time_point now) {
  // Nothing more is sent until each lost answer is known to have reached the server or not.
  while (!unresolved.empty() && now >= next_poll) {
    auto [batch_id, indices] = unresolved.front();
    auto ok = resolve_sending_batch(batch_id, indices);
    if (!ok) {
      if (ok.error().code == ErrorCode::io) return ok.error();
      server_trouble(ok.error());
      break;
    }
    unresolved.erase(unresolved.begin());
  }
  return std::nullopt;
}

Result<bool> Run::Impl::all_done() {
  // Nothing on the server, nothing to send or look up, nothing downloading.
  if (!open.empty() || !unresolved.empty() || !images_left.empty()) return false;
  auto fresh = journal->items_in_state("new", 1);
  if (!fresh) return tl::unexpected(fresh.error());
  auto next = journal->next_index();
  if (!next) return tl::unexpected(next.error());
  return fresh->empty() && *next >= plan.size();
}

void Run::Impl::wait_for_work(Clock::time_point now) {
  std::unique_lock lock(mutex);
  auto wake = std::min({next_poll, deadline, now + std::chrono::milliseconds(50)});
  if (open.empty() && images_left.empty() && now < feed_paused_until)
    wake = std::min(wake, feed_paused_until);
  cv.wait_until(lock, wake, [&] {
    return !inbox.empty() || !downloads_done.empty() || reconcile_now || !stream_changes.empty();
  });
}

std::optional<Error> Run::Impl::poll_when_due() {
  bool poll_now = false;
  {
    std::lock_guard lock(mutex);
    poll_now = reconcile_now;
    reconcile_now = false;
  }
  if ((poll_now || Clock::now() >= next_poll) && !batches.empty()) {
    auto ok = poll();
    if (!ok) {
      if (ok.error().code == ErrorCode::io) return ok.error();
      server_trouble(ok.error());
    } else {
      backoff = std::chrono::milliseconds(0);
      const bool flowing = events != nullptr && counts.live_events;
      next_poll = Clock::now() + (flowing ? spec.poll_with_events : spec.poll_without_events);
    }
  } else if (batches.empty() && unresolved.empty() && Clock::now() >= next_poll) {
    // Nothing to poll: move the timer on so the wait does not spin. (Not while a lost answer waits
    // for its lookup, which resolve_lost_answers does once next_poll has come.)
    next_poll = Clock::now() + spec.poll_without_events;
  }
  return std::nullopt;
}

Result<bool> Run::Impl::turn(Clock::time_point& next_counts) {
  const auto now = Clock::now();
  if (auto e = check_deadline_and_cancel(now)) return tl::unexpected(std::move(*e));
  if (auto e = resolve_lost_answers(now)) return tl::unexpected(std::move(*e));
  if (auto ok = feed(); !ok) {
    if (!is_passing(ok.error())) return tl::unexpected(ok.error());
    server_trouble(ok.error());
  }
  auto done = all_done();
  if (!done || *done) return done;

  wait_for_work(now);
  if (auto ok = apply_events(); !ok) {
    if (ok.error().code == ErrorCode::io) return tl::unexpected(ok.error());
    server_trouble(ok.error());
  }
  if (auto ok = drain_downloads(); !ok) return tl::unexpected(ok.error());
  retry_due_downloads();
  if (auto e = poll_when_due()) return tl::unexpected(std::move(*e));
  if (Clock::now() >= next_counts) {
    if (auto ok = refresh_counts(); !ok) return tl::unexpected(ok.error());
    next_counts = Clock::now() + kCountsRefresh;
  }
  return false;
}

Result<RunReport> Run::execute(const Observer& observer) {
  Impl& s = *impl_;
  s.begin_execute(observer);
  struct EndExecute {
    Impl& s;
    ~EndExecute() { s.end_execute(); }
  } end_execute{s};

  if (auto ok = s.recover(); !ok) {
    if (ok.error().code == ErrorCode::io || ok.error().code == ErrorCode::internal)
      return s.report(ok.error());
    s.server_trouble(ok.error());
  }
  if (auto ok = s.refresh_counts(); !ok) return s.report(ok.error());
  auto next_counts = Impl::Clock::now();
  for (;;) {
    auto done = s.turn(next_counts);
    if (!done) return s.report(std::move(done.error()));
    if (*done) return s.report(std::nullopt);
  }
}

}  // namespace ivk
