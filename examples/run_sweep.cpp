// Runs a workflow durably as a sweep of four seeds and saves each item's images in OUT_DIR, as `ivk run`
// does: stopped at any moment and started again with the same arguments, it goes on from the journal
// OUT_DIR/run.sqlite, and each seed's image ends up in OUT_DIR exactly once.
//
//   run_sweep WORKFLOW.json OUT_DIR [URL]   (without a URL: $INVOKEAI_URL, the config file, or
//                                            http://127.0.0.1:9090)
//
// The inputs it sets, "Prompt" and "Seed", are those of examples/workflows/sdxl-text-to-image.json.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <utility>

#include "ivk/client/run.h"
#include "ivk/ivk.h"

namespace {

int print_error(const ivk::Error& e) {
  std::fprintf(stderr, "error: %s\n", e.describe().c_str());
  return 1;
}

unsigned long long ull(std::uint64_t value) { return static_cast<unsigned long long>(value); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: run_sweep WORKFLOW.json OUT_DIR [URL]\n");
    return 2;
  }
  auto options = ivk::ClientOptions::from_environment();
  if (argc > 3) options.url = argv[3];
  auto client = ivk::Client::connect(options);
  if (!client) return print_error(client.error());

  auto wf = ivk::Workflow::load_file(argv[1]);
  if (!wf) return print_error(wf.error());
  if (auto ok = wf->set_from_text("Prompt", "a red fox"); !ok) return print_error(ok.error());

  // The plan: one item per seed (values are compact JSON, checked against the input by Run::open).
  ivk::SweepDatum seeds;
  seeds.input = "Seed";
  seeds.items = {"1", "2", "3", "4"};
  ivk::RunSpec spec;
  spec.out_dir = argv[2];
  spec.workflow_name = std::filesystem::path(argv[1]).filename().string();
  spec.plan.sweeps.push_back(ivk::SweepGroup{{seeds}});

  auto run = ivk::Run::open(**client, *wf, std::move(spec));
  if (!run) return print_error(run.error());
  // The observer sees every notice with the run's counts, for a progress display; this one needs none.
  auto report = (*run)->execute([](const ivk::RunNotice&, const ivk::RunCounts&) {});
  if (!report) return print_error(report.error());

  const ivk::RunCounts& c = report->counts;
  std::printf(
      "%s%llu items: %llu completed, %llu failed, %llu canceled; %llu images saved, %llu downloaded now\n",
      report->resumed ? "resumed: " : "", ull(c.total), ull(c.done), ull(c.failed), ull(c.canceled),
      ull(c.images_saved), ull(c.downloaded));
  return c.done == c.total && c.images_failed == 0 ? 0 : 1;
}
