// RunPlan: the sweep groups, the plan's size and index arithmetic, and its fingerprint. The inputs
// file is read in run_plan_inputs.cpp.
#include "ivk/client/run_plan.h"

#include "client/run_plan_impl.h"
#include "core/ascii_case.h"
#include "workflow/value_rules.h"

namespace ivk {

struct RunPlan::Impl : detail::RunPlanState {};

using detail::PlanFileFormat;
using detail::PlanSweepGroup;

namespace {

// a * b, or nullopt when it does not fit in 64 bits.
std::optional<std::uint64_t> times(std::uint64_t a, std::uint64_t b) {
  std::uint64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out)) return std::nullopt;
  return out;
}

tl::unexpected<Error> in_sweep(Error e, std::size_t group) {
  e.where = "sweep group " + std::to_string(group);
  return tl::unexpected(std::move(e));
}

Status add_sweeps(detail::RunPlanState& plan, const Workflow& workflow,
                  const std::vector<SweepGroup>& sweeps) {
  for (std::size_t g = 0; g < sweeps.size(); ++g) {
    if (sweeps[g].data.empty()) continue;
    PlanSweepGroup group;
    for (const SweepDatum& datum : sweeps[g].data) {
      const std::string origin = "sweep '" + datum.input + "' (group " + std::to_string(g) + ")";
      auto input = plan.add_field(workflow, datum.input, origin);
      if (!input) return in_sweep(input.error(), g);
      if (datum.items.empty())
        return in_sweep(
            make_error(ErrorCode::invalid_argument, origin + ": a sweep needs at least one value"), g);
      std::vector<std::string> items;
      items.reserve(datum.items.size());
      for (std::size_t k = 0; k < datum.items.size(); ++k) {
        auto value = detail::check_value(**input, datum.items[k]);
        if (!value) {
          Error e = value.error();
          e.message = origin + " value " + std::to_string(k) + ": " + e.message;
          return in_sweep(std::move(e), g);
        }
        items.push_back(std::move(*value));
      }
      if (!group.items.empty() && group.items.front().size() != items.size())
        return in_sweep(
            make_error(ErrorCode::invalid_argument, "zipped sweeps must have the same number of values: " +
                                                        plan.origins[group.fields.front()] + " has " +
                                                        std::to_string(group.items.front().size()) + ", " +
                                                        origin + " has " + std::to_string(items.size())),
            g);
      group.fields.push_back(plan.fields.size() - 1);
      group.items.push_back(std::move(items));
    }
    group.size = group.items.front().size();
    plan.groups.push_back(std::move(group));
  }
  return {};
}

// Length-prefixed, so no two different sequences of strings feed the digest the same bytes.
void put(detail::Sha256& digest, std::string_view s) {
  digest.update(std::to_string(s.size()));
  digest.update(":");
  digest.update(s);
}

std::string make_fingerprint(const detail::RunPlanState& plan) {
  detail::Sha256 digest;
  put(digest, "ivk-run-plan-1");
  put(digest, std::to_string(plan.runs));
  put(digest, plan.format == PlanFileFormat::csv     ? "csv"
              : plan.format == PlanFileFormat::jsonl ? "jsonl"
                                                     : "none");
  put(digest, plan.file_digest);
  put(digest, std::to_string(plan.fields.size()));
  for (const PlanField& f : plan.fields) {
    put(digest, f.node_path);
    put(digest, f.field_name);
  }
  for (const std::string& value : plan.file_defaults) put(digest, value);
  put(digest, std::to_string(plan.groups.size()));
  for (const PlanSweepGroup& g : plan.groups) {
    put(digest, std::to_string(g.fields.size()));
    put(digest, std::to_string(g.size));
    for (std::size_t d = 0; d < g.fields.size(); ++d) {
      put(digest, std::to_string(g.fields[d]));
      for (const std::string& item : g.items[d]) put(digest, item);
    }
  }
  return digest.hex_digest();
}

}  // namespace

Result<const WorkflowInput*> detail::RunPlanState::add_field(const Workflow& workflow, const std::string& ref,
                                                             std::string origin) {
  auto input = workflow.find_input(ref);
  if (!input) {
    Error e = input.error();
    e.code = ErrorCode::invalid_argument;  // an unknown input is a bad argument to the plan
    e.message = origin + ": " + e.message;
    return tl::unexpected(std::move(e));
  }
  const WorkflowInput& in = **input;
  if (in.connected)
    return fail(ErrorCode::invalid_argument,
                origin + ": " + detail::describe_input(in) +
                    ": an edge feeds this input, so a value for it would be ignored");
  auto [it, added] = by_input.try_emplace({in.node_id, in.field_name}, fields.size());
  if (!added)
    return fail(ErrorCode::invalid_argument, origins[it->second] + " and " + origin + " both name " +
                                                 detail::describe_input(in) + "; name each input once");
  fields.push_back(PlanField{in.node_id, in.field_name, ref});
  origins.push_back(std::move(origin));
  return &in;
}

