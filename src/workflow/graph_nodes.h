#pragma once
// Node-type facts shared by the graph and batch builders.
#include <string>
#include <string_view>

namespace ivk::detail {

// image_batch, string_batch, integer_batch, float_batch: they feed Batch.data, not the graph.
bool is_batch_node(std::string_view type) noexcept;
// image_generator, string_generator, integer_generator, float_generator.
bool is_generator_node(std::string_view type) noexcept;

// {key, hash, name, base, type, submodel_type} in that order (submodel_type null when absent),
// the shape invokeai-py-client sends for form-exposed model fields.
std::string normalize_model_identifier(std::string_view json_object);

}  // namespace ivk::detail

#include <functional>
#include <unordered_set>
#include <utility>

namespace ivk::detail {

// A (node id, field name) pair of views into a workflow model, hashable: graph building looks
// such pairs up for every node input.
using NodeField = std::pair<std::string_view, std::string_view>;
struct NodeFieldHash {
  std::size_t operator()(const NodeField& f) const noexcept {
    const std::size_t a = std::hash<std::string_view>{}(f.first);
    return a ^ (std::hash<std::string_view>{}(f.second) + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
  }
};
using NodeFieldSet = std::unordered_set<NodeField, NodeFieldHash>;

}  // namespace ivk::detail
