#pragma once
// How often and how patiently a failed HTTP request is tried again (see
// docs/adr/0005-server-urls-and-retries.md); the decision itself is internal (transport/retry_decision.h).
//
// Rules:
//   - only idempotent requests are retried (enqueue, upload and install are never idempotent);
//   - only on connect failures, timeouts, connection resets and HTTP 429, 502, 503, 504;
//     never on 500 (InvokeAI turns every exception into 500: not transient) nor any other 4xx/5xx;
//   - the delay is exponential (base_delay * 2^(attempt-1)) with +/- jitter, capped at max_delay;
//   - a Retry-After header (delta-seconds or HTTP-date) replaces that delay, capped at max_retry_after.

#include <chrono>
#include <string_view>

namespace ivk {

struct RetryPolicy {
  int max_attempts = 4;  // total attempts, the first one included; 1 disables retries
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{5000};
  double jitter = 0.2;  // the delay is scaled by a factor drawn from [1 - jitter, 1 + jitter)
  std::chrono::milliseconds max_retry_after{30000};  // cap on a server's Retry-After
};

enum class Idempotency { idempotent, not_idempotent };

// GET, HEAD, PUT, DELETE, OPTIONS: idempotent; POST, PATCH and anything else: not. Callers mark
// non-idempotent PUTs themselves.
Idempotency default_idempotency(std::string_view method) noexcept;

enum class TransportFailure { connect_failed, timed_out, connection_reset, other };

}  // namespace ivk
