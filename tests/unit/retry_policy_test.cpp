#include "transport/retry_decision.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace {

using namespace std::chrono_literals;
using ivk::Idempotency;
using ivk::RetryPolicy;
using ivk::TransportFailure;
using ivk::detail::AttemptOutcome;
using std::chrono::milliseconds;

// Returns the same value every time: 0.5 means "no jitter" (factor 1.0).
class FixedRandom : public ivk::detail::RandomSource {
 public:
  explicit FixedRandom(double value) : value_(value) {}
  double next_unit() override { return value_; }

 private:
  double value_;
};

// 2026-11-26 10:00:00 UTC.
const auto kNow = std::chrono::sys_days{std::chrono::year{2026} / 11 / 26} + 10h;

std::optional<milliseconds> delay(int attempt, Idempotency idem, const AttemptOutcome& outcome,
                                  double u = 0.5, RetryPolicy policy = {}) {
  FixedRandom random(u);
  return ivk::detail::next_delay(policy, attempt, idem, outcome, random, kNow);
}

constexpr auto kIdem = Idempotency::idempotent;
constexpr auto kNotIdem = Idempotency::not_idempotent;

TEST(RetryPolicy, DefaultIdempotencyByMethod) {
  EXPECT_EQ(ivk::default_idempotency("GET"), kIdem);
  EXPECT_EQ(ivk::default_idempotency("head"), kIdem);
  EXPECT_EQ(ivk::default_idempotency("PUT"), kIdem);
  EXPECT_EQ(ivk::default_idempotency("DELETE"), kIdem);
  EXPECT_EQ(ivk::default_idempotency("POST"), kNotIdem);
  EXPECT_EQ(ivk::default_idempotency("PATCH"), kNotIdem);
}

TEST(RetryPolicy, RetriesOnlyTransientFailures) {
  for (auto kind :
       {TransportFailure::connect_failed, TransportFailure::timed_out, TransportFailure::connection_reset})
    EXPECT_TRUE(ivk::detail::is_retryable(kIdem, AttemptOutcome::transport(kind)));
  EXPECT_FALSE(ivk::detail::is_retryable(kIdem, AttemptOutcome::transport(TransportFailure::other)));
  for (int status : {429, 502, 503, 504})
    EXPECT_TRUE(ivk::detail::is_retryable(kIdem, AttemptOutcome::http(status))) << status;
  // 500 is InvokeAI's wrapper for every exception: never transient. No 4xx but 429 either.
  for (int status : {500, 501, 400, 401, 403, 404, 409, 422, 200})
    EXPECT_FALSE(ivk::detail::is_retryable(kIdem, AttemptOutcome::http(status))) << status;
}

// enqueue_batch, upload and install are POSTs: a retry could enqueue the same job twice.
TEST(RetryPolicy, NeverRetriesNonIdempotentRequests) {
  EXPECT_FALSE(delay(1, kNotIdem, AttemptOutcome::transport(TransportFailure::connect_failed)));
  EXPECT_FALSE(delay(1, kNotIdem, AttemptOutcome::transport(TransportFailure::timed_out)));
  EXPECT_FALSE(delay(1, kNotIdem, AttemptOutcome::http(503, "1")));
  EXPECT_FALSE(delay(1, kNotIdem, AttemptOutcome::http(429)));
}

TEST(RetryPolicy, NeverRetries500Or4xx) {
  EXPECT_FALSE(delay(1, kIdem, AttemptOutcome::http(500)));
  EXPECT_FALSE(delay(1, kIdem, AttemptOutcome::http(404)));
  EXPECT_FALSE(delay(1, kIdem, AttemptOutcome::http(422)));
}

TEST(RetryPolicy, ExponentialBackoffCappedAndBoundedByAttempts) {
  const auto outcome = AttemptOutcome::transport(TransportFailure::connect_failed);
  EXPECT_EQ(delay(1, kIdem, outcome), 200ms);
  EXPECT_EQ(delay(2, kIdem, outcome), 400ms);
  EXPECT_EQ(delay(3, kIdem, outcome), 800ms);
  EXPECT_FALSE(delay(4, kIdem, outcome));  // max_attempts = 4: the 4th failure is the last
  EXPECT_FALSE(delay(0, kIdem, outcome));

  RetryPolicy many;
  many.max_attempts = 100;
  EXPECT_EQ(delay(5, kIdem, outcome, 0.5, many), 3200ms);
  EXPECT_EQ(delay(6, kIdem, outcome, 0.5, many), 5000ms);   // capped at max_delay
  EXPECT_EQ(delay(90, kIdem, outcome, 0.5, many), 5000ms);  // no overflow

  RetryPolicy none;
  none.max_attempts = 1;
  EXPECT_FALSE(delay(1, kIdem, outcome, 0.5, none));
}

