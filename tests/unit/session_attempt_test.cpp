// The pure pieces of ServerSession::send (transport/session_attempt.h): the request built once, one
// attempt's HttpRequest, the verdict on an answer, credential redaction and the decision after a
// failed attempt, all with the clock and the randomness passed in. Then the loop that runs them,
// through a ServerSession over the fake transport (support/fake_transport.h).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "ivk/transport/server_session.h"
#include "support/fake_transport.h"
#include "transport/session_attempt.h"

namespace {

using namespace std::chrono_literals;
using ivk::ApiRequest;
using ivk::ApiRoot;
using ivk::ErrorCode;
using ivk::HttpRequest;
using ivk::Idempotency;
using ivk::TransportFailure;
using ivk::detail::AttemptFailure;
using ivk::detail::AttemptOutcome;
using ivk::detail::PreparedRequest;
using ivk::detail::RetryClock;
using ivk::test::FakeTransport;
using SteadyClock = std::chrono::steady_clock;

class FixedRandom : public ivk::detail::RandomSource {
 public:
  double next_unit() override { return 0.5; }  // the jitter factor is then exactly 1
};

ivk::ServerUrl url(const std::string& text) { return *ivk::ServerUrl::parse(text); }

std::optional<std::string> header(const HttpRequest& r, std::string_view name) {
  ivk::HttpResponse view;
  view.headers = r.headers;
  if (auto v = view.header(name)) return std::string(*v);
  return std::nullopt;
}

PreparedRequest prepared_get(Idempotency idempotency = Idempotency::idempotent) {
  ApiRequest r;
  r.path = "/queue/default/status";
  r.idempotency = idempotency;
  return ivk::detail::prepare_request(r, url("http://127.0.0.1:9090"));
}

ivk::RetryPolicy policy() {
  ivk::RetryPolicy p;
  p.max_attempts = 4;
  p.base_delay = 100ms;
  p.max_delay = 1000ms;
  return p;
}

AttemptFailure transport_failure(TransportFailure kind, ErrorCode code, std::string message = "no answer") {
  return AttemptFailure{AttemptOutcome::transport(kind), ivk::make_error(code, std::move(message), "GET /x"),
                        false};
}

AttemptFailure http_failure(int status, std::optional<std::string> retry_after = std::nullopt) {
  return AttemptFailure{AttemptOutcome::http(status, std::move(retry_after)),
                        ivk::make_error(ErrorCode::http, "status " + std::to_string(status), "GET /x"), true};
}

TEST(SessionAttemptPrepare, WhereNamesTheWirePathWithoutTheQuery) {
  ApiRequest r;
  r.path = "/boards/";
  r.query = "?all=true";
  const auto p = ivk::detail::prepare_request(r, url("http://127.0.0.1:9090/proxy"));
  EXPECT_EQ(p.where, "GET /proxy/api/v1/boards/");
  EXPECT_EQ(p.wire_path, "/proxy/api/v1/boards/");
  EXPECT_EQ(p.base.url, "http://127.0.0.1:9090/proxy/api/v1/boards/?all=true");
  EXPECT_EQ(p.base.method, "GET");
  EXPECT_EQ(header(p.base, "Accept"), "application/json");
  EXPECT_EQ(header(p.base, "Content-Type"), std::nullopt);
  EXPECT_EQ(p.idempotency, Idempotency::idempotent);
  EXPECT_FALSE(p.caller_sets_auth);
}

TEST(SessionAttemptPrepare, BodyTypeAndIdempotencyDefaults) {
  ApiRequest r;
  r.method = "POST";
  r.root = ApiRoot::v2;
  r.path = "/models/install";
  r.body = "{}";
  r.timeout = 7s;
  const auto p = ivk::detail::prepare_request(r, url("http://127.0.0.1:9090"));
  EXPECT_EQ(p.where, "POST /api/v2/models/install");
  EXPECT_EQ(p.base.body, "{}");
  EXPECT_EQ(p.base.timeout, std::optional<std::chrono::milliseconds>(7s));
  EXPECT_EQ(header(p.base, "Content-Type"), "application/json");
  EXPECT_EQ(p.idempotency, Idempotency::not_idempotent);  // POST, not marked otherwise
}

TEST(SessionAttemptPrepare, CallersAuthorizationIsKeptAsASecret) {
  ApiRequest r;
  r.root = ApiRoot::none;
  r.path = "/openapi.json";
  r.extra_headers = {{"authorization", "Bearer caller-key"}};
  auto p = ivk::detail::prepare_request(r, url("http://127.0.0.1:9090"));
  EXPECT_EQ(p.where, "GET /openapi.json");
  EXPECT_TRUE(p.caller_sets_auth);
  EXPECT_EQ(p.caller_secret, "caller-key");

  r.extra_headers = {{"Authorization", "Basic dXNlcjpwdw=="}};
  p = ivk::detail::prepare_request(r, url("http://127.0.0.1:9090"));
  EXPECT_EQ(p.caller_secret, "Basic dXNlcjpwdw==");
}

TEST(SessionAttemptBuild, AddsTheTokenUnlessEmptyOrTheCallerSentOne) {
  const auto p = prepared_get();
  const ivk::TransportOptions transport;
  EXPECT_EQ(
      header(ivk::detail::build_attempt(p, std::string("tok"), std::nullopt, transport), "Authorization"),
      "Bearer tok");
  EXPECT_EQ(header(ivk::detail::build_attempt(p, std::string(), std::nullopt, transport), "Authorization"),
            std::nullopt);
  EXPECT_EQ(header(ivk::detail::build_attempt(p, std::nullopt, std::nullopt, transport), "Authorization"),
            std::nullopt);

  auto own = p;
  own.caller_sets_auth = true;
  own.base.headers.push_back({"Authorization", "Bearer mine"});
  const auto http = ivk::detail::build_attempt(own, std::string("tok"), std::nullopt, transport);
  EXPECT_EQ(header(http, "Authorization"), "Bearer mine");
  EXPECT_EQ(http.headers.size(), own.base.headers.size());
}

TEST(SessionAttemptBuild, NotIdempotentRequestsGoOnAFreshConnection) {
  const ivk::TransportOptions transport;
  EXPECT_FALSE(
      ivk::detail::build_attempt(prepared_get(), std::nullopt, std::nullopt, transport).fresh_connection);
  EXPECT_TRUE(ivk::detail::build_attempt(prepared_get(Idempotency::not_idempotent), std::nullopt,
                                         std::nullopt, transport)
                  .fresh_connection);
}

TEST(SessionAttemptBuild, TimeLeftCapsBothTimeoutsAndLimitsUnlimitedOnes) {
  ivk::TransportOptions transport;
  transport.connect_timeout = 5s;
  transport.request_timeout = 0ms;  // no limit: the deadline makes one
  const auto p = prepared_get();
  const auto capped = ivk::detail::build_attempt(p, std::nullopt, 3s, transport);
  EXPECT_EQ(capped.timeout, std::optional<std::chrono::milliseconds>(3s));
  EXPECT_EQ(capped.connect_timeout, std::optional<std::chrono::milliseconds>(3s));

  const auto roomy = ivk::detail::build_attempt(p, std::nullopt, 60s, transport);
  EXPECT_EQ(roomy.timeout, std::optional<std::chrono::milliseconds>(60s));
  EXPECT_EQ(roomy.connect_timeout, std::optional<std::chrono::milliseconds>(5s));

  const auto free = ivk::detail::build_attempt(p, std::nullopt, std::nullopt, transport);
  EXPECT_EQ(free.timeout, std::nullopt);  // the transport's own options apply
  EXPECT_EQ(free.connect_timeout, std::nullopt);
}

TEST(SessionAttemptJudge, SuccessKeepsTheResponseAndTheRefreshedToken) {
  auto v = ivk::detail::judge_answer(FakeTransport::answer(201, "ok", {{"x-refreshed-token", "new"}}),
                                     prepared_get());
  ASSERT_TRUE(v.result);
  EXPECT_EQ(v.result->status, 201);
  EXPECT_EQ(v.result->body, "ok");
  EXPECT_EQ(v.refreshed_token, "new");
}

TEST(SessionAttemptJudge, ErrorStatusIsAnAnsweredFailureWithRetryAfter) {
  auto v = ivk::detail::judge_answer(
      FakeTransport::answer(503, R"({"detail":"busy"})", {{"Retry-After", "2"}, {"X-Refreshed-Token", ""}}),
      prepared_get());
  EXPECT_EQ(v.refreshed_token, std::nullopt);  // an empty one is no token
  ASSERT_FALSE(v.result);
  const auto& f = v.result.error();
  EXPECT_TRUE(f.answered);
  EXPECT_EQ(f.outcome.failure, std::nullopt);
  EXPECT_EQ(f.outcome.http_status, 503);
  EXPECT_EQ(f.outcome.retry_after, "2");
  EXPECT_EQ(f.why.code, ErrorCode::http);
  EXPECT_EQ(f.why.http_status, 503);
  EXPECT_EQ(f.why.detail, "busy");
  EXPECT_EQ(f.why.where, "GET /api/v1/queue/default/status");
}

TEST(SessionAttemptJudge, TransportFaultIsPassedOn) {
  auto v = ivk::detail::judge_answer(
      FakeTransport::fault(TransportFailure::connection_reset, ErrorCode::transport, "reset"),
      prepared_get());
  ASSERT_FALSE(v.result);
  EXPECT_FALSE(v.result.error().answered);
  EXPECT_EQ(v.result.error().outcome.failure, TransportFailure::connection_reset);
  EXPECT_EQ(v.result.error().why.message, "reset");
  EXPECT_EQ(v.refreshed_token, std::nullopt);
}

TEST(SessionAttemptRedact, EveryCredentialTheAttemptCouldHaveHadEchoed) {
  auto why = ivk::make_error(ErrorCode::auth, "denied", "GET /x");
  why.detail = "sent-tok caller-key now-tok";
  ivk::detail::redact_credentials(why, std::string("sent-tok"), "caller-key", std::string("now-tok"));
  EXPECT_EQ(why.detail, "<redacted> <redacted> <redacted>");
}

TEST(SessionAttemptDecide, CancelIsFinalEvenWhenRetryable) {
  const RetryClock clock{std::nullopt, SteadyClock::now(), std::chrono::system_clock::now()};
  FixedRandom random;
  const auto v = ivk::detail::decide_retry(transport_failure(TransportFailure::other, ErrorCode::cancelled),
                                           1, prepared_get(), policy(), clock, random);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::cancelled);
  EXPECT_EQ(v.error().message, "no answer");
}

