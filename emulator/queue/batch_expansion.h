#pragma once
// enqueue_batch's body: validation with the server's 422 items and the batch expansion:
// zip groups multiplied as a cartesian product, last group fastest, times runs; each
// session a copy of the graph with the values substituted. Pure functions. Private to the emulator.
#include <cstdint>
#include <optional>
#include <vector>

#include "http/fastapi_errors.h"
#include "ivk/workflow/node_templates.h"

namespace ivk::emu {

struct EnqueueBody {
  Json batch;  // normalized: batch_id, origin, destination, data, graph, workflow, runs (6.8 order)
  bool prepend = false;
};

// Parses and validates the body. On a problem returns nullopt with the 422 items in `v`. With the
// server's node schemas (templates not null), nodes, edges and batch fields are checked against
// them too (node_schema_checks.h).
std::optional<EnqueueBody> parse_enqueue_body(const Request& req, Validation& v,
                                              const NodeTemplates* templates = nullptr);

// runs x product of the groups' lengths, saturating (a huge product must not overflow).
std::uint64_t requested_sessions(const Json& batch);

struct ExpandedSession {
  Json graph;
  Json field_values;  // [{"node_path","field_name","value"}], [] when the batch has no data
};

// The first `limit` sessions of the batch, in the server's order.
std::vector<ExpandedSession> expand_batch(const Json& batch, std::uint64_t limit);

}  // namespace ivk::emu
