// ServerSession::set_deadline, a run's deadline over every request: a stalled server, a trickling
// download and a retry loop all end at it with ErrorCode::timeout, through the fault proxy and the
// real libcurl transport. Times are only bounded from above, generously (the deadline + 5 s).
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "ivk/transport/http.h"
#include "ivk/transport/server_session.h"
#include "support/scripted_server.h"
#include "support/tcp_proxy.h"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using ivk::ApiRoot;
using ivk::ErrorCode;
using ivk::ServerSession;
using ivk::test::ScriptedServer;
using ivk::test::TcpProxy;

constexpr auto kSlack = 5s;  // how late after the deadline a request may end, at most

ivk::ServerConfig config_for(std::uint16_t port) {
  ivk::ServerConfig config;
  auto url = ivk::ServerUrl::parse("http://127.0.0.1:" + std::to_string(port));
  EXPECT_TRUE(url);
  if (url) config.url = *url;
  return config;
}

bool mentions_deadline(const ivk::Error& e) {
  return e.message.find("the run's deadline was reached") != std::string::npos;
}

// Answers 200 to everything and keeps what it was asked, to see the timeouts each attempt got.
class RecordingTransport final : public ivk::HttpTransport {
 public:
  ivk::HttpAttempt send(const ivk::HttpRequest& request) override {
    std::lock_guard lock(mutex_);
    sent_.push_back(request);
    ivk::HttpResponse r;
    r.status = 200;
    r.body = "{}";
    return r;
  }
  std::vector<ivk::HttpRequest> sent() {
    std::lock_guard lock(mutex_);
    return sent_;
  }

 private:
  std::mutex mutex_;
  std::vector<ivk::HttpRequest> sent_;
};

TEST(Deadline, StalledServerEndsTheRequestAtTheDeadline) {
  ScriptedServer server;
  server.set_fallback({200, {}, "pong"});
  TcpProxy proxy(server.port());
  proxy.stall(true);
  ServerSession session(config_for(proxy.port()));  // default timeouts: 60 s total, 30 s stall
  const auto deadline = Clock::now() + 600ms;
  session.set_deadline(deadline);
  auto r = session.get(ApiRoot::v1, "/app/version");
  const auto ended = Clock::now();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::timeout);
  EXPECT_TRUE(mentions_deadline(r.error())) << r.error().describe();
  EXPECT_EQ(r.error().where, "GET /api/v1/app/version");
  EXPECT_LT(ended, deadline + kSlack);
  EXPECT_EQ(server.request_count(), 0u);
}

TEST(Deadline, TricklingDownloadEndsAtTheDeadline) {
  ScriptedServer server;
  server.set_fallback({200, {{"Content-Type", "image/png"}}, std::string(100000, 'p')});
  TcpProxy proxy(server.port());
  proxy.trickle(1000);  // 100 s for the whole body, fast enough for the stall detection
  ServerSession session(config_for(proxy.port()));
  const auto deadline = Clock::now() + 800ms;
  session.set_deadline(deadline);
  ivk::ApiRequest download;
  download.path = "/images/i/a.png/full";
  download.timeout = 0ms;  // "no limit" for this request: the deadline still bounds it
  auto r = session.send(download);
  const auto ended = Clock::now();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::timeout);
  EXPECT_TRUE(mentions_deadline(r.error())) << r.error().describe();
  EXPECT_LT(ended, deadline + kSlack);
  EXPECT_EQ(server.request_count(), 1u);  // it did start: the answer was what ran out of time
}

