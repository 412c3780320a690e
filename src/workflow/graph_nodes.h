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
