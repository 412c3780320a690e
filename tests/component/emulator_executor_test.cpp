// The emulator's ItemExecutor driven synchronously: a fake queue host holding one item and recording
// the events, a fake image store, and an injected sleep, so the event sequence, the item's end state
// and the stored image are checked exactly, without the worker thread, sockets or real delays.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ivk/workflow/png_metadata.h"
#include "queue/item_executor.h"

namespace {

using ivk::emu::ExecutionHost;
using ivk::emu::ExecutorOptions;
using ivk::emu::ItemExecutor;
using ivk::emu::ItemStart;
using ivk::emu::QueueEvents;
using ivk::emu::QueueItem;
using Json = ivk::emu::Json;
using Outcome = ItemExecutor::Outcome;

// One in-progress item, as the queue holds it while its worker runs it.
class FakeHost final : public ExecutionHost {
 public:
  explicit FakeHost(Json graph) {
    item.item_id = 42;
    item.status = "in_progress";
    item.session_id = "session-1";
    item.batch_id = "batch-1";
    item.session = ivk::emu::fresh_session(item.session_id, std::move(graph));
    item.workflow = Json{{"name", "wf"}};
  }

  std::optional<ItemStart> start_item(std::int64_t item_id) override {
    if (item_id != item.item_id) return std::nullopt;
    return ItemStart{item.session["graph"], item.workflow,
                     Json{{"item_id", item.item_id}, {"batch_id", item.batch_id}}, item.session_id};
  }
  bool running(std::int64_t item_id) override {
    return item_id == item.item_id && item.status == "in_progress";
  }
  bool update_item(std::int64_t item_id,
                   const std::function<void(QueueItem&, QueueEvents&)>& change) override {
    if (item_id != item.item_id || item.status != "in_progress") return false;
    QueueEvents collected;
    change(item, collected);
    emit(std::move(collected));
    return true;
  }
  void set_status_locked(QueueItem& changed, const std::string& status, QueueEvents& out) override {
    changed.status = status;
    out.emplace_back("queue_item_status_changed", Json{{"item_id", changed.item_id}, {"status", status}});
  }
  void persist_session_locked(const QueueItem&) override { ++session_writes; }
  void emit(QueueEvents batch) const override {
    for (auto& e : batch) events.push_back(std::move(e));
  }

  // "name source_id" per event, or just the name for queue events.
  [[nodiscard]] std::vector<std::string> trace() const {
    std::vector<std::string> out;
    for (const auto& [name, payload] : events)
      out.push_back(payload.contains("invocation_source_id")
                        ? name + " " + payload["invocation_source_id"].get<std::string>()
                        : name + " " + payload["status"].get<std::string>());
    return out;
  }

  QueueItem item;
  mutable QueueEvents events;
  int session_writes = 0;
};

// Keeps the images it is given; can refuse boards or fail every store.
class FakeImages final : public ivk::emu::ImageStore {
 public:
  ivk::Result<std::string> add_image(ivk::emu::NewImage image) override {
    if (fail_all) return ivk::fail(ivk::ErrorCode::io, "disk full");
    if (image.board_id) return ivk::fail(ivk::ErrorCode::not_found, "no such board");
    images.push_back(std::move(image));
    return "image-" + std::to_string(images.size()) + ".png";
  }
  [[nodiscard]] std::optional<std::string> image_dto_json(const std::string&) const override {
    return std::nullopt;
  }

  std::vector<ivk::emu::NewImage> images;
  bool fail_all = false;
};

// prompt, noise -> denoise -> out: a string, a 64x48 noise, three steps, an image.
Json small_graph() {
  return Json::parse(R"({"id": "g1", "nodes": {
    "prompt": {"id": "prompt", "type": "string", "value": "a cat"},
    "noise": {"id": "noise", "type": "noise", "seed": 7, "width": 64, "height": 48},
    "denoise": {"id": "denoise", "type": "denoise_latents", "steps": 3, "prompt": "a cat"},
    "out": {"id": "out", "type": "l2i", "is_intermediate": false, "board": {"board_id": "gone"}}},
   "edges": [
    {"source": {"node_id": "noise", "field": "noise"},
     "destination": {"node_id": "denoise", "field": "noise"}},
    {"source": {"node_id": "denoise", "field": "latents"},
     "destination": {"node_id": "out", "field": "latents"}}]})");
}

