// The prep path a script runs before every submission, on real GUI exports:
// load (parse + index + form walk + typing), set 10 values, build the graph, build the body.
// Reference (invokeai-py-client on this kind of machine, sdxl-text-to-image.json):
// load 142 µs, list 174 µs, set 17 µs, build 478 µs: about 0.8 ms in all.
#include <benchmark/benchmark.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "ivk/workflow/batch.h"
#include "ivk/workflow/graph.h"
#include "ivk/workflow/node_templates.h"
#include "ivk/workflow/workflow.h"

namespace {

std::string read(const std::string& rel) {
  std::ifstream in(std::string(IVK_SHARED_DIR) + "/" + rel, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string& sdxl_text() {
  static const std::string text = read("fixtures/workflows/sdxl-text-to-image.json");
  return text;
}

const std::shared_ptr<const ivk::NodeTemplates>& templates() {
  static const auto t = std::make_shared<const ivk::NodeTemplates>(
      *ivk::NodeTemplates::from_openapi_file(std::string(IVK_SHARED_DIR) + "/invokeai/openapi-v6.8.json"));
  return t;
}

// Ten values on sdxl-text-to-image.json's inputs, by index, label and node.field.
const std::vector<std::pair<std::string, std::string>> kTenValues{
    {"1", "a lighthouse at dusk"},
    {"2", "blurry"},
    {"3", "1024"},
    {"4", "768"},
    {"5", "28"},
    {"6", "6.5"},
    {"7", "euler"},
    {"noise:f4Bv4UWa22.width", "832"},
    {"positive prompt", "a lighthouse in a storm"},
    {"8", "none"}};

void BM_Load(benchmark::State& state) {
  for (auto _ : state) {
    auto wf = ivk::Workflow::load_string(sdxl_text(), "sdxl");
    benchmark::DoNotOptimize(wf);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * sdxl_text().size()));
}
BENCHMARK(BM_Load);

void BM_LoadLargest(benchmark::State& state) {
  static const std::string text = read("fixtures/workflows/default-multidiffusion-sdxl.json");
  for (auto _ : state) {
    auto wf = ivk::Workflow::load_string(text, "multidiffusion");
    benchmark::DoNotOptimize(wf);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_LoadLargest);

void BM_ListInputs(benchmark::State& state) {
  const auto wf = *ivk::Workflow::load_string(sdxl_text());
  for (auto _ : state) {
    std::size_t n = 0;
    for (const auto& in : wf.list_inputs())
      n += in.title.size() + (in.value_json ? in.value_json->size() : 0);
    benchmark::DoNotOptimize(n);
  }
}
BENCHMARK(BM_ListInputs);

void BM_ApplyTemplates(benchmark::State& state) {
  auto wf = *ivk::Workflow::load_string(sdxl_text());
  (void)templates();
  for (auto _ : state) {
    wf.apply_templates(templates());
    benchmark::DoNotOptimize(wf.inputs().data());
  }
}
BENCHMARK(BM_ApplyTemplates);

void BM_SetTenValues(benchmark::State& state) {
  auto wf = *ivk::Workflow::load_string(sdxl_text());
  for (auto _ : state) {
    auto s = wf.set_many(kTenValues);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_SetTenValues);

void BM_BuildGraph(benchmark::State& state) {
  auto wf = *ivk::Workflow::load_string(sdxl_text());
  (void)wf.set_many(kTenValues);
  for (auto _ : state) {
    auto g = ivk::build_graph(wf);
    benchmark::DoNotOptimize(g);
  }
}
BENCHMARK(BM_BuildGraph);

void BM_BuildEnqueueBody(benchmark::State& state) {
  auto wf = *ivk::Workflow::load_string(sdxl_text());
  (void)wf.set_many(kTenValues);
  for (auto _ : state) {
    auto b = ivk::build_enqueue_body(wf);
    benchmark::DoNotOptimize(b);
  }
}
BENCHMARK(BM_BuildEnqueueBody);

// Everything a submission needs, from bytes to the body the server receives.
void BM_WholePrepPath(benchmark::State& state) {
  for (auto _ : state) {
    auto wf = ivk::Workflow::load_string(sdxl_text(), "sdxl");
    auto s = wf->set_many(kTenValues);
    auto b = ivk::build_enqueue_body(*wf);
    benchmark::DoNotOptimize(s);
    benchmark::DoNotOptimize(b);
  }
}
BENCHMARK(BM_WholePrepPath);

// The same, typed by the server's node templates (parsed once, shared).
void BM_WholePrepPathWithTemplates(benchmark::State& state) {
  (void)templates();
  for (auto _ : state) {
    auto wf = ivk::Workflow::load_string(sdxl_text(), "sdxl");
    wf->apply_templates(templates());
    auto s = wf->set_many(kTenValues);
    auto b = ivk::build_enqueue_body(*wf);
    benchmark::DoNotOptimize(s);
    benchmark::DoNotOptimize(b);
  }
}
BENCHMARK(BM_WholePrepPathWithTemplates);

void BM_ParseOpenApiTemplates(benchmark::State& state) {
  static const std::string text = read("invokeai/openapi-v6.8.json");
  for (auto _ : state) {
    auto t = ivk::NodeTemplates::from_openapi(text);
    benchmark::DoNotOptimize(t);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseOpenApiTemplates)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
