// ModelsApi routes of newer servers (6.9+: reidentify, bulk delete, install job control) against a
// scripted server: the exact requests ivk sends and how it reads the answers.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "ivk/api/models_api.h"
#include "ivk/transport/server_session.h"
#include "support/scripted_server.h"

namespace {

using namespace std::chrono_literals;
using ivk::ErrorCode;
using ivk::test::ScriptedResponse;
using ivk::test::ScriptedServer;

constexpr const char* kRecord =
    R"({"key":"k1","hash":"blake3:aa","name":"m","base":"sdxl","type":"main","format":"checkpoint"})";

ScriptedResponse json(int status, std::string body) {
  ScriptedResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = std::move(body);
  return r;
}

std::string job(int id, const std::string& status) {
  return R"({"id":)" + std::to_string(id) + R"(,"status":")" + status +
         R"(","source":{"url":"https://e.com/a.safetensors","access_token":null,"type":"url"},"bytes":5,"total_bytes":10})";
}

class ModelsApiNewerRoutes : public ::testing::Test {
 protected:
  void SetUp() override {
    ivk::ServerConfig config;
    config.url = *ivk::ServerUrl::parse(server_.url());
    ivk::SessionOptions options;
    options.retry.base_delay = 5ms;
    session_ = std::make_unique<ivk::ServerSession>(config, options);
    api_ = std::make_unique<ivk::ModelsApi>(*session_);
  }
  ScriptedServer server_;
  std::unique_ptr<ivk::ServerSession> session_;
  std::unique_ptr<ivk::ModelsApi> api_;
};

TEST_F(ModelsApiNewerRoutes, Reidentify) {
  server_.enqueue(json(200, kRecord));
  auto r = api_->reidentify("k1");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->key, "k1");
  const auto reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/api/v2/models/i/k1/reidentify");
}

TEST_F(ModelsApiNewerRoutes, BulkDeleteSendsTheKeysAndReadsEachOutcome) {
  server_.enqueue(json(200, R"({"deleted":["k1"],"failed":[{"key":"k2","error":"Unknown model: k2"}]})"));
  const std::vector<std::string> keys{"k1", "k2"};
  auto r = api_->bulk_delete(keys);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->deleted, std::vector<std::string>{"k1"});
  ASSERT_EQ(r->failed.size(), 1u);
  EXPECT_EQ(r->failed[0].key, "k2");
  EXPECT_EQ(r->failed[0].error, "Unknown model: k2");
  const auto reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].target, "/api/v2/models/i/bulk_delete");
  EXPECT_EQ(reqs[0].body, R"({"keys":["k1","k2"]})");
}

TEST_F(ModelsApiNewerRoutes, OlderServerAnswers404) {
  server_.enqueue(json(404, R"({"detail":"Not Found"})"));
  auto r = api_->bulk_delete(std::vector<std::string>{"k1"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
}

TEST_F(ModelsApiNewerRoutes, JobControl) {
  server_.enqueue(json(201, job(3, "paused")));
  server_.enqueue(json(201, job(3, "downloading")));
  server_.enqueue(json(201, job(3, "waiting")));
  server_.enqueue(json(201, job(3, "downloading")));
  auto paused = api_->pause_job(3);
  ASSERT_TRUE(paused) << paused.error().describe();
  EXPECT_EQ(paused->state(), ivk::InstallState::paused);
  EXPECT_FALSE(paused->is_terminal());
  auto resumed = api_->resume_job(3);
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed->status, "downloading");
  auto restarted = api_->restart_failed_job(3);
  ASSERT_TRUE(restarted);
  EXPECT_EQ(restarted->status, "waiting");
  auto file = api_->restart_file(3, "https://e.com/a.safetensors");
  ASSERT_TRUE(file);
  const auto reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[0].target, "/api/v2/models/install/3/pause");
  EXPECT_EQ(reqs[1].target, "/api/v2/models/install/3/resume");
  EXPECT_EQ(reqs[2].target, "/api/v2/models/install/3/restart_failed");
  EXPECT_EQ(reqs[3].target, "/api/v2/models/install/3/restart_file");
  EXPECT_EQ(reqs[3].body, R"("https://e.com/a.safetensors")");
  for (const auto& r : reqs) EXPECT_EQ(r.method, "POST");
}

TEST_F(ModelsApiNewerRoutes, UnknownJobIsNotFound) {
  server_.enqueue(json(415, R"({"detail":"No job with id 9 known"})"));
  auto r = api_->pause_job(9);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  EXPECT_EQ(r.error().http_status, 415);
  EXPECT_EQ(r.error().detail, "No job with id 9 known");
}

TEST_F(ModelsApiNewerRoutes, InstallIsSentOnceWithItsQueryAndBody) {
  // A 503 on install is not retried (installs are not idempotent) and the access token does not
  // leak into the error even when the server echoes it.
  server_.enqueue(json(200, R"({"models":[]})"));
  server_.enqueue(json(503, R"({"detail":"busy with hf_secret_token_123"})"));
  ivk::InstallOptions options;
  options.access_token = "hf_secret_token_123";
  options.config_json = R"({"name":"x"})";
  auto r = api_->install("owner/repo:fp16", options);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 503);
  EXPECT_EQ(r.error().describe().find("hf_secret_token_123"), std::string::npos) << r.error().describe();
  const auto reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].target, "/api/v2/models/");
  EXPECT_EQ(reqs[1].method, "POST");
  EXPECT_EQ(
      reqs[1].target,
      "/api/v2/models/install?source=owner%2Frepo%3Afp16&inplace=false&access_token=hf_secret_token_123");
  EXPECT_EQ(reqs[1].body, R"({"name":"x"})");
}

}  // namespace
