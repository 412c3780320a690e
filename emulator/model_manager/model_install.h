#pragma once
// Install jobs of the emulator's model manager: ids 1, 2, ...; remote
// sources go waiting -> downloading -> downloads_done -> running -> completed with a simulated
// download, local paths waiting -> running -> completed. A worker thread advances every job about
// every 20 ms and emits the model_install_* events in that order. Thread-safe.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/fastapi_errors.h"
#include "model_manager/model_source.h"
#include "model_manager/model_store.h"

namespace ivk::emu {

struct InstallSettings {
  std::uint64_t bytes_per_second = 512ull << 20;
  std::uint64_t simulated_bytes = 64ull << 20;  // size of one remote model
  std::string fail_matching;                    // a source containing this fails; empty: none
  bool complete_event_has_config = false;       // model_install_complete carries "config" (≥6.9)
  std::chrono::milliseconds tick{20};
};

using InstallEventSink = std::function<void(const std::string& event, const std::string& payload)>;

class InstallQueue {
 public:
  InstallQueue(InstallSettings settings, ModelStore& store, InstallEventSink events);
  ~InstallQueue();  // stops and joins the worker
  InstallQueue(const InstallQueue&) = delete;
  InstallQueue& operator=(const InstallQueue&) = delete;

  // Queues an install and returns its job; an unfinished job for the same source is returned
  // instead of starting another.
  Json start(const ModelSource& source, Json config_in);
  [[nodiscard]] std::vector<Json> list() const;
  [[nodiscard]] std::optional<Json> get(std::int64_t id) const;
  // Cancels an unfinished job (finished ones stay as they are). False when the id is unknown.
  bool cancel(std::int64_t id);
  // Forgets completed, errored and cancelled jobs.
  void prune();

 private:
  // One DownloadJob of a remote install.
  struct Part {
    std::int64_t id = 0;
    std::string url, dest, download_path, status = "waiting";
    std::uint64_t bytes = 0, total = 0;
    std::optional<std::string> job_started, job_ended, error_type, error;
  };
  struct Job {
    std::int64_t id = 0;
    std::string status = "waiting";
    ModelSource source;
    Json config_in = Json::object();
    Json config_out = nullptr;
    std::string local_path;
    std::uint64_t bytes = 0, total = 0;
    Json source_metadata = nullptr;
    std::vector<Part> parts;
    std::optional<std::string> error_reason, error, error_traceback;
    bool fail_injected = false;
    double carry = 0;  // fractional bytes not yet credited
    std::chrono::steady_clock::time_point last_tick;
  };

  void run();
  void advance_locked(Job& job, std::chrono::steady_clock::time_point now);
  void fail_locked(Job& job, std::string reason, std::string message, std::string traceback);
  void finish_locked(Job& job);
  void emit_locked(std::string event, Json payload);
  void flush_events();
  [[nodiscard]] bool has_active_locked() const;
  [[nodiscard]] Json job_json(const Job& job) const;

  InstallSettings settings_;
  ModelStore& store_;
  InstallEventSink events_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::vector<Job> jobs_;
  std::int64_t next_job_id_ = 1;
  std::int64_t next_part_id_ = 1;
  std::vector<std::pair<std::string, std::string>> outbox_;  // events in the order they happened
  std::mutex emit_mu_;  // serializes delivery so events leave in outbox order
  std::thread worker_;
};

}  // namespace ivk::emu
