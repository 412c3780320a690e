// QueueApi over real HTTP against the in-process emulator: enqueue a real workflow with a sweep,
// follow its items to the end, batch status, cancel, failures, clear/prune and 404s.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "ivk/api/queue_api.h"
#include "ivk/emulator.h"
#include "ivk/transport/server_session.h"
#include "ivk/workflow/batch.h"
#include "ivk/workflow/workflow.h"
#include "support/emulator_session.h"
#include "support/fixtures.h"
#include "support/scripted_server.h"

namespace {

using namespace std::chrono_literals;
using ivk::ErrorCode;
using ivk::QueueApi;
using ivk::QueueItem;

class QueueApiTest : public ::testing::Test {
 protected:
  void start(int step_ms = 0, std::string fail_node_type = {}) {
    ivk::EmulatorOptions options;
    options.step_ms = step_ms;
    options.fail_node_type = std::move(fail_node_type);
    auto started = ivk::test::start_emulator_session(std::move(options));
    ASSERT_TRUE(started.session);
    emulator_ = std::move(started.emulator);
    session_ = std::move(started.session);
    api_ = std::make_unique<QueueApi>(*session_);
  }

  // The example SDXL workflow with the positive prompt swept over two values: two sessions.
  static std::string sweep_body(std::string batch_id = {}) {
    auto wf =
        ivk::Workflow::load_file(ivk::test::source_dir() / "examples/workflows/sdxl-text-to-image.json");
    EXPECT_TRUE(wf) << wf.error().describe();
    ivk::BatchOptions options;
    options.batch_id = std::move(batch_id);
    options.sweeps.push_back({{{"prompt:positive.value", {"\"a red fox\"", "\"a blue jay\""}}}});
    auto body = ivk::build_enqueue_body(*wf, options);
    EXPECT_TRUE(body) << body.error().describe();
    return body ? *body : std::string();
  }

  // Polls item() until it is terminal (or 20 s pass).
  QueueItem wait_terminal(std::int64_t id) {
    QueueItem last;
    for (int i = 0; i < 2000; ++i) {
      auto item = api_->item(id);
      EXPECT_TRUE(item) << item.error().describe();
      if (!item) return last;
      last = std::move(*item);
      if (last.is_terminal()) return last;
      std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "item " << id << " is still " << last.status;
    return last;
  }

  std::unique_ptr<ivk::Emulator> emulator_;
  std::unique_ptr<ivk::ServerSession> session_;
  std::unique_ptr<QueueApi> api_;
};

TEST_F(QueueApiTest, EnqueuesASweepAndRunsBothItemsToCompletion) {
  start();
  auto r = api_->enqueue_batch(sweep_body("batch-sweep-1"));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->queue_id, "default");
  EXPECT_EQ(r->batch_id, "batch-sweep-1");
  EXPECT_EQ(r->enqueued, 2);
  EXPECT_EQ(r->requested, 2);
  EXPECT_EQ(r->priority, 0);
  ASSERT_EQ(r->item_ids.size(), 2u);
  EXPECT_GT(r->item_ids[0], r->item_ids[1]);  // descending, like the server

  std::vector<std::string> prompts;
  for (auto id : r->item_ids) {
    const QueueItem item = wait_terminal(id);
    EXPECT_EQ(item.item_id, id);
    EXPECT_EQ(item.status, "completed");
    EXPECT_TRUE(item.is_terminal());
    EXPECT_EQ(item.queue_id, "default");
    EXPECT_EQ(item.batch_id, "batch-sweep-1");
    EXPECT_FALSE(item.session_id.empty());
    EXPECT_EQ(item.origin, "workflows");
    EXPECT_EQ(item.destination, "gallery");
    EXPECT_TRUE(item.started_at.has_value());
    EXPECT_TRUE(item.completed_at.has_value());
    EXPECT_FALSE(item.error_type.has_value());
    EXPECT_NE(item.session_json.find("\"results\":{\""), std::string::npos) << item.session_json;
    EXPECT_NE(item.session_json.find("\"prepared_source_mapping\""), std::string::npos);
    EXPECT_NE(item.session_json.find("\"image_name\""), std::string::npos);
    EXPECT_NE(item.raw_json.find("\"item_id\":" + std::to_string(id)), std::string::npos);
    EXPECT_EQ(item.field_values_json.rfind("[{\"node_path\":\"prompt:positive\",\"field_name\":\"value\"", 0),
              0u)
        << item.field_values_json;
    prompts.push_back(item.field_values_json);
  }
  // The highest id is the last session: the second sweep value.
  EXPECT_NE(prompts[0].find("a blue jay"), std::string::npos);
  EXPECT_NE(prompts[1].find("a red fox"), std::string::npos);

