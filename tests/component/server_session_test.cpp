// ServerSession with the real libcurl transport against a scripted server: retries as they reach
// the wire, error mapping, the token and its refresh, sub-paths, and the app/auth calls.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "ivk/transport/server_session.h"
#include "support/scripted_server.h"

namespace {

using namespace std::chrono_literals;
using ivk::ApiRoot;
using ivk::ErrorCode;
using ivk::ServerSession;
using ivk::test::ScriptedResponse;
using ivk::test::ScriptedServer;

ivk::ServerConfig config_for(const std::string& url, std::optional<std::string> token = std::nullopt) {
  ivk::ServerConfig config;
  auto parsed = ivk::ServerUrl::parse(url);
  EXPECT_TRUE(parsed) << url;
  if (parsed) config.url = *parsed;
  config.token = std::move(token);
  return config;
}

// Fast retries so the suite stays quick; Retry-After values still apply as sent.
ivk::SessionOptions fast_options() {
  ivk::SessionOptions options;
  options.retry.base_delay = 10ms;
  options.retry.max_delay = 50ms;
  return options;
}

ScriptedResponse json(int status, std::string body,
                      std::vector<std::pair<std::string, std::string>> extra = {}) {
  ScriptedResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json"}};
  for (auto& h : extra) r.headers.push_back(std::move(h));
  r.body = std::move(body);
  return r;
}

TEST(ServerSession, RetriesA503ThenReturnsThe200Body) {
  ScriptedServer server;
  server.enqueue(json(503, R"({"detail":"busy"})", {{"Retry-After", "0"}}));
  server.enqueue(json(200, R"({"items":[]})"));
  ServerSession session(config_for(server.url()), fast_options());
  auto body = session.get(ApiRoot::v2, "/models/");
  ASSERT_TRUE(body) << body.error().describe();
  EXPECT_EQ(*body, R"({"items":[]})");
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].target, "/api/v2/models/");
  EXPECT_EQ(reqs[1].target, "/api/v2/models/");
}

TEST(ServerSession, HonoursRetryAfterSeconds) {
  ScriptedServer server;
  server.enqueue(json(429, R"({"detail":"slow down"})", {{"Retry-After", "1"}}));
  server.enqueue(json(200, R"({"version":"6.13.8"})"));
  std::vector<std::chrono::milliseconds> delays;
  auto options = fast_options();
  options.on_retry = [&](int attempt, std::chrono::milliseconds delay, const ivk::Error& why) {
    EXPECT_EQ(attempt, 1);
    EXPECT_EQ(why.http_status, 429);
    delays.push_back(delay);
  };
  ServerSession session(config_for(server.url()), options);
  auto v = session.version();
  ASSERT_TRUE(v) << v.error().describe();
  EXPECT_EQ(v->to_string(), "6.13.8");
  ASSERT_EQ(delays.size(), 1u);
  EXPECT_EQ(delays[0], 1000ms);
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  // Sanity bound only: the server saw the retry no earlier than the asked-for second (minus slack).
  EXPECT_GE(reqs[1].received_at - reqs[0].received_at, 900ms);
}

