// ServerSession's retry loop, URL and header building, token handling and error mapping against a
// fake HttpTransport (support/fake_transport.h): no network, scripted attempts, every request recorded.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "ivk/transport/http.h"
#include "ivk/transport/server_session.h"
#include "support/fake_transport.h"

namespace {

using namespace std::chrono_literals;
using ivk::ApiRequest;
using ivk::ApiRoot;
using ivk::ErrorCode;
using ivk::HttpAttempt;
using ivk::HttpRequest;
using ivk::HttpResponse;
using ivk::Idempotency;
using ivk::ServerSession;
using ivk::TransportFailure;
using ivk::TransportFault;
using ivk::test::FakeTransport;

struct Fixture {
  std::shared_ptr<FakeTransport::Shared> shared = std::make_shared<FakeTransport::Shared>();
  std::vector<int> retried_attempts;
  std::vector<std::chrono::milliseconds> delays;
  std::unique_ptr<ServerSession> session;

  explicit Fixture(std::optional<std::string> token = std::nullopt, int max_attempts = 4,
                   std::string url = "http://127.0.0.1:9090") {
    ivk::ServerConfig config;
    config.url = *ivk::ServerUrl::parse(url);
    config.token = std::move(token);
    ivk::SessionOptions options;
    options.retry.max_attempts = max_attempts;
    options.retry.base_delay = 1ms;
    options.retry.max_delay = 4ms;
    options.on_retry = [this](int attempt, std::chrono::milliseconds delay, const ivk::Error&) {
      retried_attempts.push_back(attempt);
      delays.push_back(delay);
    };
    session = std::make_unique<ServerSession>(config, std::make_unique<FakeTransport>(shared), options);
  }
  void script(HttpAttempt a) { shared->script.push_back(std::move(a)); }
  [[nodiscard]] std::size_t sent() const { return shared->sent.size(); }
  [[nodiscard]] const HttpRequest& request(std::size_t i) const { return shared->sent.at(i); }
};

std::optional<std::string> header(const HttpRequest& r, std::string_view name) {
  HttpResponse view;
  view.headers = r.headers;
  if (auto v = view.header(name)) return std::string(*v);
  return std::nullopt;
}

TEST(TransportHttpResponse, HeaderLookupIsCaseInsensitiveAndTakesTheFirst) {
  HttpResponse r;
  r.headers = {{"Content-Type", "application/json"}, {"set-cookie", "a=1"}, {"Set-Cookie", "b=2"}};
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("SET-COOKIE"), "a=1");
  EXPECT_EQ(r.header("Content-Typ"), std::nullopt);
  EXPECT_EQ(r.header(""), std::nullopt);
}

TEST(ServerSessionRetry, TransportFailuresAreRetriedUpToMaxAttempts) {
  Fixture f;
  for (int i = 0; i < 4; ++i) f.script(FakeTransport::fault(TransportFailure::connect_failed));
  auto r = f.session->get(ApiRoot::v1, "/app/version");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::transport);
  EXPECT_EQ(r.error().message, "fake failure");
  EXPECT_EQ(f.sent(), 4u);
  EXPECT_EQ(f.retried_attempts, (std::vector<int>{1, 2, 3}));
  for (const auto d : f.delays) EXPECT_LE(d, 4ms);
}

TEST(ServerSessionRetry, GatewayStatusesAreRetriedThenTheAnswerReturned) {
  Fixture f;
  f.script(FakeTransport::answer(502, "bad gateway"));
  f.script(FakeTransport::fault(TransportFailure::connection_reset));
  f.script(FakeTransport::answer(504, "gateway timeout"));
  f.script(FakeTransport::answer(200, R"({"ok":true})"));
  auto r = f.session->get(ApiRoot::v1, "/queue/default/status");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(*r, R"({"ok":true})");
  EXPECT_EQ(f.sent(), 4u);
}

TEST(ServerSessionRetry, TimeoutsAreRetried) {
  Fixture f;
  f.script(FakeTransport::fault(TransportFailure::timed_out, ErrorCode::timeout));
  f.script(FakeTransport::answer(200, "{}"));
  ASSERT_TRUE(f.session->get(ApiRoot::v1, "/x"));
  EXPECT_EQ(f.sent(), 2u);
}

