// ivk models ...: the models a server has (from the server, or from a saved GET /api/v2/models/
// body) and syncing a workflow's model references to them. The other server-facing members live
// in cmd_models_*.cpp (models_commands.h).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "common.h"
#include "exit_codes.h"
#include "install_view.h"
#include "ivk/api/models_api.h"
#include "ivk/json_text.h"
#include "ivk/models/model_record.h"
#include "ivk/models/model_sync.h"
#include "ivk/workflow/workflow.h"
#include "models_commands.h"
#include "server_options.h"
#include "table.h"

namespace ivk::cli {
namespace {

constexpr std::size_t kNameWidth = 44;
constexpr std::size_t kSlotWidth = 40;
constexpr std::size_t kNewWidth = 72;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// --- ivk models list ---------------------------------------------------------------------

struct ListOptions {
  ServerOptions server;
  std::string models;
  std::string base;
  std::string type;
  std::string name;
  std::string format;
  bool json = false;
};

// From the server, base, type and format are filtered there (exact, as in the file case); the
// name filter (a case-insensitive substring) is applied here in both cases.
Result<ModelCatalog> listed_models(const ListOptions& opts) {
  if (!opts.models.empty()) return load_model_catalog(opts.models);
  auto session = open_session(opts.server);
  if (!session) return tl::unexpected(session.error());
  ModelFilter filter;
  if (!opts.base.empty()) filter.bases.push_back(opts.base);
  if (!opts.type.empty()) filter.type = opts.type;
  if (!opts.format.empty()) filter.format = opts.format;
  auto records = ModelsApi(**session).list(filter);
  if (!records) return tl::unexpected(records.error());
  return ModelCatalog(std::move(*records));
}

int run_list(const ListOptions& opts) {
  if (models_source_conflict(opts.models, opts.server))
    return usage_error("--models and --server exclude each other: read a saved list or ask a server");
  auto catalog = listed_models(opts);
  if (!catalog) return report_error(catalog.error());
  const std::string needle = lower(opts.name);
  std::vector<const ModelRecord*> shown;
  for (const auto* r : catalog->filter(opts.base, opts.type))
    if ((needle.empty() || lower(r->name).find(needle) != std::string::npos) &&
        (opts.format.empty() || r->format == opts.format))
      shown.push_back(r);
  if (opts.json) {
    JsonBuilder out;
    out.begin_array();
    for (const auto* r : shown) out.raw(r->raw_json);
    out.end_array();
    print_line(pretty_json(out.str()));
    return kExitOk;
  }
  if (shown.empty()) {
    std::cout << "no models match\n";
    return kExitOk;
  }
  Table table({"NAME", "BASE", "TYPE", "FORMAT", "SIZE", "KEY"});
  table.align_right(4);
  for (const auto* r : shown)
    table.add_row({truncate_for_display(r->name, kNameWidth), r->base, r->type, r->format,
                   format_bytes(r->file_size), r->key});
  table.print(std::cout);
  return kExitOk;
}

// --- ivk models sync ---------------------------------------------------------------------

struct SyncCliOptions {
  ServerOptions server;
  std::string workflow;
  std::string models;
  bool by_name = true;
  bool by_base = false;
  std::string indices;
  std::vector<std::string> prefer;
  bool override_user = false;
  bool dry_run = false;
  std::string compat;
  std::string output;
  bool json = false;
};

std::string model_text(const ModelIdentifier& id) {
  return id.base.empty() ? id.name : id.name + " (" + id.base + ")";
}

std::string slot_text(const ModelReference& ref) {
  std::string s = ref.input_index ? "#" + std::to_string(*ref.input_index) + " " : "";
  return s + ref.node_type + "." + ref.field_name;
}

Result<std::vector<int>> parse_indices(const std::string& text) {
  std::vector<int> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    std::string_view part = std::string_view(text).substr(pos, comma - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    int v = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size() || v < 0)
      return fail(ErrorCode::invalid_argument,
                  "--indices: '" + std::string(part) + "' is not an input index");
    out.push_back(v);
    pos = comma + 1;
  }
  return out;
}

// Writes the synced workflow: OUT via Workflow::save (atomic), "-" to stdout.
Status write_output(const Workflow& wf, const std::string& out) {
  if (out == "-") return write_file_atomically(out, wf.to_json());
  return wf.save(out);
}

void print_changes_table(const std::vector<SyncChange>& changes, std::ostream& os) {
  if (changes.empty()) {
    os << "no changes: every model reference already matches the server\n";
    return;
  }
  Table table({"SLOT", "CURRENT", "DECISION", "NEW"});
  for (const auto& c : changes)
    table.add_row({truncate_for_display(c.node_id + "." + c.field_name, kSlotWidth),
                   truncate_for_display(model_text(c.old), kNameWidth), "changed",
                   truncate_for_display(model_text(c.new_) + " " + c.new_.key, kNewWidth)});
  table.print(os);
}

void print_plan_table(const SyncPlan& plan, std::ostream& os) {
  if (plan.decisions.empty()) {
    os << "no model references in the workflow\n";
    return;
  }
  Table table({"SLOT", "CURRENT", "DECISION", "NEW"});
  for (const auto& d : plan.decisions) {
    std::string next = "-";
    if (d.chosen && *d.chosen != d.ref.current) next = model_text(*d.chosen) + " " + d.chosen->key;
    std::string decision(to_string(d.outcome));
    table.add_row({truncate_for_display(slot_text(d.ref), kSlotWidth),
                   truncate_for_display(model_text(d.ref.current), kNameWidth), decision,
                   truncate_for_display(next, kNewWidth)});
  }
  table.print(os);
  for (const auto& d : plan.decisions)
    if (d.outcome == SyncDecision::Outcome::unresolved ||
        d.outcome == SyncDecision::Outcome::skipped_user_value)
      os << slot_text(d.ref) << ": " << d.reason << '\n';
}

std::string result_json(const std::vector<SyncChange>& changes, const std::string& decisions, bool complete,
                        const std::string& written) {
  JsonBuilder out;
  out.begin_object();
  out.key("changes").raw(to_json(changes));
  out.key("decisions").raw(decisions);
  out.key("complete").boolean(complete);
  out.key("written");
  if (written.empty())
    out.null();
  else
    out.string(written);
  out.end_object();
  return pretty_json(out.str());
}

int run_sync(const SyncCliOptions& opts) {
  if (models_source_conflict(opts.models, opts.server))
    return usage_error("--models and --server exclude each other: sync against a saved list or a server");
  auto wf = load_workflow(opts.workflow, "");
  if (!wf) return report_error(wf.error());
  auto catalog = load_catalog(opts.models, opts.server);
  if (!catalog) return report_error(catalog.error());
  const bool write = !opts.dry_run && !opts.output.empty();
  // With -o -, the workflow takes stdout and the report goes to stderr.
  std::ostream& report = write && opts.output == "-" ? std::cerr : std::cout;
  const std::string written = write ? opts.output : std::string();

  if (opts.compat == "pyclient") {
    if (!opts.indices.empty() || !opts.prefer.empty() || opts.override_user)
      return usage_error(
          "--compat pyclient takes no --indices, --prefer or --override (the Python client has none)");
    auto changes = sync_dnn_model_compat(*wf, *catalog, opts.by_name, opts.by_base);
    if (!changes) return report_error(changes.error());
    if (write)
      if (auto s = write_output(*wf, opts.output); !s) return report_error(s.error());
    if (opts.json)
      report << result_json(*changes, "[]", true, written) << '\n';
    else
      print_changes_table(*changes, report);
    return kExitOk;
  }

  SyncOptions options;
  options.by_name = opts.by_name;
  options.by_base = opts.by_base;
  options.override_user_values = opts.override_user;
  if (!opts.indices.empty()) {
    auto indices = parse_indices(opts.indices);
    if (!indices) return usage_error(indices.error().message);
    options.field_indices = std::move(*indices);
  }
  for (const auto& p : opts.prefer) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == p.size())
      return usage_error("--prefer expects BASE=KEY, got '" + p + "'");
    options.preferred_keys[p.substr(0, eq)] = p.substr(eq + 1);
  }
  auto plan = plan_model_sync(*wf, *catalog, options);
  if (!plan) return report_error(plan.error());
  if (!plan->complete) {
    if (opts.json)
      report << result_json({}, decisions_to_json(*plan), false, "") << '\n';
    else
      print_plan_table(*plan, report);
    std::size_t unresolved = 0;
    for (const auto& d : plan->decisions)
      if (d.outcome == SyncDecision::Outcome::unresolved) ++unresolved;
    std::cerr << "ivk: error: " << unresolved
              << " model reference(s) not found on the server; nothing written (try --by-base)\n";
    return kExitInvalidInput;
  }
  auto changes = apply_model_sync(*wf, *plan);
  if (!changes) return report_error(changes.error());
  if (write)
    if (auto s = write_output(*wf, opts.output); !s) return report_error(s.error());
  if (opts.json)
    report << result_json(*changes, decisions_to_json(*plan), true, written) << '\n';
  else
    print_plan_table(*plan, report);
  return kExitOk;
}

