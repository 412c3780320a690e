#pragma once
// Turns a workflow into the graph InvokeAI executes, exactly as the InvokeAI GUI builds it.

#include <string>

#include "ivk/error.h"

namespace ivk {

class Workflow;
class NodeTemplates;

enum class GraphStyle {
  gui,       // the web UI's buildNodesGraph: what the server sees from the GUI (default)
  pyclient,  // invokeai-py-client 1.1's payload, for scripts that depend on its exact shape
};

struct GraphOptions {
  GraphStyle style = GraphStyle::gui;
  // The board "auto" resolves to (the GUI's auto-add board). "none" omits the board.
  std::string auto_board = "none";
  // Graph id; empty means a fresh random UUID (the GUI's behaviour).
  std::string graph_id;
  // Templates to drop template-less nodes and inputs like the GUI does; nullptr = the
  // workflow's own templates (Workflow::apply_templates), if any.
  const NodeTemplates* templates = nullptr;
};

// The graph as compact JSON: {"id", "nodes": {id: node}, "edges": [...]}.
Result<std::string> build_graph(const Workflow& workflow, const GraphOptions& options = {});

}  // namespace ivk
