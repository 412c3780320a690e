#pragma once
#include <string>
#include <string_view>

#include "ivk/error.h"
#include "ivk/workflow/workflow_input.h"

namespace ivk::detail {

// "input 3 'Width' (noise.width)": how errors name an input.
std::string describe_input(const WorkflowInput& input);

// True when s is one JSON number, exactly as JSON spells them.
bool is_json_number(std::string_view s);

// Reads command-line text according to the input's kind; returns compact JSON.
Result<std::string> value_from_text(const WorkflowInput& input, std::string_view text);

// Checks a JSON value against the input's kind and constraints; returns the compact JSON
// (integral numbers on float fields are kept as written).
Result<std::string> check_value(const WorkflowInput& input, std::string_view json_value);

}  // namespace ivk::detail