TEST(ServerSessionRetry, RetryAfterSetsTheDelay) {
  Fixture f;
  f.script(FakeTransport::answer(429, "{}", {{"retry-after", "0"}}));
  f.script(FakeTransport::answer(200, "{}"));
  ASSERT_TRUE(f.session->get(ApiRoot::v1, "/x"));
  ASSERT_EQ(f.delays.size(), 1u);
  EXPECT_EQ(f.delays[0], 0ms);
}

TEST(ServerSessionRetry, PostIsNeverRetried) {
  Fixture f;
  f.script(FakeTransport::fault(TransportFailure::connect_failed));
  auto r = f.session->send_json("POST", ApiRoot::v1, "/queue/default/enqueue_batch", "{}");
  ASSERT_FALSE(r);
  EXPECT_EQ(f.sent(), 1u);
  EXPECT_TRUE(f.retried_attempts.empty());
}

TEST(ServerSessionRetry, NotIdempotentPutIsNeverRetried) {
  Fixture f;
  f.script(FakeTransport::answer(503, R"({"detail":"busy"})"));
  auto r = f.session->send_json("PUT", ApiRoot::v2, "/models/install", "{}", {}, Idempotency::not_idempotent);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 503);
  EXPECT_EQ(f.sent(), 1u);
}

TEST(ServerSessionRetry, PostMarkedIdempotentIsRetried) {
  Fixture f;
  f.script(FakeTransport::answer(503, "{}"));
  f.script(FakeTransport::answer(200, "[1]"));
  auto r =
      f.session->send_json("POST", ApiRoot::v1, "/images/images_by_names", "[]", {}, Idempotency::idempotent);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(*r, "[1]");
  EXPECT_EQ(f.sent(), 2u);
}

TEST(ServerSessionRetry, Http500AndOther4xxAreNotRetried) {
  for (int status : {500, 400, 401, 404, 409, 422, 501}) {
    Fixture f;
    f.script(FakeTransport::answer(status, R"({"detail":"nope"})"));
    auto r = f.session->get(ApiRoot::v1, "/x");
    ASSERT_FALSE(r) << status;
    EXPECT_EQ(r.error().http_status, status);
    EXPECT_EQ(r.error().detail, "nope");
    EXPECT_EQ(f.sent(), 1u) << status;
  }
}

TEST(ServerSessionRetry, StatusesMapToErrorCodes) {
  const std::vector<std::pair<int, ErrorCode>> cases = {
      {401, ErrorCode::auth},     {403, ErrorCode::auth}, {404, ErrorCode::not_found},
      {409, ErrorCode::conflict}, {500, ErrorCode::http}, {307, ErrorCode::http}};
  for (const auto& [status, code] : cases) {
    Fixture f;
    f.script(FakeTransport::answer(status, ""));
    auto r = f.session->get(ApiRoot::v1, "/boards/");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, code) << status;
    EXPECT_EQ(r.error().where, "GET /api/v1/boards/");
  }
}

TEST(ServerSessionRetry, MaxAttemptsOneDisablesRetries) {
  Fixture f(std::nullopt, 1);
  f.script(FakeTransport::answer(503, "{}"));
  ASSERT_FALSE(f.session->get(ApiRoot::v1, "/x"));
  EXPECT_EQ(f.sent(), 1u);
}