TEST(ServerSession, PostIsNeverRetried) {
  ScriptedServer server;
  server.enqueue(json(503, R"({"detail":"busy"})", {{"Retry-After", "0"}}));
  ServerSession session(config_for(server.url()), fast_options());
  auto r = session.send_json("POST", ApiRoot::v1, "/queue/default/enqueue_batch", R"({"batch":{}})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::http);
  EXPECT_EQ(r.error().http_status, 503);
  EXPECT_EQ(r.error().detail, "busy");
  EXPECT_EQ(r.error().where, "POST /api/v1/queue/default/enqueue_batch");
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(ServerSession, Http500IsReportedAtOnceWithItsDetail) {
  ScriptedServer server;
  server.enqueue(json(500, R"({"detail":"CUDA out of memory"})"));
  ServerSession session(config_for(server.url()), fast_options());
  auto r = session.get(ApiRoot::v1, "/queue/default/status");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::http);
  EXPECT_EQ(r.error().http_status, 500);
  EXPECT_EQ(r.error().detail, "CUDA out of memory");
  EXPECT_EQ(r.error().where, "GET /api/v1/queue/default/status");
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(ServerSession, NotFoundIsNotFound) {
  ScriptedServer server;
  server.enqueue(json(404, R"({"detail":"Model not found"})"));
  ServerSession session(config_for(server.url()), fast_options());
  auto r = session.get(ApiRoot::v2, "/models/i/abc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  EXPECT_EQ(r.error().http_status, 404);
  EXPECT_EQ(r.error().detail, "Model not found");
  EXPECT_EQ(r.error().where, "GET /api/v2/models/i/abc");
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(ServerSession, ValidationErrorListIsRendered) {
  ScriptedServer server;
  server.enqueue(json(422, R"({"detail":[{"type":"enum","loc":["query","base_models",0],)"
                           R"("msg":"Input should be 'sd-1' or 'sdxl'","input":"sdxxl","ctx":{}}]})"));
  ServerSession session(config_for(server.url()), fast_options());
  auto r = session.get(ApiRoot::v2, "/models/", "?base_models=sdxxl");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::http);
  EXPECT_EQ(r.error().http_status, 422);
  EXPECT_EQ(r.error().detail, "query.base_models.0: Input should be 'sd-1' or 'sdxl' (input: \"sdxxl\")");
  EXPECT_EQ(r.error().where, "GET /api/v2/models/");  // the query stays out of errors
  ASSERT_EQ(server.request_count(), 1u);
  EXPECT_EQ(server.requests()[0].target, "/api/v2/models/?base_models=sdxxl");
}

TEST(ServerSession, ConnectionRefusedIsTransportAfterRetries) {
  const auto port = ivk::test::unused_port();
  auto options = fast_options();
  options.retry.max_attempts = 3;
  int retries = 0;
  options.on_retry = [&](int, std::chrono::milliseconds, const ivk::Error& why) {
    EXPECT_EQ(why.code, ErrorCode::transport);
    ++retries;
  };
  ServerSession session(config_for("http://127.0.0.1:" + std::to_string(port)), options);
  auto r = session.get(ApiRoot::v1, "/app/version");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::transport);
  EXPECT_EQ(r.error().where, "GET /api/v1/app/version");
  EXPECT_NE(r.error().message.find("is the InvokeAI server running?"), std::string::npos);
  EXPECT_EQ(retries, 2);
}

TEST(ServerSession, SlowAnswerIsTimeout) {
  ScriptedServer slow;
  ScriptedResponse late = json(200, R"({"version":"6.13.8"})");
  late.delay = 3000ms;
  slow.enqueue(late);
  auto options = fast_options();
  options.retry.max_attempts = 1;
  options.transport.request_timeout = 200ms;
  ServerSession session(config_for(slow.url()), options);
  auto r = session.version();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::timeout);
  EXPECT_EQ(slow.request_count(), 1u);
}

TEST(ServerSession, RefreshedTokenReplacesTheStoredOne) {
  ScriptedServer server;
  server.enqueue(json(200, R"({"board_id":"b1"})", {{"X-Refreshed-Token", "token-two"}}));
  server.enqueue(json(200, "[]"));
  ServerSession session(config_for(server.url(), "token-one"), fast_options());
  auto created = session.send_json("PATCH", ApiRoot::v1, "/boards/b1", R"({"board_name":"x"})");
  ASSERT_TRUE(created) << created.error().describe();
  EXPECT_EQ(session.token(), "token-two");
  auto listed = session.get(ApiRoot::v1, "/boards/", "?all=true");
  ASSERT_TRUE(listed) << listed.error().describe();
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].header("Authorization"), "Bearer token-one");
  EXPECT_EQ(reqs[1].header("Authorization"), "Bearer token-two");
  EXPECT_EQ(reqs[1].target, "/api/v1/boards/?all=true");
}

TEST(ServerSession, NoAuthorizationHeaderWithoutAToken) {
  ScriptedServer server;
  server.enqueue(json(200, "{}"));
  ServerSession session(config_for(server.url()), fast_options());
  ASSERT_TRUE(session.get(ApiRoot::v1, "/app/app_deps"));
  ASSERT_EQ(server.request_count(), 1u);
  EXPECT_EQ(server.requests()[0].header("Authorization"), std::nullopt);
  EXPECT_EQ(server.requests()[0].header("Accept"), "application/json");
}

TEST(ServerSession, SubPathPrefixesEveryRoot) {
  ScriptedServer server;
  server.set_fallback(json(200, "{}"));
  ServerSession session(config_for(server.url() + "/proxy"), fast_options());
  ASSERT_TRUE(session.get(ApiRoot::v2, "/models/", "?model_type=main"));
  ASSERT_TRUE(session.get(ApiRoot::v1, "/app/version"));
  ASSERT_TRUE(session.get(ApiRoot::none, "/openapi.json"));
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].target, "/proxy/api/v2/models/?model_type=main");
  EXPECT_EQ(reqs[1].target, "/proxy/api/v1/app/version");
  EXPECT_EQ(reqs[2].target, "/proxy/openapi.json");
}

