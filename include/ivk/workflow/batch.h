#pragma once
// The body of POST /api/v1/queue/{queue_id}/enqueue_batch, sweeps included.

#include <cstdint>
#include <string>
#include <vector>

#include "ivk/error.h"
#include "ivk/workflow/graph.h"

namespace ivk {

class Workflow;

// One input varied across sessions: the server substitutes items[i] into node_path.field_name.
struct SweepDatum {
  std::string input;               // an input reference (index, label or node_id.field_name)
  std::vector<std::string> items;  // compact JSON values (strings, numbers or {"image_name"})
};

// Data in one group are zipped (same length, varied together); groups multiply (cartesian
// product, the last group varying fastest); the whole product repeats `runs` times.
struct SweepGroup {
  std::vector<SweepDatum> data;
};

struct BatchOptions {
  GraphOptions graph;
  int runs = 1;
  bool prepend = false;
  bool attach_workflow = true;  // so output images embed the workflow, as from the GUI
  std::string origin = "workflows";
  std::string destination = "gallery";
  std::string batch_id;  // empty: the server generates one
  std::vector<SweepGroup> sweeps;
};

// JSON {"prepend", "batch": {"graph", "workflow", "runs", "data", "origin", "destination"}}: compact,
// except that the attached workflow keeps the document's own layout (it is copied, not re-printed).
Result<std::string> build_enqueue_body(const Workflow& workflow, const BatchOptions& options = {});

// How many queue items the options expand to (runs × product of group sizes).
Result<std::uint64_t> count_sessions(const BatchOptions& options);

}  // namespace ivk
