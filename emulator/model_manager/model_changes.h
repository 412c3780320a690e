#pragma once
// Validation of a ModelRecordChanges body (PATCH /i/{key} and the install overrides): member types
// and enum values as pydantic checks them, unknown members dropped.
#include <optional>

#include "http/fastapi_errors.h"

namespace ivk::emu {

// The known members of `body` (an object); problems are added to `v` at ["body", <member>].
Json validate_record_changes(Validation& v, const Json& body);

}  // namespace ivk::emu