  auto batch = api_->batch_status("batch-sweep-1");
  ASSERT_TRUE(batch) << batch.error().describe();
  EXPECT_EQ(batch->batch_id, "batch-sweep-1");
  EXPECT_EQ(batch->queue_id, "default");
  EXPECT_EQ(batch->origin, "workflows");
  EXPECT_EQ(batch->destination, "gallery");
  EXPECT_EQ(batch->counts.completed, 2);
  EXPECT_EQ(batch->counts.pending, 0);
  EXPECT_EQ(batch->counts.total, 2);

  auto status = api_->status();
  ASSERT_TRUE(status) << status.error().describe();
  EXPECT_EQ(status->queue_id, "default");
  EXPECT_EQ(status->counts.completed, 2);
  EXPECT_EQ(status->counts.total, 2);
  EXPECT_FALSE(status->item_id.has_value());
  EXPECT_TRUE(status->processor_started);

  auto by_ids = api_->items_by_ids(r->item_ids);
  ASSERT_TRUE(by_ids) << by_ids.error().describe();
  ASSERT_EQ(by_ids->size(), 2u);
  EXPECT_EQ((*by_ids)[0].item_id, r->item_ids[0]);
  EXPECT_EQ((*by_ids)[1].item_id, r->item_ids[1]);

  auto ids = api_->item_ids("ASC");
  ASSERT_TRUE(ids) << ids.error().describe();
  EXPECT_EQ(*ids, (std::vector<std::int64_t>{r->item_ids[1], r->item_ids[0]}));

  auto all = api_->list_all();
  ASSERT_TRUE(all) << all.error().describe();
  EXPECT_EQ(all->size(), 2u);
  auto none = api_->list_all("canvas");
  ASSERT_TRUE(none) << none.error().describe();
  EXPECT_TRUE(none->empty());

  auto current = api_->current();
  ASSERT_TRUE(current) << current.error().describe();
  EXPECT_FALSE(current->has_value());  // idle: the server answers null
  auto next = api_->next();
  ASSERT_TRUE(next) << next.error().describe();
  EXPECT_FALSE(next->has_value());

  auto pruned = api_->prune();
  ASSERT_TRUE(pruned) << pruned.error().describe();
  EXPECT_EQ(*pruned, 2);
  auto gone = api_->item(r->item_ids[0]);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::not_found);
}

TEST_F(QueueApiTest, CancelsAnItemWhileTheServerIsSlow) {
  start(/*step_ms=*/100);
  auto r = api_->enqueue_batch(sweep_body());
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->item_ids.size(), 2u);
  const std::int64_t later = r->item_ids[0];  // runs second: still pending or running now
  auto canceled = api_->cancel_item(later);
  ASSERT_TRUE(canceled) << canceled.error().describe();
  EXPECT_EQ(canceled->item_id, later);
  EXPECT_EQ(canceled->status, "canceled");
  EXPECT_TRUE(canceled->is_terminal());
  EXPECT_EQ(wait_terminal(later).status, "canceled");

  // The first one is running (25 steps × 100 ms): current() shows it, then cancel everything.
  // The worker picks it up within moments; poll rather than assume it already has.
  auto current = api_->current();
  for (int i = 0; i < 500 && current && !current->has_value(); ++i) {
    std::this_thread::sleep_for(10ms);
    current = api_->current();
  }
  ASSERT_TRUE(current) << current.error().describe();
  ASSERT_TRUE(current->has_value());
  EXPECT_EQ((*current)->item_id, r->item_ids[1]);
  EXPECT_EQ((*current)->status, "in_progress");
  const std::vector<std::string> batches{r->batch_id};
  auto n = api_->cancel_by_batch_ids(batches);
  ASSERT_TRUE(n) << n.error().describe();
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(wait_terminal(r->item_ids[1]).status, "canceled");

  auto batch = api_->batch_status(r->batch_id);
  ASSERT_TRUE(batch) << batch.error().describe();
  EXPECT_EQ(batch->counts.canceled, 2);
  EXPECT_EQ(batch->counts.completed, 0);

  auto cleared = api_->clear();
  ASSERT_TRUE(cleared) << cleared.error().describe();
  EXPECT_EQ(*cleared, 2);
}

