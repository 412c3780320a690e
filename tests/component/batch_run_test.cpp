// BatchRun (the runner) end to end against the in-process emulator, with and without live events:
// a sweep whose every image is downloaded and checked, a failing node, a cancel, a timeout, and a
// socket dropped mid-run with no lost or duplicated results.
#include "ivk/client/batch_run.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ivk/api/images_api.h"
#include "ivk/api/queue_api.h"
#include "ivk/client/image_download.h"
#include "ivk/client/output_mapping.h"
#include "ivk/client/run_manifest.h"
#include "ivk/emulator.h"
#include "ivk/events/event_stream.h"
#include "ivk/files.h"
#include "ivk/transport/server_session.h"
#include "ivk/workflow/batch.h"
#include "ivk/workflow/png_metadata.h"
#include "ivk/workflow/workflow.h"
#include "support/emulator_session.h"
#include "support/fixtures.h"
#include "support/tcp_proxy.h"

namespace {

using namespace std::chrono_literals;
using ivk::BatchRun;
using ivk::RunEvent;

std::filesystem::path fresh_dir(const std::string& tag) {
  static std::atomic<int> counter{0};
  auto dir =
      std::filesystem::temp_directory_path() /
      ("ivk-run-" + tag + "-" + std::to_string(std::random_device{}()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  return dir;
}

// The PNG's width and height from its IHDR chunk.
std::pair<std::uint32_t, std::uint32_t> png_size(const std::string& bytes) {
  auto be32 = [&](std::size_t at) {
    return (std::uint32_t(std::uint8_t(bytes[at])) << 24) |
           (std::uint32_t(std::uint8_t(bytes[at + 1])) << 16) |
           (std::uint32_t(std::uint8_t(bytes[at + 2])) << 8) | std::uint32_t(std::uint8_t(bytes[at + 3]));
  };
  if (bytes.size() < 24 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return {0, 0};
  return {be32(16), be32(20)};
}

class BatchRunTest : public ::testing::Test {
 protected:
  void start(int step_ms = 0, std::string fail_node_type = {}) {
    ivk::EmulatorOptions options;
    options.step_ms = step_ms;
    options.fail_node_type = std::move(fail_node_type);
    auto started = ivk::test::start_emulator_session(std::move(options));
    ASSERT_TRUE(started.session);
    emulator_ = std::move(started.emulator);
    session_ = std::move(started.session);
    queue_ = std::make_unique<ivk::QueueApi>(*session_);
    images_ = std::make_unique<ivk::ImagesApi>(*session_);
  }

  void connect_events() {
    auto stream = ivk::EventStream::connect(session_->url());
    ASSERT_TRUE(stream) << stream.error().describe();
    events_ = std::move(*stream);
  }

  // The example SDXL workflow, 256x192, with the seed swept over `seeds` values.
  std::string sweep_body(int seeds, int runs = 1) {
    auto wf =
        ivk::Workflow::load_file(ivk::test::source_dir() / "examples/workflows/sdxl-text-to-image.json");
    EXPECT_TRUE(wf) << wf.error().describe();
    EXPECT_TRUE(wf->set_from_text("Width", "256"));
    EXPECT_TRUE(wf->set_from_text("Height", "192"));
    ivk::BatchOptions options;
    options.runs = runs;
    ivk::SweepDatum seed{"Seed", {}};
    for (int i = 0; i < seeds; ++i) seed.items.push_back(std::to_string(100 + i));
    options.sweeps.push_back({{seed}});
    auto body = ivk::build_enqueue_body(*wf, options);
    EXPECT_TRUE(body) << body.error().describe();
    return body ? *body : std::string();
  }

  void TearDown() override {
    events_.reset();
    emulator_.reset();
    for (const auto& dir : dirs_) {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  }

  std::filesystem::path temp(const std::string& tag) { return dirs_.emplace_back(fresh_dir(tag)); }

  std::unique_ptr<ivk::Emulator> emulator_;
  std::unique_ptr<ivk::ServerSession> session_;
  std::unique_ptr<ivk::QueueApi> queue_;
  std::unique_ptr<ivk::ImagesApi> images_;
  std::unique_ptr<ivk::EventStream> events_;
  std::vector<std::filesystem::path> dirs_;
};

// A sweep followed with events: every item once, every image downloaded and a real PNG of the size
// the graph asked for, with the seed of its item in its metadata.
void run_sweep_and_check(BatchRunTest* self, ivk::QueueApi& queue, ivk::ImagesApi& images,
                         ivk::EventStream* events, const std::string& body, const std::filesystem::path& out,
                         std::size_t expected_items, std::size_t distinct_seeds) {
  auto run = BatchRun::submit(queue, events, body);
  ASSERT_TRUE(run) << run.error().describe();
  EXPECT_EQ((*run)->enqueued().item_ids.size(), expected_items);
  std::map<std::int64_t, int> finished_count;
  std::map<std::int64_t, std::vector<std::string>> images_of;
  std::map<std::int64_t, std::string> seed_of;
  std::size_t node_events = 0;
  ivk::ImageDownloader downloader(images, out, 4);
  auto summary = (*run)->wait([&](const RunEvent& e, const ivk::RunProgress& p) {
    EXPECT_EQ(p.total, expected_items);
    if (e.kind == RunEvent::Kind::node_started || e.kind == RunEvent::Kind::node_completed) ++node_events;
    if (e.kind != RunEvent::Kind::item_finished) return;
    ASSERT_NE(e.item, nullptr);
    ++finished_count[e.item_id];
    EXPECT_EQ(e.item->status, "completed");
    auto mapped = ivk::map_item_images(e.item->session_json);
    ASSERT_TRUE(mapped) << mapped.error().describe();
    images_of[e.item_id] = mapped->collect;
    for (const auto& name : mapped->collect) downloader.add(name, e.item_id);
    auto values = ivk::parse_field_values(e.item->field_values_json);
    ASSERT_TRUE(values);
    ASSERT_EQ(values->size(), 1u);
    seed_of[e.item_id] = (*values)[0].value_json;
  });
  ASSERT_TRUE(summary) << summary.error().describe();
  EXPECT_EQ(summary->completed, expected_items);
  EXPECT_EQ(summary->failed, 0u);
  ASSERT_EQ(summary->items.size(), expected_items);
  for (std::size_t i = 1; i < summary->items.size(); ++i)
    EXPECT_LT(summary->items[i - 1].item_id, summary->items[i].item_id);
  EXPECT_EQ(finished_count.size(), expected_items);
  for (const auto& [id, n] : finished_count)
    EXPECT_EQ(n, 1) << "item " << id << " reported " << n << " times";
  if (events != nullptr) {
    EXPECT_GT(node_events, 0u);
  }

  auto downloads = downloader.wait();
  ASSERT_EQ(downloads.size(), expected_items);  // one output image per item
  std::set<std::string> seeds;
  for (const auto& d : downloads) {
    ASSERT_FALSE(d.error) << d.error->describe();
    EXPECT_FALSE(d.skipped);
    EXPECT_EQ(d.path.parent_path(), out);
    auto bytes = ivk::read_file(d.path);
    ASSERT_TRUE(bytes);
    EXPECT_EQ(d.bytes, bytes->size());
    EXPECT_EQ(png_size(*bytes), std::make_pair(256u, 192u)) << d.path;
    EXPECT_EQ(images_of[d.tag], std::vector<std::string>{d.image_name});
    auto meta = ivk::read_png_metadata(d.path);
    ASSERT_TRUE(meta) << meta.error().describe();
    EXPECT_EQ(meta->width, 256u);
    ASSERT_TRUE(meta->invokeai_graph.has_value());
    // The executed graph embedded in the PNG carries this item's swept seed.
    EXPECT_NE(meta->invokeai_graph->find("\"seed\":" + seed_of[d.tag]), std::string::npos) << seed_of[d.tag];
    seeds.insert(seed_of[d.tag]);
  }
  // Every distinct seed of the sweep produced an image (runs repeat the same seeds).
  EXPECT_EQ(seeds.size(), distinct_seeds);
  (void)self;
}

TEST_F(BatchRunTest, SweepWithEventsDownloadsEveryImageOnce) {
  start();
  connect_events();
  run_sweep_and_check(this, *queue_, *images_, events_.get(), sweep_body(12), temp("events"), 12, 12);
}

TEST_F(BatchRunTest, SweepByPollingAloneGivesTheSameResult) {
  start();
  run_sweep_and_check(this, *queue_, *images_, nullptr, sweep_body(6, 2), temp("polling"), 12, 6);
}

TEST_F(BatchRunTest, SecondDownloadIntoTheSameFolderSkipsExistingFiles) {
  start();
  auto run = BatchRun::submit(*queue_, nullptr, sweep_body(2));
  ASSERT_TRUE(run);
  auto summary = (*run)->wait();
  ASSERT_TRUE(summary) << summary.error().describe();
  std::vector<std::string> names;
  for (const auto& item : summary->items) {
    auto mapped = ivk::map_item_images(item.session_json);
    ASSERT_TRUE(mapped);
    names.insert(names.end(), mapped->collect.begin(), mapped->collect.end());
  }
  ASSERT_EQ(names.size(), 2u);
  const auto out = temp("skip");
  auto first = ivk::download_images(*images_, names, out);
  auto second = ivk::download_images(*images_, names, out);
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(second.size(), 2u);
  for (const auto& d : first) EXPECT_FALSE(d.skipped);
  for (const auto& d : second) EXPECT_TRUE(d.skipped);
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(out)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 2u);  // no temporary files left behind
}

TEST_F(BatchRunTest, FailingNodeReportsTheServersErrorAndDoesNotHang) {
  start(0, "l2i");
  connect_events();
  auto run = BatchRun::submit(*queue_, events_.get(), sweep_body(2));
  ASSERT_TRUE(run);
  auto summary = (*run)->wait();
  ASSERT_TRUE(summary) << summary.error().describe();
  EXPECT_EQ(summary->failed, 2u);
  EXPECT_EQ(summary->completed, 0u);
  for (const auto& item : summary->items) {
    EXPECT_EQ(item.status, "failed");
    ASSERT_TRUE(item.error_type.has_value());
    EXPECT_FALSE(item.error_type->empty());
    ASSERT_TRUE(item.error_message.has_value());
    EXPECT_NE(item.error_message->find("l2i"), std::string::npos) << *item.error_message;
  }
}

TEST_F(BatchRunTest, CancelRequestedMidRunCancelsTheRestOfTheBatch) {
  start(40);  // 40 ms per denoising step: items take a while
  connect_events();
  ivk::RunOptions options;
  std::atomic<bool> cancel{false};
  options.cancel_requested = [&] { return cancel.load(); };
  auto run = BatchRun::submit(*queue_, events_.get(), sweep_body(5), options);
  ASSERT_TRUE(run);
  auto summary = (*run)->wait([&](const RunEvent& e, const ivk::RunProgress&) {
    if (e.kind == RunEvent::Kind::node_progress) cancel = true;
  });
  ASSERT_TRUE(summary) << summary.error().describe();
  EXPECT_TRUE(summary->cancel_sent);
  EXPECT_EQ(summary->items.size(), 5u);
  EXPECT_GE(summary->canceled, 4u);  // the running one may still have finished
  EXPECT_EQ(summary->completed + summary->canceled, 5u);
}

TEST_F(BatchRunTest, TimeoutSaysHowFarTheBatchGot) {
  start(200);
  ivk::RunOptions options;
  options.timeout = 300ms;
  auto run = BatchRun::submit(*queue_, nullptr, sweep_body(3), options);
  ASSERT_TRUE(run);
  auto summary = (*run)->wait();
  ASSERT_FALSE(summary);
  EXPECT_EQ(summary.error().code, ivk::ErrorCode::timeout);
  EXPECT_NE(summary.error().message.find("0 of 3 items finished"), std::string::npos)
      << summary.error().message;
  ASSERT_TRUE((*run)->cancel());  // leave the emulator idle
}

// The event socket goes through a proxy that cuts it twice mid-run. Reconciliation polls are set
// far apart, so the results must come from the reconnected socket and the poll made right after it
// reconnects: every item exactly once, none lost.
TEST_F(BatchRunTest, DroppedSocketMidRunLosesAndDuplicatesNothing) {
  start(10);
  ivk::test::TcpProxy proxy(emulator_->port());
  auto url = ivk::ServerUrl::parse("http://127.0.0.1:" + std::to_string(proxy.port()));
  ASSERT_TRUE(url);
  ivk::EventStreamOptions stream_options;
  stream_options.transport = ivk::EventTransport::websocket;
  stream_options.reconnect_delay_min = 20ms;
  stream_options.reconnect_delay_max = 100ms;
  auto stream = ivk::EventStream::connect(*url, stream_options);
  ASSERT_TRUE(stream) << stream.error().describe();
  events_ = std::move(*stream);

  ivk::RunOptions options;
  options.poll_with_events = 60s;
  options.poll_without_events = 60s;
  auto run = BatchRun::submit(*queue_, events_.get(), sweep_body(6), options);
  ASSERT_TRUE(run);
  std::map<std::int64_t, int> finished;
  int lost = 0;
  int restored = 0;
  auto summary = (*run)->wait([&](const RunEvent& e, const ivk::RunProgress&) {
    if (e.kind == RunEvent::Kind::stream_lost) ++lost;
    if (e.kind == RunEvent::Kind::stream_restored) ++restored;
    if (e.kind != RunEvent::Kind::item_finished) return;
    ++finished[e.item_id];
    if (finished.size() == 2 || finished.size() == 4) proxy.cut_all();
  });
  ASSERT_TRUE(summary) << summary.error().describe();
  EXPECT_EQ(summary->completed, 6u);
  ASSERT_EQ(finished.size(), 6u);
  for (const auto& [id, n] : finished) EXPECT_EQ(n, 1) << "item " << id;
  EXPECT_GE(lost, 1);
  EXPECT_GE(restored, 1);
  EXPECT_GE(events_->reconnect_count(), 1u);
  EXPECT_GE(proxy.accepted(), 2);
  for (const auto& item : summary->items) {
    auto mapped = ivk::map_item_images(item.session_json);
    ASSERT_TRUE(mapped);
    EXPECT_EQ(mapped->collect.size(), 1u);
  }
}

// One socket, several jobs: two batches followed at once from two threads, each sees only its items.
TEST_F(BatchRunTest, TwoBatchesFollowedAtOnceOnOneSocket) {
  start(5);
  connect_events();
  auto first = BatchRun::submit(*queue_, events_.get(), sweep_body(3));
  auto second = BatchRun::submit(*queue_, events_.get(), sweep_body(4));
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  ivk::Result<ivk::RunSummary> a = ivk::fail(ivk::ErrorCode::internal, "not run");
  ivk::Result<ivk::RunSummary> b = ivk::fail(ivk::ErrorCode::internal, "not run");
  std::set<std::int64_t> a_seen;
  std::set<std::int64_t> b_seen;
  std::thread ta([&] {
    a = (*first)->wait([&](const RunEvent& e, const ivk::RunProgress&) {
      if (e.kind == RunEvent::Kind::node_started) a_seen.insert(e.item_id);
    });
  });
  std::thread tb([&] {
    b = (*second)->wait([&](const RunEvent& e, const ivk::RunProgress&) {
      if (e.kind == RunEvent::Kind::node_started) b_seen.insert(e.item_id);
    });
  });
  ta.join();
  tb.join();
  ASSERT_TRUE(a) << a.error().describe();
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(a->completed, 3u);
  EXPECT_EQ(b->completed, 4u);
  for (const auto& item : a->items) EXPECT_EQ(item.batch_id, (*first)->enqueued().batch_id);
  for (const auto& item : b->items) EXPECT_EQ(item.batch_id, (*second)->enqueued().batch_id);
  // Node events reached each job for its own items only.
  const auto& a_ids = (*first)->enqueued().item_ids;
  const auto& b_ids = (*second)->enqueued().item_ids;
  EXPECT_FALSE(a_seen.empty());
  EXPECT_FALSE(b_seen.empty());
  for (auto id : a_seen) EXPECT_NE(std::find(a_ids.begin(), a_ids.end(), id), a_ids.end()) << id;
  for (auto id : b_seen) EXPECT_NE(std::find(b_ids.begin(), b_ids.end(), id), b_ids.end()) << id;
}

TEST_F(BatchRunTest, BadBatchIsRefusedWithTheServersDetail) {
  start();
  auto run = BatchRun::submit(
      *queue_, nullptr, R"({"prepend":false,"batch":{"graph":{"id":"g","nodes":{},"edges":[]},"runs":0}})");
  ASSERT_FALSE(run);
  EXPECT_EQ(run.error().http_status, 422);
}

}  // namespace