TEST(SessionAttemptDecide, RetryableFailureWaitsTheBackoff) {
  const RetryClock clock{std::nullopt, SteadyClock::now(), std::chrono::system_clock::now()};
  FixedRandom random;
  const auto v =
      ivk::detail::decide_retry(transport_failure(TransportFailure::connect_failed, ErrorCode::transport), 2,
                                prepared_get(), policy(), clock, random);
  ASSERT_TRUE(v) << v.error().describe();
  EXPECT_EQ(*v, 200ms);  // base 100 ms doubled after the second attempt
}

TEST(SessionAttemptDecide, RetryAfterDateIsReadAgainstTheGivenWallClock) {
  const std::chrono::system_clock::time_point wall =
      std::chrono::sys_days{std::chrono::year{1994} / 11 / 6} + 8h + 49min + 27s;
  const RetryClock clock{std::nullopt, SteadyClock::now(), wall};
  FixedRandom random;
  const auto v = ivk::detail::decide_retry(http_failure(503, "Sun, 06 Nov 1994 08:49:37 GMT"), 1,
                                           prepared_get(), policy(), clock, random);
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, 10s);
}

TEST(SessionAttemptDecide, NotRetryableOrOutOfAttemptsGivesUpWithTheAttemptsError) {
  const RetryClock clock{std::nullopt, SteadyClock::now(), std::chrono::system_clock::now()};
  FixedRandom random;
  auto v = ivk::detail::decide_retry(http_failure(500), 1, prepared_get(), policy(), clock, random);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().message, "status 500");
  v = ivk::detail::decide_retry(http_failure(503), 4, prepared_get(), policy(), clock, random);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().message, "status 503");
  v = ivk::detail::decide_retry(http_failure(503), 1, prepared_get(Idempotency::not_idempotent), policy(),
                                clock, random);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().message, "status 503");
}

