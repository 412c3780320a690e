// ivk workflow check WF: load a workflow and report what ivk makes of it.
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "common.h"
#include "exit_codes.h"
#include "ivk/json_text.h"
#include "ivk/workflow/node_templates.h"
#include "ivk/workflow/workflow.h"
#include "table.h"

namespace ivk::cli {
namespace {

struct CheckOptions {
  std::string workflow;
  std::string templates;
  bool json = false;
  bool strict = false;
};

// The workflow's own warnings, plus, with templates, the inputs the templates cannot type
// (one warning per unknown node type, listing its inputs).
std::vector<Diagnostic> collect_warnings(const Workflow& wf) {
  std::vector<Diagnostic> out = wf.warnings();
  const NodeTemplates* templates = wf.templates();
  if (templates == nullptr) return out;
  std::vector<std::pair<std::string, std::string>> unknown_types;  // (type, input indices)
  for (const auto& in : wf.inputs()) {
    if (in.node_type == "unknown") continue;  // already reported: the node is missing
    const NodeTemplate* node = templates->find(in.node_type);
    if (node == nullptr) {
      auto it = std::find_if(unknown_types.begin(), unknown_types.end(),
                             [&](const auto& u) { return u.first == in.node_type; });
      if (it == unknown_types.end())
        unknown_types.emplace_back(in.node_type, std::to_string(in.index));
      else
        it->second += ", " + std::to_string(in.index);
    } else if (node->input(in.field_name) == nullptr && !node->accepts_extra_inputs) {
      out.push_back({in.jsonpath(), "input " + std::to_string(in.index) + ": node type '" + in.node_type +
                                        "' has no input '" + in.field_name + "' in the templates"});
    }
  }
  for (const auto& [type, indices] : unknown_types)
    out.push_back({"", "node type '" + type + "' is not in the templates, so its inputs (" + indices +
                           ") are typed from their values"});
  return out;
}

std::string check_json(const CheckOptions& opts, const Workflow& wf,
                       const std::vector<Diagnostic>& warnings) {
  JsonBuilder out;
  out.begin_object();
  out.key("source").string(opts.workflow);
  out.key("name").string(wf.name());
  out.key("id").optional_string(wf.id());
  out.key("schema_version").string(wf.schema_version());
  if (wf.migrated_from().empty())
    out.key("migrated_from").null();
  else
    out.key("migrated_from").string(wf.migrated_from());
  out.key("nodes").integer(static_cast<std::int64_t>(wf.node_count()));
  out.key("edges").integer(static_cast<std::int64_t>(wf.edge_count()));
  out.key("inputs").integer(static_cast<std::int64_t>(wf.inputs().size()));
  if (opts.templates.empty())
    out.key("templates").null();
  else
    out.key("templates").string(opts.templates);
  out.key("warnings").begin_array();
  for (const auto& w : warnings)
    out.begin_object().key("where").string(w.where).key("message").string(w.message).end_object();
  out.end_array();
  out.end_object();
  return pretty_json(out.str());
}

void print_check(const CheckOptions& opts, const Workflow& wf, const std::vector<Diagnostic>& warnings) {
  Table t({"", ""});
  t.add_row({"workflow:", wf.name().empty() ? "(unnamed)" : std::string(wf.name())});
  t.add_row({"file:", opts.workflow});
  t.add_row({"id:", wf.id().value_or("(none)")});
  t.add_row({"schema version:", std::string(wf.schema_version())});
  if (!wf.migrated_from().empty()) t.add_row({"migrated from:", std::string(wf.migrated_from())});
  t.add_row({"nodes:", std::to_string(wf.node_count())});
  t.add_row({"edges:", std::to_string(wf.edge_count())});
  t.add_row({"inputs:", std::to_string(wf.inputs().size())});
  if (const NodeTemplates* templates = wf.templates())
    t.add_row({"templates:", opts.templates + " (" + std::to_string(templates->size()) + " node types)"});
  t.add_row({"warnings:", std::to_string(warnings.size())});
  t.print(std::cout, /*with_header=*/false);
  for (const auto& w : warnings)
    std::cout << "warning: " << (w.where.empty() ? "" : w.where + ": ") << w.message << '\n';
}

int run_check(const CheckOptions& opts) {
  auto wf = load_workflow(opts.workflow, opts.templates);
  if (!wf) return report_error(wf.error());
  const auto warnings = collect_warnings(*wf);
  if (opts.json)
    print_line(check_json(opts, *wf, warnings));
  else
    print_check(opts, *wf, warnings);
  return opts.strict && !warnings.empty() ? kExitFailure : kExitOk;
}

}  // namespace

void add_workflow_check_command(CLI::App& workflow, Runner& run) {
  auto opts = std::make_shared<CheckOptions>();
  auto* sub = workflow.add_subcommand(
      "check",
      "Load a workflow and print its summary (name, schema version, nodes, edges, inputs) and warnings");
  sub->add_option("workflow", opts->workflow, "Workflow .json, InvokeAI .png that embeds one, or - for stdin")
      ->required()
      ->type_name("WF");
  add_templates_option(sub, opts->templates);
  sub->add_flag("--json", opts->json,
                "Print a JSON object: source, name, id, schema_version, migrated_from, nodes, edges, inputs, "
                "templates, warnings [{where, message}]");
  sub->add_flag("--strict", opts->strict, "Exit 1 when there are warnings (default: warnings do not fail)");
  sub->footer(
      "Exit status: 0 when the workflow loads (even with warnings, unless --strict), 1 with --strict\n"
      "and warnings, 3-5 when it cannot be loaded (see docs/cli.md).");
  sub->callback([&run, opts] { run = [opts] { return run_check(*opts); }; });
}

}  // namespace ivk::cli
