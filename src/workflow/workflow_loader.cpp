// Indexes a workflow document: one simdjson on-demand pass that records what ivk needs
// (nodes, inputs, edges, form) and the byte spans of input values in the original text.
#include "workflow/workflow_loader.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>

#include "workflow/json_location.h"

namespace ivk::detail {
namespace od = simdjson::ondemand;

namespace {

// A JSON path built on the stack and rendered only when an error needs it: the happy path
// allocates nothing for paths.
class Path {
 public:
  Path(const char* root) : root_(root) {}  // NOLINT(google-explicit-constructor): literals are paths
  Path(const Path& parent, std::string_view key) : parent_(&parent), key_(key) {}
  Path(const Path& parent, std::size_t index) : parent_(&parent), index_(index), is_index_(true) {}
  [[nodiscard]] std::string str() const {
    if (parent_ == nullptr) return std::string(root_);
    std::string out = parent_->str();
    if (is_index_) return out + "[" + std::to_string(index_) + "]";
    return out + "." + std::string(key_);
  }

 private:
  const Path* parent_ = nullptr;
  std::string_view root_;
  std::string_view key_;
  std::size_t index_ = 0;
  bool is_index_ = false;
};

tl::unexpected<Error> fail_at(ErrorCode code, std::string message, const Path& where) {
  return ivk::fail(code, std::move(message), where.str());
}

std::string_view kind_name(od::json_type t) {
  switch (t) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
  }
  return "a value";
}

// One pass over the document with a JSON path kept for error messages.
class Indexer {
 public:
  Indexer(const simdjson::padded_string& buffer, WorkflowModel& model) : buf_(buffer), model_(model) {}

  Status run(od::document& doc) {
    od::object root;
    if (auto e = doc.get_object().get(root))
      return fail_type("$", "an object (the workflow)", doc_type(doc), e);
    bool saw_nodes = false, saw_edges = false;
    for (auto field_result : root) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return syntax("$", e);
      const od::raw_json_string key = field.key();
      od::value value = field.value();
      if (key == "name") {
        if (auto s = read_string(value, "$.name", model_.name); !s) return s;
      } else if (key == "id") {
        od::json_type t;
        if (auto e = value.type().get(t)) return syntax("$.id", e);
        if (t == od::json_type::string) {
          if (auto s = read_string(value, "$.id", model_.id); !s) return s;
          model_.has_id = true;
        }
      } else if (key == "meta") {
        if (auto s = read_meta(value); !s) return s;
      } else if (key == "nodes") {
        saw_nodes = true;
        if (auto s = read_nodes(value); !s) return s;
      } else if (key == "edges") {
        saw_edges = true;
        if (auto s = read_edges(value); !s) return s;
      } else if (key == "form") {
        if (auto s = read_form(value); !s) return s;
      } else if (key == "exposedFields") {
        if (auto s = read_exposed_fields(value); !s) return s;
      }
    }
    if (!saw_nodes)
      return fail(ErrorCode::invalid_workflow, "missing \"nodes\": expected an array of nodes",
                  std::string("$.nodes"));
    if (!saw_edges)
      return fail(ErrorCode::invalid_workflow, "missing \"edges\": expected an array of edges",
                  std::string("$.edges"));
    return {};
  }

 private:
  static od::json_type doc_type(od::document& doc) {
    od::json_type t{};
    (void)doc.type().get(t);
    return t;
  }

  std::size_t offset_of(const char* p) const { return static_cast<std::size_t>(p - buf_.data()); }

  Status syntax(const Path& path, simdjson::error_code e) const {
    return fail_at(ErrorCode::parse_error, std::string("malformed JSON (") + simdjson::error_message(e) + ")",
                   path);
  }

  static Status fail_type(const Path& path, std::string_view expected, od::json_type found,
                          simdjson::error_code e) {
    if (e != simdjson::INCORRECT_TYPE)
      return fail_at(ErrorCode::parse_error,
                     std::string("malformed JSON (") + simdjson::error_message(e) + ")", path);
    return fail_at(ErrorCode::invalid_workflow,
                   "expected " + std::string(expected) + ", found " + std::string(kind_name(found)), path);
  }

  // Cheap check for the hot path; the message is only built when it fails (type_error).
  static bool is_type(od::value& v, od::json_type want) {
    od::json_type t{};
    return v.type().get(t) == simdjson::SUCCESS && t == want;
  }

