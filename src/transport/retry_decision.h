#pragma once
// Whether a failed HTTP attempt is tried again, and after how long. Pure: the random source and
// the clock are passed in, so tests are deterministic. The rules are listed in ivk/transport/retry_policy.h.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ivk/transport/retry_policy.h"

namespace ivk::detail {

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

}  // namespace ivk::detail
