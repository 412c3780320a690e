#include "ivk/error.h"

namespace ivk {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::parse_error: return "parse_error";
    case ErrorCode::invalid_workflow: return "invalid_workflow";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::io: return "io";
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::conflict: return "conflict";
    case ErrorCode::http: return "http";
    case ErrorCode::transport: return "transport";
    case ErrorCode::timeout: return "timeout";
    case ErrorCode::cancelled: return "cancelled";
    case ErrorCode::auth: return "auth";
    case ErrorCode::internal: return "internal";
  }
  return "internal";
}

std::string Error::describe() const {
  std::string out;
  if (!source.empty()) out += source + ": ";
  if (!where.empty()) out += where + ": ";
  out += message;
  if (http_status != 0) out += " (HTTP " + std::to_string(http_status) + ")";
  if (!detail.empty()) out += ": " + detail;
  return out;
}

}  // namespace ivk
