// The libcurl transport against a scripted Beast server on loopback: methods, headers, bodies, gzip,
// keep-alive, and how each kind of failure maps to a TransportFault.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "ivk/transport/http.h"
#include "ivk/version.h"
#include "support/scripted_server.h"

namespace {

using namespace std::chrono_literals;
using ivk::ErrorCode;
using ivk::HttpRequest;
using ivk::TransportFailure;
using ivk::test::ScriptedResponse;
using ivk::test::ScriptedServer;

HttpRequest request(std::string method, std::string url, std::string body = {}) {
  HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.body = std::move(body);
  return r;
}

// The model list the gzip test expects, and the same bytes compressed with gzip (Python's
// gzip.compress(..., mtime=0)).
std::string model_list_json() {
  std::string s = "{\"items\":[";
  for (int i = 0; i < 50; ++i) {
    if (i > 0) s += ',';
    s += "{\"key\":\"model-" + std::to_string(i) + "\",\"name\":\"Model number " + std::to_string(i) + "\"}";
  }
  return s + "]}";
}
const std::string kModelListGzip(
    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\x75\xd5\x39\x4e\x03\x41\x10\x40\xd1\xab\x58\x1d\x83\xe4"
    "\x5a\xbc\xde\x81\x13\x20\x02\x10\x13\x20\x18\x23\xb1\x04\xc8\xf2\xdd\x31\x21\xfa\xf3\xd3\xee\x1f"
    "\xf5\x53\x55\x9f\xc7\xcb\xd7\x34\x7f\x8e\xe3\xfd\x79\xbc\x4e\x3f\xe3\x38\xe6\xf7\xe7\xe9\xed\x76"
    "\x3d\x6e\xc6\xe9\x71\x9e\xae\x07\x77\x7f\x07\xab\xd3\xf7\xfc\x34\x7d\xac\xd6\xe3\x72\xf3\xbf\x0c"
    "\x29\x03\x65\x4a\x99\x28\x4b\xca\x42\xd9\x52\x36\xca\x8d\x94\x1b\x94\x5b\x29\xb7\x28\x77\x52\xee"
    "\x50\xee\xa5\xdc\xa3\x3c\x48\x79\xe0\xcb\x1b\x52\x2c\x28\x29\x13\x9d\xc2\xa0\x82\x52\x61\x54\x41"
    "\xab\x30\xac\xa0\x56\x18\x57\xd0\x2b\x0c\x2c\x28\x16\x46\x16\x34\x0b\x43\x0b\xaa\x85\xb1\x05\xdd"
    "\xd2\xdc\x92\x6e\x69\x6e\xb9\x30\x5f\x3a\x60\x74\x4b\x73\x4b\xba\xa5\xb9\x25\xdd\xd2\xdc\x92\x6e"
    "\x69\x6e\x49\xb7\x34\xb7\xa4\x5b\x9a\x5b\xd2\x2d\xcd\x2d\xe9\x56\xe6\x56\x74\x2b\x73\x2b\xba\x95"
    "\xb9\xd5\xc2\x66\xd4\xd5\x48\xb7\x32\xb7\xa2\x5b\x99\x5b\xd1\xad\xcc\xad\xe8\x56\xe6\x56\x74\x2b"
    "\x73\x2b\xba\x95\xb9\x15\xdd\xda\xdc\x9a\x6e\x6d\x6e\x4d\xb7\x36\xb7\xa6\x5b\x9b\x5b\x2f\xfc\x69"
    "\xfa\xa9\xd1\xad\xcd\xad\xe9\xd6\xe6\xd6\x74\x6b\x73\x6b\xba\xb5\xb9\x35\xdd\xda\xdc\xae\x17\x97"
    "\x87\xcb\x2f\x78\xa9\xe2\x48\x8f\x08\x00\x00",
    299);

TEST(Transport, GetReturnsStatusHeadersAndBody) {
  ScriptedServer server;
  server.enqueue({200,
                  {{"Content-Type", "application/json"}, {"X-Custom", "one"}, {"x-custom", "two"}},
                  R"({"version":"6.13.8"})"});
  auto transport = ivk::make_curl_transport();
  auto r = transport->send(request("GET", server.url() + "/api/v1/app/version?probe=1"));
  ASSERT_TRUE(r) << r.error().error.describe();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"version":"6.13.8"})");
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_EQ(r->header("X-CUSTOM"), "one");  // the first of two, case-insensitively
  EXPECT_EQ(r->header("X-Missing"), std::nullopt);

  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "GET");
  EXPECT_EQ(reqs[0].target, "/api/v1/app/version?probe=1");
  EXPECT_EQ(reqs[0].header("User-Agent"), "ivk/" + std::string(ivk::version()));
  ASSERT_TRUE(reqs[0].header("Accept-Encoding"));
  EXPECT_NE(reqs[0].header("Accept-Encoding")->find("gzip"), std::string::npos);
  EXPECT_EQ(reqs[0].header("Expect"), std::nullopt);
  EXPECT_EQ(reqs[0].body, "");
}

