#pragma once
// A run's settings as the journal keeps them (meta "spec"): what a resume needs to carry the run on,
// and what decides whether a new command is the same run. Private to src/client.
#include <string>
#include <string_view>

#include "ivk/client/run.h"
#include "ivk/error.h"

namespace ivk::detail {

// Compact JSON of the settings that define the run (plan, board, names, retries...), not of those that
// only shape this execution (timeout, window, concurrency).
std::string settings_to_json(const RunSpec& spec);
// Reads settings_to_json's output into spec (plan, board, names, retries, download, prepend).
Status settings_from_json(std::string_view json, RunSpec& spec);

// What makes two runs different, for the error that refuses to mix them: "" when they are the same run.
std::string run_difference(const RunSpec& stored, const RunSpec& requested);

}  // namespace ivk::detail