TEST(ServerSession, SubPathAppearsInErrorWhere) {
  ScriptedServer server;
  server.enqueue(json(404, R"({"detail":"Not Found"})"));
  ServerSession session(config_for(server.url() + "/proxy"), fast_options());
  auto r = session.get(ApiRoot::v2, "/models/i/x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "GET /proxy/api/v2/models/i/x");
}

TEST(ServerSession, SendJsonSetsContentTypeAndAccept) {
  ScriptedServer server;
  server.enqueue(json(200, R"({"enqueued":1})"));
  ServerSession session(config_for(server.url()), fast_options());
  auto r = session.send_json("POST", ApiRoot::v1, "/queue/default/enqueue_batch", R"({"batch":{"runs":1}})",
                             {}, ivk::Idempotency::not_idempotent);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(*r, R"({"enqueued":1})");
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].body, R"({"batch":{"runs":1}})");
  EXPECT_EQ(reqs[0].header("Content-Type"), "application/json");
  EXPECT_EQ(reqs[0].header("Accept"), "application/json");
}

TEST(ServerSession, VersionParsesTheAnswer) {
  ScriptedServer server;
  server.enqueue(json(200, R"({"version":"6.14.0-rc1","highlights":null})"));
  ServerSession session(config_for(server.url()), fast_options());
  auto v = session.version();
  ASSERT_TRUE(v) << v.error().describe();
  EXPECT_EQ(v->major, 6);
  EXPECT_EQ(v->minor, 14);
  EXPECT_EQ(v->prerelease, "rc1");
  EXPECT_EQ(server.requests()[0].target, "/api/v1/app/version");
}

TEST(ServerSession, VersionOfANonInvokeAiServerIsAParseError) {
  ScriptedServer server;
  server.enqueue(json(200, "<html>hello</html>"));
  ServerSession session(config_for(server.url()), fast_options());
  auto v = session.version();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::parse_error);
  EXPECT_EQ(v.error().where, "GET /api/v1/app/version");
}

TEST(ServerSession, AuthStatus404MeansAnOlderSingleUserServer) {
  ScriptedServer server;
  server.enqueue(json(404, R"({"detail":"Not Found"})"));
  ServerSession session(config_for(server.url()), fast_options());
  auto s = session.auth_status();
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ(*s, std::nullopt);
  EXPECT_EQ(server.requests()[0].target, "/api/v1/auth/status");
}

TEST(ServerSession, AuthStatusIsParsed) {
  ScriptedServer server;
  server.enqueue(json(200, R"({"setup_required":false,"multiuser_enabled":true,)"
                           R"("strict_password_checking":true,"admin_email":"admin@example.com"})"));
  ServerSession session(config_for(server.url()), fast_options());
  auto s = session.auth_status();
  ASSERT_TRUE(s) << s.error().describe();
  ASSERT_TRUE(s->has_value());
  EXPECT_FALSE((*s)->setup_required);
  EXPECT_TRUE((*s)->multiuser_enabled);
  EXPECT_TRUE((*s)->strict_password_checking);
  EXPECT_EQ((*s)->admin_email, "admin@example.com");
}

TEST(ServerSession, AuthStatusServerErrorIsAnError) {
  ScriptedServer server;
  server.enqueue(json(500, R"({"detail":"db locked"})"));
  ServerSession session(config_for(server.url()), fast_options());
  auto s = session.auth_status();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().http_status, 500);
}

TEST(ServerSession, LoginStoresTheTokenAndUsesIt) {
  ScriptedServer server;
  server.enqueue(json(200, R"({"token":"eyJ.new.token","user":{"user_id":"u1"},"expires_in":86400})"));
  server.enqueue(json(200, R"({"user_id":"u1"})"));
  ServerSession session(config_for(server.url()), fast_options());
  auto ok = session.login("a@b.c", "pw", true);
  ASSERT_TRUE(ok) << ok.error().describe();
  EXPECT_EQ(session.token(), "eyJ.new.token");
  ASSERT_TRUE(session.get(ApiRoot::v1, "/auth/me"));
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/api/v1/auth/login");
  EXPECT_EQ(reqs[0].body, R"({"email":"a@b.c","password":"pw","remember_me":true})");
  EXPECT_EQ(reqs[0].header("Content-Type"), "application/json");
  EXPECT_EQ(reqs[1].header("Authorization"), "Bearer eyJ.new.token");
}

