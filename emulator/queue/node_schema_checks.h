#pragma once
// The enqueue checks that need the server's invocation schemas,
// made when the emulator was given an OpenAPI document (EmulatorOptions::openapi_file):
//   - a node whose type is no invocation: union_tag_invalid;
//   - a field value of the wrong type or outside its constraints (integer, number, boolean, string,
//     choices; minimum/maximum, exclusive bounds, multiple_of, string length), with pydantic's types
//     and texts and the node type tag inside loc;
//   - an edge from an output or into an input the node does not have;
//   - a batch datum naming a field the node does not have.
// Private to the emulator.
#include <optional>
#include <string>

#include "http/fastapi_errors.h"
#include "ivk/workflow/node_templates.h"

namespace ivk::emu {

// Rows 5 and 7 for one node of graph.nodes (key = its dict key). Adds every problem to v (pydantic
// reports all of them); returns false when there was any.
bool check_node_against_schema(const std::string& key, const Json& node, const NodeTemplates& templates,
                               Validation& v);

// Rows 12-13 for one edge whose nodes both exist: the message of the first problem, if any.
std::optional<std::string> edge_field_problem(const Json& edge, const Json& nodes,
                                              const NodeTemplates& templates);

// Row 22: true when the node (present in nodes) has a field of that name.
bool node_has_field(const Json& node, const std::string& field, const NodeTemplates& templates);

}  // namespace ivk::emu
