#pragma once
// The workflow's own batch nodes (image/string/integer/float_batch, optionally fed by generator
// nodes) turned into Batch.data groups, as the web UI's getBatchDataForWorkflowGeneration does.
#include <string>
#include <vector>

#include "ivk/error.h"

namespace ivk {
class Workflow;
}

namespace ivk::detail {

struct BatchNodeDatum {
  std::string node_path;
  std::string field_name;
  std::vector<std::string> items;  // compact JSON
};

// One inner vector per group: ungrouped batch nodes each make their own group (multiplied),
// nodes sharing a batch_group_id are zipped into one.
Result<std::vector<std::vector<BatchNodeDatum>>> batch_node_groups(const Workflow& workflow);

}  // namespace ivk::detail
