// Uses the installed ivk package: loads a tiny workflow and prints how many form inputs it has.
#include <iostream>
#include <string>

#include <ivk/ivk.h>

namespace {

// Two nodes' values exposed in the form: the answer is 2.
constexpr const char* kWorkflow = R"({
  "name": "package test",
  "meta": {"version": "3.0.0", "category": "user"},
  "nodes": [
    {"id": "n1", "type": "invocation", "position": {"x": 0, "y": 0},
     "data": {"id": "n1", "type": "add", "version": "1.0.1", "label": "", "isIntermediate": true,
              "useCache": true,
              "inputs": {"a": {"name": "a", "label": "", "value": 1},
                         "b": {"name": "b", "label": "", "value": 2}}}}
  ],
  "edges": [],
  "form": {
    "rootElementId": "root",
    "elements": {
      "root": {"id": "root", "type": "container", "data": {"layout": "column", "children": ["fa", "fb"]}},
      "fa": {"id": "fa", "type": "node-field", "parentId": "root",
             "data": {"fieldIdentifier": {"nodeId": "n1", "fieldName": "a"}}},
      "fb": {"id": "fb", "type": "node-field", "parentId": "root",
             "data": {"fieldIdentifier": {"nodeId": "n1", "fieldName": "b"}}}
    }
  }
})";

}  // namespace

int main() {
  auto workflow = ivk::Workflow::load_string(kWorkflow, "package-test");
  if (!workflow) {
    std::cerr << workflow.error().describe() << '\n';
    return 1;
  }
  std::cout << workflow->inputs().size() << '\n';
  return 0;
}
