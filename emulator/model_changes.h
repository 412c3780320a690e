#pragma once
// Validation of a ModelRecordChanges body (PATCH /i/{key} and the install overrides): member types
// and enum values as pydantic checks them, unknown members dropped.
#include <optional>

#include "fastapi_errors.h"

namespace ivk::emu {

// The request body as a JSON object, or nullopt with FastAPI's 422 items added to `v` (missing,
// json_invalid, model_attributes_type). Used instead of Validation::json_object_body, whose
// range-for over a temporary's member (fastapi_errors.cpp) drops the items.
std::optional<Json> required_object_body(Validation& v, const Request& req);

// The known members of `body` (an object); problems are added to `v` at ["body", <member>].
Json validate_record_changes(Validation& v, const Json& body);

}  // namespace ivk::emu
