// ivk models show KEY: one model record from the server.
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

struct ShowOptions {
  ServerOptions server;
  std::string key;
  bool json = false;
};

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

void print_record(const ModelRecord& r) {
  std::string phrases;
  for (const auto& p : r.trigger_phrases) phrases += (phrases.empty() ? "" : ", ") + p;
  Table table({"FIELD", "VALUE"});
  table.add_row({"key", r.key});
  table.add_row({"name", r.name});
  table.add_row({"base", r.base});
  table.add_row({"type", r.type});
  table.add_row({"format", or_dash(r.format)});
  table.add_row({"variant", or_dash(r.variant)});
  table.add_row({"hash", r.hash});
  table.add_row({"size", r.file_size
                             ? format_bytes(r.file_size) + " (" + std::to_string(*r.file_size) + " bytes)"
                             : std::string("-")});
  table.add_row({"path", or_dash(r.path)});
  table.add_row({"source", or_dash(r.source) + (r.source_type.empty() ? "" : " (" + r.source_type + ")")});
  table.add_row({"description", truncate_for_display(or_dash(r.description), 100)});
  table.add_row({"trigger phrases", or_dash(phrases)});
  table.add_row({"default settings", r.default_settings_json.value_or("-")});
  table.print(std::cout, false);
}

int run_show(const ShowOptions& opts) {
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  ModelsApi api(**session);
  auto record = api.get(opts.key);
  if (!record) return report_error(record.error());
  if (opts.json)
    print_line(pretty_json(record->raw_json));
  else
    print_record(*record);
  return kExitOk;
}

}  // namespace

void add_models_show_command(CLI::App& models, Runner& run) {
  auto opts = std::make_shared<ShowOptions>();
  auto* sub = models.add_subcommand("show", "Show one model of the server by key");
  sub->add_option("key", opts->key, "The model's key (ivk models list shows it)")
      ->required()
      ->type_name("KEY");
  add_server_options(sub, opts->server);
  sub->add_flag("--json", opts->json, "Print the record as the server sent it");
  sub->footer(
      "Exit 0; 3 when the server has no model with this key; 6 other server errors; 7 no answer.\n\n"
      "Examples:\n"
      "  ivk models show 914b2e5a-b8d3-4da1-965f-b3775bbc5745 --server localhost:9090");
  sub->callback([&run, opts] { run = [opts] { return run_show(*opts); }; });
}

}  // namespace ivk::cli