TEST(RetryPolicy, JitterIsDeterministicUnderInjectedRandom) {
  const auto outcome = AttemptOutcome::http(503);
  EXPECT_EQ(delay(1, kIdem, outcome, 0.0), 160ms);   // 200 * (1 - 0.2)
  EXPECT_EQ(delay(1, kIdem, outcome, 0.75), 220ms);  // 200 * (1 + 0.2 * 0.5)
  EXPECT_EQ(delay(3, kIdem, outcome, 0.25), 720ms);  // 800 * 0.9
  RetryPolicy policy;
  policy.max_attempts = 10;
  EXPECT_EQ(delay(6, kIdem, outcome, 0.999, policy), 5000ms);  // jitter never exceeds the cap
  EXPECT_EQ(delay(6, kIdem, outcome, 0.0, policy), 4000ms);

  ivk::detail::DefaultRandomSource a(42), b(42);
  for (int i = 0; i < 100; ++i) {
    const double x = a.next_unit();
    EXPECT_EQ(x, b.next_unit());
    EXPECT_GE(x, 0.0);
    EXPECT_LT(x, 1.0);
  }
}

TEST(RetryPolicy, HonoursRetryAfterSeconds) {
  EXPECT_EQ(delay(1, kIdem, AttemptOutcome::http(503, "3"), 0.0), 3000ms);  // no jitter on a server's ask
  EXPECT_EQ(delay(1, kIdem, AttemptOutcome::http(429, " 0 ")), 0ms);
  EXPECT_EQ(delay(1, kIdem, AttemptOutcome::http(429, "120")), 30000ms);  // capped at max_retry_after
  EXPECT_EQ(delay(1, kIdem, AttemptOutcome::http(429, "99999999999999999999999")), 30000ms);
  EXPECT_EQ(delay(1, kIdem, AttemptOutcome::http(503, "soon")), 200ms);  // unparseable: backoff
  EXPECT_EQ(delay(1, kIdem, AttemptOutcome::http(503, "-5")), 200ms);
  EXPECT_FALSE(delay(1, kIdem, AttemptOutcome::http(500, "1")));  // Retry-After does not make 500 retryable
  EXPECT_FALSE(delay(4, kIdem, AttemptOutcome::http(503, "1")));  // nor lift max_attempts
}

TEST(RetryPolicy, HonoursRetryAfterHttpDates) {
  EXPECT_EQ(ivk::detail::parse_retry_after("Thu, 26 Nov 2026 10:00:07 GMT", kNow), 7000ms);
  EXPECT_EQ(ivk::detail::parse_retry_after("Thursday, 26-Nov-26 10:00:20 GMT", kNow), 20000ms);
  EXPECT_EQ(ivk::detail::parse_retry_after("Thu Nov 26 10:00:05 2026", kNow), 5000ms);
  EXPECT_EQ(ivk::detail::parse_retry_after("Thu Nov  6 10:00:05 2026", kNow), 0ms);  // in the past
  EXPECT_EQ(ivk::detail::parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", kNow), 0ms);
  EXPECT_EQ(ivk::detail::parse_retry_after("Fri, 27 Nov 2026 10:00:00 GMT", kNow), 86400000ms);
  EXPECT_FALSE(ivk::detail::parse_retry_after("Thu, 31 Nov 2026 10:00:07 GMT", kNow));  // no such day
  EXPECT_FALSE(ivk::detail::parse_retry_after("Thu, 26 Foo 2026 10:00:07 GMT", kNow));
  EXPECT_FALSE(ivk::detail::parse_retry_after("Thu, 26 Nov 2026 25:00:07 GMT", kNow));
  EXPECT_FALSE(ivk::detail::parse_retry_after("", kNow));
  EXPECT_EQ(ivk::detail::parse_retry_after("17", kNow), 17000ms);

  EXPECT_EQ(delay(1, kIdem, AttemptOutcome::http(503, "Thu, 26 Nov 2026 10:00:02 GMT")), 2000ms);
  EXPECT_EQ(delay(1, kIdem, AttemptOutcome::http(503, "Fri, 27 Nov 2026 10:00:00 GMT")), 30000ms);
}

}  // namespace
