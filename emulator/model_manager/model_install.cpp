#include "model_manager/model_install.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <random>
#include <stdexcept>

#include "model_manager/model_install_record.h"

namespace ivk::emu {
namespace {

bool is_terminal(const std::string& status) {
  return status == "completed" || status == "error" || status == "cancelled";
}

// Python's datetime.now().isoformat() in UTC, as DownloadJob timestamps read.
std::string iso_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(micros));
  return std::string(buf) + frac;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string temp_dir_name() {
  static thread_local std::mt19937 rng{std::random_device{}()};
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kChars - 2);
  std::string out = "tmp";
  for (int i = 0; i < 8; ++i) out += kChars[pick(rng)];
  return out;
}

Json opt(const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); }

}  // namespace

InstallQueue::InstallQueue(InstallSettings settings, ModelStore& store, InstallEventSink events)
    : settings_(std::move(settings)), store_(store), events_(std::move(events)) {
  worker_ = std::thread([this] { run(); });
}

InstallQueue::~InstallQueue() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

Json InstallQueue::start(const ModelSource& source, Json config_in) {
  Json out;
  {
    std::lock_guard lock(mu_);
    for (const Job& j : jobs_)
      if (!is_terminal(j.status) && j.source.text == source.text) return job_json(j);
    Job job;
    job.id = next_job_id_++;
    job.source = source;
    job.config_in = std::move(config_in);
    job.fail_injected =
        !settings_.fail_matching.empty() && source.text.find(settings_.fail_matching) != std::string::npos;
    job.last_tick = std::chrono::steady_clock::now();
    if (source.kind == ModelSource::Kind::local) {
      job.local_path = source.path;
    } else {
      const RemotePlan plan = plan_remote_download(source, settings_.simulated_bytes);
      const std::filesystem::path tmp = store_.models_dir() / ".download_cache" / temp_dir_name();
      job.local_path = (plan.single_file ? tmp / plan.files.front().path : tmp / plan.name).string();
      job.total = settings_.simulated_bytes;
      job.source_metadata = plan.source_metadata;
      for (const RemoteFile& f : plan.files) {
        Part p;
        p.id = next_part_id_++;
        p.url = f.url;
        const std::filesystem::path file = plan.single_file ? tmp / f.path : tmp / plan.name / f.path;
        p.dest = file.parent_path().string();
        p.download_path = file.string();
        p.total = f.size;
        job.parts.push_back(std::move(p));
      }
    }
    jobs_.push_back(std::move(job));
    out = job_json(jobs_.back());
  }
  cv_.notify_all();
  return out;
}

std::vector<Json> InstallQueue::list() const {
  std::lock_guard lock(mu_);
  std::vector<Json> out;
  for (const Job& j : jobs_) out.push_back(job_json(j));
  return out;
}

std::optional<Json> InstallQueue::get(std::int64_t id) const {
  std::lock_guard lock(mu_);
  for (const Job& j : jobs_)
    if (j.id == id) return job_json(j);
  return std::nullopt;
}

bool InstallQueue::cancel(std::int64_t id) {
  bool found = false;
  {
    std::lock_guard lock(mu_);
    for (Job& j : jobs_) {
      if (j.id != id) continue;
      found = true;
      if (is_terminal(j.status)) break;
      j.status = "cancelled";
      for (Part& p : j.parts) {
        if (is_terminal(p.status)) continue;
        p.status = "cancelled";
        p.job_ended = iso_now();
      }
      emit_locked("model_install_cancelled", Json{{"id", j.id}, {"source", j.source.to_json()}});
      break;
    }
  }
  flush_events();
  return found;
}

void InstallQueue::prune() {
  std::lock_guard lock(mu_);
  jobs_.erase(std::remove_if(jobs_.begin(), jobs_.end(), [](const Job& j) { return is_terminal(j.status); }),
              jobs_.end());
}

bool InstallQueue::has_active_locked() const {
  return std::any_of(jobs_.begin(), jobs_.end(), [](const Job& j) { return !is_terminal(j.status); });
}

