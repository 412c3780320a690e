#pragma once
// Node templates: the invocation schemas of an InvokeAI server's OpenAPI document
// (GET /openapi.json), used to type workflow inputs and to build graphs as the GUI does.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"
#include "ivk/workflow/field.h"

namespace ivk {

struct InputTemplate {
  std::string name;
  std::string title;
  std::string description;
  FieldKind kind = FieldKind::json;
  FieldConstraints constraints;
  std::optional<std::string> default_json;  // compact JSON of "default", when declared
  bool required = false;                    // orig_required
  std::string input;                        // "any", "direct" or "connection"
  std::string field_kind;                   // "input" or "internal"
  std::string ui_type;                      // e.g. "IsIntermediate", empty when absent
  bool nullable = false;                    // anyOf includes null
};

struct OutputTemplate {
  std::string name;
  FieldKind kind = FieldKind::json;
  std::string type_name;  // e.g. "ImageField", "LatentsField", "integer"
  bool is_collection = false;
};

struct NodeTemplate {
  std::string type;  // the invocation type tag, e.g. "l2i"
  std::string title;
  std::string version;
  std::string category;
  std::vector<InputTemplate> inputs;    // schema property order, node attributes excluded
  std::vector<OutputTemplate> outputs;  // fields of the output schema, "type" excluded
  std::string output_type;              // output schema's type tag, e.g. "image_output"
  bool has_board = false;               // a "board" input: the node saves images (WithBoard)
  bool accepts_extra_inputs = false;    // core_metadata-style nodes that take unknown inputs

  [[nodiscard]] const InputTemplate* input(std::string_view name) const noexcept;
  [[nodiscard]] const OutputTemplate* output(std::string_view name) const noexcept;
};

class NodeTemplates {
 public:
  // Parses an OpenAPI document: every components.schemas entry with "class": "invocation".
  static Result<NodeTemplates> from_openapi(std::string_view openapi_json);
  static Result<NodeTemplates> from_openapi_file(const std::filesystem::path& path);

  NodeTemplates();
  ~NodeTemplates();
  NodeTemplates(const NodeTemplates&);
  NodeTemplates& operator=(const NodeTemplates&);
  NodeTemplates(NodeTemplates&&) noexcept;
  NodeTemplates& operator=(NodeTemplates&&) noexcept;

  [[nodiscard]] const NodeTemplate* find(std::string_view type) const noexcept;
  [[nodiscard]] std::size_t size() const noexcept;
  [[nodiscard]] std::vector<std::string> types() const;  // sorted

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace ivk