TEST(SessionAttemptDecide, TimeoutThatRanIntoTheDeadlineIsTheDeadline) {
  const auto now = SteadyClock::now();
  const RetryClock clock{now - 1ms, now, std::chrono::system_clock::now()};
  FixedRandom random;
  const auto v = ivk::detail::decide_retry(
      transport_failure(TransportFailure::timed_out, ErrorCode::timeout, "no answer within 250 ms"), 1,
      prepared_get(), policy(), clock, random);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::timeout);
  EXPECT_EQ(v.error().message,
            "the run's deadline was reached while waiting for the answer (no answer within 250 ms)");
  EXPECT_EQ(v.error().where, "GET /api/v1/queue/default/status");
}

TEST(SessionAttemptDecide, RetryThatCouldNotStartBeforeTheDeadlineIsNone) {
  const auto now = SteadyClock::now();
  const RetryClock clock{now + 150ms, now, std::chrono::system_clock::now()};
  FixedRandom random;
  auto answered = http_failure(504);
  answered.why.detail = "gateway said so";
  const auto v = ivk::detail::decide_retry(answered, 2, prepared_get(), policy(), clock, random);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::timeout);
  EXPECT_EQ(v.error().message,
            "the run's deadline was reached with no time left to retry (attempt 2 failed) (status 504)");
  EXPECT_EQ(v.error().detail, "gateway said so");

  const RetryClock roomy{now + 250ms, now, std::chrono::system_clock::now()};
  const auto w = ivk::detail::decide_retry(http_failure(504), 2, prepared_get(), policy(), roomy, random);
  ASSERT_TRUE(w);
  EXPECT_EQ(*w, 200ms);
}