TEST(Transport, CustomUserAgentAndHeaders) {
  ScriptedServer server;
  server.enqueue({204, {}, ""});
  ivk::TransportOptions options;
  options.user_agent = "my-tool/2.0";
  auto transport = ivk::make_curl_transport(options);
  auto req = request("DELETE", server.url() + "/api/v1/boards/b1");
  req.headers = {{"Accept", "application/json"}, {"X-Empty", ""}};
  auto r = transport->send(req);
  ASSERT_TRUE(r) << r.error().error.describe();
  EXPECT_EQ(r->status, 204);
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "DELETE");
  EXPECT_EQ(reqs[0].header("User-Agent"), "my-tool/2.0");
  EXPECT_EQ(reqs[0].header("Accept"), "application/json");
  EXPECT_EQ(reqs[0].header("X-Empty"), "");
  EXPECT_EQ(reqs[0].header("Content-Length"), std::nullopt);  // no body, none announced
}

TEST(Transport, PostSendsBodyAndContentType) {
  ScriptedServer server;
  server.enqueue({200, {}, R"({"ok":true})"});
  auto transport = ivk::make_curl_transport();
  auto req = request("POST", server.url() + "/api/v1/queue/default/enqueue_batch", R"({"batch":{"runs":1}})");
  req.headers = {{"Content-Type", "application/json"}};
  auto r = transport->send(req);
  ASSERT_TRUE(r) << r.error().error.describe();
  EXPECT_EQ(r->body, R"({"ok":true})");
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].body, R"({"batch":{"runs":1}})");
  EXPECT_EQ(reqs[0].header("Content-Type"), "application/json");
  EXPECT_EQ(reqs[0].header("Content-Length"), "20");
}

TEST(Transport, LargeBinaryBodyIsSentAsIsWithoutExpectContinue) {
  ScriptedServer server;
  server.enqueue({201, {}, "{}"});
  std::string body(300000, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i % 251);
  auto req = request("PUT", server.url() + "/upload", body);
  req.headers = {{"Content-Type", "application/octet-stream"}};
  auto r = ivk::make_curl_transport()->send(req);
  ASSERT_TRUE(r) << r.error().error.describe();
  EXPECT_EQ(r->status, 201);
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "PUT");
  EXPECT_EQ(reqs[0].body, body);
  EXPECT_EQ(reqs[0].header("Expect"), std::nullopt);
}

TEST(Transport, EmptyBodiedPostPutPatchSendContentLengthZero) {
  ScriptedServer server;
  for (int i = 0; i < 3; ++i) server.enqueue({200, {}, "null"});
  auto transport = ivk::make_curl_transport();
  for (const char* method : {"POST", "PUT", "PATCH"}) {
    auto r = transport->send(request(method, server.url() + "/api/v1/app/invocation_cache/enable"));
    ASSERT_TRUE(r) << method << ": " << r.error().error.describe();
    EXPECT_EQ(r->body, "null");
  }
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[1].method, "PUT");
  EXPECT_EQ(reqs[2].method, "PATCH");
  for (const auto& r : reqs) {
    EXPECT_EQ(r.header("Content-Length"), "0") << r.method;
    // curl's default form type is suppressed when the caller names none.
    EXPECT_EQ(r.header("Content-Type"), std::nullopt) << r.method;
  }
}

TEST(Transport, HeadGetsHeadersWithoutBody) {
  ScriptedServer server;
  server.enqueue({200, {{"Content-Type", "image/png"}}, std::string(1000, 'x')});
  auto r = ivk::make_curl_transport()->send(request("HEAD", server.url() + "/api/v1/images/i/a.png/full"));
  ASSERT_TRUE(r) << r.error().error.describe();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(r->header("Content-Length"), "1000");
  ASSERT_EQ(server.request_count(), 1u);
  EXPECT_EQ(server.requests()[0].method, "HEAD");
}

TEST(Transport, ErrorStatusIsAnAnswerNotAFault) {
  ScriptedServer server;
  server.enqueue({404, {}, R"({"detail":"Not Found"})"});
  auto r = ivk::make_curl_transport()->send(request("GET", server.url() + "/api/v1/nothing"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, R"({"detail":"Not Found"})");
}

TEST(Transport, GzipBodyIsDecoded) {
  ASSERT_EQ(kModelListGzip.substr(0, 2), "\x1f\x8b");
  ScriptedServer server;
  server.enqueue({200, {{"Content-Type", "application/json"}, {"Content-Encoding", "gzip"}}, kModelListGzip});
  auto r = ivk::make_curl_transport()->send(request("GET", server.url() + "/api/v2/models/"));
  ASSERT_TRUE(r) << r.error().error.describe();
  EXPECT_EQ(r->body.size(), 2191u);
  EXPECT_EQ(r->body, model_list_json());
}

TEST(Transport, KeepsTheConnectionAliveBetweenRequests) {
  ScriptedServer server;
  for (int i = 0; i < 3; ++i) server.enqueue({200, {}, std::to_string(i)});
  auto transport = ivk::make_curl_transport();
  for (int i = 0; i < 3; ++i) {
    auto r = transport->send(request("GET", server.url() + "/api/v1/app/version"));
    ASSERT_TRUE(r) << r.error().error.describe();
    EXPECT_EQ(r->body, std::to_string(i));
  }
  EXPECT_EQ(server.request_count(), 3u);
  EXPECT_EQ(server.connection_count(), 1u);
}

TEST(Transport, ConcurrentSendsFromManyThreads) {
  ScriptedServer server;
  server.set_fallback({200, {}, "ok"});
  auto transport = ivk::make_curl_transport();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto r = transport->send(request("GET", server.url() + "/api/v1/queue/default/status"));
        if (r && r->status == 200 && r->body == "ok") ++ok;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 20);
  EXPECT_EQ(server.request_count(), 20u);
  EXPECT_LE(server.connection_count(), 8u);  // pooled handles reuse their connections
}