TEST_F(QueueApiTest, AFailingNodeLeavesTheErrorOnTheItemAndRetryReenqueues) {
  start(0, "l2i");
  auto r = api_->enqueue_batch(sweep_body());
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->item_ids.size(), 2u);
  const QueueItem failed = wait_terminal(r->item_ids[1]);
  EXPECT_EQ(failed.status, "failed");
  ASSERT_TRUE(failed.error_type.has_value());
  EXPECT_FALSE(failed.error_type->empty());
  ASSERT_TRUE(failed.error_message.has_value());
  EXPECT_FALSE(failed.error_message->empty());
  ASSERT_TRUE(failed.error_traceback.has_value());
  wait_terminal(r->item_ids[0]);

  const std::vector<std::int64_t> again{r->item_ids[1]};
  auto retried = api_->retry_items(again);
  ASSERT_TRUE(retried) << retried.error().describe();
  EXPECT_EQ(*retried, again);  // the originals that were retried
  auto all = api_->list_all();
  ASSERT_TRUE(all) << all.error().describe();
  ASSERT_EQ(all->size(), 3u);
  std::optional<std::int64_t> copy;
  for (const auto& item : *all)
    if (item.retried_from_item_id == r->item_ids[1]) copy = item.item_id;
  ASSERT_TRUE(copy.has_value());
  EXPECT_GT(*copy, r->item_ids[0]);
  const QueueItem second = wait_terminal(*copy);
  EXPECT_EQ(second.status, "failed");
  EXPECT_EQ(second.batch_id, r->batch_id);
}

TEST_F(QueueApiTest, CountsAndCancelsByDestinationAndPausesTheProcessor) {
  start(/*step_ms=*/40);
  auto paused = api_->pause_processor();
  ASSERT_TRUE(paused) << paused.error().describe();
  EXPECT_FALSE(paused->is_started);
  auto r = api_->enqueue_batch(sweep_body());
  ASSERT_TRUE(r) << r.error().describe();

  auto counts = api_->counts_by_destination("gallery");
  ASSERT_TRUE(counts) << counts.error().describe();
  EXPECT_EQ(counts->destination, "gallery");
  EXPECT_EQ(counts->counts.pending, 2);
  EXPECT_EQ(counts->counts.total, 2);

  auto next = api_->next();
  ASSERT_TRUE(next) << next.error().describe();
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ((*next)->status, "pending");

  auto n = api_->cancel_by_destination("gallery");
  ASSERT_TRUE(n) << n.error().describe();
  EXPECT_EQ(*n, 2);
  auto resumed = api_->resume_processor();
  ASSERT_TRUE(resumed) << resumed.error().describe();
  EXPECT_TRUE(resumed->is_started);

  auto deleted = api_->delete_by_destination("gallery");
  ASSERT_TRUE(deleted) << deleted.error().describe();
  EXPECT_EQ(*deleted, 2);
  auto status = api_->status();
  ASSERT_TRUE(status) << status.error().describe();
  EXPECT_EQ(status->counts.total, 0);
}

