// ivk payload WF: the enqueue_batch body (or the bare graph) for a workflow with values set.
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "commands.h"
#include "common.h"
#include "exit_codes.h"
#include "ivk/batch.h"
#include "ivk/graph.h"
#include "ivk/json_text.h"
#include "ivk/workflow.h"

namespace ivk::cli {
namespace {

struct PayloadOptions {
  std::string workflow;
  std::string templates;
  std::vector<std::string> sets;
  std::vector<std::string> sweeps;
  std::vector<std::string> sweeps_json;
  bool zip = false;
  int runs = 1;
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
  // Set at registration: needed to read the sweeps back in command-line order.
  CLI::App* sub = nullptr;
  CLI::Option* sweep_option = nullptr;
  CLI::Option* sweep_json_option = nullptr;
};

// "REF=VALUE" split at the first '='.
std::optional<std::pair<std::string, std::string>> split_assignment(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos) return std::nullopt;
  return std::pair{text.substr(0, eq), text.substr(eq + 1)};
}

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    items.emplace_back(
        text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return items;
}

// Adds the context of a sweep argument to a library error.
Error in_sweep(Error e, const std::string& option, const std::string& argument, std::size_t item) {
  e.message = option + " '" + argument + "', item " + std::to_string(item) + ": " + e.message;
  return e;
}

// One SweepDatum from `--sweep REF=a,b,c` (text read per the input's kind) or
// `--sweep-json REF=[...]` (JSON values checked against the input).
Result<SweepDatum> make_sweep(const Workflow& wf, const std::string& argument, bool json) {
  const std::string option = json ? "--sweep-json" : "--sweep";
  auto parts = split_assignment(argument);
  if (!parts)
    return fail(ErrorCode::invalid_argument,
                option + " '" + argument + "': expected INPUT=" + (json ? "[v1, v2, ...]" : "v1,v2,..."));
  auto input = wf.find_input(parts->first);
  if (!input) {
    Error e = input.error();
    e.message = option + " '" + argument + "': " + e.message;
    return tl::unexpected(std::move(e));
  }
  SweepDatum datum;
  datum.input = parts->first;
  if (json) {
    auto items = split_json_array(parts->second);
    if (!items) {
      Error e = items.error();
      e.message = option + " '" + argument + "': " + e.message;
      return tl::unexpected(std::move(e));
    }
    for (std::size_t i = 0; i < items->size(); ++i) {
      if (auto ok = wf.validate_value(**input, (*items)[i]); !ok)
        return tl::unexpected(in_sweep(ok.error(), option, argument, i));
    }
    datum.items = std::move(*items);
  } else {
    if (parts->second.empty())
      return fail(ErrorCode::invalid_argument, option + " '" + argument + "': no values after '='");
    const auto texts = split_commas(parts->second);
    for (std::size_t i = 0; i < texts.size(); ++i) {
      auto value = wf.value_from_text(**input, texts[i]);
      if (!value) return tl::unexpected(in_sweep(value.error(), option, argument, i));
      datum.items.push_back(std::move(*value));
    }
  }
  if (datum.items.empty())
    return fail(ErrorCode::invalid_argument,
                option + " '" + argument + "': a sweep needs at least one value");
  return datum;
}

// The sweeps in the order they were given, --sweep and --sweep-json interleaved.
Result<std::vector<SweepDatum>> collect_sweeps(const Workflow& wf, const PayloadOptions& opts) {
  std::vector<SweepDatum> data;
  std::size_t next_text = 0;
  std::size_t next_json = 0;
  for (const CLI::Option* opt : opts.sub->parse_order()) {
    const bool json = opt == opts.sweep_json_option;
    if (!json && opt != opts.sweep_option) continue;
    const auto& list = json ? opts.sweeps_json : opts.sweeps;
    std::size_t& next = json ? next_json : next_text;
    if (next >= list.size()) continue;
    auto datum = make_sweep(wf, list[next++], json);
    if (!datum) return tl::unexpected(datum.error());
    data.push_back(std::move(*datum));
  }
  return data;
}

int run_payload(const PayloadOptions& opts) {
  std::vector<std::pair<std::string, std::string>> assignments;
  for (const auto& s : opts.sets) {
    auto parts = split_assignment(s);
    if (!parts)
      return usage_error("-s '" + s + "': expected INPUT=VALUE (INPUT: index, label or NODE_ID.FIELD)");
    assignments.push_back(std::move(*parts));
  }

  auto wf = load_workflow(opts.workflow, opts.templates);
  if (!wf) return report_error(wf.error());
  if (!assignments.empty()) {
    if (auto ok = wf->set_many(assignments); !ok) return report_error(ok.error());
  }

  GraphOptions graph;
  graph.style = opts.compat == "pyclient" ? GraphStyle::pyclient : GraphStyle::gui;
  if (!opts.board_auto.empty()) graph.auto_board = opts.board_auto;
  graph.graph_id = opts.graph_id;

  Result<std::string> body = [&]() -> Result<std::string> {
    if (opts.graph_only) return build_graph(*wf, graph);
    BatchOptions batch;
    batch.graph = graph;
    batch.runs = opts.runs;
    batch.prepend = opts.prepend;
    batch.attach_workflow = !opts.no_workflow;
    batch.origin = opts.origin;
    batch.destination = opts.destination;
    batch.batch_id = opts.batch_id;
    auto data = collect_sweeps(*wf, opts);
    if (!data) return tl::unexpected(data.error());
    if (opts.zip && !data->empty()) {
      batch.sweeps.push_back(SweepGroup{std::move(*data)});
    } else {
      for (auto& datum : *data) batch.sweeps.push_back(SweepGroup{{std::move(datum)}});
    }
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
  opts->sub = sub;
  sub->add_option("workflow", opts->workflow, "Workflow .json, InvokeAI .png that embeds one, or - for stdin")
      ->required()
      ->type_name("WF");
  sub->add_option(
         "-s,--set", opts->sets,
         "Set an input (split at the first '='); INPUT is an index, a label or NODE_ID.FIELD. Repeatable")
      ->allow_extra_args(false)
      ->type_name("INPUT=VALUE");
  opts->sweep_option = sub->add_option("--sweep", opts->sweeps,
                                       "Vary an input across queue items (values read like -s). Repeatable")
                           ->allow_extra_args(false)
                           ->type_name("INPUT=V1,V2,...");
  opts->sweep_json_option =
      sub->add_option("--sweep-json", opts->sweeps_json,
                      "Like --sweep, values given as a JSON array (for commas, structured values)")
          ->allow_extra_args(false)
          ->type_name("INPUT=JSONARRAY");
  auto* zip = sub->add_flag("--zip", opts->zip,
                            "Vary all sweeps together (same lengths) instead of multiplying them");
  auto* runs = sub->add_option("--runs", opts->runs, "Repeat the whole batch N times (default 1)")
                   ->check(CLI::PositiveNumber)
                   ->type_name("N");
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
  for (CLI::Option* batch_only : {opts->sweep_option, opts->sweep_json_option, zip, runs, prepend,
                                  no_workflow, batch_id, origin, destination})
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
