// RunPlan on inputs files of 100,000 rows: make() (read, validate and index every row) and
// item() (seek + parse one row), for CSV and JSONL. The files are written to a temporary folder.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "ivk/client/run_plan.h"
#include "ivk/workflow/workflow.h"

namespace {

constexpr int kRows = 100000;

const ivk::Workflow& sdxl() {
  static const ivk::Workflow kWorkflow =
      *ivk::Workflow::load_file(std::string(IVK_SHARED_DIR) + "/fixtures/workflows/sdxl-text-to-image.json");
  return kWorkflow;
}

// A file of kRows rows setting a prompt, the steps and the CFG scale, written once per format.
std::filesystem::path bench_file(const std::string& extension) {
  return std::filesystem::temp_directory_path() / ("ivk-run-plan-bench" + extension);
}

std::filesystem::path inputs_file(const std::string& extension) {
  auto path = bench_file(extension);
  std::ofstream out(path, std::ios::binary);
  if (extension == ".csv") out << "positive prompt,steps,cfg_scale\n";
  for (int i = 0; i < kRows; ++i) {
    const std::string prompt = "a lighthouse at dusk, number " + std::to_string(i);
    if (extension == ".csv")
      out << '"' << prompt << "\"," << (10 + i % 40) << ',' << (i % 10) << ".5\n";
    else
      out << R"({"positive prompt": ")" << prompt << R"(", "steps": )" << (10 + i % 40)
          << R"(, "cfg_scale": )" << (i % 10) << ".5}\n";
  }
  return path;
}

ivk::PlanSpec spec_for(const std::string& extension) {
  static const auto kCsv = inputs_file(".csv");
  static const auto kJsonl = inputs_file(".jsonl");
  ivk::PlanSpec spec;
  spec.inputs_file = extension == ".csv" ? kCsv : kJsonl;
  spec.sweeps.push_back({{{"width", {"512", "768", "1024"}}}});
  return spec;
}

void make_plan(benchmark::State& state, const std::string& extension) {
  const ivk::PlanSpec spec = spec_for(extension);
  for (auto _ : state) {
    auto plan = ivk::RunPlan::make(sdxl(), spec);
    if (!plan) state.SkipWithError(plan.error().describe().c_str());
    benchmark::DoNotOptimize(plan);
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}

void read_items(benchmark::State& state, const std::string& extension) {
  const auto plan = ivk::RunPlan::make(sdxl(), spec_for(extension));
  if (!plan) {
    state.SkipWithError(plan.error().describe().c_str());
    return;
  }
  std::uint64_t index = 0;
  for (auto _ : state) {
    auto item = plan->item(index);
    benchmark::DoNotOptimize(item);
    index = (index + 7919) % plan->size();  // a prime stride: rows all over the file
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_MakeCsv(benchmark::State& state) { make_plan(state, ".csv"); }
void BM_MakeJsonl(benchmark::State& state) { make_plan(state, ".jsonl"); }
void BM_ItemCsv(benchmark::State& state) { read_items(state, ".csv"); }
void BM_ItemJsonl(benchmark::State& state) { read_items(state, ".jsonl"); }
BENCHMARK(BM_MakeCsv)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MakeJsonl)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ItemCsv);
BENCHMARK(BM_ItemJsonl);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::filesystem::remove(bench_file(".csv"));
  std::filesystem::remove(bench_file(".jsonl"));
  return 0;
}
