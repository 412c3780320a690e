// -s, --sweep, --sweep-json, --zip and --runs, shared by `ivk payload` and `ivk run`.
#include "workflow_args.h"

#include "ivk/json_text.h"

namespace ivk::cli {

std::optional<std::pair<std::string, std::string>> split_assignment(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos) return std::nullopt;
  return std::pair{text.substr(0, eq), text.substr(eq + 1)};
}

namespace {

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
// `--sweep-json REF=[...]` (JSON values, checked later by the library with the rest of the plan).
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
    // The values are checked against the input once, by the library (RunPlan, the batch builder).
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
Result<std::vector<SweepDatum>> collect_sweeps(const Workflow& wf, const WorkflowArgs& opts) {
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

}  // namespace

void add_workflow_args(CLI::App* sub, WorkflowArgs& args) {
  args.sub = sub;
  sub->add_option(
         "-s,--set", args.sets,
         "Set an input (split at the first '='); INPUT is an index, a label or NODE_ID.FIELD. Repeatable")
      ->allow_extra_args(false)
      ->type_name("INPUT=VALUE");
  args.sweep_option = sub->add_option("--sweep", args.sweeps,
                                      "Vary an input across queue items (values read like -s). Repeatable")
                          ->allow_extra_args(false)
                          ->type_name("INPUT=V1,V2,...");
  args.sweep_json_option =
      sub->add_option("--sweep-json", args.sweeps_json,
                      "Like --sweep, values given as a JSON array (for commas, structured values)")
          ->allow_extra_args(false)
          ->type_name("INPUT=JSONARRAY");
  args.zip_option =
      sub->add_flag("--zip", args.zip, "Vary all sweeps together (same lengths) instead of multiplying them");
  args.runs_option = sub->add_option("--runs", args.runs, "Repeat the whole batch N times (default 1)")
                         ->check(CLI::PositiveNumber)
                         ->type_name("N");
}

Result<std::vector<std::pair<std::string, std::string>>> parse_sets(const WorkflowArgs& args) {
  std::vector<std::pair<std::string, std::string>> assignments;
  for (const auto& s : args.sets) {
    auto parts = split_assignment(s);
    if (!parts)
      return fail(ErrorCode::invalid_argument,
                  "-s '" + s + "': expected INPUT=VALUE (INPUT: index, label or NODE_ID.FIELD)");
    assignments.push_back(std::move(*parts));
  }
  return assignments;
}

Result<std::vector<SweepGroup>> sweep_groups(const Workflow& wf, const WorkflowArgs& args) {
  auto data = collect_sweeps(wf, args);
  if (!data) return tl::unexpected(data.error());
  std::vector<SweepGroup> groups;
  if (args.zip && !data->empty()) {
    groups.push_back(SweepGroup{std::move(*data)});
  } else {
    for (auto& datum : *data) groups.push_back(SweepGroup{{std::move(datum)}});
  }
  return groups;
}

}  // namespace ivk::cli
