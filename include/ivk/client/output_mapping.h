#pragma once
// Which images a finished queue item produced, per node of the graph that was enqueued.
//
// A queue item's session holds `results` (prepared node id -> invocation output) and
// `prepared_source_mapping` (prepared id -> the node id that was enqueued). An iterated node runs as
// several prepared nodes, so one enqueued node can own several images. Both single images
// (`image_output`: {"image": {"image_name"}}) and collections (`image_collection_output`:
// {"collection": [{"image_name"}]}) are read: the Python client reads only the first kind
// (invokeai-py-client 1.1's map_outputs_to_images).
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"

namespace ivk {

class NodeTemplates;
class Workflow;

// The node types the Python client treats as outputs (save_image, l2i, flux_vae_decode, ...): used when
// no node templates are known.
std::span<const std::string_view> fallback_output_node_types() noexcept;

// Whether nodes of this type save images for the user: from templates when they know the type (a
// "board" input and an image-producing output), else from fallback_output_node_types().
bool is_output_node_type(std::string_view type, const NodeTemplates* templates = nullptr);

// The Python client's OutputMapping record, plus what it lacks (whether the node was intermediate).
struct OutputImages {
  std::string node_id;                   // the enqueued graph's node id (invocation_source_id)
  std::string node_type;                 // "unknown" when the graph lacks the node
  std::string board_id;                  // the board the graph asked for; "none" = uncategorized
  std::vector<std::string> image_names;  // in results order, each once
  std::string tier;                      // "results" when images were found, else "none"
  bool is_intermediate = false;
  // The workflow form's "board" input of this node, when a workflow was given and exposes one.
  std::optional<int> input_index;
  std::string label;
};

struct ItemImages {
  std::vector<OutputImages> outputs;    // output-capable nodes, in the graph's node order
  std::vector<std::string> all_images;  // every image any node produced, results order, each once
  // The images to collect: those of non-intermediate output nodes; when no such node produced one,
  // those of every non-intermediate node (a workflow whose saving node is of an unknown type).
  std::vector<std::string> collect;
};

// Reads a queue item's "session" object (QueueItem::session_json). parse_error when it is not JSON or
// lacks results/graph objects of the right type; a session without results (a pending or failed item)
// gives empty lists, not an error.
Result<ItemImages> map_item_images(std::string_view session_json, const NodeTemplates* templates = nullptr,
                                   const Workflow* workflow = nullptr);

}  // namespace ivk
