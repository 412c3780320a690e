// WorkflowsApi against a scripted server (the emulator does not serve the workflow library): the
// exact requests sent, and the parsing of answers shaped like the OpenAPI document's DTOs.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ivk/api/workflows_api.h"
#include "ivk/transport/server_session.h"
#include "support/scripted_server.h"

namespace {

using namespace std::chrono_literals;
using ivk::ErrorCode;
using ivk::WorkflowsApi;
using ivk::test::ScriptedResponse;
using ivk::test::ScriptedServer;

ScriptedResponse json(int status, std::string body) {
  ScriptedResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = std::move(body);
  return r;
}

ivk::ServerConfig config_for(const ScriptedServer& server) {
  ivk::ServerConfig config;
  auto url = ivk::ServerUrl::parse(server.url());
  EXPECT_TRUE(url);
  if (url) config.url = *url;
  return config;
}

ivk::SessionOptions fast_retries() {
  ivk::SessionOptions options;
  options.retry.base_delay = 5ms;
  options.retry.max_delay = 20ms;
  return options;
}

constexpr const char* kRecord =
    R"({"workflow_id":"d7a1c0de-0000-4000-8000-000000000001","name":"Text to Image",)"
    R"("created_at":"2026-08-19 10:00:00.000","updated_at":"2026-08-19 10:05:00.000","opened_at":null,)"
    R"("user_id":"system","is_public":true,)"
    R"("workflow":{"id":"d7a1c0de-0000-4000-8000-000000000001","name":"Text to Image","author":"",)"
    R"("description":"","version":"1.0.0","contact":"","tags":"","notes":"","exposedFields":[],)"
    R"("meta":{"version":"3.0.0","category":"user"},"nodes":[],"edges":[],"form":null},)"
    R"("thumbnail_url":"api/v1/workflows/i/d7a1c0de-0000-4000-8000-000000000001/thumbnail"})";

TEST(WorkflowsApiTest, ListsWithEveryFilterInTheQuery) {
  ScriptedServer server;
  server.enqueue(json(200,
                      R"({"page":1,"pages":3,"per_page":2,"total":5,"items":[)"
                      R"({"workflow_id":"w1","name":"One","created_at":"2026-08-19 10:00:00.000",)"
                      R"("updated_at":"2026-08-19 10:00:00.000","opened_at":"2026-08-20 09:00:00.000",)"
                      R"("user_id":"system","is_public":true,"description":"first","category":"user",)"
                      R"("tags":"SD1.5, text to image","thumbnail_url":"api/v1/workflows/i/w1/thumbnail"},)"
                      R"({"workflow_id":"default_abc","name":"Two","created_at":"c","updated_at":"u",)"
                      R"("opened_at":null,"description":"","category":"default","tags":"",)"
                      R"("thumbnail_url":null}]})"));
  ivk::ServerSession session(config_for(server), fast_retries());
  WorkflowsApi api(session);
  ivk::WorkflowQuery query;
  query.page = 1;
  query.per_page = 2;
  query.order_by = "opened_at";
  query.direction = "DESC";
  query.categories = {"user", "default"};
  query.tags = {"SD1.5"};
  query.query = "text to";
  query.has_been_opened = true;
  auto page = api.list(query);
  ASSERT_TRUE(page) << page.error().describe();

  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "GET");
  EXPECT_EQ(reqs[0].target,
            "/api/v1/workflows/?page=1&per_page=2&order_by=opened_at&direction=DESC&categories=user&"
            "categories=default&tags=SD1.5&query=text%20to&has_been_opened=true");
  EXPECT_EQ(page->page, 1);
  EXPECT_EQ(page->pages, 3);
  EXPECT_EQ(page->per_page, 2);
  EXPECT_EQ(page->total, 5);
  ASSERT_EQ(page->items.size(), 2u);
  const auto& one = page->items[0];
  EXPECT_EQ(one.workflow_id, "w1");
  EXPECT_EQ(one.name, "One");
  EXPECT_EQ(one.description, "first");
  EXPECT_EQ(one.category, "user");
  EXPECT_EQ(one.tags, "SD1.5, text to image");
  EXPECT_EQ(one.opened_at, "2026-08-20 09:00:00.000");
  EXPECT_EQ(one.thumbnail_url, "api/v1/workflows/i/w1/thumbnail");
  EXPECT_EQ(one.user_id, "system");
  EXPECT_EQ(one.is_public, true);
  const auto& two = page->items[1];
  EXPECT_EQ(two.workflow_id, "default_abc");
  EXPECT_EQ(two.category, "default");
  EXPECT_FALSE(two.opened_at.has_value());
  EXPECT_FALSE(two.thumbnail_url.has_value());
  EXPECT_FALSE(two.is_public.has_value());  // older servers do not send it
}