void add_list(CLI::App& group, Runner& run) {
  auto opts = std::make_shared<ListOptions>();
  auto* sub = group.add_subcommand("list", "List the models of a server (or of a saved model list)");
  add_server_options(sub, opts->server);
  sub->add_option("--models", opts->models,
                  "Read a saved GET /api/v2/models/ body instead of asking a server (- for stdin)")
      ->type_name("FILE");
  sub->add_option("--base", opts->base, "Only this base (sdxl, flux, any, ...)")->type_name("B");
  sub->add_option("--type", opts->type, "Only this type (main, vae, lora, ...)")->type_name("T");
  sub->add_option("--name", opts->name, "Only names containing N (case-insensitive)")->type_name("N");
  sub->add_option("--format", opts->format, "Only this format (checkpoint, diffusers, lycoris, ...)")
      ->type_name("F");
  sub->add_flag("--json", opts->json, "Print the matching records as the server sent them (JSON array)");
  sub->footer(
      "Without --models, asks the server (--server, else $INVOKEAI_URL, else http://127.0.0.1:9090).\n"
      "Exit 0; 3 FILE missing; 4 not a model list; 6 server error; 7 no answer from the server.\n\n"
      "Examples:\n"
      "  ivk models list --server localhost:9090 --base sdxl --type main\n"
      "  ivk models list --models models.json --name juggernaut --json");
  sub->callback([&run, opts] { run = [opts] { return run_list(*opts); }; });
}

