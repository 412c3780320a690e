#pragma once
// Helpers shared by the workflow engine tests: loading fixtures, the 6.8 node templates,
// and text surgery on workflow JSON (to build variants of a fixture without copying it).
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "ivk/workflow/node_templates.h"
#include "ivk/workflow/workflow.h"
#include "support/fixtures.h"

namespace ivk::test {

inline std::string workflow_path(const std::string& name) { return fixture("workflows/" + name).string(); }
inline std::string workflow_text(const std::string& name) { return read_file(fixture("workflows/" + name)); }

// Loads a fixture workflow; a failure is reported and ends the test through the exception
// GoogleTest turns into a failure (so callers can use the result unconditionally).
inline ivk::Workflow load_workflow(const std::string& name) {
  auto wf = ivk::Workflow::load_file(fixture("workflows/" + name));
  if (!wf) throw std::runtime_error("cannot load " + name + ": " + wf.error().describe());
  return std::move(*wf);
}

inline ivk::Workflow load_json(std::string json) {
  auto wf = ivk::Workflow::load_string(std::move(json), "<test>");
  if (!wf) throw std::runtime_error("cannot load inline workflow: " + wf.error().describe());
  return std::move(*wf);
}

// The v6.8 OpenAPI node templates, parsed once (nullptr if they cannot be read).
inline std::shared_ptr<const ivk::NodeTemplates> node_templates() {
  static const std::shared_ptr<const ivk::NodeTemplates> parsed =
      []() -> std::shared_ptr<const ivk::NodeTemplates> {
    auto t = ivk::NodeTemplates::from_openapi_file(openapi_path());
    if (!t) return nullptr;
    return std::make_shared<const ivk::NodeTemplates>(std::move(*t));
  }();
  return parsed;
}

// Replaces the only occurrence of `from` in `text` (a test that edits a fixture must say
// exactly which bytes it changes).
inline std::string replace_once(std::string text, std::string_view from, std::string_view to) {
  const auto pos = text.find(from);
  if (pos == std::string::npos) throw std::runtime_error("text to replace not found: " + std::string(from));
  if (text.find(from, pos + 1) != std::string::npos)
    throw std::runtime_error("text to replace is not unique: " + std::string(from));
  text.replace(pos, from.size(), to);
  return text;
}

// The input with this node id and field name (nullptr when absent).
inline const ivk::WorkflowInput* input_of(const ivk::Workflow& wf, std::string_view node_id,
                                          std::string_view field) {
  for (const auto& in : wf.inputs())
    if (in.node_id == node_id && in.field_name == field) return &in;
  return nullptr;
}

}  // namespace ivk::test