TEST(ServerSessionRetry, CancelledFaultIsReturnedAtOnce) {
  Fixture f;
  f.script(FakeTransport::fault(TransportFailure::other, ErrorCode::cancelled));
  auto r = f.session->get(ApiRoot::v1, "/x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::cancelled);
  EXPECT_EQ(f.sent(), 1u);
}

TEST(ServerSessionRetry, UrlsHeadersAndBody) {
  Fixture f(std::string("tok-1"), 4, "http://[::1]:9090/proxy/");
  f.script(FakeTransport::answer(200, "{}"));
  f.script(FakeTransport::answer(200, "{}"));
  f.script(FakeTransport::answer(200, "{}"));

  ApiRequest upload;
  upload.method = "POST";
  upload.path = "/images/upload";
  upload.query = "?image_category=user&is_intermediate=false";
  upload.body = "PNGDATA";
  upload.content_type = "image/png";
  upload.idempotency = Idempotency::not_idempotent;
  upload.timeout = 120s;
  upload.extra_headers = {{"accept", "*/*"}, {"X-Trace", "t1"}};
  ASSERT_TRUE(f.session->send(upload));
  ASSERT_TRUE(f.session->get(ApiRoot::v2, "/models/", "?model_type=main"));
  ASSERT_TRUE(f.session->get(ApiRoot::none, "/openapi.json"));

  ASSERT_EQ(f.sent(), 3u);
  const auto& up = f.request(0);
  EXPECT_EQ(up.method, "POST");
  EXPECT_EQ(up.url, "http://[::1]:9090/proxy/api/v1/images/upload?image_category=user&is_intermediate=false");
  EXPECT_EQ(up.body, "PNGDATA");
  EXPECT_EQ(up.timeout, std::optional<std::chrono::milliseconds>(120s));
  EXPECT_EQ(header(up, "Content-Type"), "image/png");
  EXPECT_EQ(header(up, "Accept"), "*/*");  // the caller's extra header replaced the default
  EXPECT_EQ(header(up, "X-Trace"), "t1");
  EXPECT_EQ(header(up, "Authorization"), "Bearer tok-1");
  EXPECT_EQ(std::count_if(up.headers.begin(), up.headers.end(),
                          [](const ivk::HttpHeader& h) { return h.name == "Accept" || h.name == "accept"; }),
            1);

  const auto& models = f.request(1);
  EXPECT_EQ(models.method, "GET");
  EXPECT_EQ(models.url, "http://[::1]:9090/proxy/api/v2/models/?model_type=main");
  EXPECT_EQ(models.body, "");
  EXPECT_EQ(header(models, "Accept"), "application/json");
  EXPECT_EQ(header(models, "Content-Type"), std::nullopt);  // no body, no type
  EXPECT_EQ(models.timeout, std::nullopt);

  EXPECT_EQ(f.request(2).url, "http://[::1]:9090/proxy/openapi.json");
}

TEST(ServerSessionRetry, NoTokenMeansNoAuthorizationHeader) {
  Fixture f;
  f.script(FakeTransport::answer(200, "{}"));
  ASSERT_TRUE(f.session->get(ApiRoot::v1, "/x"));
  EXPECT_EQ(header(f.request(0), "Authorization"), std::nullopt);
}

TEST(ServerSessionRetry, RefreshedTokenIsTakenFromAnyAnswerAndUsedOnTheRetry) {
  Fixture f(std::string("old"));
  f.script(FakeTransport::answer(503, "{}", {{"x-refreshed-token", "new"}}));
  f.script(FakeTransport::answer(200, "{}"));
  ASSERT_TRUE(f.session->get(ApiRoot::v1, "/x"));
  ASSERT_EQ(f.sent(), 2u);
  EXPECT_EQ(header(f.request(0), "Authorization"), "Bearer old");
  EXPECT_EQ(header(f.request(1), "Authorization"), "Bearer new");
  EXPECT_EQ(f.session->token(), "new");
}

TEST(ServerSessionRetry, EmptyRefreshedTokenIsIgnored) {
  Fixture f(std::string("keep"));
  f.script(FakeTransport::answer(200, "{}", {{"X-Refreshed-Token", ""}}));
  ASSERT_TRUE(f.session->get(ApiRoot::v1, "/x"));
  EXPECT_EQ(f.session->token(), "keep");
}

TEST(ServerSessionRetry, SetTokenReplacesAndClears) {
  Fixture f(std::string("a"));
  f.session->set_token("b");
  EXPECT_EQ(f.session->token(), "b");
  f.session->set_token(std::nullopt);
  EXPECT_EQ(f.session->token(), std::nullopt);
}

TEST(ServerSessionRetry, TokenEchoedByTheServerIsRedacted) {
  Fixture f(std::string("sekrit-token-123"));
  f.script(FakeTransport::answer(401, R"({"detail":"bad token sekrit-token-123"})"));
  auto r = f.session->get(ApiRoot::v1, "/auth/me");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "bad token <redacted>");
  EXPECT_EQ(r.error().describe().find("sekrit"), std::string::npos);
}

