// ivk inputs WF: the workflow's form inputs, in the Python client's index order.
#include <iostream>
#include <memory>
#include <string>

#include "commands.h"
#include "common.h"
#include "exit_codes.h"
#include "ivk/json_text.h"
#include "ivk/workflow/field.h"
#include "ivk/workflow/workflow.h"
#include "table.h"

namespace ivk::cli {
namespace {

struct InputsOptions {
  std::string workflow;
  std::string templates;
  bool json = false;
};

constexpr std::size_t kValueWidth = 40;
constexpr std::size_t kTitleWidth = 32;
constexpr std::size_t kFieldWidth = 44;

// A value as people read it: a model by name and base, a board or image by its id/name,
// other values as compact JSON (strings quoted, so "" and " " stay visible).
std::string display_value(const WorkflowInput& in) {
  if (!in.value_json) return "-";
  const std::string& json = *in.value_json;
  auto member_text = [&](std::string_view key) -> std::optional<std::string> {
    auto raw = json_member(json, key);
    if (!raw) return std::nullopt;
    return json_unquote(*raw);
  };
  switch (in.kind) {
    case FieldKind::model:
      if (auto name = member_text("name"); name && !name->empty()) {
        if (auto base = member_text("base"); base && !base->empty()) return *name + " (" + *base + ")";
        return *name;
      }
      break;
    case FieldKind::board:
      if (auto id = member_text("board_id")) return *id;
      if (auto text = json_unquote(json)) return *text;
      break;
    case FieldKind::image:
      if (auto name = member_text("image_name")) return *name;
      break;
    default: break;
  }
  return json;
}

void append_constraints(JsonBuilder& out, const FieldConstraints& c) {
  out.begin_object();
  auto number = [&](const char* name, const std::optional<double>& v) {
    if (v) out.key(name).number(*v);
  };
  auto size = [&](const char* name, const std::optional<std::size_t>& v) {
    if (v) out.key(name).integer(static_cast<std::int64_t>(*v));
  };
  auto strings = [&](const char* name, const std::vector<std::string>& v) {
    if (v.empty()) return;
    out.key(name).begin_array();
    for (const auto& s : v) out.string(s);
    out.end_array();
  };
  number("minimum", c.minimum);
  number("maximum", c.maximum);
  number("exclusive_minimum", c.exclusive_minimum);
  number("exclusive_maximum", c.exclusive_maximum);
  number("multiple_of", c.multiple_of);
  size("min_length", c.min_length);
  size("max_length", c.max_length);
  strings("choices", c.choices);
  strings("model_bases", c.model_bases);
  strings("model_types", c.model_types);
  if (c.item_kind) out.key("item_kind").string(to_string(*c.item_kind));
  out.end_object();
}

std::string inputs_json(const Workflow& wf) {
  JsonBuilder out;
  out.begin_array();
  for (const auto& in : wf.inputs()) {
    out.begin_object();
    out.key("input_index").integer(in.index);
    out.key("label").string(in.label);
    out.key("title").string(in.title);
    out.key("field_name").string(in.field_name);
    out.key("node_id").string(in.node_id);
    out.key("node_type").string(in.node_type);
    out.key("node_name").string(in.node_name);
    out.key("kind").string(to_string(in.kind));
    if (in.value_json)
      out.key("value").raw(*in.value_json);
    else
      out.key("value").null();
    out.key("required").boolean(in.required);
    out.key("jsonpath").string(in.jsonpath());
    out.key("description").string(in.description);
    out.key("connected").boolean(in.connected);
    out.key("constraints");
    append_constraints(out, in.constraints);
    out.end_object();
  }
  out.end_array();
  return pretty_json(out.str());
}

void print_inputs_table(const Workflow& wf) {
  if (wf.inputs().empty()) {
    std::cout << "no inputs: the workflow's form has no node fields\n";
    return;
  }
  Table table({"#", "TITLE", "FIELD", "KIND", "VALUE", "FLAGS"});
  table.align_right(0);
  for (const auto& in : wf.inputs()) {
    std::string flags;
    if (in.required) flags = "required";
    if (in.connected) flags += flags.empty() ? "connected" : ",connected";
    table.add_row({std::to_string(in.index), truncate_for_display(in.title, kTitleWidth),
                   truncate_for_display(in.node_type + "." + in.field_name, kFieldWidth),
                   std::string(to_string(in.kind)), truncate_for_display(display_value(in), kValueWidth),
                   flags});
  }
  table.print(std::cout);
}

int run_inputs(const InputsOptions& opts) {
  auto wf = load_workflow(opts.workflow, opts.templates);
  if (!wf) return report_error(wf.error());
  if (opts.json)
    print_line(inputs_json(*wf));
  else
    print_inputs_table(*wf);
  return kExitOk;
}

}  // namespace

void add_inputs_command(CLI::App& app, Runner& run) {
  auto opts = std::make_shared<InputsOptions>();
  auto* sub = app.add_subcommand("inputs", "List a workflow's form inputs: index, title, field, kind, value");
  sub->add_option("workflow", opts->workflow,
                  "Workflow .json exported from InvokeAI, an InvokeAI .png that embeds one, or - for stdin")
      ->required()
      ->type_name("WF");
  sub->add_flag("--json", opts->json, "Print a JSON array, one object per input");
  add_templates_option(sub, opts->templates);
  sub->footer(
      "Inputs are numbered like invokeai-py-client does (depth-first walk of the form). Refer to\n"
      "an input by its index, its label/title, or NODE_ID.FIELD in `ivk payload -s`.\n"
      "--json keys: input_index, label, title, field_name, node_id, node_type, node_name, kind,\n"
      "value, required, jsonpath, description, connected, constraints.\n"
      "FLAGS: required = the node schema requires a value (needs --templates);\n"
      "       connected = an edge feeds the input, so its value is not sent.\n\n"
      "Examples:\n"
      "  ivk inputs sdxl-text-to-image.json\n"
      "  ivk inputs --json --templates openapi.json output.png");
  sub->callback([&run, opts] { run = [opts] { return run_inputs(*opts); }; });
}

}  // namespace ivk::cli
