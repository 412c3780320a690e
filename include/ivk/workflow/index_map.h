#pragma once
// Input index maps in invokeai-py-client's file format, to detect index drift when a
// workflow's form changes (export once, verify after every edit).

#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"

namespace ivk {

class Workflow;

// {"workflow_id", "generated_at", "inputs": [{"index","label","field_name","jsonpath"}]}.
// generated_at: ISO-8601 UTC ending in "Z"; empty means now.
std::string export_index_map(const Workflow& workflow, std::string generated_at = {});

struct IndexMapEntry {
  int index = 0;
  std::string label;
  std::string field_name;
  std::string jsonpath;
};

struct IndexMapReport {
  struct Unchanged {
    int index;
    std::string label;
  };
  struct Moved {
    int from;
    int to;
    std::string label;
  };
  struct Added {
    int index;
    std::string label;
  };
  std::vector<Unchanged> unchanged;
  std::vector<Moved> moved;
  std::vector<IndexMapEntry> missing;
  std::vector<Added> added;  // "new" in the file format

  [[nodiscard]] bool clean() const noexcept { return moved.empty() && missing.empty() && added.empty(); }
  // {"unchanged": [...], "moved": [...], "missing": [...], "new": [...]} as the Python client returns it.
  [[nodiscard]] std::string to_json() const;
};

Result<IndexMapReport> verify_index_map(const Workflow& workflow, std::string_view map_json);

}  // namespace ivk
