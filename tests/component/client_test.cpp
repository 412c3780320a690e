// ivk::Client against the in-process emulator and a scripted server: connecting (by URL, from an
// environment map, with a multi-user login), the cached version and max_queue_size, and the one shared
// event socket that carries the session's token.
#include "ivk/client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "ivk/api/models_api.h"
#include "ivk/api/queue_api.h"
#include "ivk/emulator.h"
#include "support/scripted_server.h"

namespace {

using ivk::Client;
using ivk::ClientOptions;
using ivk::ErrorCode;
using ivk::test::ScriptedResponse;
using ivk::test::ScriptedServer;

ScriptedResponse json(int status, std::string body) {
  ScriptedResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = std::move(body);
  return r;
}

ScriptedResponse version_answer(const std::string& version) {
  return json(200, R"({"version":")" + version + R"(","highlights":null})");
}

// Options that read nothing from the process environment, with one quick attempt per request.
ClientOptions options_for(const std::string& url) {
  ClientOptions options;
  options.url = url;
  options.session.retry.max_attempts = 1;
  return options;
}

std::unique_ptr<ivk::Emulator> start_emulator(ivk::EmulatorOptions options = {}) {
  auto emulator = ivk::Emulator::start(std::move(options));
  if (!emulator) {
    ADD_FAILURE() << "the emulator did not start: " << emulator.error().describe();
    return nullptr;
  }
  return std::move(*emulator);
}

ivk::EmulatorOptions multiuser_options() {
  ivk::EmulatorOptions options;
  options.multiuser = true;
  options.users.push_back({"admin@example.com", "admin-pw", "Admin", true, true});
  options.users.push_back({"user@example.com", "user-pw", "User", false, true});
  return options;
}

TEST(Client, ConnectsByUrlAndServesTheApis) {
  auto emulator = start_emulator();
  ASSERT_TRUE(emulator);
  auto client = Client::connect(emulator->url());
  ASSERT_TRUE(client) << client.error().describe();
  EXPECT_EQ((*client)->url().to_string(), emulator->url());
  EXPECT_EQ((*client)->session().url().to_string(), emulator->url());

  auto version = (*client)->version();
  ASSERT_TRUE(version) << version.error().describe();
  EXPECT_EQ(version->to_string(), "6.8.0");

  auto status = (*client)->queue().status();
  ASSERT_TRUE(status) << status.error().describe();
  EXPECT_EQ(status->queue_id, "default");
  EXPECT_EQ(status->counts.total, 0);

  auto models = (*client)->models().list();
  ASSERT_TRUE(models) << models.error().describe();
  EXPECT_TRUE(std::any_of(models->begin(), models->end(), [](const ivk::ModelRecord& m) {
    return m.name == "juggernautXL_v9" && m.base == "sdxl";
  }));
}

TEST(Client, QueueIdReachesTheQueueApi) {
  auto emulator = start_emulator();
  ASSERT_TRUE(emulator);
  auto options = options_for(emulator->url());
  options.queue_id = "other";
  auto client = Client::connect(options);
  ASSERT_TRUE(client) << client.error().describe();
  auto status = (*client)->queue().status();
  ASSERT_TRUE(status) << status.error().describe();
  EXPECT_EQ(status->queue_id, "other");
}

TEST(Client, AsksForTheVersionOnce) {
  ScriptedServer server;
  server.enqueue(version_answer("6.13.8"));
  auto client = Client::connect(options_for(server.url()));
  ASSERT_TRUE(client) << client.error().describe();
  for (int i = 0; i < 2; ++i) {
    auto version = (*client)->version();
    ASSERT_TRUE(version) << version.error().describe();
    EXPECT_EQ(version->to_string(), "6.13.8");
  }
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/api/v1/app/version");
}

TEST(Client, TokenAndUrlComeFromTheEnvironmentMap) {
  ScriptedServer server;
  server.enqueue(version_answer("6.13.8"));
  ClientOptions options;
  options.environment = {{"INVOKEAI_URL", server.url()}, {"INVOKEAI_TOKEN", "env.token.value"}};
  auto client = Client::connect(options);
  ASSERT_TRUE(client) << client.error().describe();
  EXPECT_EQ((*client)->url().to_string(), server.url());
  EXPECT_EQ((*client)->session().token(), "env.token.value");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].header("Authorization"), "Bearer env.token.value");
}

TEST(Client, MaxQueueSizeIsReadFromTheRuntimeConfigAndCached) {
  ScriptedServer server;
  server.enqueue(version_answer("6.8.0"));
  server.enqueue(json(200, R"({"set_fields":["host"],"config":{"host":"0.0.0.0","max_queue_size":20}})"));
  auto client = Client::connect(options_for(server.url()));
  ASSERT_TRUE(client) << client.error().describe();
  for (int i = 0; i < 2; ++i) {
    auto size = (*client)->max_queue_size();
    ASSERT_TRUE(size) << size.error().describe();
    EXPECT_EQ(*size, 20);
  }
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].target, "/api/v1/app/runtime_config");
}

