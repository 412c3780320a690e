#pragma once
// How install jobs look on the command line: sizes, one-line summaries, the live progress bar,
// and waiting for a job with that bar. Shared by `models install`, `models scan --install` and
// `models jobs`.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "ivk/api/models_api.h"

namespace ivk::cli {

// "1.50 GB" (1024-based, two decimals); "-" for nullopt.
std::string format_bytes(std::optional<std::int64_t> bytes);

// "512.00 MB / 1.00 GB (50%)", "512.00 MB" while the total is unknown, "-" before any byte.
std::string progress_text(const ModelInstallJob& job);

// One line about a finished (or still running) job: "installed NAME (BASE TYPE) as KEY",
// "already installed: NAME (KEY)", "install N failed: REASON: ERROR", "install N: STATUS ...".
std::string job_outcome_text(const ModelInstallJob& job);

// Draws "[#####-----]  50%  512.00 MB / 1.00 GB  downloading" on stderr, redrawn in place,
// only when stderr is a terminal; otherwise does nothing.
class ProgressBar {
 public:
  ProgressBar();
  ~ProgressBar();  // ends the line if one was drawn
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  void update(const ModelInstallJob& job);
  void finish();

 private:
  bool enabled_;
  bool drawn_ = false;
};

// Waits for the handle's job with a progress bar (when stderr is a terminal); the final job or
// the wait's error (timeout, network).
Result<ModelInstallJob> wait_with_progress(InstallHandle& handle, std::chrono::milliseconds timeout);

// 0 for a job that succeeded; otherwise prints the failure and returns its exit code.
int report_job_outcome(const ModelInstallJob& job);

}  // namespace ivk::cli
