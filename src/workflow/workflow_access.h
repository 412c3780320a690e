#pragma once
// The library's own view into a Workflow: the parsed document and the current value of each node
// input, for the builders (graph, batch, index map) and the model code. Kept off the public class so
// users see only the form-input API.
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "ivk/workflow/workflow.h"

namespace ivk::detail {

class WorkflowAccess {
 public:
  static const WorkflowModel& model(const Workflow& workflow) noexcept { return workflow.model(); }
  // Current JSON text of a node input's value (a set value, else the exported one), or nullopt.
  static std::optional<std::string_view> value_of(const Workflow& workflow, std::size_t node_index,
                                                  std::string_view field) {
    return workflow.value_of(node_index, field);
  }
  // The same for the input at input_index of that node (builders walk every input, no name lookup).
  static std::optional<std::string_view> value_of_input(const Workflow& workflow, std::size_t node_index,
                                                        std::size_t input_index) {
    return workflow.value_of_input(node_index, input_index);
  }
  // Values set on fields the node's exported inputs do not have, as (field_name, JSON), in name order.
  static std::vector<std::pair<std::string_view, std::string_view>> added_values(const Workflow& workflow,
                                                                                 std::size_t node_index) {
    return workflow.added_values(node_index);
  }
};

}  // namespace ivk::detail
