// ivk models delete KEY... [--yes]: delete models from the server, one by one, reporting each.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "common.h"
#include "exit_codes.h"
#include "ivk/api/models_api.h"
#include "ivk/json_text.h"
#include "models_commands.h"
#include "server_options.h"

namespace ivk::cli {
namespace {

struct DeleteOptions {
  ServerOptions server;
  std::vector<std::string> keys;
  bool yes = false;
  bool json = false;
};

// Asks on the terminal; only called when stdin is one.
bool confirmed(const std::vector<std::string>& keys, const std::string& server) {
  std::cerr << "Delete " << keys.size() << " model(s) from " << server << "?\n";
  for (const auto& k : keys) std::cerr << "  " << k << '\n';
  std::cerr << "The files are removed too. Type y to delete: " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes";
}

std::string report_json(const DeleteReport& report) {
  JsonBuilder out;
  out.begin_object().key("deleted").begin_array();
  for (const auto& k : report.deleted) out.string(k);
  out.end_array().key("failed").begin_array();
  for (const auto& f : report.failed) {
    out.begin_object().key("key").string(f.key).key("error").string(f.error.describe());
    out.key("code").string(to_string(f.error.code)).key("http_status").integer(f.error.http_status);
    out.end_object();
  }
  out.end_array().end_object();
  return pretty_json(out.str());
}

int run_delete(const DeleteOptions& opts) {
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  if (!opts.yes) {
    if (::isatty(STDIN_FILENO) != 1)
      return usage_error("refusing to delete without --yes (stdin is not a terminal to ask on)");
    if (!confirmed(opts.keys, (*session)->url().to_string())) {
      std::cerr << "ivk: nothing deleted\n";
      return kExitFailure;
    }
  }
  ModelsApi api(**session);
  const DeleteReport report = api.delete_models(opts.keys);
  if (opts.json) {
    print_line(report_json(report));
  } else {
    for (const auto& k : report.deleted) std::cout << "deleted " << k << '\n';
  }
  std::cout.flush();
  for (const auto& f : report.failed)
    std::cerr << "ivk: error: " << f.key << ": " << f.error.describe() << '\n';
  return report.ok() ? kExitOk : exit_code_for(report.failed.front().error.code);
}

}  // namespace

void add_models_delete_command(CLI::App& models, Runner& run) {
  auto opts = std::make_shared<DeleteOptions>();
  auto* sub = models.add_subcommand("delete", "Delete models (records and files) from the server");
  sub->add_option("keys", opts->keys, "Keys of the models to delete (ivk models list shows them)")
      ->required()
      ->type_name("KEY...");
  add_server_options(sub, opts->server);
  sub->add_flag("-y,--yes", opts->yes, "Delete without asking");
  sub->add_flag("--json", opts->json,
                R"(Print {"deleted": [KEY], "failed": [{"key", "error", "code", "http_status"}]})");
  sub->footer(
      "Without --yes, ivk asks on the terminal (another answer than y: exit 1), and refuses\n"
      "(exit 2) when stdin is not one.\n"
      "Each key is deleted on its own; a failure does not stop the others. Exit 0 when all were\n"
      "deleted, else the code of the first failure (3 unknown key, 6 server error, 7 no answer).\n\n"
      "Examples:\n"
      "  ivk models delete 914b2e5a-b8d3-4da1-965f-b3775bbc5745 --yes");
  sub->callback([&run, opts] { run = [opts] { return run_delete(*opts); }; });
}

}  // namespace ivk::cli