TEST(WorkflowsApiTest, DefaultListAsksForThePageOnly) {
  ScriptedServer server;
  server.enqueue(json(200, R"({"page":0,"pages":0,"per_page":10,"total":0,"items":[]})"));
  ivk::ServerSession session(config_for(server), fast_retries());
  WorkflowsApi api(session);
  auto page = api.list();
  ASSERT_TRUE(page) << page.error().describe();
  EXPECT_TRUE(page->items.empty());
  EXPECT_EQ(server.requests().at(0).target, "/api/v1/workflows/?page=0");
}

TEST(WorkflowsApiTest, GetsOneRecordWithItsWorkflow) {
  ScriptedServer server;
  server.enqueue(json(200, kRecord));
  ivk::ServerSession session(config_for(server), fast_retries());
  WorkflowsApi api(session);
  auto r = api.get("d7a1c0de-0000-4000-8000-000000000001");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(server.requests().at(0).method, "GET");
  EXPECT_EQ(server.requests().at(0).target, "/api/v1/workflows/i/d7a1c0de-0000-4000-8000-000000000001");
  EXPECT_EQ(r->workflow_id, "d7a1c0de-0000-4000-8000-000000000001");
  EXPECT_EQ(r->name, "Text to Image");
  EXPECT_EQ(r->created_at, "2026-08-19 10:00:00.000");
  EXPECT_EQ(r->updated_at, "2026-08-19 10:05:00.000");
  EXPECT_FALSE(r->opened_at.has_value());
  EXPECT_EQ(r->user_id, "system");
  EXPECT_EQ(r->is_public, true);
  EXPECT_EQ(r->thumbnail_url, "api/v1/workflows/i/d7a1c0de-0000-4000-8000-000000000001/thumbnail");
  EXPECT_EQ(
      r->workflow_json.rfind(R"({"id":"d7a1c0de-0000-4000-8000-000000000001","name":"Text to Image",)", 0),
      0u)
      << r->workflow_json;
  EXPECT_NE(r->workflow_json.find(R"("meta":{"version":"3.0.0","category":"user"})"), std::string::npos);
  EXPECT_NE(r->raw_json.find(R"("thumbnail_url":)"), std::string::npos);
}

TEST(WorkflowsApiTest, CreatesOnceWithTheWorkflowWrapped) {
  ScriptedServer server;
  server.enqueue(json(200, kRecord));
  ivk::ServerSession session(config_for(server), fast_retries());
  WorkflowsApi api(session);
  const std::string wf = R"({"name":"Text to Image","nodes":[],"edges":[],"meta":{"version":"3.0.0"}})";
  auto r = api.create(wf);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->workflow_id, "d7a1c0de-0000-4000-8000-000000000001");
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/api/v1/workflows/");
  EXPECT_EQ(reqs[0].body, "{\"workflow\":" + wf + "}");
  EXPECT_EQ(reqs[0].header("Content-Type"), "application/json");
}

