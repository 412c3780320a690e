#include "install_view.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

#include "common.h"

namespace ivk::cli {

std::string format_bytes(std::optional<std::int64_t> bytes) {
  if (!bytes) return "-";
  static const char* const kUnits[] = {"B", "KB", "MB", "GB", "TB"};
  auto v = static_cast<double>(*bytes);
  std::size_t unit = 0;
  while (v >= 1024.0 && unit + 1 < std::size(kUnits)) {
    v /= 1024.0;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f %s", v, kUnits[unit]);
  return buf;
}

std::string progress_text(const ModelInstallJob& job) {
  if (job.bytes <= 0 && job.total_bytes <= 0) return "-";
  if (job.total_bytes <= 0) return format_bytes(job.bytes);
  const double pct = std::floor(job.fraction().value_or(0) * 100.0);
  return format_bytes(job.bytes) + " / " + format_bytes(job.total_bytes) + " (" +
         std::to_string(static_cast<int>(pct)) + "%)";
}

std::string job_outcome_text(const ModelInstallJob& job) {
  if (job.is_duplicate())
    return "already installed: " + job.source + " (the server reports " + job.error + ")";
  if (job.id < 0 && job.config_out)
    return "already installed: " + job.config_out->name + " (" + job.config_out->key + ")";
  if (job.state() == InstallState::completed && job.config_out)
    return "installed " + job.config_out->name + " (" + job.config_out->base + " " + job.config_out->type +
           ") as " + job.config_out->key;
  std::string text = "install " + std::to_string(job.id) + ": " + job.status;
  if (!job.error_reason.empty()) text += ": " + job.error_reason;
  if (!job.error.empty()) text += ": " + job.error;
  return text;
}

ProgressBar::ProgressBar() : enabled_(::isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(const ModelInstallJob& job) {
  if (!enabled_) return;
  constexpr int kWidth = 30;
  const double f = job.fraction().value_or(0);
  const int filled = static_cast<int>(f * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(kWidth - filled), '-');
  char pct[8];
  std::snprintf(pct, sizeof pct, "%3d%%", static_cast<int>(f * 100.0));
  // \r and "erase to end of line": redraw in place without leftovers of a longer previous line.
  std::cerr << "\r[" << bar << "] " << pct << "  " << format_bytes(job.bytes) << " / "
            << (job.total_bytes > 0 ? format_bytes(job.total_bytes) : std::string("?")) << "  " << job.status
            << "\x1b[K" << std::flush;
  drawn_ = true;
}

void ProgressBar::finish() {
  if (drawn_) std::cerr << '\n' << std::flush;
  drawn_ = false;
}

Result<ModelInstallJob> wait_with_progress(InstallHandle& handle, std::chrono::milliseconds timeout) {
  ProgressBar bar;
  auto job = handle.wait(timeout, [&bar](const ModelInstallJob& j) { bar.update(j); });
  bar.finish();
  return job;
}

int report_job_outcome(const ModelInstallJob& job) {
  if (auto s = job.as_status(); !s) return report_error(s.error());
  if (!job.is_terminal())
    return report_error(make_error(ErrorCode::internal, "install job is still running"));
  return 0;
}

}  // namespace ivk::cli
