// ImagesApi::wait_for_zip_file against a scripted server: the archive answers 404 until the server
// has built it, so the wait asks again, and stops on the archive, another error, its timeout or a
// cancel.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "ivk/api/images_api.h"
#include "ivk/transport/server_session.h"
#include "support/scripted_server.h"

namespace {

using namespace std::chrono_literals;
using ivk::ErrorCode;
using ivk::ImagesApi;
using ivk::test::ScriptedResponse;
using ivk::test::ScriptedServer;

ScriptedResponse answer(int status, std::string body, std::string type = "application/json") {
  ScriptedResponse r;
  r.status = status;
  r.headers = {{"Content-Type", std::move(type)}};
  r.body = std::move(body);
  return r;
}

const ScriptedResponse kNotYet = answer(404, R"({"detail":"The file was not found"})");

ivk::ServerSession session_for(const ScriptedServer& server) {
  ivk::ServerConfig config;
  config.url = *ivk::ServerUrl::parse(server.url());
  return ivk::ServerSession(std::move(config));
}

TEST(ImagesZipWait, AsksAgainUntilTheArchiveIsThere) {
  ScriptedServer server;
  server.enqueue(kNotYet);
  server.enqueue(kNotYet);
  server.enqueue(answer(200, std::string("PK\x05\x06", 4) + std::string(18, '\0'), "application/zip"));
  auto session = session_for(server);
  ImagesApi api(session);
  auto zip = api.wait_for_zip_file("a1b2.zip", 10s, 5ms);
  ASSERT_TRUE(zip) << zip.error().describe();
  EXPECT_EQ(zip->size(), 22u);
  EXPECT_EQ(zip->substr(0, 2), "PK");
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  for (const auto& r : reqs) EXPECT_EQ(r.target, "/api/v1/images/download/a1b2.zip");
}

TEST(ImagesZipWait, TimesOutSayingHowLongItWaited) {
  ScriptedServer server;
  server.set_fallback(kNotYet);
  auto session = session_for(server);
  ImagesApi api(session);
  const auto start = std::chrono::steady_clock::now();
  auto zip = api.wait_for_zip_file("late.zip", 150ms, 20ms);
  ASSERT_FALSE(zip);
  EXPECT_EQ(zip.error().code, ErrorCode::timeout);
  EXPECT_NE(zip.error().message.find("the archive late.zip was not ready after "), std::string::npos)
      << zip.error().message;
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
  EXPECT_GE(server.request_count(), 3u);
}

TEST(ImagesZipWait, AnotherErrorOrACancelEndsTheWaitAtOnce) {
  ScriptedServer server;
  server.enqueue(answer(403, R"({"detail":"Not authorized"})"));
  server.set_fallback(kNotYet);
  auto session = session_for(server);
  ImagesApi api(session);
  auto refused = api.wait_for_zip_file("x.zip", 10s, 5ms);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::auth);
  EXPECT_EQ(server.request_count(), 1u);

  auto cancelled = api.wait_for_zip_file("x.zip", 10s, 1s, [] { return true; });
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().code, ErrorCode::cancelled);
  EXPECT_EQ(server.request_count(), 2u);  // one more attempt, then the cancel, well before 1 s
}

}  // namespace
