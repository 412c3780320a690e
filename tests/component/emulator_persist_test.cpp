// The emulator as a server that restarts and has a queue limit: --persist keeps queue items, images,
// boards and models in data_dir across an in-process stop/start (in-progress items become canceled,
// pending ones run, ids continue); max_queue_size truncates enqueue_batch like InvokeAI; runtime_config
// reports the options; a client-chosen batch_id is kept everywhere.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/router.h"
#include "images/image_store.h"
#include "ivk/emulator.h"
#include "queue/session_queue.h"
#include "support/raw_http.h"

namespace {

using Json = nlohmann::ordered_json;
using ivk::test::raw_http;

std::filesystem::path fresh_temp_dir() {
  static std::atomic<int> counter{0};
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("ivk-emupersist-" + std::to_string(std::random_device{}()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  return dir;
}

struct TempDir {
  std::filesystem::path path = fresh_temp_dir();
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// One running emulator and small HTTP helpers.
struct Server {
  std::unique_ptr<ivk::Emulator> emulator;

  explicit Server(ivk::EmulatorOptions options) {
    auto started = ivk::Emulator::start(std::move(options));
    if (!started) {
      ADD_FAILURE() << started.error().describe();
      return;
    }
    emulator = std::move(*started);
  }

  std::pair<int, Json> call(const std::string& method, const std::string& target,
                            const std::string& body = {}) {
    auto r = raw_http(emulator->port(), method, target, body);
    return {r.status, Json::parse(r.body, nullptr, false)};
  }
  Json get(const std::string& target) { return call("GET", target).second; }
  std::string bytes(const std::string& target) { return raw_http(emulator->port(), "GET", target).body; }

  // Polls until the item has `status` (or 10 s pass).
  Json wait_status(std::int64_t id, const std::string& status) {
    Json item;
    for (int i = 0; i < 1000; ++i) {
      item = get("/api/v1/queue/default/i/" + std::to_string(id));
      if (item.value("status", "") == status) return item;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "item " << id << " never became " << status << ": " << item.dump();
    return item;
  }
};

ivk::EmulatorOptions persisted(const std::filesystem::path& dir, int step_ms = 0) {
  ivk::EmulatorOptions o;
  o.data_dir = dir;
  o.persist = true;
  o.step_ms = step_ms;
  return o;
}

// noise -> denoise -> l2i (onto `board_id` when given), with core metadata.
Json graph(int steps, const std::string& board_id = {}) {
  Json g = Json::parse(R"({"id": "g1", "nodes": {
    "noise": {"id": "noise", "type": "noise", "seed": 7, "width": 64, "height": 64},
    "denoise": {"id": "denoise", "type": "denoise_latents"},
    "meta": {"id": "meta", "type": "core_metadata", "seed": 7, "positive_prompt": "a cat"},
    "out": {"id": "out", "type": "l2i", "is_intermediate": false}},
   "edges": [
    {"source": {"node_id": "noise", "field": "noise"}, "destination": {"node_id": "denoise", "field": "noise"}},
    {"source": {"node_id": "denoise", "field": "latents"}, "destination": {"node_id": "out", "field": "latents"}},
    {"source": {"node_id": "meta", "field": "metadata"}, "destination": {"node_id": "out", "field": "metadata"}}]})");
  g["nodes"]["denoise"]["steps"] = steps;
  if (!board_id.empty()) g["nodes"]["out"]["board"] = Json{{"board_id", board_id}};
  return g;
}

std::string enqueue_body(const Json& g, const Json& data = nullptr, int runs = 1,
                         const Json& batch_id = nullptr) {
  Json batch = Json::object();
  if (!batch_id.is_null()) batch["batch_id"] = batch_id;
  batch["graph"] = g;
  batch["runs"] = runs;
  batch["origin"] = "tests";
  batch["destination"] = "gallery";
  if (!data.is_null()) batch["data"] = data;
  return Json{{"prepend", false}, {"batch", batch}}.dump();
}

// [[{"node_path": node, "field_name": field, "items": [first, first+1, ...]}]] with n items.
Json counting_data(const std::string& node, const std::string& field, int first, int n) {
  Json items = Json::array();
  for (int i = 0; i < n; ++i) items.push_back(first + i);
  return Json::array({Json::array({Json{{"node_path", node}, {"field_name", field}, {"items", items}}})});
}

// The image an item's l2i node produced.
std::string image_of(const Json& item) {
  for (const auto& [id, result] : item["session"]["results"].items())
    if (result.value("type", "") == "image_output") return result["image"]["image_name"];
  return {};
}

TEST(EmulatorPersist, QueueImagesBoardsAndModelsSurviveARestart) {
  TempDir dir;
  std::vector<Json> items;
  std::vector<std::string> pngs;
  Json board, images_list, model;
  std::string board_id;
  const std::string model_key = "a1b2c3d4-0000-4000-8000-000000000003";
  {
    Server s(persisted(dir.path));
    ASSERT_TRUE(s.emulator);
    auto [created, b] = s.call("POST", "/api/v1/boards/?board_name=keep");
    ASSERT_EQ(created, 201) << b.dump();
    board_id = b["board_id"];
    const auto [status, result] =
        s.call("POST", "/api/v1/queue/default/enqueue_batch",
               enqueue_body(graph(2, board_id), counting_data("noise", "seed", 10, 3)));
    ASSERT_EQ(status, 200) << result.dump();
    EXPECT_EQ(result["item_ids"], Json::parse("[3,2,1]"));
    for (int id = 1; id <= 3; ++id) s.wait_status(id, "completed");
    // A canceled item too (the processor paused, so it is still pending when canceled).
    s.call("PUT", "/api/v1/queue/default/processor/pause");
    s.call("POST", "/api/v1/queue/default/enqueue_batch", enqueue_body(graph(1)));
    EXPECT_EQ(s.call("PUT", "/api/v1/queue/default/i/4/cancel").second["status"], "canceled");
    s.call("PUT", "/api/v1/queue/default/processor/resume");
    for (int id = 1; id <= 4; ++id) items.push_back(s.get("/api/v1/queue/default/i/" + std::to_string(id)));
    for (std::size_t id = 0; id < 3; ++id)
      pngs.push_back(s.bytes("/api/v1/images/i/" + image_of(items[id]) + "/full"));
    EXPECT_EQ(s.call("POST", "/api/v1/images/star", Json{{"image_names", {image_of(items[0])}}}.dump()).first,
              200);
    EXPECT_EQ(s.call("PATCH", "/api/v2/models/i/" + model_key, R"({"name":"renamed"})").first, 200);
    board = s.get("/api/v1/boards/" + board_id);
    images_list = s.get("/api/v1/images/?board_id=" + board_id);
    model = s.get("/api/v2/models/i/" + model_key);
  }
  EXPECT_TRUE(std::filesystem::exists(dir.path / "emulator.db"));
  Server s(persisted(dir.path));
  ASSERT_TRUE(s.emulator);
  for (std::size_t id = 1; id <= 4; ++id)
    EXPECT_EQ(s.get("/api/v1/queue/default/i/" + std::to_string(id)), items[id - 1]) << "item " << id;
  EXPECT_EQ(items[0]["field_values"][0]["value"], 10);
  EXPECT_EQ(items[3]["status"], "canceled");
  EXPECT_EQ(items[3]["field_values"], Json::array()) << "the server's [] for a batch without data";
  for (std::size_t id = 0; id < 3; ++id) {
    ASSERT_GT(pngs[id].size(), 100u);
    EXPECT_EQ(s.bytes("/api/v1/images/i/" + image_of(items[id]) + "/full"), pngs[id]) << "png " << id;
  }
  EXPECT_EQ(board["image_count"], 3);
  EXPECT_EQ(s.get("/api/v1/boards/" + board_id), board);
  EXPECT_EQ(s.get("/api/v1/images/?board_id=" + board_id), images_list);
  EXPECT_EQ(images_list["items"][0]["starred"], true);
  EXPECT_EQ(s.get("/api/v2/models/i/" + model_key)["name"], "renamed");
  EXPECT_EQ(s.get("/api/v2/models/i/" + model_key), model);
  const Json status = s.get("/api/v1/queue/default/status")["queue"];
  EXPECT_EQ(status["completed"], 3);
  EXPECT_EQ(status["canceled"], 1);
  EXPECT_EQ(status["total"], 4);

  // Ids continue after the highest ever given, even once the items are gone (the server's AUTOINCREMENT).
  EXPECT_EQ(s.call("PUT", "/api/v1/queue/default/clear").second["deleted"], 4);
  s.emulator.reset();
  Server again(persisted(dir.path));
  ASSERT_TRUE(again.emulator);
  EXPECT_EQ(again.get("/api/v1/queue/default/status")["queue"]["total"], 0);
  EXPECT_EQ(
      again.call("POST", "/api/v1/queue/default/enqueue_batch", enqueue_body(graph(1))).second["item_ids"],
      Json::parse("[5]"));
  again.wait_status(5, "completed");
}

TEST(EmulatorPersist, InProgressBecomesCanceledAndPendingItemsRunAfterRestart) {
  TempDir dir;
  Json running;
  {
    Server s(persisted(dir.path, 20));
    ASSERT_TRUE(s.emulator);
    // Item 1 would take 20 s; 2 and 3 are quick but wait behind it.
    const auto [status, result] = s.call("POST", "/api/v1/queue/default/enqueue_batch",
                                         enqueue_body(graph(1), Json::parse(R"([[{"node_path": "denoise",
                                           "field_name": "steps", "items": [1000, 2, 3]}]])")));
    ASSERT_EQ(status, 200) << result.dump();
    running = s.wait_status(1, "in_progress");
    EXPECT_EQ(s.get("/api/v1/queue/default/i/2")["status"], "pending");
  }  // stopped mid-run: item 1 is still in progress in the database
  Server s(persisted(dir.path, 0));
  ASSERT_TRUE(s.emulator);
  const Json first = s.get("/api/v1/queue/default/i/1");
  EXPECT_EQ(first["status"], "canceled");
  EXPECT_EQ(first["started_at"], running["started_at"]);
  EXPECT_TRUE(first.contains("completed_at"));
  EXPECT_FALSE(first.contains("error_type"));
  EXPECT_EQ(image_of(first), "") << "its image was never made";
  EXPECT_EQ(s.wait_status(2, "completed")["session"]["graph"]["nodes"]["denoise"]["steps"], 2);
  EXPECT_EQ(s.wait_status(3, "completed")["session"]["graph"]["nodes"]["denoise"]["steps"], 3);
  EXPECT_EQ(s.get("/api/v1/images/?limit=10")["total"], 2);
  EXPECT_EQ(s.call("POST", "/api/v1/queue/default/enqueue_batch", enqueue_body(graph(1))).second["item_ids"],
            Json::parse("[4]"));
  s.wait_status(4, "completed");
  const Json status = s.get("/api/v1/queue/default/status")["queue"];
  EXPECT_EQ(status["completed"], 3);
  EXPECT_EQ(status["canceled"], 1);
}

TEST(EmulatorPersist, FailedItemsKeepTheirErrors) {
  TempDir dir;
  Json failed;
  {
    auto o = persisted(dir.path);
    o.fail_node_type = "l2i";
    Server s(o);
    ASSERT_TRUE(s.emulator);
    s.call("POST", "/api/v1/queue/default/enqueue_batch", enqueue_body(graph(1)));
    failed = s.wait_status(1, "failed");
  }
  EXPECT_EQ(failed["error_type"], "RuntimeError");
  ASSERT_TRUE(failed["error_message"].is_string());
  EXPECT_EQ(failed["session"]["errors"].size(), 1u);
  Server s(persisted(dir.path));
  ASSERT_TRUE(s.emulator);
  EXPECT_EQ(s.get("/api/v1/queue/default/i/1"), failed);
}

TEST(EmulatorPersist, ASecondEmulatorOnTheSameDataDirectoryDoesNotStart) {
  TempDir dir;
  Server first(persisted(dir.path));
  ASSERT_TRUE(first.emulator);
  auto second = ivk::Emulator::start(persisted(dir.path));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ivk::ErrorCode::io);
  EXPECT_NE(second.error().describe().find("another emulator"), std::string::npos)
      << second.error().describe();
}

TEST(EmulatorPersist, PersistNeedsADataDirectory) {
  ivk::EmulatorOptions o;
  o.persist = true;
  auto started = ivk::Emulator::start(o);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ivk::ErrorCode::invalid_argument);
  o.persist = false;
  o.max_queue_size = 0;
  started = ivk::Emulator::start(o);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ivk::ErrorCode::invalid_argument);
}

