#pragma once
// Shared by the ModelsApi source files: request helpers and status remapping. Private to src/api.
#include <string>
#include <string_view>

#include "ivk/error.h"
#include "ivk/transport/server_url.h"

namespace ivk::detail {

// "/models/i/<key>" with the key percent-encoded (keys are UUIDs, but callers pass what users type).
inline std::string model_path(std::string_view prefix, std::string_view key) {
  return std::string(prefix) + url_encode_path_segment(key);
}

// Re-labels an HTTP error of one status with a clearer code and message; the server's detail, the
// status and where stay as they were. Other errors pass through.
inline Error remap_status(Error e, int status, ErrorCode code, std::string message) {
  if (e.http_status != status) return e;
  e.code = code;
  e.message = std::move(message);
  return e;
}

}  // namespace ivk::detail