RunPlan::RunPlan(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RunPlan::RunPlan(RunPlan&&) noexcept = default;
RunPlan& RunPlan::operator=(RunPlan&&) noexcept = default;
RunPlan::~RunPlan() = default;

Result<RunPlan> RunPlan::make(const Workflow& workflow, const PlanSpec& spec) {
  if (spec.runs < 1)
    return fail(ErrorCode::invalid_argument, "runs must be at least 1, got " + std::to_string(spec.runs),
                "runs");
  auto plan = std::make_unique<Impl>();
  plan->runs = spec.runs;
  if (!spec.inputs_file.empty()) {
    const std::string extension = detail::ascii_lower(spec.inputs_file.extension().string());
    if (extension == ".csv") {
      plan->format = PlanFileFormat::csv;
    } else if (extension == ".jsonl") {
      plan->format = PlanFileFormat::jsonl;
    } else {
      return tl::unexpected(make_error(ErrorCode::invalid_argument,
                                       "an inputs file must be .csv (a header of inputs, then one row an "
                                       "item) or .jsonl (one JSON object an item), got '" +
                                           extension + "'",
                                       {}, spec.inputs_file.string()));
    }
    if (auto read = plan->read_inputs_file(workflow, spec.inputs_file); !read)
      return tl::unexpected(read.error());
    plan->rows = plan->row_offsets.size() - 1;
  }
  if (auto sweeps = add_sweeps(*plan, workflow, spec.sweeps); !sweeps) return tl::unexpected(sweeps.error());

  for (const PlanSweepGroup& g : plan->groups) {
    auto combos = times(plan->combos, g.size);
    if (!combos) return fail(ErrorCode::invalid_argument, "the sweeps multiply to more than 2^64 items");
    plan->combos = *combos;
  }
  auto per_run = times(plan->rows, plan->combos);
  auto size = per_run ? times(*per_run, static_cast<std::uint64_t>(plan->runs)) : std::nullopt;
  if (!size) return fail(ErrorCode::invalid_argument, "the plan has more than 2^64 items");
  if (*size == 0) return fail(ErrorCode::invalid_argument, "no items: the plan is empty");
  plan->size = *size;
  plan->fingerprint = make_fingerprint(*plan);
  return RunPlan(std::move(plan));
}

std::uint64_t RunPlan::size() const noexcept { return impl_->size; }
const std::vector<PlanField>& RunPlan::fields() const noexcept { return impl_->fields; }
std::size_t RunPlan::file_field_count() const noexcept { return impl_->file_inputs.size(); }
std::uint64_t RunPlan::rows() const noexcept { return impl_->rows; }
std::uint64_t RunPlan::combos() const noexcept { return impl_->combos; }
int RunPlan::runs() const noexcept { return impl_->runs; }
std::string RunPlan::fingerprint() const { return impl_->fingerprint; }

Result<PlanItem> RunPlan::item(std::uint64_t index) const {
  if (index >= impl_->size)
    return fail(ErrorCode::invalid_argument,
                "item " + std::to_string(index) + " is out of range: the plan has " +
                    std::to_string(impl_->size) + " items (0.." + std::to_string(impl_->size - 1) + ")");
  PlanItem item;
  item.index = index;
  item.values_json.resize(impl_->fields.size());
  std::uint64_t combo = index % impl_->combos;
  const std::uint64_t row = (index / impl_->combos) % impl_->rows;
  if (impl_->format != PlanFileFormat::none) {
    if (auto filled = impl_->fill_file_values(row, item.values_json); !filled)
      return tl::unexpected(filled.error());
  }
  // Mixed radix, the last group varying fastest.
  for (auto g = impl_->groups.size(); g-- > 0;) {
    const PlanSweepGroup& group = impl_->groups[g];
    const std::uint64_t digit = combo % group.size;
    combo /= group.size;
    for (std::size_t d = 0; d < group.fields.size(); ++d)
      item.values_json[group.fields[d]] = group.items[d][digit];
  }
  return item;
}

}  // namespace ivk