TEST(EmulatorPersist, ALegacyModelsJsonIsReadWhenTheDatabaseHasNoCatalog) {
  TempDir dir;
  std::ofstream(dir.path / "models.json")
      << R"({"models": [{"key": "only-one", "name": "legacy", "base": "sd-1", "type": "main", "path": "x"}]})";
  Server s(persisted(dir.path));
  ASSERT_TRUE(s.emulator);
  const Json models = s.get("/api/v2/models/")["models"];
  ASSERT_EQ(models.size(), 1u);
  EXPECT_EQ(models[0]["name"], "legacy");
}

TEST(EmulatorQueueLimit, EnqueueKeepsTheFirstSessionsThatFitAndDropsTheRest) {
  ivk::EmulatorOptions o;
  o.max_queue_size = 20;
  Server s(o);
  ASSERT_TRUE(s.emulator);
  s.call("PUT", "/api/v1/queue/default/processor/pause");  // everything stays pending
  auto [status, result] = s.call("POST", "/api/v1/queue/default/enqueue_batch",
                                 enqueue_body(graph(1), counting_data("noise", "seed", 100, 30)));
  ASSERT_EQ(status, 200) << result.dump();
  EXPECT_EQ(result["requested"], 30);
  EXPECT_EQ(result["enqueued"], 20);
  Json expected_ids = Json::array();
  for (int id = 20; id >= 1; --id) expected_ids.push_back(id);
  EXPECT_EQ(result["item_ids"], expected_ids);
  EXPECT_EQ(s.get("/api/v1/queue/default/i/1")["field_values"][0]["value"], 100);
  EXPECT_EQ(s.get("/api/v1/queue/default/i/20")["field_values"][0]["value"], 119);
  EXPECT_EQ(s.get("/api/v1/queue/default/status")["queue"]["pending"], 20);

  // A full queue takes nothing.
  std::tie(status, result) =
      s.call("POST", "/api/v1/queue/default/enqueue_batch", enqueue_body(graph(1), nullptr, 5));
  EXPECT_EQ(status, 200);
  EXPECT_EQ(result["requested"], 5);
  EXPECT_EQ(result["enqueued"], 0);
  EXPECT_EQ(result["item_ids"], Json::array());

  // Only pending items count: 5 canceled ones make room for 5.
  for (int id = 1; id <= 5; ++id) s.call("PUT", "/api/v1/queue/default/i/" + std::to_string(id) + "/cancel");
  std::tie(status, result) =
      s.call("POST", "/api/v1/queue/default/enqueue_batch", enqueue_body(graph(1), nullptr, 8));
  EXPECT_EQ(result["requested"], 8);
  EXPECT_EQ(result["enqueued"], 5);
  EXPECT_EQ(result["item_ids"], Json::parse("[25,24,23,22,21]"));
  EXPECT_EQ(s.get("/api/v1/queue/default/status")["queue"]["total"], 25);
}