// The prepared id the session maps a source node to (one preparation per node here).
std::string prepared_id(const QueueItem& item, const std::string& source) {
  const Json& mapping = item.session.at("source_prepared_mapping");
  if (!mapping.contains(source) || mapping.at(source).size() != 1) return {};
  return mapping.at(source).at(0).get<std::string>();
}

TEST(EmulatorExecutor, SmallGraphEmitsEveryNodeAndCompletes) {
  FakeHost host(small_graph());
  FakeImages images;
  std::vector<std::chrono::milliseconds> sleeps;
  ExecutorOptions options;
  options.step_ms = 25;
  options.sleep = [&sleeps](std::chrono::milliseconds ms) { sleeps.push_back(ms); };

  EXPECT_EQ(ItemExecutor(host, images, options, 42).run(), Outcome::completed);

  EXPECT_EQ(host.trace(),
            (std::vector<std::string>{
                "invocation_started prompt", "invocation_complete prompt", "invocation_started noise",
                "invocation_complete noise", "invocation_started denoise", "invocation_progress denoise",
                "invocation_progress denoise", "invocation_progress denoise", "invocation_complete denoise",
                "invocation_started out", "invocation_complete out", "queue_item_status_changed completed"}));
  EXPECT_EQ(sleeps, std::vector<std::chrono::milliseconds>(3, std::chrono::milliseconds(25)));
  const std::vector<double> expected_percentages = {1.0 / 3.0, 2.0 / 3.0, 1.0};
  std::vector<double> percentages;
  for (const auto& [name, payload] : host.events) {
    if (name == "queue_item_status_changed") continue;
    EXPECT_EQ(payload["item_id"], 42);
    EXPECT_EQ(payload["batch_id"], "batch-1");
    EXPECT_EQ(payload["session_id"], "session-1");
    EXPECT_TRUE(payload["timestamp"].is_number_integer());
    // The invocation is the prepared node: its id is the prepared id, its type the source's.
    const std::string source = payload["invocation_source_id"];
    EXPECT_EQ(payload["invocation"]["id"], prepared_id(host.item, source)) << name << " " << source;
    EXPECT_EQ(payload["invocation"]["type"], host.item.session["graph"]["nodes"][source]["type"]);
    if (name == "invocation_progress") {
      EXPECT_EQ(payload["message"], "Denoising");
      EXPECT_TRUE(payload["image"].is_null());
      percentages.push_back(payload["percentage"].get<double>());
    }
  }
  ASSERT_EQ(percentages.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_DOUBLE_EQ(percentages[i], expected_percentages[i]);

  EXPECT_EQ(host.item.status, "completed");
  EXPECT_TRUE(host.item.error_type.is_null());
  EXPECT_EQ(host.session_writes, 4) << "once per node";
  const Json& session = host.item.session;
  EXPECT_EQ(session["executed"].size(), 4u);
  EXPECT_EQ(session["executed"][2], prepared_id(host.item, "denoise"));
  // The edge into "out", rewritten between prepared ids.
  const std::string out_id = prepared_id(host.item, "out");
  EXPECT_EQ(session["execution_graph"]["nodes"][out_id]["latents"],
            session["results"][prepared_id(host.item, "denoise")]["latents"]);
  EXPECT_EQ(session["results"][out_id],
            Json::parse(R"({"image": {"image_name": "image-1.png"}, "width": 64, "height": 48,
                            "type": "image_output"})"));

  // The unknown board was dropped and the image stored again, uncategorized.
  ASSERT_EQ(images.images.size(), 1u);
  const ivk::emu::NewImage& image = images.images[0];
  EXPECT_EQ(image.node_id, out_id);
  EXPECT_EQ(image.session_id, "session-1");
  EXPECT_FALSE(image.board_id);
  EXPECT_FALSE(image.is_intermediate);
  EXPECT_EQ(image.width, 64);
  EXPECT_EQ(image.height, 48);
  EXPECT_EQ(image.workflow_json, R"({"name":"wf"})");
  auto png = ivk::read_png_metadata_bytes(image.png);
  ASSERT_TRUE(png) << png.error().describe();
  EXPECT_EQ(png->width, 64u);
  EXPECT_EQ(png->height, 48u);
  ASSERT_TRUE(png->invokeai_graph);
  EXPECT_EQ(Json::parse(*png->invokeai_graph)["nodes"]["prompt"]["value"], "a cat");
}

TEST(EmulatorExecutor, CancelBetweenStepsStopsWhereItIs) {
  FakeHost host(small_graph());
  FakeImages images;
  int sleeps = 0;
  ExecutorOptions options;
  options.step_ms = 10;
  // The queue's cancel route changes the item while the step waits.
  options.sleep = [&](std::chrono::milliseconds) {
    if (++sleeps == 2) host.item.status = "canceled";
  };

  EXPECT_EQ(ItemExecutor(host, images, options, 42).run(), Outcome::stopped);

  EXPECT_EQ(host.trace(),
            (std::vector<std::string>{"invocation_started prompt", "invocation_complete prompt",
                                      "invocation_started noise", "invocation_complete noise",
                                      "invocation_started denoise", "invocation_progress denoise"}));
  EXPECT_DOUBLE_EQ(host.events.back().second["percentage"].get<double>(), 1.0 / 3.0);
  EXPECT_EQ(sleeps, 2);
  EXPECT_EQ(host.item.status, "canceled");
  EXPECT_EQ(host.item.session["executed"].size(), 2u);
  EXPECT_FALSE(host.item.session["source_prepared_mapping"].contains("denoise"));
  EXPECT_TRUE(images.images.empty());
}

TEST(EmulatorExecutor, InjectedNodeFailureFailsTheItem) {
  FakeHost host(small_graph());
  FakeImages images;
  ExecutorOptions options;
  options.fail_node_type = "denoise_latents";

  EXPECT_EQ(ItemExecutor(host, images, options, 42).run(), Outcome::failed);

  EXPECT_EQ(host.trace(),
            (std::vector<std::string>{"invocation_started prompt", "invocation_complete prompt",
                                      "invocation_started noise", "invocation_complete noise",
                                      "invocation_started denoise", "queue_item_status_changed failed",
                                      "invocation_error denoise"}));
  const std::string message = "Emulated failure of node denoise (type denoise_latents)";
  const std::string traceback =
      "Traceback (most recent call last):\n  File \"ivk-emulator\", in denoise\nRuntimeError: " + message +
      "\n";
  EXPECT_EQ(host.item.status, "failed");
  EXPECT_EQ(host.item.error_type, "RuntimeError");
  EXPECT_EQ(host.item.error_message, message);
  EXPECT_EQ(host.item.error_traceback, traceback);
  const Json& error = host.events.back().second;
  EXPECT_EQ(error["error_type"], "RuntimeError");
  EXPECT_EQ(error["error_message"], message);
  EXPECT_EQ(error["error_traceback"], traceback);
  // The failed node's prepared id keys the session's error; it never ran, so only its event names it.
  const std::string denoise_id = error["invocation"]["id"];
  const Json expected_errors = {{denoise_id, message}};
  EXPECT_EQ(host.item.session["errors"], expected_errors);
  EXPECT_EQ(host.item.session["executed"].size(), 2u);
  EXPECT_EQ(host.session_writes, 3) << "two nodes, then the error";
  EXPECT_TRUE(images.images.empty());
}

TEST(EmulatorExecutor, ImageStoreFailureFailsTheImageNode) {
  FakeHost host(small_graph());
  FakeImages images;
  images.fail_all = true;

  EXPECT_EQ(ItemExecutor(host, images, ExecutorOptions{}, 42).run(), Outcome::failed);

  ASSERT_GE(host.events.size(), 2u);
  EXPECT_EQ(host.trace().back(), "invocation_error out");
  EXPECT_EQ(host.item.status, "failed");
  EXPECT_EQ(host.item.error_type, "RuntimeError");
  EXPECT_EQ(host.item.error_message, "disk full");
  EXPECT_EQ(host.item.session["executed"].size(), 3u);
}

TEST(EmulatorExecutor, GoneOrAlreadyCanceledItemRunsNothing) {
  FakeHost host(small_graph());
  FakeImages images;
  EXPECT_EQ(ItemExecutor(host, images, ExecutorOptions{}, 7).run(), Outcome::stopped);
  host.item.status = "canceled";
  EXPECT_EQ(ItemExecutor(host, images, ExecutorOptions{}, 42).run(), Outcome::stopped);
  EXPECT_TRUE(host.events.empty());
  EXPECT_EQ(host.item.status, "canceled");
  EXPECT_EQ(host.session_writes, 0);
}

}  // namespace