TEST(WorkflowsApiTest, CreateIsNeverRetried) {
  ScriptedServer server;
  ScriptedResponse busy = json(503, R"({"detail":"busy"})");
  busy.headers.emplace_back("Retry-After", "0");
  server.enqueue(busy);
  server.enqueue(json(200, kRecord));
  ivk::ServerSession session(config_for(server), fast_retries());
  WorkflowsApi api(session);
  auto r = api.create(R"({"name":"x","nodes":[],"edges":[]})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 503);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(WorkflowsApiTest, UpdatesThroughTheWorkflowsOwnId) {
  ScriptedServer server;
  server.enqueue(json(200, kRecord));
  ivk::ServerSession session(config_for(server), fast_retries());
  WorkflowsApi api(session);
  const std::string wf = R"({"id":"d7a1c0de-0000-4000-8000-000000000001","name":"Text to Image","nodes":[]})";
  auto r = api.update(wf);
  ASSERT_TRUE(r) << r.error().describe();
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "PATCH");
  EXPECT_EQ(reqs[0].target, "/api/v1/workflows/i/d7a1c0de-0000-4000-8000-000000000001");
  EXPECT_EQ(reqs[0].body, "{\"workflow\":" + wf + "}");

  auto no_id = api.update(R"({"name":"x"})");
  ASSERT_FALSE(no_id);
  EXPECT_EQ(no_id.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(no_id.error().where, "$.id");
  auto not_json = api.update("[1,2");
  ASSERT_FALSE(not_json);
  EXPECT_EQ(not_json.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(server.request_count(), 1u);  // neither was sent
}

TEST(WorkflowsApiTest, RemovesAndMarksOpened) {
  ScriptedServer server;
  server.enqueue(json(200, "null"));
  server.enqueue(json(200, "null"));
  ivk::ServerSession session(config_for(server), fast_retries());
  WorkflowsApi api(session);
  ASSERT_TRUE(api.remove("w 1"));
  ASSERT_TRUE(api.mark_opened("w1"));
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].method, "DELETE");
  EXPECT_EQ(reqs[0].target, "/api/v1/workflows/i/w%201");
  EXPECT_EQ(reqs[1].method, "PUT");
  EXPECT_EQ(reqs[1].target, "/api/v1/workflows/i/w1/opened_at");
}

TEST(WorkflowsApiTest, AMissingWorkflowIsNotFoundWithTheServersDetail) {
  ScriptedServer server;
  server.enqueue(json(404, R"({"detail":"Workflow not found"})"));
  ivk::ServerSession session(config_for(server), fast_retries());
  WorkflowsApi api(session);
  auto r = api.get("nope");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  EXPECT_EQ(r.error().detail, "Workflow not found");
}

TEST(WorkflowsApiTest, AnAnswerWithoutTheWorkflowIsAParseErrorSayingWhere) {
  ScriptedServer server;
  server.enqueue(json(200, R"({"workflow_id":"w9","name":"x"})"));
  server.enqueue(json(200, R"({"page":0,"items":[{"name":"no id"}]})"));
  ivk::ServerSession session(config_for(server), fast_retries());
  WorkflowsApi api(session);
  auto r = api.get("w9");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::parse_error);
  EXPECT_EQ(r.error().message, "workflow record w9: missing object \"workflow\"");
  EXPECT_EQ(r.error().where, "$.workflow");
  auto page = api.list();
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, ErrorCode::parse_error);
  EXPECT_EQ(page.error().where, "$.items[0].workflow_id");
}

}  // namespace

