#pragma once
// Stable exit codes of the ivk command (documented in docs/cli.md).
#include "ivk/error.h"

namespace ivk::cli {

inline constexpr int kExitOk = 0;
// Generic failure (e.g. an item failed, verify found drift).
inline constexpr int kExitFailure = 1;
// Bad command line.
inline constexpr int kExitUsage = 2;
// A value or reference broke a rule (invalid_argument, not_found).
inline constexpr int kExitInvalidInput = 3;
// The workflow/document could not be read (parse, invalid, unsupported).
inline constexpr int kExitBadWorkflow = 4;
// Local file problem.
inline constexpr int kExitIo = 5;
// The server answered with an error.
inline constexpr int kExitServer = 6;
// No usable answer from the server (transport).
inline constexpr int kExitNetwork = 7;
inline constexpr int kExitTimeout = 8;
inline constexpr int kExitAuth = 9;
inline constexpr int kExitInternal = 70;

inline int exit_code_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument:
    case ErrorCode::not_found: return kExitInvalidInput;
    case ErrorCode::parse_error:
    case ErrorCode::invalid_workflow:
    case ErrorCode::unsupported: return kExitBadWorkflow;
    case ErrorCode::io: return kExitIo;
    case ErrorCode::conflict:
    case ErrorCode::http: return kExitServer;
    case ErrorCode::transport: return kExitNetwork;
    case ErrorCode::timeout: return kExitTimeout;
    case ErrorCode::cancelled: return kExitFailure;
    case ErrorCode::auth: return kExitAuth;
    case ErrorCode::internal: return kExitInternal;
  }
  return kExitInternal;
}

}  // namespace ivk::cli
