// What the run journal (run.sqlite, synchronous WAL commits) costs per plan item: the life of a
// chunk of items as the run engine journals it — materialised and put in a batch (one commit), the
// enqueue answer (one commit), then per item its completion with one image (one commit) and the
// saved image (one commit, as downloads are drained). Real files in the temporary folder, so the
// figure includes the fsyncs; `items_per_second` is per plan item.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "client/run_journal.h"

namespace {

using ivk::detail::JournalImage;
using ivk::detail::RunJournal;

std::filesystem::path fresh_dir() {
  auto dir = std::filesystem::temp_directory_path() /
             ("ivk-journal-bench-" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir);
  return dir;
}

void fail(benchmark::State& state, const ivk::Error& e) { state.SkipWithError(e.describe().c_str()); }

void journal_item_lifecycle(benchmark::State& state) {
  const auto chunk = static_cast<std::uint64_t>(state.range(0));
  const auto dir = fresh_dir();
  {
    auto journal = RunJournal::open(dir);
    if (!journal) return fail(state, journal.error());
    RunJournal& j = **journal;
    std::uint64_t next = 0;
    std::int64_t next_item_id = 1;
    int batch_number = 0;
    for (auto _ : state) {
      std::vector<std::pair<std::uint64_t, std::string>> fresh;
      std::vector<std::uint64_t> indices;
      for (std::uint64_t i = 0; i < chunk; ++i, ++next) {
        fresh.emplace_back(next, "[" + std::to_string(1000 + next) + ",\"a lighthouse at dusk\"]");
        indices.push_back(next);
      }
      const std::string batch_id = "bench-batch-" + std::to_string(batch_number++);
      if (auto ok = j.begin(); !ok) return fail(state, ok.error());
      if (auto ok = j.add_items(fresh); !ok) return fail(state, ok.error());
      if (auto ok = j.add_batch(batch_id, indices); !ok) return fail(state, ok.error());
      if (auto ok = j.commit(); !ok) return fail(state, ok.error());

      std::vector<std::int64_t> ids;
      for (std::uint64_t i = 0; i < chunk; ++i) ids.push_back(next_item_id++);
      if (auto ok = j.accept_batch(batch_id, ids); !ok) return fail(state, ok.error());

      for (std::uint64_t i = 0; i < chunk; ++i) {
        const std::uint64_t index = indices[i];
        JournalImage image;
        image.index = index;
        image.item_id = ids[i];
        image.image_name = "image-" + std::to_string(ids[i]) + ".png";
        image.file_name = image.image_name;
        image.state = "pending";
        if (auto ok = j.begin(); !ok) return fail(state, ok.error());
        if (auto ok = j.set_item_status(index, ids[i], "completed"); !ok) return fail(state, ok.error());
        if (auto ok = j.add_images({image}); !ok) return fail(state, ok.error());
        if (auto ok = j.commit(); !ok) return fail(state, ok.error());

        if (auto ok = j.begin(); !ok) return fail(state, ok.error());
        if (auto ok = j.image_saved(image.file_name, 4321, std::string(64, 'a')); !ok)
          return fail(state, ok.error());
        if (auto ok = j.item_done(index); !ok) return fail(state, ok.error());
        if (auto ok = j.commit(); !ok) return fail(state, ok.error());
      }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * chunk));
    std::error_code ec;
    state.counters["journal_bytes_per_item"] = benchmark::Counter(
        static_cast<double>(std::filesystem::file_size(j.path(), ec)) / static_cast<double>(next));
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(journal_item_lifecycle)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();

// Reading the journal back as run.json does (every item with its images), per item.
void journal_read_back(benchmark::State& state) {
  const auto items = static_cast<std::uint64_t>(state.range(0));
  const auto dir = fresh_dir();
  {
    auto journal = RunJournal::open(dir);
    if (!journal) return fail(state, journal.error());
    RunJournal& j = **journal;
    std::vector<std::pair<std::uint64_t, std::string>> fresh;
    for (std::uint64_t i = 0; i < items; ++i) fresh.emplace_back(i, "[" + std::to_string(i) + "]");
    (void)j.begin();
    (void)j.add_items(fresh);
    (void)j.commit();
    for (auto _ : state) {
      std::uint64_t seen = 0;
      auto ok = j.for_each_item([&](const auto&, const auto&) { ++seen; });
      if (!ok) return fail(state, ok.error());
      benchmark::DoNotOptimize(seen);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * items));
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(journal_read_back)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