void InstallQueue::run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stop_ || has_active_locked(); });
    if (stop_) return;
    // A tick: progress is credited by elapsed time, so the pace does not depend on wake-ups.
    if (cv_.wait_for(lock, settings_.tick, [&] { return stop_; })) return;
    const auto now = std::chrono::steady_clock::now();
    for (Job& job : jobs_) {
      if (is_terminal(job.status)) continue;
      // An exception must not escape the worker thread (that would end the process): it fails
      // the job instead, as an unexpected exception does on the server.
      try {
        advance_locked(job, now);
      } catch (const std::exception& e) {
        fail_locked(job, "Exception", e.what(),
                    std::string("Traceback (most recent call last):\nException: ") + e.what() + "\n");
      }
    }
    lock.unlock();
    flush_events();
    lock.lock();
  }
}

void InstallQueue::advance_locked(Job& job, std::chrono::steady_clock::time_point now) {
  const double seconds = std::chrono::duration<double>(now - job.last_tick).count();
  job.last_tick = now;
  const Json source = job.source.to_json();
  if (job.status == "waiting") {
    if (job.source.kind == ModelSource::Kind::local) {
      job.status = "running";
      emit_locked("model_install_started", Json{{"id", job.id}, {"source", source}});
      return;
    }
    job.status = "downloading";
    const std::string started = iso_now();
    for (Part& p : job.parts) {
      p.status = "running";
      p.job_started = started;
    }
    return;
  }
  if (job.status == "downloading") {
    double budget = job.carry + seconds * static_cast<double>(settings_.bytes_per_second);
    // An injected failure strikes halfway through: a slow tick must not carry the download past it,
    // or the file would read as completed in a job that failed.
    if (job.fail_injected) {
      const std::uint64_t half = (job.total + 1) / 2;
      budget = std::min(budget, static_cast<double>(half > job.bytes ? half - job.bytes : 0));
    }
    for (Part& p : job.parts) {
      if (p.bytes >= p.total) continue;
      const double room = static_cast<double>(p.total - p.bytes);
      const double take = std::min(room, budget);
      p.bytes += static_cast<std::uint64_t>(take);
      budget -= static_cast<double>(static_cast<std::uint64_t>(take));
      if (p.bytes >= p.total) {
        p.status = "completed";
        p.job_ended = iso_now();
      }
      if (budget < 1.0) break;
    }
    job.carry = std::max(0.0, std::min(budget, 1.0));
    job.bytes = 0;
    for (const Part& p : job.parts) job.bytes += p.bytes;
    // An injected failure strikes halfway through, after some progress was reported.
    if (job.fail_injected && job.bytes * 2 >= job.total) {
      const std::string url = job.parts.empty() ? job.source.text : job.parts.front().url;
      const std::string message = "500 Server Error: Internal Server Error for url: " + url;
      for (Part& p : job.parts) {
        if (is_terminal(p.status)) continue;
        p.status = "error";
        p.error_type = "HTTPError";
        p.error = message;
        p.job_ended = iso_now();
      }
      fail_locked(job, "HTTPError", message,
                  "Traceback (most recent call last):\n"
                  "  File \"invokeai/app/services/download/download_default.py\", in _download_next_item\n"
                  "    self._do_download(job)\n"
                  "requests.exceptions.HTTPError: " +
                      message + "\n");
      return;
    }
    Json parts = Json::array();
    for (const Part& p : job.parts)
      parts.push_back(Json{
          {"url", p.url}, {"local_path", p.download_path}, {"bytes", p.bytes}, {"total_bytes", p.total}});
    emit_locked("model_install_download_progress", Json{{"id", job.id},
                                                        {"source", source},
                                                        {"local_path", job.local_path},
                                                        {"bytes", job.bytes},
                                                        {"total_bytes", job.total},
                                                        {"parts", parts}});
    if (job.bytes >= job.total) {
      job.status = "downloads_done";
      emit_locked("model_install_downloads_complete", Json{{"id", job.id}, {"source", source}});
    }
    return;
  }
  if (job.status == "downloads_done") {
    job.status = "running";
    emit_locked("model_install_started", Json{{"id", job.id}, {"source", source}});
    return;
  }
  if (job.status == "running") finish_locked(job);
}

