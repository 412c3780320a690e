#pragma once
// A model install job as the server reports it (ModelInstallJob, /api/v2/models/install), read
// loosely: the status stays an open string (a newer server's state is kept, never an error) and the
// whole object is kept as raw JSON for anything ivk does not model. Pure data: nothing here does I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"
#include "ivk/models/model_record.h"

namespace ivk {

// InstallStatus values ivk knows; `other` is a status of a newer server.
enum class InstallState {
  waiting,
  downloading,
  downloads_done,
  running,
  paused,
  completed,
  error,
  cancelled,
  other
};

// "waiting" -> InstallState::waiting, ...; anything else -> other.
InstallState install_state_from(std::string_view status) noexcept;

struct ModelInstallJob {
  std::int64_t id = -1;
  std::string status;  // as sent: "waiting", "downloading", ..., "completed", "error", "cancelled"
  std::int64_t bytes = 0;
  std::int64_t total_bytes = 0;
  // The source in the form install() takes: a path, a URL, "owner/repo[:variant][:subfolder]" or
  // "external://provider/model". Old servers send a plain string, kept as is.
  std::string source;
  std::string source_type;  // "local", "url", "hf", "external"; "" when the server sent a string
  bool inplace = false;
  std::string local_path;
  std::string error_reason;  // the exception class name, e.g. "DuplicateModelException"; "" when none
  std::string error;         // the error message; "" when none
  std::optional<ModelRecord> config_out;  // the installed model, once completed
  std::string raw_json;                   // the whole job as the server sent it, compact

  [[nodiscard]] InstallState state() const noexcept { return install_state_from(status); }
  // completed, error or cancelled. A status ivk does not know is not terminal: waits keep polling
  // until their timeout rather than stopping on a state they cannot interpret.
  [[nodiscard]] bool is_terminal() const noexcept;
  // Ended with DuplicateModelException: the model was installed before (not a failure).
  [[nodiscard]] bool is_duplicate() const noexcept { return error_reason == "DuplicateModelException"; }
  // completed, or a duplicate.
  [[nodiscard]] bool succeeded() const noexcept;
  // bytes / total_bytes in [0, 1], or nullopt while the total is unknown (0).
  [[nodiscard]] std::optional<double> fraction() const noexcept;
  // ok for a job that succeeded or is still running; otherwise the failure as an Error:
  // error -> ErrorCode::http, message "model install N of '<source>' failed: <reason>", detail <error>;
  // cancelled -> ErrorCode::cancelled.
  [[nodiscard]] Status as_status() const;
};

// Parses one job (GET /api/v2/models/install/{id}, the 201 of POST /install). Errors: parse_error.
Result<ModelInstallJob> parse_install_job(std::string_view json);
// Parses a JSON array of jobs (GET /api/v2/models/install).
Result<std::vector<ModelInstallJob>> parse_install_job_list(std::string_view json);

}  // namespace ivk
