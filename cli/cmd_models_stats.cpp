// ivk models stats [--empty-cache]: the server's model cache statistics.
#include <iostream>
#include <memory>
#include <string>

#include "common.h"
#include "exit_codes.h"
#include "install_view.h"
#include "ivk/api/models_api.h"
#include "ivk/json_text.h"
#include "models_commands.h"
#include "server_options.h"
#include "table.h"

namespace ivk::cli {
namespace {

struct StatsOptions {
  ServerOptions server;
  bool empty_cache = false;
  bool json = false;
};

int run_stats(const StatsOptions& opts) {
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  ModelsApi api(**session);
  if (opts.empty_cache)
    if (auto s = api.empty_cache(); !s) return report_error(s.error());
  auto stats = api.stats();
  if (!stats) return report_error(stats.error());
  if (opts.json) {
    print_line(*stats ? pretty_json((*stats)->raw_json) : std::string("null"));
    return kExitOk;
  }
  if (!*stats) {
    std::cout << "no cache statistics yet (the server has not loaded a model)\n";
    return kExitOk;
  }
  const CacheStats& s = **stats;
  Table table({"STAT", "VALUE"});
  table.align_right(1);
  table.add_row({"hits", std::to_string(s.hits)});
  table.add_row({"misses", std::to_string(s.misses)});
  table.add_row({"in cache", std::to_string(s.in_cache)});
  table.add_row({"cleared", std::to_string(s.cleared)});
  table.add_row({"cache size", format_bytes(s.cache_size)});
  table.add_row({"high watermark", format_bytes(s.high_watermark)});
  for (const auto& [key, bytes] : s.loaded_model_sizes) table.add_row({"loaded " + key, format_bytes(bytes)});
  table.print(std::cout, false);
  return kExitOk;
}

}  // namespace

void add_models_stats_command(CLI::App& models, Runner& run) {
  auto opts = std::make_shared<StatsOptions>();
  auto* sub = models.add_subcommand("stats", "Show the server's model cache statistics");
  add_server_options(sub, opts->server);
  sub->add_flag("--empty-cache", opts->empty_cache, "Empty the model cache first (InvokeAI 5.7+)");
  sub->add_flag("--json", opts->json, "Print the statistics as the server sent them (null when none)");
  sub->callback([&run, opts] { run = [opts] { return run_stats(*opts); }; });
}

}  // namespace ivk::cli
