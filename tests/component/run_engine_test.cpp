// ivk::Run end to end against the in-process emulator: flow control under a small queue limit, a lost
// enqueue answer, an interrupted run resumed, a cleared queue, and the same-run checks. Every test
// checks that each plan item's image is on disk exactly once and that the server ran no item twice.
#include "ivk/client/run.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/json_read.h"
#include "ivk/api/queue_api.h"
#include "ivk/client.h"
#include "ivk/client/run_manifest.h"
#include "ivk/emulator.h"
#include "ivk/workflow/workflow.h"
#include "support/fixtures.h"
#include "support/tcp_proxy.h"

namespace {

using namespace std::chrono_literals;

std::filesystem::path fresh_dir(const std::string& tag) {
  static std::atomic<int> counter{0};
  auto dir =
      std::filesystem::temp_directory_path() /
      ("ivk-durable-" + tag + "-" + std::to_string(std::random_device{}()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  return dir;
}

ivk::Workflow small_workflow() {
  auto wf = ivk::Workflow::load_file(ivk::test::source_dir() / "examples/workflows/sdxl-text-to-image.json");
  EXPECT_TRUE(wf) << (wf ? "" : wf.error().describe());
  EXPECT_TRUE(wf->set_many({{"Width", "64"}, {"Height", "64"}}));
  return std::move(*wf);
}

// A plan of `n` seeds: 100, 101, ...
ivk::PlanSpec seeds(int n, int first = 100) {
  ivk::SweepDatum datum;
  datum.input = "Seed";
  for (int i = 0; i < n; ++i) datum.items.push_back(std::to_string(first + i));
  ivk::PlanSpec plan;
  plan.sweeps.push_back(ivk::SweepGroup{{datum}});
  return plan;
}

struct Server {
  std::unique_ptr<ivk::Emulator> emulator;
  std::unique_ptr<ivk::test::TcpProxy> proxy;  // when the test needs faults between client and server
  std::unique_ptr<ivk::Client> client;
};

Server start(ivk::EmulatorOptions options, bool with_proxy = false) {
  Server s;
  auto emulator = ivk::Emulator::start(std::move(options));
  EXPECT_TRUE(emulator) << (emulator ? "" : emulator.error().describe());
  s.emulator = std::move(*emulator);
  std::string url = s.emulator->url();
  if (with_proxy) {
    s.proxy = std::make_unique<ivk::test::TcpProxy>(s.emulator->port());
    url = "http://127.0.0.1:" + std::to_string(s.proxy->port());
  }
  ivk::ClientOptions client_options;
  client_options.url = url;
  auto client = ivk::Client::connect(client_options);
  EXPECT_TRUE(client) << (client ? "" : client.error().describe());
  s.client = std::move(*client);
  return s;
}

ivk::RunSpec spec_for(const std::filesystem::path& out, ivk::PlanSpec plan) {
  ivk::RunSpec spec;
  spec.out_dir = out;
  spec.workflow_name = "sdxl-text-to-image.json";
  spec.plan = std::move(plan);
  spec.timeout = 60s;
  spec.poll_without_events = 50ms;
  return spec;
}

struct Manifest {
  std::map<std::uint64_t, std::string> status;               // plan index -> status
  std::map<std::uint64_t, std::vector<std::string>> images;  // plan index -> files
  std::map<std::uint64_t, std::string> seed;                 // plan index -> the Seed input's JSON
};

Manifest read_manifest(const std::filesystem::path& out) {
  Manifest m;
  simdjson::dom::parser parser;
  const std::string text = ivk::test::read_file(out / "run.json");
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(text).get(root), simdjson::SUCCESS) << text.substr(0, 200);
  for (simdjson::dom::element item : root["items"].get_array()) {
    std::int64_t raw_index = -1;
    std::string_view status;
    EXPECT_EQ(item["index"].get_int64().get(raw_index), simdjson::SUCCESS);
    EXPECT_EQ(item["status"].get_string().get(status), simdjson::SUCCESS);
    const auto index = static_cast<std::uint64_t>(raw_index);
    m.status[index] = std::string(status);
    m.images[index];
    for (simdjson::dom::element f : item["images"].get_array()) {
      std::string_view file;
      if (f.get_string().get(file) == simdjson::SUCCESS) m.images[index].emplace_back(file);
    }
    simdjson::dom::element seed;
    if (item["inputs"]["Seed"].get(seed) == simdjson::SUCCESS) m.seed[index] = simdjson::minify(seed);
  }
  return m;
}

// Every plan index 0..n-1 completed with one PNG on disk, no file shared, the right seed each.
void expect_every_item_once(const std::filesystem::path& out, int n, int first_seed = 100) {
  const Manifest m = read_manifest(out);
  ASSERT_EQ(m.status.size(), static_cast<std::size_t>(n));
  std::set<std::string> files;
  for (int i = 0; i < n; ++i) {
    const auto index = static_cast<std::uint64_t>(i);
    SCOPED_TRACE("plan index " + std::to_string(i));
    EXPECT_EQ(m.status.at(index), "completed");
    ASSERT_EQ(m.images.count(index), 1u);
    ASSERT_EQ(m.images.at(index).size(), 1u);
    const std::string& file = m.images.at(index).front();
    EXPECT_TRUE(files.insert(file).second) << file << " listed twice";
    const std::string bytes = ivk::test::read_file(out / file);
    EXPECT_EQ(bytes.compare(0, 8, "\x89PNG\r\n\x1a\n"), 0) << file;
    EXPECT_EQ(m.seed.at(index), std::to_string(first_seed + i));
  }
  std::size_t pngs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(out))
    if (entry.path().extension() == ".png") ++pngs;
  EXPECT_EQ(pngs, static_cast<std::size_t>(n));
}

// How many server items carry each seed value (a seed run twice by the server shows up as 2).
std::map<std::string, int> server_seed_counts(ivk::QueueApi& queue, bool completed_only) {
  std::map<std::string, int> out;
  auto ids = queue.item_ids("ASC");
  EXPECT_TRUE(ids);
  for (std::size_t i = 0; i < ids->size(); i += 100) {
    std::span<const std::int64_t> page(ids->data() + i, std::min<std::size_t>(100, ids->size() - i));
    auto items = queue.items_by_ids(page);
    EXPECT_TRUE(items);
    for (const auto& item : *items) {
      if (completed_only && item.status != "completed") continue;
      auto values = ivk::parse_field_values(item.field_values_json);
      for (const auto& v : *values)
        if (v.field_name == "seed") ++out[v.value_json];
    }
  }
  return out;
}

TEST(RunEngine, FlowControlKeepsTheWindowUnderASmallQueueLimit) {
  ivk::EmulatorOptions options;
  options.max_queue_size = 20;
  options.step_ms = 1;
  Server s = start(options);
  const auto out = fresh_dir("flow");
  auto spec = spec_for(out, seeds(120));
  std::size_t most_on_server = 0;
  std::atomic<bool> stop{false};
  // Another client of the server watching the queue: this run never holds more than its window.
  std::thread watcher([&] {
    while (!stop) {
      if (auto st = s.client->queue().status()) {
        most_on_server = std::max<std::size_t>(
            most_on_server, static_cast<std::size_t>(st->counts.pending + st->counts.in_progress));
      }
      std::this_thread::sleep_for(5ms);
    }
  });
  auto run = ivk::Run::open(*s.client, small_workflow(), spec);
  ASSERT_TRUE(run) << run.error().describe();
  EXPECT_EQ((*run)->plan_size(), 120u);
  auto report = (*run)->execute();
  stop = true;
  watcher.join();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->counts.done, 120u);
  EXPECT_EQ(report->counts.failed, 0u);
  EXPECT_EQ(report->counts.images_saved, 120u);
  EXPECT_LE(most_on_server, 5u);  // automatic window: a quarter of max_queue_size 20
  expect_every_item_once(out, 120);
  auto counts = server_seed_counts(s.client->queue(), false);
  EXPECT_EQ(counts.size(), 120u);
  for (const auto& [seed, n] : counts) EXPECT_EQ(n, 1) << "seed " << seed << " ran " << n << " times";
  std::filesystem::remove_all(out);
}

