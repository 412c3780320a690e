#pragma once
#include <string>
#include <vector>

#include "ivk/error.h"
#include "workflow/workflow_model.h"

namespace ivk::detail {

struct FormFieldRef {
  std::string_view node_id;  // views into the model
  std::string_view field_name;
};

// The node fields of the form in the Python client's order: depth-first pre-order from the
// root element, children in array order; only node-field elements count. Dangling ids are
// skipped (with a warning); an element that contains itself is an error naming the cycle.
// A workflow whose form is empty but has legacy exposedFields gets the form the UI builds
// from them (one node-field per exposed field, in order).
// True when walk_form takes the inputs from legacy exposedFields (the form is empty).
bool form_from_exposed_fields(const WorkflowModel& model);

Result<std::vector<FormFieldRef>> walk_form(const WorkflowModel& model, std::vector<Diagnostic>& warnings);

}  // namespace ivk::detail