TEST(EmulatorRuntimeConfig, ReportsTheEmulatorsSettings) {
  ivk::EmulatorOptions o;
  o.max_queue_size = 20;
  Server s(o);
  ASSERT_TRUE(s.emulator);
  auto [status, body] = s.call("GET", "/api/v1/app/runtime_config");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(body["config"]["max_queue_size"], 20);
  EXPECT_EQ(body["config"]["port"], s.emulator->port());
  EXPECT_EQ(body["config"]["host"], "127.0.0.1");
  EXPECT_EQ(body["config"]["use_memory_db"], true);
  EXPECT_EQ(body["config"]["clear_queue_on_startup"], false);
  EXPECT_EQ(body["set_fields"], Json::parse(R"(["host","port","max_queue_size","use_memory_db"])"));

  TempDir dir;
  Server p(persisted(dir.path));
  ASSERT_TRUE(p.emulator);
  body = p.get("/api/v1/app/runtime_config");
  EXPECT_EQ(body["config"]["max_queue_size"], 10000);
  EXPECT_EQ(body["config"]["use_memory_db"], false);
  EXPECT_EQ(body["set_fields"], Json::parse(R"(["host","port"])"));
}

TEST(EmulatorBatchId, AClientChosenBatchIdIsKeptEverywhere) {
  TempDir dir;
  auto images = ivk::emu::ImageStore::create(dir.path);
  ASSERT_TRUE(images);
  std::mutex mu;
  std::vector<std::pair<std::string, Json>> events;
  auto queue = ivk::emu::SessionQueue::create(ivk::EmulatorOptions{}, **images,
                                              [&](const std::string& name, const std::string& payload) {
                                                std::lock_guard lock(mu);
                                                events.emplace_back(name, Json::parse(payload));
                                              });
  ASSERT_TRUE(queue);
  ivk::emu::Router router;
  ivk::emu::add_queue_routes(router, **queue);
  auto call = [&router](const std::string& method, const std::string& path, std::string body = {}) {
    auto match = router.match(method, path);
    EXPECT_NE(match.handler, nullptr) << path;
    ivk::emu::Request req;
    req.method = method;
    req.path = path;
    req.params = match.params;
    req.body = std::move(body);
    const auto response = (*match.handler)(req);
    return std::make_pair(response.status, Json::parse(response.body, nullptr, false));
  };
  auto [status, result] =
      call("POST", "/api/v1/queue/default/enqueue_batch", enqueue_body(graph(1), nullptr, 2, "my-batch-1"));
  ASSERT_EQ(status, 200) << result.dump();
  EXPECT_EQ(result["batch"]["batch_id"], "my-batch-1");
  EXPECT_EQ(result["item_ids"], Json::parse("[2,1]"));
  for (int i = 0; i < 1000; ++i) {
    if (call("GET", "/api/v1/queue/default/b/my-batch-1/status").second["completed"] == 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const Json batch = call("GET", "/api/v1/queue/default/b/my-batch-1/status").second;
  EXPECT_EQ(batch["batch_id"], "my-batch-1");
  EXPECT_EQ(batch["completed"], 2);
  EXPECT_EQ(call("GET", "/api/v1/queue/default/i/1").second["batch_id"], "my-batch-1");
  EXPECT_EQ(call("GET", "/api/v1/queue/default/i/2").second["batch_id"], "my-batch-1");
  // The server lists every item of the batch id, so reusing it shows the earlier items too.
  std::tie(status, result) =
      call("POST", "/api/v1/queue/default/enqueue_batch", enqueue_body(graph(1), nullptr, 1, "my-batch-1"));
  EXPECT_EQ(result["enqueued"], 1);
  EXPECT_EQ(result["item_ids"], Json::parse("[3,2,1]"));
  queue->reset();  // joins the worker: every event is out

  int enqueued = 0, status_changed = 0;
  for (const auto& [name, payload] : events) {
    if (name == "batch_enqueued") {
      ++enqueued;
      EXPECT_EQ(payload["batch_id"], "my-batch-1");
    }
    if (name == "queue_item_status_changed") {
      ++status_changed;
      EXPECT_EQ(payload["batch_id"], "my-batch-1");
      EXPECT_EQ(payload["batch_status"]["batch_id"], "my-batch-1");
    }
    if (name.rfind("invocation_", 0) == 0) {
      EXPECT_EQ(payload["batch_id"], "my-batch-1") << name;
    }
  }
  EXPECT_EQ(enqueued, 2);
  EXPECT_GE(status_changed, 4) << "in_progress and completed of items 1 and 2";
}

}  // namespace
