// InstallHandle: following one model install job until it ends.
#include <algorithm>
#include <thread>

#include "ivk/api/models_api.h"

namespace ivk {

std::optional<double> InstallProgress::fraction() const noexcept {
  if (total_bytes <= 0) return std::nullopt;
  const double f = static_cast<double>(bytes) / static_cast<double>(total_bytes);
  return std::clamp(f, 0.0, 1.0);
}

InstallHandle::InstallHandle(ModelsApi& api, ModelInstallJob job, std::optional<ModelRecord> existing)
    : api_(&api), job_(std::move(job)), existing_(std::move(existing)), fetched_at_(Clock::now()) {}

Status InstallHandle::refresh() {
  if (already_installed()) return {};
  auto job = api_->get_job(job_.id);
  if (!job) return tl::unexpected(job.error());
  job_ = std::move(*job);
  fetched_at_ = Clock::now();
  return {};
}

Result<ModelInstallJob> InstallHandle::wait(std::chrono::milliseconds timeout,
                                            const ProgressCallback& on_progress,
                                            std::chrono::milliseconds poll_interval) {
  const auto deadline = Clock::now() + timeout;
  const auto interval = std::max(poll_interval, std::chrono::milliseconds(1));
  if (on_progress) on_progress(job_);
  while (!job_.is_terminal()) {
    const auto now = Clock::now();
    if (now >= deadline) {
      Error e = make_error(ErrorCode::timeout,
                           "model install " + std::to_string(job_.id) + " did not finish within " +
                               std::to_string(timeout.count()) + " ms (last status " + job_.status + ", " +
                               std::to_string(job_.bytes) + " of " + std::to_string(job_.total_bytes) +
                               " bytes); it keeps running on the server");
      return tl::unexpected(e);
    }
    std::this_thread::sleep_for(std::min<Clock::duration>(interval, deadline - now));
    if (auto s = refresh(); !s) {
      // One lost poll is not the job's failure: keep trying until the deadline.
      const ErrorCode code = s.error().code;
      if (code != ErrorCode::transport && code != ErrorCode::timeout) return tl::unexpected(s.error());
      continue;
    }
    if (on_progress) on_progress(job_);
  }
  return job_;
}

Status InstallHandle::cancel() {
  if (already_installed()) return {};
  if (auto s = api_->cancel_job(job_.id); !s) return s;
  return refresh();
}

}  // namespace ivk
