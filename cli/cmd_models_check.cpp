// ivk models check WF [--models FILE | --server URL]: a workflow's model slots, whether their models are
// installed, and whether they fit together (types, accepted bases, one base for the whole graph).
#include <iostream>
#include <memory>
#include <string>

#include "commands.h"
#include "common.h"
#include "exit_codes.h"
#include "ivk/api/models_api.h"
#include "ivk/json_text.h"
#include "ivk/models/model_compat.h"
#include "ivk/models/model_slots.h"
#include "server_options.h"
#include "table.h"

namespace ivk::cli {
namespace {

struct CheckOptions {
  ServerOptions server;
  std::string workflow;
  std::string models;
  std::string templates;
  bool json = false;
};

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : "|") + s;
  return out.empty() ? "-" : out;
}

std::string requirements_json(const std::vector<ModelRequirement>& slots) {
  JsonBuilder out;
  out.begin_array();
  for (const auto& r : slots) {
    out.begin_object().key("node_id").string(r.node_id).key("field_name").string(r.field_name);
    out.key("node_type").string(r.node_type).key("input_index");
    if (r.input_index)
      out.integer(*r.input_index);
    else
      out.null();
    out.key("current");
    if (r.current)
      out.raw(r.current->to_json());
    else
      out.null();
    out.key("bases").begin_array();
    for (const auto& b : r.bases) out.string(b);
    out.end_array().key("types").begin_array();
    for (const auto& t : r.types) out.string(t);
    out.end_array().end_object();
  }
  out.end_array();
  return out.str();
}

int run_check(const CheckOptions& opts) {
  if (models_source_conflict(opts.models, opts.server))
    return usage_error("--models and --server exclude each other: check against a saved list or a server");
  const bool from_server = opts.models.empty();
  // The file first: a bad one fails before any request.
  auto wf = load_workflow(opts.workflow, from_server ? "" : opts.templates);
  if (!wf) return report_error(wf.error());
  Result<ModelCatalog> catalog = ModelCatalog();
  if (from_server) {
    // One session for both: the server's node templates (unless --templates) and its models.
    auto session = open_session(opts.server);
    if (!session) return report_error(session.error());
    if (auto typed = apply_server_templates(*wf, opts.templates, **session); !typed)
      return report_error(typed.error());
    auto records = ModelsApi(**session).list();
    if (!records) return report_error(records.error());
    catalog = ModelCatalog(std::move(*records));
  } else {
    catalog = load_model_catalog(opts.models);
    if (!catalog) return report_error(catalog.error());
  }
  const auto slots = model_requirements(*wf);
  const CompatibilityReport report = check_compatibility(*wf, *catalog);
  if (opts.json) {
    JsonBuilder out;
    out.begin_object().key("requirements").raw(requirements_json(slots)).key("findings").begin_array();
    for (const auto& f : report.findings) {
      out.begin_object().key("severity").string(to_string(f.severity)).key("kind").string(to_string(f.kind));
      out.key("node_id").string(f.node_id).key("field").string(f.field).key("message").string(f.message);
      out.end_object();
    }
    out.end_array().key("ok").boolean(report.ok()).end_object();
    print_line(pretty_json(out.str()));
  } else {
    Table table({"#", "SLOT", "WANTS", "CURRENT"});
    for (const auto& r : slots)
      table.add_row(
          {r.input_index ? std::to_string(*r.input_index) : "-", r.node_type + "." + r.field_name,
           join(r.bases) + " " + join(r.types),
           r.current ? r.current->name + " (" + r.current->base + ", " + r.current->key + ")" : "(empty)"});
    table.print(std::cout);
    std::cout << '\n';
    for (const auto& f : report.findings) std::cout << to_string(f.severity) << ": " << f.message << '\n';
    std::cout << report.error_count() << " errors, " << report.warning_count() << " warnings\n";
  }
  return report.ok() ? kExitOk : kExitFailure;
}

}  // namespace

void add_models_check_command(CLI::App& models, Runner& run) {
  auto opts = std::make_shared<CheckOptions>();
  auto* sub = models.add_subcommand("check", "Check a workflow's models: installed, right type, one base");
  sub->add_option("workflow", opts->workflow, "Workflow .json, InvokeAI .png that embeds one, or - for stdin")
      ->required()
      ->type_name("WF");
  add_server_options(sub, opts->server);
  sub->add_option("--models", opts->models,
                  "Check against a saved GET /api/v2/models/ body instead of the server's list")
      ->type_name("FILE");
  add_templates_option(sub, opts->templates)
      ->description(
          "Server OpenAPI document to type inputs from the node schemas (default: $IVK_TEMPLATES, else "
          "the server's own GET /openapi.json, cached)");
  sub->add_flag("--json", opts->json, R"(Print {"requirements", "findings", "ok"} as JSON)");
  sub->footer(
      "Lists every model slot (the form input index, what the slot accepts, the model it names),\n"
      "then each finding: a model not installed (or installed under another key: run ivk models\n"
      "sync), a model of the wrong type or base for its slot, models of different bases in one\n"
      "graph (encoders of base any excluded). Exit 0 when there is no error, 1 when there is.\n"
      "The models come from --models FILE or else from the server (--server, $INVOKEAI_URL,\n"
      "http://127.0.0.1:9090); not both.\n\n"
      "Examples:\n"
      "  ivk models check flux.json --server localhost:9090\n"
      "  ivk models check flux.json --models models.json\n"
      "  ivk models check sdxl.json --models models.json --templates openapi.json --json");
  sub->callback([&run, opts] { run = [opts] { return run_check(*opts); }; });
}

}  // namespace ivk::cli