// The loop, through a session over the fake transport.
struct Loop {
  std::shared_ptr<FakeTransport::Shared> shared = std::make_shared<FakeTransport::Shared>();
  std::unique_ptr<ivk::ServerSession> session;

  explicit Loop(std::optional<std::string> token = std::nullopt) {
    ivk::ServerConfig config;
    config.token = std::move(token);
    ivk::SessionOptions options;
    options.retry.base_delay = 1ms;
    options.retry.max_delay = 2ms;
    session = std::make_unique<ivk::ServerSession>(config, std::make_unique<FakeTransport>(shared), options);
  }
};

TEST(SessionAttemptLoop, PassedDeadlineSendsNothing) {
  Loop l;
  l.session->set_deadline(SteadyClock::now() - 1s);
  auto r = l.session->get(ApiRoot::v1, "/app/version");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::timeout);
  EXPECT_EQ(r.error().message, "the run's deadline was reached before the request could be sent");
  EXPECT_EQ(r.error().where, "GET /api/v1/app/version");
  EXPECT_TRUE(l.shared->sent.empty());
}

TEST(SessionAttemptLoop, DeadlineCapsEveryAttemptsTimeouts) {
  Loop l;
  l.shared->script.push_back(FakeTransport::answer(200, "{}"));
  l.session->set_deadline(SteadyClock::now() + 2s);
  ASSERT_TRUE(l.session->get(ApiRoot::v1, "/x"));
  ASSERT_EQ(l.shared->sent.size(), 1u);
  ASSERT_TRUE(l.shared->sent[0].timeout);
  EXPECT_LE(*l.shared->sent[0].timeout, 2s);
  EXPECT_GT(*l.shared->sent[0].timeout, 0ms);
  EXPECT_LE(*l.shared->sent[0].connect_timeout, 2s);
}

TEST(SessionAttemptLoop, TokenRefreshedByTheFailingAnswerIsRedactedFromItsError) {
  Loop l(std::string("old-token"));
  l.shared->script.push_back(FakeTransport::answer(401, R"({"detail":"try fresh-token-42"})",
                                                   {{"X-Refreshed-Token", "fresh-token-42"}}));
  auto r = l.session->get(ApiRoot::v1, "/auth/me");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::auth);
  EXPECT_EQ(r.error().detail, "try <redacted>");
  EXPECT_EQ(l.session->token(), "fresh-token-42");
}

TEST(SessionAttemptLoop, RetriesUntilAnAnswerAndSendsTheRefreshedTokenNext) {
  Loop l(std::string("a"));
  l.shared->script.push_back(FakeTransport::fault(TransportFailure::connect_failed));
  l.shared->script.push_back(FakeTransport::answer(503, "{}", {{"X-Refreshed-Token", "b"}}));
  l.shared->script.push_back(FakeTransport::answer(200, "done"));
  auto r = l.session->get(ApiRoot::v1, "/x");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(*r, "done");
  ASSERT_EQ(l.shared->sent.size(), 3u);
  EXPECT_EQ(header(l.shared->sent[0], "Authorization"), "Bearer a");
  EXPECT_EQ(header(l.shared->sent[1], "Authorization"), "Bearer a");
  EXPECT_EQ(header(l.shared->sent[2], "Authorization"), "Bearer b");
}

}  // namespace