void add_sync(CLI::App& group, Runner& run) {
  auto opts = std::make_shared<SyncCliOptions>();
  auto* sub = group.add_subcommand("sync", "Point a workflow's model references at the models a server has");
  sub->add_option("workflow", opts->workflow, "Workflow .json, InvokeAI .png that embeds one, or - for stdin")
      ->required()
      ->type_name("WF");
  add_server_options(sub, opts->server);
  sub->add_option("--models", opts->models,
                  "Sync against a saved GET /api/v2/models/ body instead of the server's list")
      ->type_name("FILE");
  sub->add_flag("--by-name,!--no-by-name", opts->by_name, "Match by exact name after hash (default: on)");
  sub->add_flag("--by-base", opts->by_base, "Fall back to a model of the same base and type");
  sub->add_option("--indices", opts->indices, "Only these form inputs, e.g. 0,4 (default: every reference)")
      ->type_name("I,J");
  sub->add_option("--prefer", opts->prefer, "Prefer this model key for a base when several fit (repeatable)")
      ->type_name("BASE=KEY");
  sub->add_flag("--override", opts->override_user, "Also sync references whose value was set by the user");
  sub->add_flag("--dry-run", opts->dry_run, "Show what would change; write nothing");
  sub->add_option("--compat", opts->compat,
                  "pyclient: exactly invokeai-py-client 1.1's sync_dnn_model (hash, name, base; "
                  "alphabetical; may cross types), but atomic")
      ->check(CLI::IsMember({"pyclient"}))
      ->type_name("STYLE");
  sub->add_option("-o,--output", opts->output, "Write the synced workflow here (atomically; - for stdout)")
      ->type_name("OUT.json");
  sub->add_flag("--json", opts->json, R"(Print {"changes", "decisions", "complete", "written"} as JSON)");
  sub->footer(
      "Each model reference (every identifier in the graph, in the form or not) is kept when the\n"
      "server has its key and hash, else matched by hash, then by name (--by-name), then by base\n"
      "(--by-base); a slot only ever gets a model of the same type and base. Ties: the --prefer\n"
      "key, then the old name, then the smallest name. Exit 0 when every reference resolved, 3 when\n"
      "some did not (nothing is written). The models come from --models FILE or else from the\n"
      "server (--server, $INVOKEAI_URL, http://127.0.0.1:9090); not both.\n\n"
      "Examples:\n"
      "  ivk models sync flux.json --server localhost:9090 -o flux-synced.json\n"
      "  ivk models sync flux.json --models models.json -o flux-synced.json\n"
      "  ivk models sync sdxl.json --models models.json --by-base --prefer sdxl=KEY --dry-run\n"
      "  ivk models sync sdxl.json --models models.json --compat pyclient --json");
  sub->callback([&run, opts] { run = [opts] { return run_sync(*opts); }; });
}

}  // namespace

void add_models_command(CLI::App& app, Runner& run) {
  auto* group = app.add_subcommand(
      "models", "A server's models: list, show, install, delete; sync a workflow's model references");
  group->require_subcommand(1);
  add_list(*group, run);
  add_models_show_command(*group, run);
  add_models_install_command(*group, run);
  add_models_jobs_commands(*group, run);
  add_models_delete_command(*group, run);
  add_models_scan_command(*group, run);
  add_models_stats_command(*group, run);
  add_models_hf_login_command(*group, run);
  add_models_bench_command(*group, run);
  add_sync(*group, run);
  add_models_check_command(*group, run);
}

}  // namespace ivk::cli