void InstallQueue::finish_locked(Job& job) {
  if (job.fail_injected) {
    // Local sources have no download to break: the failure hits while reading the file.
    const std::string message = "[Errno 5] Input/output error: '" + job.source.text + "'";
    fail_locked(
        job, "OSError", message,
        "Traceback (most recent call last):\n"
        "  File \"invokeai/app/services/model_install/model_install_default.py\", in _install_next_item\n"
        "    self._register_or_install(job)\n"
        "OSError: " +
            message + "\n");
    return;
  }
  // The store has its own lock and never calls back into the queue, so holding ours is safe.
  RegisterOutcome outcome = register_installed_model(store_, job.source, job.config_in, job.total);
  if (!outcome.record) {
    fail_locked(
        job, outcome.error_reason, outcome.error,
        "Traceback (most recent call last):\n"
        "  File \"invokeai/app/services/model_install/model_install_default.py\", in _install_next_item\n"
        "    self._register_or_install(job)\n" +
            outcome.error_reason + ": " + outcome.error + "\n");
    return;
  }
  if (job.source.kind == ModelSource::Kind::local) {
    job.total = outcome.record->value("file_size", std::uint64_t{0});
    job.bytes = job.total;
  }
  job.status = "completed";
  job.config_out = store_.for_response(*outcome.record);
  Json payload{{"id", job.id},
               {"source", job.source.to_json()},
               {"key", outcome.record->value("key", "")},
               {"total_bytes", job.total}};
  if (settings_.complete_event_has_config) payload["config"] = job.config_out;
  emit_locked("model_install_complete", std::move(payload));
}

void InstallQueue::fail_locked(Job& job, std::string reason, std::string message, std::string traceback) {
  job.status = "error";
  job.error_reason = reason;
  job.error = message;
  job.error_traceback = std::move(traceback);
  emit_locked("model_install_error", Json{{"id", job.id},
                                          {"source", job.source.to_json()},
                                          {"error_type", std::move(reason)},
                                          {"error", std::move(message)}});
}

void InstallQueue::emit_locked(std::string event, Json payload) {
  if (!events_) return;
  // Every event payload starts with its int Unix timestamp, as pydantic dumps the event.
  Json full = Json::object();
  full["timestamp"] = unix_now();
  for (auto& [k, v] : payload.items()) full[k] = std::move(v);
  outbox_.emplace_back(std::move(event), full.dump(-1, ' ', false, Json::error_handler_t::replace));
}

void InstallQueue::flush_events() {
  if (!events_) return;
  std::lock_guard emit_lock(emit_mu_);
  while (true) {
    std::vector<std::pair<std::string, std::string>> batch;
    {
      std::lock_guard lock(mu_);
      batch.swap(outbox_);
    }
    if (batch.empty()) return;
    for (const auto& [event, payload] : batch) events_(event, payload);
  }
}

Json InstallQueue::job_json(const Job& j) const {
  Json parts = Json::array();
  for (const Part& p : j.parts)
    parts.push_back(Json{{"id", p.id},
                         {"dest", p.dest},
                         {"download_path", p.download_path},
                         {"status", p.status},
                         {"bytes", p.bytes},
                         {"total_bytes", p.total},
                         {"error_type", opt(p.error_type)},
                         {"error", opt(p.error)},
                         {"source", p.url},
                         {"access_token", opt(j.source.access_token)},
                         {"priority", 10},
                         {"job_started", opt(p.job_started)},
                         {"job_ended", opt(p.job_ended)},
                         {"content_type", nullptr}});
  Json out = Json::object();
  out["id"] = j.id;
  out["status"] = j.status;
  out["error_reason"] = opt(j.error_reason);
  out["config_in"] = j.config_in;
  out["config_out"] = j.config_out;
  out["inplace"] = j.source.kind == ModelSource::Kind::local && j.source.inplace;
  out["source"] = j.source.to_json();
  out["local_path"] = j.local_path;
  out["bytes"] = j.bytes;
  out["total_bytes"] = j.total;
  out["source_metadata"] = j.source_metadata;
  out["download_parts"] = parts;
  out["error"] = opt(j.error);
  out["error_traceback"] = opt(j.error_traceback);
  return out;
}

}  // namespace ivk::emu