TEST_F(QueueApiTest, UnknownItemsAreNotFoundWithTheServersDetail) {
  start();
  auto item = api_->item(987654);
  ASSERT_FALSE(item);
  EXPECT_EQ(item.error().code, ErrorCode::not_found);
  EXPECT_EQ(item.error().http_status, 404);
  EXPECT_EQ(item.error().detail, "Queue item with id 987654 not found in queue default");
  auto cancel = api_->cancel_item(987654);
  ASSERT_FALSE(cancel);
  EXPECT_EQ(cancel.error().code, ErrorCode::not_found);
  auto del = api_->delete_item(987654);
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().code, ErrorCode::not_found);
  auto empty = api_->items_by_ids({});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST_F(QueueApiTest, AnInvalidBatchIsAnInvalidArgumentWithTheServersDetail) {
  start();
  auto r = api_->enqueue_batch(R"({"prepend":false,"batch":{"runs":1}})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(r.error().http_status, 422);
  EXPECT_FALSE(r.error().detail.empty());
}

TEST_F(QueueApiTest, AnotherQueueIdHoldsItsOwnItems) {
  start();
  QueueApi other(*session_, "other queue");
  EXPECT_EQ(other.queue_id(), "other queue");
  auto status = other.status();
  ASSERT_TRUE(status) << status.error().describe();
  EXPECT_EQ(status->queue_id, "other queue");
  EXPECT_EQ(status->counts.total, 0);
}

// Request shapes and answer parsing that the emulator cannot show: a scripted server.
ivk::test::ScriptedResponse scripted_json(std::string body) {
  ivk::test::ScriptedResponse r;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = std::move(body);
  return r;
}

TEST(QueueApiScriptedTest, SendsBodiesAndQueueIdsExactly) {
  ivk::test::ScriptedServer server;
  server.enqueue(scripted_json(R"({"queue_id":"q/1","retried_item_ids":[7,8]})"));
  server.enqueue(scripted_json(R"({"canceled":3})"));
  server.enqueue(scripted_json(R"({"item_ids":[5,4],"total_count":2})"));
  ivk::ServerConfig config;
  config.url = *ivk::ServerUrl::parse(server.url());
  ivk::ServerSession session(config);
  QueueApi api(session, "q/1");
  const std::vector<std::int64_t> ids{1, 2};
  auto retried = api.retry_items(ids);
  ASSERT_TRUE(retried) << retried.error().describe();
  EXPECT_EQ(*retried, (std::vector<std::int64_t>{7, 8}));
  const std::vector<std::string> batches{"b\"1", "b2"};
  auto canceled = api.cancel_by_batch_ids(batches);
  ASSERT_TRUE(canceled) << canceled.error().describe();
  EXPECT_EQ(*canceled, 3);
  auto item_ids = api.item_ids();
  ASSERT_TRUE(item_ids) << item_ids.error().describe();
  EXPECT_EQ(*item_ids, (std::vector<std::int64_t>{5, 4}));
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "PUT");
  EXPECT_EQ(reqs[0].target, "/api/v1/queue/q%2F1/retry_items_by_id");
  EXPECT_EQ(reqs[0].body, "[1,2]");
  EXPECT_EQ(reqs[1].target, "/api/v1/queue/q%2F1/cancel_by_batch_ids");
  EXPECT_EQ(reqs[1].body, R"({"batch_ids":["b\"1","b2"]})");
  EXPECT_EQ(reqs[2].method, "GET");
  EXPECT_EQ(reqs[2].target, "/api/v1/queue/q%2F1/item_ids?order_dir=DESC");
}

TEST(QueueApiScriptedTest, ParseErrorsNameTheItemAndTheMember) {
  ivk::test::ScriptedServer server;
  server.enqueue(scripted_json(R"({"item_id":12,"queue_id":"default"})"));
  server.enqueue(scripted_json(R"([{"item_id":1,"status":"pending"},{"status":"pending"}])"));
  server.enqueue(scripted_json(R"({"queue_id":"default","enqueued":1,"item_ids":["x"]})"));
  server.enqueue(scripted_json("not json"));
  ivk::ServerConfig config;
  config.url = *ivk::ServerUrl::parse(server.url());
  ivk::ServerSession session(config);
  QueueApi api(session);
  auto item = api.item(12);
  ASSERT_FALSE(item);
  EXPECT_EQ(item.error().code, ErrorCode::parse_error);
  EXPECT_EQ(item.error().message, "queue item 12: missing status");
  EXPECT_EQ(item.error().where, "$.status");
  auto all = api.list_all();
  ASSERT_FALSE(all);
  EXPECT_EQ(all.error().where, "$[1].item_id");
  auto enqueued = api.enqueue_batch("{}");
  ASSERT_FALSE(enqueued);
  EXPECT_EQ(enqueued.error().where, "$.item_ids");
  auto status = api.status();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::parse_error);
  EXPECT_NE(status.error().message.find("queue status is not JSON"), std::string::npos);
}

}  // namespace