  Status type_error(od::value& v, const Path& path, std::string_view expected) {
    od::json_type t;
    if (auto e = v.type().get(t)) return syntax(path, e);
    return fail_at(ErrorCode::invalid_workflow,
                   "expected " + std::string(expected) + ", found " + std::string(kind_name(t)), path);
  }

  // A view of `in_buffer` (which points into the padded copy) at the same place in the model's text.
  std::string_view in_text(std::string_view in_buffer) const {
    return {model_.text.data() + (in_buffer.data() - buf_.data()), in_buffer.size()};
  }

  // The content of a string whose text holds no escape sequence, read in place. `after_quote`
  // points just past the opening quote of a valid JSON string in the padded buffer.
  static bool plain_string(const char* after_quote, std::string_view& out) {
    const char* q = after_quote;
    while (*q != '"' && *q != '\\') ++q;
    if (*q == '\\') return false;
    out = std::string_view(after_quote, static_cast<std::size_t>(q - after_quote));
    return true;
  }

  // The key as written between its quotes, for comparing with the (escape-free) names ivk
  // looks for. Unescaping every key cost a virtual call each; keys with escapes simply match
  // nothing here (the GUI never writes them).
  static std::string_view raw_key(od::field& f) {
    const char* begin = f.key().raw();
    const char* end = begin;
    while (*end != '"') end += (*end == '\\') ? 2 : 1;
    return {begin, static_cast<std::size_t>(end - begin)};
  }

  // A key that the model keeps (input names, form element ids): a view into the text, or a
  // decoded copy when the key had escapes.
  Status stable_key(od::field& f, const Path& path, std::string_view& out) {
    if (plain_string(f.key().raw(), out)) {
      out = in_text(out);
      return {};
    }
    std::string_view decoded;
    if (auto e = f.unescaped_key().get(decoded)) return syntax(path, e);
    out = model_.unescaped.emplace_back(decoded);
    return {};
  }

  // A string value as a view into the text (no copy), or a decoded copy when it had escapes.
  Status read_string(od::value& v, const Path& path, std::string_view& out) {
    if (!is_type(v, od::json_type::string)) return type_error(v, path, "a string");
    // raw_json_token() runs to the next structural character, so the closing quote is its last
    // non-blank character; only a backslash (found with memchr) calls for real unescaping.
    std::string_view tok = v.raw_json_token();
    while (tok.size() > 1 && std::isspace(static_cast<unsigned char>(tok.back()))) tok.remove_suffix(1);
    if (tok.size() >= 2 && std::memchr(tok.data(), '\\', tok.size()) == nullptr) {
      out = in_text(tok.substr(1, tok.size() - 2));
      return {};
    }
    std::string_view decoded;
    if (auto e = v.get_string().get(decoded)) return syntax(path, e);
    out = model_.unescaped.emplace_back(decoded);
    return {};
  }

  // Reads a string, tolerating null (kept empty); anything else is an error.
  Status read_optional_string(od::value& v, const Path& path, std::string_view& out) {
    od::json_type t;
    if (auto e = v.type().get(t)) return syntax(path, e);
    if (t == od::json_type::null) return {};
    return read_string(v, path, out);
  }

  Status read_bool(od::value& v, const Path& path, bool& out) {
    if (!is_type(v, od::json_type::boolean)) return type_error(v, path, "a boolean");
    if (auto e = v.get_bool().get(out)) return syntax(path, e);
    return {};
  }

