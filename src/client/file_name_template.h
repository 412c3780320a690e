#pragma once
// Local file names for a run's images: the server's image name made safe (the default), or a --name
// template such as "{index:05}-{Seed}-{image}". Whatever the values, a name never holds a path
// separator, never starts with a dot, never is "..", and never is one of the run's own files
// (run.json, run.sqlite and its WAL files). Private to src/client.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/client/run_plan.h"
#include "ivk/error.h"

namespace ivk::detail {

struct NameContext {
  std::uint64_t index = 0;      // plan index
  int n = 0;                    // the image's position among its item's images (0-based)
  std::int64_t item_id = 0;     // server item id
  std::string_view image_name;  // as the server named it
  std::string_view batch_id;
  const std::vector<PlanField>* fields = nullptr;
  const std::vector<std::string>* values_json = nullptr;  // parallel to fields
};

// Checks the template's placeholders against what a run knows: {index}, {index:0N}, {n}, {item},
// {image}, {batch} and each plan field by its label (or node_id.field_name). invalid_argument names
// an unknown placeholder or an unclosed brace and lists what is available.
Status check_name_template(std::string_view name_template, const std::vector<PlanField>& fields);

// The file name (with the image's extension) for one image; template "" gives the server's name
// made safe. Not yet checked for collisions: see collision_name.
std::string render_file_name(std::string_view name_template, const NameContext& context);

// The deterministic fallback when `taken` is already used by another image: "<stem>-<index>-<n><ext>",
// then "-2", "-3"... appended by the caller's attempt number (attempt >= 1).
std::string collision_name(const std::string& taken, std::uint64_t index, int n, int attempt);

// True for the names of the run's own files, which an image must never take.
bool is_reserved_file_name(std::string_view name);

}  // namespace ivk::detail
