// ivk payload WF: the enqueue_batch body (or the bare graph) for a workflow with values set.
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "commands.h"
#include "common.h"
#include "exit_codes.h"
#include "ivk/json_text.h"
#include "ivk/workflow/batch.h"
#include "ivk/workflow/graph.h"
#include "ivk/workflow/workflow.h"
#include "workflow_args.h"

namespace ivk::cli {
namespace {

struct PayloadOptions {
  std::string workflow;
  std::string templates;
  WorkflowArgs values;
  bool prepend = false;
  bool no_workflow = false;
  std::string board_auto;
  bool graph_only = false;
  std::string graph_id;
  std::string batch_id;
  std::string origin = "workflows";
  std::string destination = "gallery";
  std::string compat = "gui";
  bool pretty = false;
};

int run_payload(const PayloadOptions& opts) {
  auto assignments = parse_sets(opts.values);
  if (!assignments) return usage_error(assignments.error().message);

  auto wf = load_workflow(opts.workflow, opts.templates);
  if (!wf) return report_error(wf.error());
  if (!assignments->empty()) {
    if (auto ok = wf->set_many(*assignments); !ok) return report_error(ok.error());
  }

  GraphOptions graph;
  graph.style = opts.compat == "pyclient" ? GraphStyle::pyclient : GraphStyle::gui;
  if (!opts.board_auto.empty()) graph.auto_board = opts.board_auto;
  graph.graph_id = opts.graph_id;

  Result<std::string> body = [&]() -> Result<std::string> {
    if (opts.graph_only) return build_graph(*wf, graph);
    BatchOptions batch;
    batch.graph = graph;
    batch.runs = opts.values.runs;
    batch.prepend = opts.prepend;
    batch.attach_workflow = !opts.no_workflow;
    batch.origin = opts.origin;
    batch.destination = opts.destination;
    batch.batch_id = opts.batch_id;
    auto groups = sweep_groups(*wf, opts.values);
    if (!groups) return tl::unexpected(groups.error());
    batch.sweeps = std::move(*groups);
    return build_enqueue_body(*wf, batch);
  }();
  if (!body) return report_error(body.error());
  // The attached workflow keeps its file's layout; the output is one line unless --pretty.
  print_line(opts.pretty ? pretty_json(*body) : minify_json(*body));
  return kExitOk;
}

}  // namespace

void add_payload_command(CLI::App& app, Runner& run) {
  auto opts = std::make_shared<PayloadOptions>();
  auto* sub = app.add_subcommand(
      "payload", "Print the enqueue_batch request body (or the graph) for a workflow, with input values set");
  sub->add_option("workflow", opts->workflow, "Workflow .json, InvokeAI .png that embeds one, or - for stdin")
      ->required()
      ->type_name("WF");
  add_workflow_args(sub, opts->values);
  auto* prepend = sub->add_flag("--prepend", opts->prepend, "Put the batch at the front of the queue");
  auto* no_workflow = sub->add_flag("--no-workflow", opts->no_workflow,
                                    "Do not attach the workflow (output images will not embed it)");
  sub->add_option("--board-auto", opts->board_auto,
                  "Board that a board input set to \"auto\" resolves to (default: none)")
      ->type_name("BOARD_ID");
  auto* graph_only =
      sub->add_flag("--graph-only", opts->graph_only, "Print only the graph, not the batch body");
  sub->add_option("--graph-id", opts->graph_id, "Graph id (default: a fresh random UUID, as the GUI does)")
      ->type_name("ID");
  auto* batch_id =
      sub->add_option("--batch-id", opts->batch_id, "Batch id (default: none, the server makes one)")
          ->type_name("ID");
  auto* origin =
      sub->add_option("--origin", opts->origin, "Batch origin (default: workflows)")->type_name("S");
  auto* destination =
      sub->add_option("--destination", opts->destination, "Batch destination (default: gallery)")
          ->type_name("S");
  sub->add_option("--compat", opts->compat,
                  "Graph style: gui (the web UI's, default) or pyclient (invokeai-py-client 1.1's)")
      ->check(CLI::IsMember({"gui", "pyclient"}))
      ->type_name("STYLE");
  add_templates_option(sub, opts->templates);
  sub->add_flag("--pretty", opts->pretty, "Indent the JSON (default: compact, one line)");
  for (CLI::Option* batch_only :
       {opts->values.sweep_option, opts->values.sweep_json_option, opts->values.zip_option,
        opts->values.runs_option, prepend, no_workflow, batch_id, origin, destination})
    graph_only->excludes(batch_only);
  sub->footer(
      "VALUE is read for the input's kind: numbers, true/false/yes/no/1/0, enum choices, board ids\n"
      "(none, auto, or an id), image names, colors (#RRGGBB[AA]), JSON for models, collections and\n"
      "other structured values. All -s values are checked before any is applied.\n"
      "Sweeps multiply (cartesian product, the last sweep varying fastest) unless --zip; the whole\n"
      "product repeats --runs times.\n\n"
      "Output: compact JSON {\"prepend\", \"batch\": {\"graph\", \"workflow\", \"runs\", \"data\", "
      "\"origin\",\n"
      "\"destination\"}} ready for POST /api/v1/queue/{queue_id}/enqueue_batch, or the graph alone.\n\n"
      "Examples:\n"
      "  ivk payload wf.json -s 3=1024 -s \"positive prompt=a red fox\"\n"
      "  ivk payload wf.json --sweep 3=512,768 --sweep 4=512,1024          # 4 sessions\n"
      "  ivk payload wf.json --sweep 3=512,768 --sweep 4=512,1024 --zip    # 2 sessions\n"
      "  ivk payload wf.json --sweep-json '1=[\"a fox, red\", \"a cat\"]' --runs 2");
  sub->callback([&run, opts] { run = [opts] { return run_payload(*opts); }; });
}

}  // namespace ivk::cli