TEST(ServerSession, LoginRefusedIsAuthWithTheServersDetail) {
  ScriptedServer server;
  server.enqueue(json(401, R"({"detail":"Incorrect email or password"})"));
  ServerSession session(config_for(server.url()), fast_options());
  auto ok = session.login("a@b.c", "hunter2-password");
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, ErrorCode::auth);
  EXPECT_EQ(ok.error().http_status, 401);
  EXPECT_EQ(ok.error().detail, "Incorrect email or password");
  EXPECT_EQ(ok.error().where, "POST /api/v1/auth/login");
  EXPECT_EQ(ok.error().describe().find("hunter2"), std::string::npos);
  EXPECT_EQ(session.token(), std::nullopt);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(ServerSession, LoginOnASingleUserServerIsAuth) {
  ScriptedServer server;
  server.enqueue(json(403, R"({"detail":"Multiuser mode is disabled. Authentication is not required."})"));
  ServerSession session(config_for(server.url()), fast_options());
  auto ok = session.login("a@b.c", "pw");
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, ErrorCode::auth);
  EXPECT_EQ(ok.error().detail, "Multiuser mode is disabled. Authentication is not required.");
}

TEST(ServerSession, SecretsNeverAppearInErrors) {
  const std::string token = "TOKEN-7f3a9c-SECRET";
  const std::string password = "Pa55word-SECRET-xyz";
  {  // 401 whose body echoes the Authorization header
    ScriptedServer server;
    server.enqueue(json(401, R"({"detail":"Invalid or expired token: Bearer )" + token + R"("})"));
    ServerSession session(config_for(server.url(), token), fast_options());
    auto r = session.get(ApiRoot::v1, "/auth/me");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::auth);
    EXPECT_EQ(server.requests()[0].header("Authorization"), "Bearer " + token);  // it was sent
    EXPECT_EQ(r.error().describe().find("SECRET"), std::string::npos) << r.error().describe();
  }
  {  // connection refused, timeout
    auto options = fast_options();
    options.retry.max_attempts = 1;
    ServerSession refused(config_for("http://127.0.0.1:" + std::to_string(ivk::test::unused_port()), token),
                          options);
    auto r = refused.get(ApiRoot::v1, "/app/version");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::transport);
    EXPECT_EQ(r.error().describe().find("SECRET"), std::string::npos) << r.error().describe();

    ScriptedServer slow;
    ScriptedResponse late = json(200, "{}");
    late.delay = 3000ms;
    slow.enqueue(late);
    options.transport.request_timeout = 150ms;
    ServerSession timing_out(config_for(slow.url(), token), options);
    auto t = timing_out.get(ApiRoot::v1, "/app/version");
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, ErrorCode::timeout);
    EXPECT_EQ(t.error().describe().find("SECRET"), std::string::npos) << t.error().describe();
  }
  {  // a 422 on login echoes the whole body, password included, as "input"
    ScriptedServer server;
    server.enqueue(json(422, R"({"detail":[{"type":"value_error","loc":["body","email"],)"
                             R"("msg":"value is not a valid email address",)"
                             R"("input":{"email":"nope","password":")" +
                                 password + R"(","remember_me":false}}]})"));
    ServerSession session(config_for(server.url(), token), fast_options());
    auto ok = session.login("nope", password);
    ASSERT_FALSE(ok);
    EXPECT_EQ(ok.error().http_status, 422);
    EXPECT_NE(ok.error().detail.find("body.email: value is not a valid email address"), std::string::npos);
    EXPECT_EQ(ok.error().describe().find("SECRET"), std::string::npos) << ok.error().describe();
    EXPECT_EQ(ok.error().describe().find("Pa55"), std::string::npos) << ok.error().describe();
  }
}

TEST(ServerSession, CancelDuringBackoffStopsRetrying) {
  ScriptedServer server;
  server.enqueue(json(503, R"({"detail":"busy"})", {{"Retry-After", "10"}}));
  std::atomic<bool> stop{false};
  auto options = fast_options();
  options.transport.cancelled = [&] { return stop.load(); };
  ServerSession session(config_for(server.url()), options);
  std::thread canceller([&] {
    std::this_thread::sleep_for(200ms);
    stop = true;
  });
  const auto start = std::chrono::steady_clock::now();
  auto r = session.get(ApiRoot::v1, "/queue/default/status");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  canceller.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::cancelled);
  EXPECT_EQ(r.error().where, "GET /api/v1/queue/default/status");
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_LT(elapsed, 9s);  // loose: the 10 s Retry-After was not slept through
}

TEST(ServerSession, CancelDuringATransferIsCancelled) {
  ScriptedServer server;
  ScriptedResponse late = json(200, "{}");
  late.delay = 5000ms;
  server.enqueue(late);
  std::atomic<bool> stop{false};
  auto options = fast_options();
  options.transport.cancelled = [&] { return stop.load(); };
  ServerSession session(config_for(server.url()), options);
  std::thread canceller([&] {
    std::this_thread::sleep_for(150ms);
    stop = true;
  });
  auto r = session.get(ApiRoot::v1, "/queue/default/status");
  canceller.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::cancelled);
  EXPECT_EQ(server.request_count(), 1u);
}

}  // namespace