  // The exact text of any value, without trailing whitespace. Consumes the value.
  Status value_span(od::value& v, const Path& path, Span& span) {
    od::json_type t;
    if (auto e = v.type().get(t)) return syntax(path, e);
    std::string_view raw;
    if (t == od::json_type::object) {
      od::object o;
      if (auto e = v.get_object().get(o)) return syntax(path, e);
      if (auto e = o.raw_json().get(raw)) return syntax(path, e);
    } else if (t == od::json_type::array) {
      od::array a;
      if (auto e = v.get_array().get(a)) return syntax(path, e);
      if (auto e = a.raw_json().get(raw)) return syntax(path, e);
    } else {
      raw = v.raw_json_token();
    }
    while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back()))) raw.remove_suffix(1);
    span.offset = offset_of(raw.data());
    span.length = raw.size();
    return {};
  }

  Status read_meta(od::value& v) {
    od::object o;
    {
      od::json_type t;
      if (auto e = v.type().get(t)) return syntax("$.meta", e);
      if (t != od::json_type::object)
        return fail(ErrorCode::invalid_workflow, "expected an object, found " + std::string(kind_name(t)),
                    std::string("$.meta"));
    }
    if (auto e = v.get_object().get(o)) return syntax("$.meta", e);
    for (auto fr : o) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return syntax("$.meta", e);
      const od::raw_json_string key = f.key();
      if (key == "version") {
        if (auto s = read_string(f.value(), "$.meta.version", model_.meta_version); !s) return s;
      } else if (key == "category") {
        if (auto s = read_optional_string(f.value(), "$.meta.category", model_.meta_category); !s) return s;
      }
    }
    return {};
  }

  Status read_nodes(od::value& v) {
    const Path nodes_path("$.nodes");
    if (!is_type(v, od::json_type::array)) return type_error(v, nodes_path, "an array of nodes");
    od::array arr;
    if (auto e = v.get_array().get(arr)) return syntax("$.nodes", e);
    std::size_t i = 0;
    for (auto item : arr) {
      od::value nv;
      const Path path(nodes_path, i);
      if (auto e = std::move(item).get(nv)) return syntax(path, e);
      Node node;
      node.position = i;
      if (auto s = read_node(nv, path, node); !s) return s;
      if (node.id.empty())
        return fail_at(ErrorCode::invalid_workflow, "node has no \"id\"", Path(path, "id"));
      auto [it, inserted] = model_.node_by_id.emplace(node.id, model_.nodes.size());
      if (!inserted)
        return fail_at(ErrorCode::invalid_workflow,
                       "duplicate node id '" + std::string(node.id) + "' (first at $.nodes[" +
                           std::to_string(model_.nodes[it->second].position) + "])",
                       Path(path, "id"));
      if (node.kind == "invocation" && node.type.empty())
        return fail_at(ErrorCode::invalid_workflow, "invocation node has no \"data.type\"",
                       Path(Path(path, "data"), "type"));
      model_.nodes.push_back(std::move(node));
      ++i;
    }
    return {};
  }

  Status read_node(od::value& v, const Path& path, Node& node) {
    if (!is_type(v, od::json_type::object)) return type_error(v, path, "an object (a node)");
    od::object o;
    if (auto e = v.get_object().get(o)) return syntax(path, e);
    std::string_view data_id;
    for (auto fr : o) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return syntax(path, e);
      const od::raw_json_string key = f.key();
      if (key == "id") {
        if (auto s = read_string(f.value(), Path(path, "id"), node.id); !s) return s;
      } else if (key == "type") {
        if (auto s = read_string(f.value(), Path(path, "type"), node.kind); !s) return s;
      } else if (key == "data") {
        if (auto s = read_node_data(f.value(), Path(path, "data"), node, data_id); !s) return s;
      }
    }
    if (node.kind.empty()) node.kind = "invocation";  // v1 exports may omit it
    if (node.id.empty()) node.id = data_id;
    return {};
  }

  Status read_node_data(od::value& v, const Path& path, Node& node, std::string_view& data_id) {
    if (!is_type(v, od::json_type::object)) return type_error(v, path, "an object");
    od::object o;
    if (auto e = v.get_object().get(o)) return syntax(path, e);
    for (auto fr : o) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return syntax(path, e);
      const od::raw_json_string key = f.key();
      od::value fv = f.value();
      if (key == "id") {
        if (auto s = read_optional_string(fv, Path(path, "id"), data_id); !s) return s;
      } else if (key == "type") {
        if (auto s = read_string(fv, Path(path, "type"), node.type); !s) return s;
      } else if (key == "label") {
        if (auto s = read_optional_string(fv, Path(path, "label"), node.label); !s) return s;
      } else if (key == "version") {
        if (auto s = read_optional_string(fv, Path(path, "version"), node.version); !s) return s;
      } else if (key == "isIntermediate") {
        if (auto s = read_bool(fv, Path(path, "isIntermediate"), node.is_intermediate); !s) return s;
      } else if (key == "useCache") {
        if (auto s = read_bool(fv, Path(path, "useCache"), node.use_cache); !s) return s;
      } else if (key == "inputs") {
        if (auto s = read_inputs(fv, Path(path, "inputs"), node); !s) return s;
      }
    }
    return {};
  }

  Status read_inputs(od::value& v, const Path& path, Node& node) {
    if (!is_type(v, od::json_type::object)) return type_error(v, path, "an object of inputs");
    const std::string_view open = v.raw_json_token();
    od::object o;
    if (auto e = v.get_object().get(o)) return syntax(path, e);
    node.has_inputs_object = true;
    node.first_input = model_.input_storage.size();
    node.input_count = 0;
    node.inputs_insert_at = offset_of(open.data()) + 1;
    node.inputs_empty = true;
    for (auto fr : o) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return syntax(path, e);
      InputField input;
      if (auto st = stable_key(f, path, input.name); !st) return st;
      const Path ipath(path, input.name);
      Span end_span;
      if (auto s = read_input(f.value(), ipath, input, end_span); !s) return s;
      node.inputs_insert_at = end_span.offset + end_span.length;
      node.inputs_empty = false;
      model_.input_storage.push_back(std::move(input));
      ++node.input_count;
    }
    return {};
  }

  Status read_input(od::value& v, const Path& path, InputField& input, Span& whole) {
    if (!is_type(v, od::json_type::object)) return type_error(v, path, "an object (a node input)");
    const std::string_view open = v.raw_json_token();
    const std::size_t begin = offset_of(open.data());
    od::object o;
    if (auto e = v.get_object().get(o)) return syntax(path, e);
    input.insert_at = begin + 1;
    input.object_empty = true;
    for (auto fr : o) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return syntax(path, e);
      const od::raw_json_string key = f.key();
      od::value fv = f.value();
      Span span;
      const bool is_label = key == "label";
      if (is_label || key == "description") {
        const Path member(path, is_label ? "label" : "description");
        od::json_type t;
        if (auto e = fv.type().get(t)) return syntax(path, e);
        if (t == od::json_type::string) {
          const std::string_view tok = fv.raw_json_token();
          std::string_view& target = is_label ? input.label : input.description;
          if (auto s = read_string(fv, member, target); !s) return s;
          if (is_label) input.has_label = true;
          span = string_token_span(tok);
        } else if (auto s = value_span(fv, member, span); !s) {
          return s;
        }
      } else {
        const bool is_value = key == "value";
        const Path member(path, is_value        ? std::string_view("value")
                                : key == "name" ? std::string_view("name")
                                                : raw_key(f));
        if (auto s = value_span(fv, member, span); !s) return s;
        if (is_value) {
          input.has_value = true;
          input.value = span;
        }
      }
      input.insert_at = span.offset + span.length;
      input.object_empty = false;
    }
    // The closing brace is the first '}' after the last member (only whitespace may be between).
    std::size_t close = input.insert_at;
    while (close < buf_.size() && buf_.data()[close] != '}') ++close;
    whole = Span{begin, close + 1 - begin};
    return {};
  }

  // A string token's span from raw_json_token (which may carry trailing whitespace).
  Span string_token_span(std::string_view tok) const {
    // tok starts with '"'; find the closing quote, honouring escapes.
    std::size_t i = 1;
    while (i < tok.size()) {
      if (tok[i] == '\\') {
        i += 2;
        continue;
      }
      if (tok[i] == '"') break;
      ++i;
    }
    return Span{offset_of(tok.data()), std::min(i + 1, tok.size())};
  }

  Status read_edges(od::value& v) {
    const Path edges_path("$.edges");
    if (!is_type(v, od::json_type::array)) return type_error(v, edges_path, "an array of edges");
    od::array arr;
    if (auto e = v.get_array().get(arr)) return syntax("$.edges", e);
    std::size_t i = 0;
    for (auto item : arr) {
      const Path path(edges_path, i++);
      od::value ev;
      if (auto e = std::move(item).get(ev)) return syntax(path, e);
      if (!is_type(ev, od::json_type::object)) return type_error(ev, path, "an object (an edge)");
      od::object o;
      if (auto e = ev.get_object().get(o)) return syntax(path, e);
      Edge edge;
      for (auto fr : o) {
        od::field f;
        if (auto e = std::move(fr).get(f)) return syntax(path, e);
        const od::raw_json_string key = f.key();
        std::string_view* target = nullptr;
        std::string_view name;
        if (key == "id")
          target = &edge.id, name = "id";
        else if (key == "type")
          target = &edge.type, name = "type";
        else if (key == "source")
          target = &edge.source, name = "source";
        else if (key == "sourceHandle")
          target = &edge.source_handle, name = "sourceHandle";
        else if (key == "target")
          target = &edge.target, name = "target";
        else if (key == "targetHandle")
          target = &edge.target_handle, name = "targetHandle";
        if (target != nullptr) {
          if (auto s = read_optional_string(f.value(), Path(path, name), *target); !s) return s;
        }
      }
      if (edge.type.empty()) edge.type = "default";
      if (edge.source.empty())
        return fail_at(ErrorCode::invalid_workflow, "edge has no \"source\"", Path(path, "source"));
      if (edge.target.empty())
        return fail_at(ErrorCode::invalid_workflow, "edge has no \"target\"", Path(path, "target"));
      model_.edges.push_back(std::move(edge));
    }
    return {};
  }

  Status read_form(od::value& v) {
    od::json_type t;
    if (auto e = v.type().get(t)) return syntax("$.form", e);
    if (t == od::json_type::null) return {};
    if (t != od::json_type::object)
      return fail(ErrorCode::invalid_workflow, "expected an object, found " + std::string(kind_name(t)),
                  std::string("$.form"));
    od::object o;
    if (auto e = v.get_object().get(o)) return syntax("$.form", e);
    model_.has_form = true;
    for (auto fr : o) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return syntax("$.form", e);
      const od::raw_json_string key = f.key();
      if (key == "rootElementId") {
        if (auto s = read_optional_string(f.value(), "$.form.rootElementId", model_.form_root); !s) return s;
      } else if (key == "elements") {
        if (auto s = read_form_elements(f.value()); !s) return s;
      }
    }
    return {};
  }

  Status read_form_elements(od::value& v) {
    const Path elements_path("$.form.elements");
    if (!is_type(v, od::json_type::object)) return type_error(v, elements_path, "an object of form elements");
    od::object o;
    if (auto e = v.get_object().get(o)) return syntax("$.form.elements", e);
    for (auto fr : o) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return syntax("$.form.elements", e);
      FormElement el;
      if (auto st = stable_key(f, elements_path, el.id); !st) return st;
      const Path path(elements_path, el.id);
      if (auto s = read_form_element(f.value(), path, el); !s) return s;
      model_.form_elements.insert_or_assign(el.id, std::move(el));
    }
    return {};
  }

  Status read_form_element(od::value& v, const Path& path, FormElement& el) {
    if (!is_type(v, od::json_type::object)) return type_error(v, path, "an object (a form element)");
    od::object o;
    if (auto e = v.get_object().get(o)) return syntax(path, e);
    for (auto fr : o) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return syntax(path, e);
      const od::raw_json_string key = f.key();
      if (key == "type") {
        if (auto s = read_string(f.value(), Path(path, "type"), el.type); !s) return s;
      } else if (key == "data") {
        od::value dv = f.value();
        od::json_type t;
        if (auto e = dv.type().get(t)) return syntax(Path(path, "data"), e);
        if (t == od::json_type::null) continue;
        if (t != od::json_type::object)
          return fail_at(ErrorCode::invalid_workflow,
                         "expected an object, found " + std::string(kind_name(t)), Path(path, "data"));
        od::object d;
        if (auto e = dv.get_object().get(d)) return syntax(Path(path, "data"), e);
        for (auto dfr : d) {
          od::field df;
          if (auto e = std::move(dfr).get(df)) return syntax(Path(path, "data"), e);
          const od::raw_json_string dkey = df.key();
          if (dkey == "children") {
            if (auto s = read_children(df.value(), Path(Path(path, "data"), "children"), el); !s) return s;
          } else if (dkey == "fieldIdentifier") {
            if (auto s = read_field_identifier(df.value(), Path(Path(path, "data"), "fieldIdentifier"), el);
                !s)
              return s;
          }
        }
      }
    }
    return {};
  }

  Status read_children(od::value& v, const Path& path, FormElement& el) {
    if (!is_type(v, od::json_type::array)) return type_error(v, path, "an array of element ids");
    od::array arr;
    if (auto e = v.get_array().get(arr)) return syntax(path, e);
    std::size_t i = 0;
    for (auto item : arr) {
      od::value cv;
      const Path cpath(path, i++);
      if (auto e = std::move(item).get(cv)) return syntax(cpath, e);
      std::string_view child;
      if (auto s = read_string(cv, cpath, child); !s) return s;
      el.children.push_back(std::move(child));
    }
    return {};
  }

  Status read_field_identifier(od::value& v, const Path& path, FormElement& el) {
    od::json_type t;
    if (auto e = v.type().get(t)) return syntax(path, e);
    if (t == od::json_type::null) return {};
    if (t != od::json_type::object)
      return fail_at(ErrorCode::invalid_workflow, "expected an object, found " + std::string(kind_name(t)),
                     path);
    od::object o;
    if (auto e = v.get_object().get(o)) return syntax(path, e);
    for (auto fr : o) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return syntax(path, e);
      const od::raw_json_string key = f.key();
      if (key == "nodeId") {
        if (auto s = read_optional_string(f.value(), Path(path, "nodeId"), el.node_id); !s) return s;
      } else if (key == "fieldName") {
        if (auto s = read_optional_string(f.value(), Path(path, "fieldName"), el.field_name); !s) return s;
      }
    }
    el.has_field_identifier = !el.node_id.empty() && !el.field_name.empty();
    return {};
  }

  Status read_exposed_fields(od::value& v) {
    od::json_type t;
    if (auto e = v.type().get(t)) return syntax("$.exposedFields", e);
    if (t == od::json_type::null) return {};
    const Path exposed_path("$.exposedFields");
    if (t != od::json_type::array)
      return fail_at(ErrorCode::invalid_workflow, "expected an array, found " + std::string(kind_name(t)),
                     exposed_path);
    od::array arr;
    if (auto e = v.get_array().get(arr)) return syntax("$.exposedFields", e);
    std::size_t i = 0;
    for (auto item : arr) {
      const Path path(exposed_path, i++);
      od::value ev;
      if (auto e = std::move(item).get(ev)) return syntax(path, e);
      if (!is_type(ev, od::json_type::object)) return type_error(ev, path, "an object {nodeId, fieldName}");
      od::object o;
      if (auto e = ev.get_object().get(o)) return syntax(path, e);
      std::string_view node_id, field_name;
      for (auto fr : o) {
        od::field f;
        if (auto e = std::move(fr).get(f)) return syntax(path, e);
        const od::raw_json_string key = f.key();
        if (key == "nodeId") {
          if (auto s = read_string(f.value(), Path(path, "nodeId"), node_id); !s) return s;
        } else if (key == "fieldName") {
          if (auto s = read_string(f.value(), Path(path, "fieldName"), field_name); !s) return s;
        }
      }
      model_.exposed_fields.emplace_back(std::move(node_id), std::move(field_name));
    }
    return {};
  }

  const simdjson::padded_string& buf_;
  WorkflowModel& model_;
};

}  // namespace