TEST(Transport, ConnectionRefusedIsConnectFailed) {
  const auto port = ivk::test::unused_port();
  auto r = ivk::make_curl_transport()->send(
      request("GET", "http://127.0.0.1:" + std::to_string(port) + "/api/v1/app/version?token=s3cr3t"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, TransportFailure::connect_failed);
  EXPECT_EQ(r.error().error.code, ErrorCode::transport);
  EXPECT_EQ(r.error().error.where, "GET /api/v1/app/version");
  EXPECT_EQ(r.error().error.message, "cannot connect to 127.0.0.1:" + std::to_string(port) +
                                         ": is the InvokeAI server running? (Connection refused)");
  EXPECT_EQ(r.error().error.describe().find("s3cr3t"), std::string::npos);
}

TEST(Transport, UnresolvableHostIsConnectFailed) {
  auto r =
      ivk::make_curl_transport()->send(request("GET", "http://no-such-host.invalid:9090/api/v1/app/version"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, TransportFailure::connect_failed);
  EXPECT_EQ(r.error().error.code, ErrorCode::transport);
  EXPECT_NE(r.error().error.message.find("no-such-host.invalid:9090"), std::string::npos);
}

TEST(Transport, SlowAnswerTimesOut) {
  ScriptedServer server;
  server.enqueue({200, {}, "late", 3000ms});
  ivk::TransportOptions options;
  options.request_timeout = 200ms;
  auto r =
      ivk::make_curl_transport(options)->send(request("GET", server.url() + "/api/v1/queue/default/status"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, TransportFailure::timed_out);
  EXPECT_EQ(r.error().error.code, ErrorCode::timeout);
  EXPECT_EQ(r.error().error.where, "GET /api/v1/queue/default/status");
  EXPECT_NE(r.error().error.message.find("no answer from 127.0.0.1:" + std::to_string(server.port())),
            std::string::npos)
      << r.error().error.message;
}

TEST(Transport, PerRequestTimeoutOverridesTheDefault) {
  ScriptedServer server;
  server.enqueue({200, {}, "late", 3000ms});
  auto req = request("GET", server.url() + "/slow");
  req.timeout = 200ms;
  auto r = ivk::make_curl_transport()->send(req);  // default request_timeout: 60 s
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, TransportFailure::timed_out);
  EXPECT_EQ(r.error().error.code, ErrorCode::timeout);
}

TEST(Transport, ClosedWithoutAnswerIsConnectionReset) {
  ScriptedServer server;
  ScriptedResponse drop;
  drop.close_without_answer = true;
  server.enqueue(drop);
  auto r = ivk::make_curl_transport()->send(request("GET", server.url() + "/api/v1/app/version"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, TransportFailure::connection_reset);
  EXPECT_EQ(r.error().error.code, ErrorCode::transport);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(Transport, CancellationAbortsARunningRequest) {
  ScriptedServer server;
  server.enqueue({200, {}, "late", 5000ms});
  std::atomic<bool> stop{false};
  ivk::TransportOptions options;
  options.cancelled = [&] { return stop.load(); };
  std::thread canceller([&] {
    std::this_thread::sleep_for(150ms);
    stop = true;
  });
  auto r =
      ivk::make_curl_transport(options)->send(request("GET", server.url() + "/api/v1/queue/default/status"));
  canceller.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error.code, ErrorCode::cancelled);
  EXPECT_EQ(r.error().error.where, "GET /api/v1/queue/default/status");
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(Transport, AlreadyCancelledSendsNothing) {
  ScriptedServer server;
  ivk::TransportOptions options;
  options.cancelled = [] { return true; };
  auto r = ivk::make_curl_transport(options)->send(request("GET", server.url() + "/x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error.code, ErrorCode::cancelled);
  EXPECT_EQ(server.request_count(), 0u);
}

TEST(Transport, HeaderWithLineBreakIsRejectedWithoutEchoingIt) {
  ScriptedServer server;
  auto req = request("GET", server.url() + "/x");
  req.headers = {{"Authorization", "Bearer abc\r\nX-Evil: 1"}};
  auto r = ivk::make_curl_transport()->send(req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error.code, ErrorCode::invalid_argument);
  EXPECT_EQ(r.error().error.describe().find("abc"), std::string::npos);
  EXPECT_EQ(server.request_count(), 0u);
}

}  // namespace
