#pragma once
#include <string_view>

#include "ivk/error.h"
#include "workflow/workflow_model.h"

namespace ivk::detail {

// Full syntax check of a JSON text; the error names the line and column.
Status validate_json_syntax(std::string_view text);

// Fills model (whose .text is set) from its text: nodes, inputs with value spans, edges, form.
// Errors name the JSON path and what was expected there.
Status index_workflow(WorkflowModel& model);

}  // namespace ivk::detail