namespace {

TEST(WorkflowsApiTest, ThumbnailIsReadSetAsMultipartAndDeleted) {
  ScriptedServer server;
  ScriptedResponse png;
  png.status = 200;
  png.headers = {{"Content-Type", "image/png"}};
  png.body = std::string("\x89PNG\r\n\x1a\n\0\0", 10);
  server.enqueue(png);
  server.enqueue(json(200, kRecord));
  server.enqueue(json(200, kRecord));
  ivk::ServerSession session(config_for(server), fast_retries());
  WorkflowsApi api(session);

  auto bytes = api.thumbnail("w1");
  ASSERT_TRUE(bytes) << bytes.error().describe();
  EXPECT_EQ(*bytes, std::string("\x89PNG\r\n\x1a\n\0\0", 10));

  // Image bytes that contain the first boundary candidate make the builder pick another.
  static constexpr char kImage[] = "\x89PNG--ivk-form-boundary\0\xff";
  const std::string image(kImage, sizeof kImage - 1);  // the embedded NUL included
  auto set = api.set_thumbnail("w1", image, "image/webp");
  ASSERT_TRUE(set) << set.error().describe();
  EXPECT_EQ(set->workflow_id, "d7a1c0de-0000-4000-8000-000000000001");
  auto removed = api.delete_thumbnail("w1");
  ASSERT_TRUE(removed) << removed.error().describe();

  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "GET");
  EXPECT_EQ(reqs[0].target, "/api/v1/workflows/i/w1/thumbnail");
  EXPECT_EQ(reqs[1].method, "PUT");
  EXPECT_EQ(reqs[1].target, "/api/v1/workflows/i/w1/thumbnail");
  EXPECT_EQ(reqs[1].header("content-type"), "multipart/form-data; boundary=ivk-form-boundary-x");
  EXPECT_EQ(reqs[1].body,
            "--ivk-form-boundary-x\r\n"
            "Content-Disposition: form-data; name=\"image\"; filename=\"thumbnail\"\r\n"
            "Content-Type: image/webp\r\n\r\n" +
                image + "\r\n--ivk-form-boundary-x--\r\n");
  EXPECT_EQ(reqs[2].method, "DELETE");
  EXPECT_EQ(reqs[2].target, "/api/v1/workflows/i/w1/thumbnail");
}

TEST(WorkflowsApiTest, CountsTagsAndVisibility) {
  ScriptedServer server;
  server.enqueue(json(200, R"({"SDXL":3,"upscale":0})"));
  server.enqueue(json(200, R"({"user":4,"default":12})"));
  server.enqueue(json(200, R"(["SDXL","upscale"])"));
  server.enqueue(json(200, kRecord));
  server.enqueue(json(200, R"({"SDXL":"many"})"));
  ivk::ServerSession session(config_for(server), fast_retries());
  WorkflowsApi api(session);

  auto by_tag = api.counts_by_tag({"SDXL", "upscale"}, {"user"}, true);
  ASSERT_TRUE(by_tag) << by_tag.error().describe();
  EXPECT_EQ(*by_tag, (std::map<std::string, std::int64_t>{{"SDXL", 3}, {"upscale", 0}}));
  auto by_category = api.counts_by_category({"user", "default"});
  ASSERT_TRUE(by_category) << by_category.error().describe();
  EXPECT_EQ(*by_category, (std::map<std::string, std::int64_t>{{"default", 12}, {"user", 4}}));
  auto tags = api.tags();
  ASSERT_TRUE(tags) << tags.error().describe();
  EXPECT_EQ(*tags, (std::vector<std::string>{"SDXL", "upscale"}));
  auto shared = api.set_public("w1", false);
  ASSERT_TRUE(shared) << shared.error().describe();
  auto bad = api.counts_by_tag({"SDXL"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::parse_error);
  EXPECT_EQ(bad.error().where, "$.SDXL");

  // Empty lists are refused before anything is sent (the server requires them).
  EXPECT_EQ(api.counts_by_tag({}).error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(api.counts_by_category({}).error().code, ErrorCode::invalid_argument);

  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 5u);
  EXPECT_EQ(reqs[0].target,
            "/api/v1/workflows/counts_by_tag?tags=SDXL&tags=upscale&categories=user&has_been_opened=true");
  EXPECT_EQ(reqs[1].target, "/api/v1/workflows/counts_by_category?categories=user&categories=default");
  EXPECT_EQ(reqs[2].target, "/api/v1/workflows/tags");
  EXPECT_EQ(reqs[3].method, "PATCH");
  EXPECT_EQ(reqs[3].target, "/api/v1/workflows/i/w1/is_public");
  EXPECT_EQ(reqs[3].body, R"({"is_public":false})");
}

}  // namespace
