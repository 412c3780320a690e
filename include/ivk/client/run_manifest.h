#pragma once
// The run.json that `ivk run` leaves beside the images: one record per queue item with the input
// values it ran with, its outcome and the files of its images.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ivk/error.h"

namespace ivk {

// One entry of a queue item's "field_values": the value a sweep put into node_path.field_name.
struct FieldValue {
  std::string node_path;
  std::string field_name;
  std::string value_json;  // compact JSON
};

// Reads QueueItem::field_values_json. "null" or "" gives an empty list; parse_error otherwise.
Result<std::vector<FieldValue>> parse_field_values(std::string_view field_values_json);

struct ManifestItem {
  std::int64_t item_id = 0;
  std::string status;
  // Input reference (as the user gave it) -> compact JSON value, in the order given.
  std::vector<std::pair<std::string, std::string>> inputs;
  std::vector<std::string> images;  // file names inside the output folder
  std::optional<std::string> error_type;
  std::optional<std::string> error_message;
};

struct RunManifest {
  std::string workflow;  // the workflow's file name
  std::string server;    // the server's URL
  std::string batch_id;
  std::vector<ManifestItem> items;
};

// {"workflow", "server", "batch_id", "items": [{"item_id", "status", "inputs": {...}, "images": [...],
// "error_type"?, "error_message"?}]}, one item per line.
std::string to_json(const RunManifest& manifest);

}  // namespace ivk