TEST(Client, MaxQueueSizeIsTheDefaultWhenTheRouteIsMissing) {
  ScriptedServer server;
  server.enqueue(version_answer("6.8.0"));
  server.enqueue(json(404, R"({"detail":"Not Found"})"));
  auto client = Client::connect(options_for(server.url()));
  ASSERT_TRUE(client) << client.error().describe();
  auto size = (*client)->max_queue_size();
  ASSERT_TRUE(size) << size.error().describe();
  EXPECT_EQ(*size, 10000);
  EXPECT_EQ(*(*client)->max_queue_size(), 10000);
  EXPECT_EQ(server.request_count(), 2u);  // the fallback is cached too
}

TEST(Client, MaxQueueSizeIsTheDefaultWhenTheFieldIsAbsent) {
  ScriptedServer server;
  server.enqueue(version_answer("6.8.0"));
  server.enqueue(json(200, R"({"set_fields":[],"config":{"host":"127.0.0.1"}})"));
  auto client = Client::connect(options_for(server.url()));
  ASSERT_TRUE(client) << client.error().describe();
  auto size = (*client)->max_queue_size();
  ASSERT_TRUE(size) << size.error().describe();
  EXPECT_EQ(*size, 10000);
}

TEST(Client, MaxQueueSizeAsksNothingOfAServerBefore59) {
  ScriptedServer server;
  server.enqueue(version_answer("5.8.0"));
  auto client = Client::connect(options_for(server.url()));
  ASSERT_TRUE(client) << client.error().describe();
  auto size = (*client)->max_queue_size();
  ASSERT_TRUE(size) << size.error().describe();
  EXPECT_EQ(*size, 10000);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(Client, MaxQueueSizeErrorsAreReturnedAndNotCached) {
  ScriptedServer server;
  server.enqueue(version_answer("6.8.0"));
  server.enqueue(json(500, R"({"detail":"database is locked"})"));
  server.enqueue(json(200, R"({"set_fields":[],"config":{"max_queue_size":20}})"));
  auto client = Client::connect(options_for(server.url()));
  ASSERT_TRUE(client) << client.error().describe();
  auto failed = (*client)->max_queue_size();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().http_status, 500);
  EXPECT_EQ(failed.error().detail, "database is locked");
  auto size = (*client)->max_queue_size();
  ASSERT_TRUE(size) << size.error().describe();
  EXPECT_EQ(*size, 20);
}

TEST(Client, MaxQueueSizeOfANonAdminIsTheDefault) {
  auto emulator = start_emulator(multiuser_options());
  ASSERT_TRUE(emulator);
  auto options = options_for(emulator->url());
  options.email = "user@example.com";
  options.password = "user-pw";
  auto client = Client::connect(options);
  ASSERT_TRUE(client) << client.error().describe();
  // The emulator answers a non-admin's GET /app/runtime_config with 403, like the server.
  auto forbidden = (*client)->session().runtime_config();
  ASSERT_FALSE(forbidden);
  EXPECT_EQ(forbidden.error().http_status, 403);
  auto size = (*client)->max_queue_size();
  ASSERT_TRUE(size) << size.error().describe();
  EXPECT_EQ(*size, 10000);
}

TEST(Client, EventsConnectOnceAndShareTheStream) {
  auto emulator = start_emulator();
  ASSERT_TRUE(emulator);
  auto client = Client::connect(options_for(emulator->url()));
  ASSERT_TRUE(client) << client.error().describe();
  auto first = (*client)->events();
  ASSERT_TRUE(first) << first.error().describe();
  ASSERT_NE(*first, nullptr);
  EXPECT_EQ((*first)->state(), ivk::StreamState::connected);
  auto second = (*client)->events();
  ASSERT_TRUE(second) << second.error().describe();
  EXPECT_EQ(*second, *first);
  EXPECT_EQ((*second)->reconnect_count(), 0u);
}

