// ivk workflow index-map export|verify: record the input indices of a workflow and detect drift
// after the workflow's form changes (invokeai-py-client's index map file format).
#include <iostream>
#include <memory>
#include <string>

#include "commands.h"
#include "common.h"
#include "exit_codes.h"
#include "ivk/json_text.h"
#include "ivk/workflow/index_map.h"
#include "ivk/workflow/workflow.h"
#include "table.h"

namespace ivk::cli {
namespace {

struct ExportOptions {
  std::string workflow;
  std::string output;
  std::string generated_at;
};

struct VerifyOptions {
  std::string workflow;
  std::string map;
  bool json = false;
};

int run_export(const ExportOptions& opts) {
  auto wf = load_workflow(opts.workflow, {});
  if (!wf) return report_error(wf.error());
  const std::string map = pretty_json(export_index_map(*wf, opts.generated_at)) + "\n";
  if (opts.output.empty() || opts.output == "-") {
    std::cout << map;
    return kExitOk;
  }
  if (auto ok = write_file_atomically(opts.output, map); !ok) return report_error(ok.error());
  return kExitOk;
}

// "Title (node_id.field)" for the current input at index, or "" if there is none.
std::string describe_current(const Workflow& wf, int index) {
  auto in = wf.get_input(index);
  if (!in) return {};
  return (*in)->title + " (" + (*in)->node_id + "." + (*in)->field_name + ")";
}

void print_report(const Workflow& wf, const IndexMapReport& report) {
  if (!report.clean()) {
    Table table({"CHANGE", "INDEX", "INPUT"});
    for (const auto& m : report.moved)
      table.add_row(
          {"moved", std::to_string(m.from) + " -> " + std::to_string(m.to), describe_current(wf, m.to)});
    for (const auto& m : report.missing)
      table.add_row({"missing", std::to_string(m.index),
                     (m.label.empty() ? m.field_name : m.label) + " (" + m.jsonpath + ")"});
    for (const auto& a : report.added)
      table.add_row({"new", std::to_string(a.index), describe_current(wf, a.index)});
    table.print(std::cout);
  }
  std::cout << report.unchanged.size() << " unchanged, " << report.moved.size() << " moved, "
            << report.missing.size() << " missing, " << report.added.size() << " new: "
            << (report.clean() ? "the index map matches the workflow"
                               : "the inputs drifted; update whatever refers to inputs by index")
            << '\n';
}

int run_verify(const VerifyOptions& opts) {
  auto wf = load_workflow(opts.workflow, {});
  if (!wf) return report_error(wf.error());
  auto map = read_file(opts.map);
  if (!map) return report_error(map.error());
  auto report = verify_index_map(*wf, *map);
  if (!report) {
    Error e = report.error();
    if (e.source.empty()) e.source = opts.map;
    return report_error(e);
  }
  if (opts.json)
    print_line(pretty_json(report->to_json()));
  else
    print_report(*wf, *report);
  return report->clean() ? kExitOk : kExitFailure;
}

}  // namespace

void add_workflow_index_map_command(CLI::App& workflow, Runner& run) {
  auto* group = workflow.add_subcommand(
      "index-map", "Record a workflow's input indices and detect when an edited form moves them (drift)");
  group->require_subcommand(1);

  auto exp = std::make_shared<ExportOptions>();
  auto* export_cmd = group->add_subcommand(
      "export",
      "Print (or write) the index map: workflow_id, generated_at and each input's index, label, "
      "field_name and jsonpath");
  export_cmd->add_option("workflow", exp->workflow, "Workflow .json, InvokeAI .png, or - for stdin")
      ->required()
      ->type_name("WF");
  export_cmd->add_option("-o,--output", exp->output, "Write the map to FILE (atomically) instead of stdout")
      ->type_name("MAP.json");
  export_cmd
      ->add_option("--generated-at", exp->generated_at,
                   "Timestamp to record, ISO-8601 UTC ending in Z (default: now); for reproducible files")
      ->type_name("TIME");
  export_cmd->callback([&run, exp] { run = [exp] { return run_export(*exp); }; });

  auto ver = std::make_shared<VerifyOptions>();
  auto* verify_cmd = group->add_subcommand(
      "verify", "Compare a workflow with an index map: unchanged, moved, missing and new inputs");
  verify_cmd->add_option("workflow", ver->workflow, "Workflow .json, InvokeAI .png, or - for stdin")
      ->required()
      ->type_name("WF");
  verify_cmd
      ->add_option("map", ver->map,
                   "Index map written by `ivk workflow index-map export` or the Python client")
      ->required()
      ->type_name("MAP.json");
  verify_cmd->add_flag(
      "--json", ver->json,
      "Print the report as JSON: {\"unchanged\": [{index, label}], \"moved\": [{from, to, label}], "
      "\"missing\": [map entries], \"new\": [{index, label}]}");
  verify_cmd->footer("Exit status: 0 when the map matches, 1 when inputs drifted, 3-5 on errors.");
  verify_cmd->callback([&run, ver] { run = [ver] { return run_verify(*ver); }; });
}

}  // namespace ivk::cli
