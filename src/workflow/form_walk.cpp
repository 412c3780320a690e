#include "workflow/form_walk.h"

#include <unordered_set>

namespace ivk::detail {

namespace {

bool form_is_empty(const WorkflowModel& model) {
  if (!model.has_form) return true;
  auto root = model.form_elements.find(model.form_root);
  if (root == model.form_elements.end()) return true;  // the UI replaces an invalid form by an empty one
  return root->second.children.empty() && model.form_elements.size() <= 1;
}

struct Frame {
  const FormElement* element;
  std::size_t next_child = 0;
};

}  // namespace

bool form_from_exposed_fields(const WorkflowModel& model) {
  return form_is_empty(model) && !model.exposed_fields.empty();
}

Result<std::vector<FormFieldRef>> walk_form(const WorkflowModel& model, std::vector<Diagnostic>& warnings) {
  std::vector<FormFieldRef> fields;
  if (form_is_empty(model)) {
    if (form_from_exposed_fields(model)) {
      warnings.push_back(
          {"$.exposedFields",
           "no form: inputs come from the legacy exposedFields, as the InvokeAI UI builds them"});
      for (const auto& [node_id, field_name] : model.exposed_fields) fields.push_back({node_id, field_name});
    } else if (model.has_form && !model.form_elements.contains(model.form_root)) {
      warnings.push_back({"$.form.rootElementId",
                          "form root element '" + std::string(model.form_root) + "' does not exist"});
    }
    return fields;
  }

  // Iterative walk: a hostile form cannot overflow the stack; `on_path` catches cycles.
  std::vector<Frame> stack;
  std::unordered_set<const FormElement*> on_path;
  const FormElement* root = &model.form_elements.at(model.form_root);
  auto enter = [&](const FormElement* el) -> Status {
    if (el->type == "node-field") {
      if (el->has_field_identifier) fields.push_back({el->node_id, el->field_name});
      return {};
    }
    if (el->type != "container") return {};  // heading, text, divider: no index consumed
    if (on_path.contains(el)) {
      std::string cycle;
      for (const auto& f : stack) cycle += std::string(f.element->id) + " -> ";
      return fail(ErrorCode::invalid_workflow, "form elements form a cycle: " + cycle + std::string(el->id),
                  "$.form.elements." + std::string(el->id));
    }
    on_path.insert(el);
    stack.push_back({el, 0});
    return {};
  };
  if (auto s = enter(root); !s) return tl::unexpected(s.error());
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.next_child >= top.element->children.size()) {
      on_path.erase(top.element);
      stack.pop_back();
      continue;
    }
    const std::string_view child_id = top.element->children[top.next_child++];
    auto it = model.form_elements.find(child_id);
    if (it == model.form_elements.end()) {
      warnings.push_back({"$.form.elements." + std::string(top.element->id) + ".data.children",
                          "child element '" + std::string(child_id) + "' does not exist; skipped"});
      continue;
    }
    if (auto s = enter(&it->second); !s) return tl::unexpected(s.error());
  }
  return fields;
}

}  // namespace ivk::detail