TEST(Client, EventsOffIsAnError) {
  ScriptedServer server;
  server.enqueue(version_answer("6.8.0"));
  auto options = options_for(server.url());
  options.events = false;
  auto client = Client::connect(options);
  ASSERT_TRUE(client) << client.error().describe();
  auto events = (*client)->events();
  ASSERT_FALSE(events);
  EXPECT_EQ(events.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(events.error().where, "ClientOptions::events");
  EXPECT_EQ(server.request_count(), 1u);  // no socket handshake was tried
}

TEST(Client, LogsInOnAMultiUserServerAndTheSocketGetsTheToken) {
  auto emulator = start_emulator(multiuser_options());
  ASSERT_TRUE(emulator);
  auto options = options_for(emulator->url());
  options.email = "admin@example.com";
  options.password = "admin-pw";
  auto client = Client::connect(options);
  ASSERT_TRUE(client) << client.error().describe();
  const auto token = (*client)->session().token();
  ASSERT_TRUE(token);
  EXPECT_EQ(std::count(token->begin(), token->end(), '.'), 2);  // a JWT
  auto status = (*client)->queue().status();
  ASSERT_TRUE(status) << status.error().describe();
  EXPECT_EQ(status->counts.total, 0);
  // The emulator rejects an anonymous socket ("Connection rejected by server"): connecting proves the
  // token went along.
  auto events = (*client)->events();
  ASSERT_TRUE(events) << events.error().describe();
  EXPECT_EQ((*events)->state(), ivk::StreamState::connected);
  auto size = (*client)->max_queue_size();  // an admin may read the runtime config
  ASSERT_TRUE(size) << size.error().describe();
  EXPECT_EQ(*size, 10000);
}

TEST(Client, WithoutATokenTheMultiUserSocketIsRefused) {
  auto emulator = start_emulator(multiuser_options());
  ASSERT_TRUE(emulator);
  auto client = Client::connect(options_for(emulator->url()));  // /app/version is public
  ASSERT_TRUE(client) << client.error().describe();
  EXPECT_FALSE((*client)->session().token());
  auto events = (*client)->events();
  ASSERT_FALSE(events);
  EXPECT_EQ(events.error().code, ErrorCode::auth) << events.error().describe();
}

TEST(Client, LoginCredentialsComeFromTheEnvironmentMap) {
  auto emulator = start_emulator(multiuser_options());
  ASSERT_TRUE(emulator);
  ClientOptions options;
  options.environment = {{"INVOKEAI_URL", emulator->url()},
                         {"INVOKEAI_EMAIL", "user@example.com"},
                         {"INVOKEAI_PASSWORD", "user-pw"}};
  auto client = Client::connect(options);
  ASSERT_TRUE(client) << client.error().describe();
  EXPECT_TRUE((*client)->session().token());
  auto status = (*client)->queue().status();
  ASSERT_TRUE(status) << status.error().describe();
  EXPECT_EQ(status->queue_id, "default");
}

TEST(Client, AWrongPasswordIsAnAuthError) {
  auto emulator = start_emulator(multiuser_options());
  ASSERT_TRUE(emulator);
  auto options = options_for(emulator->url());
  options.email = "admin@example.com";
  options.password = "not-the-password";
  auto client = Client::connect(options);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, ErrorCode::auth);
  EXPECT_EQ(client.error().http_status, 401);
  EXPECT_EQ(client.error().message, "the server refused the login: check the email and password");
  EXPECT_EQ(client.error().describe().find("not-the-password"), std::string::npos);
}

TEST(Client, NoLoginOnASingleUserServer) {
  auto emulator = start_emulator();
  ASSERT_TRUE(emulator);
  auto options = options_for(emulator->url());
  options.email = "admin@example.com";
  options.password = "admin-pw";
  auto client = Client::connect(options);
  ASSERT_TRUE(client) << client.error().describe();
  EXPECT_FALSE((*client)->session().token());
}

TEST(Client, ABadUrlNamesWhereItCameFrom) {
  auto from_options = Client::connect(options_for("http://user:secret@localhost:9090"));
  ASSERT_FALSE(from_options);
  EXPECT_EQ(from_options.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(from_options.error().source, "ClientOptions::url");
  EXPECT_NE(from_options.error().message.find("user names and passwords"), std::string::npos)
      << from_options.error().message;

  ClientOptions options;
  options.environment = {{"INVOKEAI_URL", "http://localhost:9090/?x=1"}};
  auto from_environment = Client::connect(options);
  ASSERT_FALSE(from_environment);
  EXPECT_EQ(from_environment.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(from_environment.error().source, "INVOKEAI_URL");
}

TEST(Client, AServerThatDoesNotAnswerFailsTheConnect) {
  const auto url = "http://127.0.0.1:" + std::to_string(ivk::test::unused_port());
  auto client = Client::connect(options_for(url));
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, ErrorCode::transport);
  EXPECT_EQ(client.error().where, "GET /api/v1/app/version");
}

TEST(Client, OpenServerSessionAsksNothingOfTheServer) {
  ScriptedServer server;
  auto session = ivk::open_server_session(options_for(server.url()));
  ASSERT_TRUE(session) << session.error().describe();
  EXPECT_EQ((*session)->url().to_string(), server.url());
  EXPECT_EQ(server.request_count(), 0u);
}

}  // namespace
