#pragma once
// When a failed HTTP attempt is tried again, and after how long. Pure: the random source and the
// clock are passed in, so tests are deterministic. See docs/adr/0005-server-urls-and-retries.md.
//
// Rules:
//   - only idempotent requests are retried (enqueue, upload and install are never idempotent);
//   - only on connect failures, timeouts, connection resets and HTTP 429, 502, 503, 504;
//     never on 500 (InvokeAI turns every exception into 500: not transient) nor any other 4xx/5xx;
//   - the delay is exponential (base_delay * 2^(attempt-1)) with +/- jitter, capped at max_delay;
//   - a Retry-After header (delta-seconds or HTTP-date) replaces that delay, capped at max_retry_after.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
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

// What one attempt ended with: a transport failure, or an HTTP status (plus Retry-After if sent).
struct AttemptOutcome {
  std::optional<TransportFailure> failure;
  int http_status = 0;
  std::optional<std::string> retry_after;

  static AttemptOutcome transport(TransportFailure kind) { return AttemptOutcome{kind, 0, std::nullopt}; }
  static AttemptOutcome http(int status, std::optional<std::string> retry_after_header = std::nullopt) {
    return AttemptOutcome{std::nullopt, status, std::move(retry_after_header)};
  }
};

// Uniform numbers in [0, 1) for jitter.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual double next_unit() = 0;
};

// A seeded pseudo-random generator (splitmix64); the default seed is taken from std::random_device.
class DefaultRandomSource final : public RandomSource {
 public:
  DefaultRandomSource();
  explicit DefaultRandomSource(std::uint64_t seed) : state_(seed) {}
  double next_unit() override;

 private:
  std::uint64_t state_;
};

// True when the outcome is worth another attempt for a request of this idempotency
// (ignoring the attempt count).
bool is_retryable(Idempotency idempotency, const AttemptOutcome& outcome) noexcept;

// The wait a Retry-After value asks for: delta-seconds ("120") or an HTTP-date in any of the three
// forms RFC 9110 requires ("Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
// "Sun Nov  6 08:49:37 1994"), relative to now; a date in the past gives 0. nullopt when unparseable.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

// The delay before the next attempt, or nullopt to give up. `attempt` is the 1-based number of the
// attempt that just failed; nullopt once attempt >= policy.max_attempts. An unparseable Retry-After
// falls back to the exponential delay.
std::optional<std::chrono::milliseconds> next_delay(const RetryPolicy& policy, int attempt,
                                                    Idempotency idempotency, const AttemptOutcome& outcome,
                                                    RandomSource& random,
                                                    std::chrono::system_clock::time_point now);
std::optional<std::chrono::milliseconds> next_delay(const RetryPolicy& policy, int attempt,
                                                    Idempotency idempotency, const AttemptOutcome& outcome,
                                                    RandomSource& random);

}  // namespace ivk