// Disabled: with the in-process proxy the run stalls after the dropped answer (0 of 30 finish); under
// investigation. The same fault through ivk-fault-proxy and the CLI completes.
TEST(RunEngine, ALostEnqueueAnswerIsAdoptedNotSentAgain) {
  ivk::EmulatorOptions options;
  options.step_ms = 1;
  Server s = start(options, /*with_proxy=*/true);
  s.proxy->drop_response("POST", "/enqueue_batch", 1);
  const auto out = fresh_dir("lost");
  auto spec = spec_for(out, seeds(30));
  spec.chunk = 10;
  spec.use_events = false;
  std::vector<ivk::RunNotice::Kind> kinds;
  auto run = ivk::Run::open(*s.client, small_workflow(), spec);
  ASSERT_TRUE(run) << run.error().describe();
  auto report =
      (*run)->execute([&](const ivk::RunNotice& n, const ivk::RunCounts&) { kinds.push_back(n.kind); });
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), ivk::RunNotice::Kind::batch_adopted), 1);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), ivk::RunNotice::Kind::batch_absent), 0);
  expect_every_item_once(out, 30);
  auto counts = server_seed_counts(s.client->queue(), false);
  EXPECT_EQ(counts.size(), 30u);
  for (const auto& [seed, n] : counts) EXPECT_EQ(n, 1) << "seed " << seed;
  std::filesystem::remove_all(out);
}