namespace {

// The error for a text simdjson refused (or nothing, for the numbers simdjson cannot hold).
Status syntax_error(std::string_view text, simdjson::error_code error) {
  const JsonLocation where = locate_json_error(text);
  // simdjson refuses numbers beyond 64-bit integers or doubles (99999999999999999999, 1e400),
  // which JSON allows and Python and the GUI read. If the error locator (json_location.cpp) finds no
  // error the document is valid: the indexer only records spans, so such a number is kept verbatim.
  if (error == simdjson::NUMBER_ERROR && where.message.empty() && where.offset == text.size()) return {};
  std::string message = "not valid JSON";
  if (!where.message.empty())
    message += ": " + where.message;
  else
    message += std::string(" (") + simdjson::error_message(error) + ")";
  return fail(ErrorCode::parse_error,
              message + " at line " + std::to_string(where.line) + ", column " + std::to_string(where.column),
              std::string("$"));
}

}  // namespace

Status validate_json_syntax(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (const auto error = parser.parse(text.data(), text.size()).get(root)) return syntax_error(text, error);
  return {};
}

Status index_workflow(WorkflowModel& model) {
  // One padded copy serves both passes: the full validation and the on-demand index.
  const simdjson::padded_string buffer(model.text);
  {
    thread_local simdjson::dom::parser validator;
    simdjson::dom::element root;
    if (const auto error = validator.parse(buffer).get(root))
      if (auto s = syntax_error(model.text, error); !s) return s;
  }
  thread_local od::parser parser;
  od::document doc;
  if (auto e = parser.iterate(buffer).get(doc))
    return fail(ErrorCode::parse_error, std::string("malformed JSON (") + simdjson::error_message(e) + ")",
                std::string("$"));
  // Sized from the text so that indexing rarely reallocates (one node per ~2 KB is typical).
  model.nodes.reserve(model.text.size() / 1024 + 4);
  model.input_storage.reserve(model.text.size() / 128 + 16);
  model.edges.reserve(model.text.size() / 512 + 4);
  model.node_by_id.reserve(model.text.size() / 1024 + 4);
  Indexer indexer(buffer, model);
  if (auto s = indexer.run(doc); !s) return s;
  const std::span<const InputField> all(model.input_storage);
  for (auto& node : model.nodes) node.inputs = all.subspan(node.first_input, node.input_count);
  if (model.form_root.empty()) model.form_root = "root";
  return {};
}

}  // namespace ivk::detail
