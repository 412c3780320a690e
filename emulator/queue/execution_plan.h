#pragma once
// How the emulator "executes" a graph: the prepared (execution) graph with iterate fan-out, and
// the invocation output each node type produces (results are keyed by prepared uuids).
// Pure functions. Private to the emulator.
#include <cstdint>
#include <string>
#include <vector>

#include "http/fastapi_errors.h"  // Json

namespace ivk::emu {

struct PreparedNode {
  std::string id;         // a fresh uuid, like the server's prepared node ids
  std::string source_id;  // the graph node it was prepared from
  std::size_t iteration = 0;
  Json node;  // the source node with the prepared id; inputs from edges are filled in at run time
};

struct PreparedEdge {
  std::size_t from = 0;  // indexes into ExecutionPlan::nodes
  std::string from_field;
  std::size_t to = 0;
  std::string to_field;
};

struct ExecutionPlan {
  std::vector<PreparedNode> nodes;  // in execution (topological) order
  std::vector<PreparedEdge> edges;
};

// Topological order (ties in the graph's node order); a node downstream of an iterate runs once
// per item until a collect gathers them. The graph must be valid (no cycles, edges to real nodes).
ExecutionPlan prepare_execution(const Json& graph);

enum class NodeKind { plain, denoise, image, passthrough_image };
NodeKind node_kind(const std::string& type);

// Denoising steps of a denoise node (its steps or num_steps field).
int denoise_steps(const Json& node);

// What the emulator knows while running one session: used to make outputs and pixels deterministic.
struct RunContext {
  std::int64_t seed = 0;
  std::string prompt;
};

// Width and height for a node: its own fields, else those of the outputs feeding it, else 512.
struct Size {
  int width = 512;
  int height = 512;
};

// The invocation output of a node (its inputs already filled in). For image nodes image_name is
// the stored image's name.
Json node_output(const Json& node, const Size& size, const RunContext& ctx, const std::string& image_name);

// Pixels (RGB, row-major) that depend only on the seed, the prompt and the size.
std::string render_pixels(int width, int height, std::int64_t seed, const std::string& prompt);

}  // namespace ivk::emu