TEST(RunEngine, AnInterruptedRunResumesWithoutRepeatingWhatCompleted) {
  ivk::EmulatorOptions options;
  options.step_ms = 2;
  Server s = start(options);
  const auto out = fresh_dir("resume");
  {
    auto spec = spec_for(out, seeds(40));
    spec.window = 8;
    std::atomic<int> finished{0};
    spec.cancel_requested = [&] { return finished.load() >= 10; };
    auto run = ivk::Run::open(*s.client, small_workflow(), spec);
    ASSERT_TRUE(run) << run.error().describe();
    auto report = (*run)->execute([&](const ivk::RunNotice& n, const ivk::RunCounts&) {
      if (n.kind == ivk::RunNotice::Kind::item_finished) ++finished;
    });
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().code, ivk::ErrorCode::cancelled);
  }
  const auto completed_before = server_seed_counts(s.client->queue(), true);
  EXPECT_GE(completed_before.size(), 10u);
  EXPECT_LT(completed_before.size(), 40u);
  {
    auto run = ivk::Run::open(*s.client, small_workflow(), spec_for(out, seeds(40)));
    ASSERT_TRUE(run) << run.error().describe();
    EXPECT_TRUE((*run)->resumed());
    auto report = (*run)->execute();
    ASSERT_TRUE(report) << report.error().describe();
    EXPECT_EQ(report->counts.done, 40u);
  }
  expect_every_item_once(out, 40);
  // Nothing that had completed ran again.
  for (const auto& [seed, n] : server_seed_counts(s.client->queue(), true))
    EXPECT_EQ(n, 1) << "seed " << seed;
  std::filesystem::remove_all(out);
}

TEST(RunEngine, ItemsOfAClearedQueueAreEnqueuedAgain) {
  ivk::EmulatorOptions options;
  options.step_ms = 20;
  Server s = start(options);
  const auto out = fresh_dir("cleared");
  auto spec = spec_for(out, seeds(12));
  spec.window = 12;
  spec.retries = 1;
  bool cleared = false;
  std::uint64_t requeued = 0;
  auto run = ivk::Run::open(*s.client, small_workflow(), spec);
  ASSERT_TRUE(run) << run.error().describe();
  auto report = (*run)->execute([&](const ivk::RunNotice& n, const ivk::RunCounts&) {
    if (n.kind == ivk::RunNotice::Kind::item_finished && !cleared) {
      cleared = true;
      ASSERT_TRUE(s.client->queue().clear());  // someone clears the queue mid-run
    }
    if (n.kind == ivk::RunNotice::Kind::item_requeued) ++requeued;
  });
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_GT(requeued, 0u);
  EXPECT_EQ(report->counts.requeued, requeued);
  expect_every_item_once(out, 12);
  std::filesystem::remove_all(out);
}

TEST(RunEngine, AFolderHoldingAnotherRunIsRefusedAndALockedOneToo) {
  ivk::EmulatorOptions options;
  Server s = start(options);
  const auto out = fresh_dir("same");
  auto run = ivk::Run::open(*s.client, small_workflow(), spec_for(out, seeds(2)));
  ASSERT_TRUE(run) << run.error().describe();
  // While it is open, a second run on the folder is refused.
  auto second = ivk::Run::open(*s.client, small_workflow(), spec_for(out, seeds(2)));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ivk::ErrorCode::io);
  ASSERT_TRUE((*run)->execute());
  run->reset();

  auto other_plan = ivk::Run::open(*s.client, small_workflow(), spec_for(out, seeds(3)));
  ASSERT_FALSE(other_plan);
  EXPECT_EQ(other_plan.error().code, ivk::ErrorCode::invalid_argument);
  EXPECT_NE(other_plan.error().message.find("another plan"), std::string::npos) << other_plan.error().message;
  EXPECT_NE(other_plan.error().message.find("--new"), std::string::npos);

  auto wf = small_workflow();
  ASSERT_TRUE(wf.set_many({{"Width", "128"}}));
  auto other_workflow = ivk::Run::open(*s.client, wf, spec_for(out, seeds(2)));
  ASSERT_FALSE(other_workflow);
  EXPECT_NE(other_workflow.error().message.find("another workflow"), std::string::npos);

  // --new: the old journal and run.json move aside, the images stay, and a new run starts.
  ASSERT_TRUE(ivk::Run::start_over(out));
  EXPECT_TRUE(std::filesystem::exists(out / "run-1.sqlite"));
  EXPECT_TRUE(std::filesystem::exists(out / "run-1.json"));
  auto fresh = ivk::Run::open(*s.client, small_workflow(), spec_for(out, seeds(3)));
  ASSERT_TRUE(fresh) << fresh.error().describe();
  EXPECT_FALSE((*fresh)->resumed());
  std::filesystem::remove_all(out);
}

}  // namespace