TEST(Deadline, RetriesStopAtTheDeadline) {
  ScriptedServer server;
  server.set_fallback({503, {}, R"({"detail":"busy"})"});
  ivk::SessionOptions options;
  options.retry.max_attempts = 1000;
  options.retry.base_delay = 100ms;
  options.retry.max_delay = 100ms;
  options.retry.jitter = 0;
  int announced_retries = 0;
  options.on_retry = [&](int, std::chrono::milliseconds, const ivk::Error&) { ++announced_retries; };
  ServerSession session(config_for(server.port()), options);
  const auto deadline = Clock::now() + 700ms;
  session.set_deadline(deadline);
  auto r = session.get(ApiRoot::v1, "/queue/default/status");
  const auto ended = Clock::now();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::timeout);
  EXPECT_NE(r.error().message.find("with no time left to retry"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().detail, "busy");
  EXPECT_LT(ended, deadline + kSlack);
  // At most one attempt per 100 ms fits before the deadline; every retry announced was made.
  EXPECT_GE(server.request_count(), 2u);
  EXPECT_LE(server.request_count(), 8u);
  EXPECT_EQ(static_cast<std::size_t>(announced_retries), server.request_count() - 1);
}

TEST(Deadline, RetryAfterBeyondTheDeadlineIsNotWaitedFor) {
  ScriptedServer server;
  server.set_fallback({503, {{"Retry-After", "20"}}, R"({"detail":"later"})"});
  ServerSession session(config_for(server.port()));
  const auto deadline = Clock::now() + 2s;
  session.set_deadline(deadline);
  auto r = session.get(ApiRoot::v1, "/app/version");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::timeout);
  EXPECT_LT(Clock::now(), deadline + kSlack);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(Deadline, PassedDeadlineFailsAtOnceWithoutSending) {
  ScriptedServer server;
  ServerSession session(config_for(server.port()));
  session.set_deadline(Clock::now() - 1s);
  auto r = session.send_json("POST", ApiRoot::v1, "/queue/default/enqueue_batch", "{}");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::timeout);
  EXPECT_EQ(r.error().message, "the run's deadline was reached before the request could be sent");
  EXPECT_EQ(r.error().where, "POST /api/v1/queue/default/enqueue_batch");
  EXPECT_EQ(server.request_count(), 0u);
}

TEST(Deadline, EachAttemptsTimeoutsAreCappedByTheTimeLeft) {
  auto transport = std::make_unique<RecordingTransport>();
  auto* recorded = transport.get();
  ivk::SessionOptions options;
  options.transport.request_timeout = 60s;
  options.transport.connect_timeout = 5s;
  ServerSession session(config_for(9), std::move(transport), options);

  ASSERT_TRUE(session.get(ApiRoot::v1, "/a"));  // no deadline: nothing set, the transport decides
  session.set_deadline(Clock::now() + 2s);
  ASSERT_TRUE(session.get(ApiRoot::v1, "/b"));
  ivk::ApiRequest unlimited;
  unlimited.path = "/c";
  unlimited.timeout = 0ms;
  ASSERT_TRUE(session.send(unlimited));
  session.set_deadline(std::nullopt);
  EXPECT_EQ(session.deadline(), std::nullopt);
  ivk::ApiRequest own;
  own.path = "/d";
  own.timeout = 1500ms;
  ASSERT_TRUE(session.send(own));

  const auto sent = recorded->sent();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[0].timeout, std::nullopt);
  EXPECT_EQ(sent[0].connect_timeout, std::nullopt);
  for (std::size_t i : {1u, 2u}) {
    ASSERT_TRUE(sent[i].timeout && sent[i].connect_timeout) << i;
    EXPECT_GT(sent[i].timeout->count(), 0) << i;
    EXPECT_LE(*sent[i].timeout, 2000ms) << i;
    EXPECT_LE(*sent[i].connect_timeout, 2000ms) << i;
  }
  EXPECT_EQ(sent[3].timeout, 1500ms);  // the deadline removed: back to the request's own
  EXPECT_EQ(sent[3].connect_timeout, std::nullopt);
}

TEST(Deadline, FarDeadlineChangesNothing) {
  ScriptedServer server;
  server.enqueue({503, {{"Retry-After", "0"}}, "{}"});
  server.enqueue({200, {}, R"({"version":"6.13.8"})"});
  ServerSession session(config_for(server.port()));
  session.set_deadline(Clock::now() + 60s);
  auto r = session.get(ApiRoot::v1, "/app/version");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(*r, R"({"version":"6.13.8"})");
  EXPECT_EQ(server.request_count(), 2u);
}

}  // namespace