TEST(ServerSessionRetry, CallersOwnAuthorizationIsUsedAndRedacted) {
  Fixture f(std::string("session-token"));
  f.script(FakeTransport::answer(403, R"({"detail":"token caller-key-9876 lacks admin"})"));
  ApiRequest r;
  r.path = "/app/runtime_config";
  r.extra_headers = {{"authorization", "Bearer caller-key-9876"}};
  auto answer = f.session->send(r);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().detail, "token <redacted> lacks admin");
  ASSERT_EQ(f.sent(), 1u);
  EXPECT_EQ(header(f.request(0), "Authorization"), "Bearer caller-key-9876");
  EXPECT_EQ(std::count_if(f.request(0).headers.begin(), f.request(0).headers.end(),
                          [](const ivk::HttpHeader& h) {
                            return h.name == "Authorization" || h.name == "authorization";
                          }),
            1);
}

TEST(ServerSessionRetry, CutOffPasswordInAnErrorPageIsRedacted) {
  Fixture f;
  // An error page is cut at 200 characters of text, here inside the echoed password.
  f.script(FakeTransport::answer(
      400, "<html><body><p>" + std::string(186, 'z') + " CorrectHorseBattery</p></body></html>"));
  auto ok = f.session->login("a@b.c", "CorrectHorseBattery");
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().describe().find("Correct"), std::string::npos) << ok.error().describe();
  EXPECT_EQ(ok.error().detail, std::string(186, 'z') + " <redacted>...");
}

TEST(ServerSessionRetry, PasswordEchoedInA422IsRedacted) {
  Fixture f;
  f.script(FakeTransport::answer(
      422, R"({"detail":[{"loc":["body","password"],"msg":"too short","input":"pw\"1"}]})"));
  auto ok = f.session->login("a@b.c", "pw\"1");
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, ErrorCode::http);
  EXPECT_EQ(ok.error().detail, "body.password: too short (input: \"<redacted>\")");
}

TEST(ServerSessionRetry, LoginWithoutTokenInTheAnswerIsAParseError) {
  Fixture f;
  f.script(FakeTransport::answer(200, R"({"user":{}})"));
  auto ok = f.session->login("a@b.c", "pw");
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, ErrorCode::parse_error);
  EXPECT_EQ(f.session->token(), std::nullopt);
}

TEST(ServerSessionRetry, LoginIsNotRetried) {
  Fixture f;
  f.script(FakeTransport::answer(503, "{}"));
  ASSERT_FALSE(f.session->login("a@b.c", "pw"));
  EXPECT_EQ(f.sent(), 1u);
}

TEST(ServerSessionRetry, CancelledBeforeSendingSendsNothing) {
  auto shared = std::make_shared<FakeTransport::Shared>();
  ivk::SessionOptions options;
  options.transport.cancelled = [] { return true; };
  ServerSession session(ivk::ServerConfig{}, std::make_unique<FakeTransport>(shared), options);
  auto r = session.get(ApiRoot::v1, "/app/version");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::cancelled);
  EXPECT_EQ(r.error().where, "GET /api/v1/app/version");
  EXPECT_TRUE(shared->sent.empty());
}

TEST(ServerSessionRetry, ThrowingRetryCallbackDoesNotEscape) {
  auto shared = std::make_shared<FakeTransport::Shared>();
  shared->script.push_back(FakeTransport::answer(503, "{}"));
  shared->script.push_back(FakeTransport::answer(200, "ok"));
  ivk::SessionOptions options;
  options.retry.base_delay = 1ms;
  options.on_retry = [](int, std::chrono::milliseconds, const ivk::Error&) {
    throw std::runtime_error("ui");
  };
  ServerSession session(ivk::ServerConfig{}, std::make_unique<FakeTransport>(shared), options);
  auto r = session.get(ApiRoot::v1, "/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "ok");
}

}  // namespace
