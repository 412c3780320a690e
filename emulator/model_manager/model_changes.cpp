#include "model_manager/model_changes.h"

#include <set>
#include <string>
#include <vector>

#include "model_manager/model_configs.h"

namespace ivk::emu {
namespace {

enum class Kind { string, integer, boolean, string_list, object, enumerated };

struct Member {
  const char* name;
  Kind kind;
  const std::vector<std::string>* allowed = nullptr;
};

const std::vector<std::string>& variants() {
  static const std::vector<std::string> v{"normal", "inpaint", "depth", "large", "gigantic"};
  return v;
}
const std::vector<std::string>& prediction_types() {
  static const std::vector<std::string> v{"epsilon", "v_prediction", "sample"};
  return v;
}

const std::vector<Member>& members() {
  static const std::vector<Member> v{
      {"source", Kind::string},
      {"source_type", Kind::enumerated, &model_source_types()},
      {"source_api_response", Kind::string},
      {"name", Kind::string},
      {"path", Kind::string},
      {"description", Kind::string},
      {"base", Kind::enumerated, &base_model_types()},
      {"type", Kind::enumerated, &model_types()},
      {"key", Kind::string},
      {"hash", Kind::string},
      {"file_size", Kind::integer},
      {"format", Kind::string},
      {"trigger_phrases", Kind::string_list},
      {"default_settings", Kind::object},
      {"variant", Kind::enumerated, &variants()},
      {"prediction_type", Kind::enumerated, &prediction_types()},
      {"upcast_attention", Kind::boolean},
      {"config_path", Kind::string},
  };
  return v;
}

}  // namespace

Json validate_record_changes(Validation& v, const Json& body) {
  Json out = Json::object();
  for (const Member& m : members()) {
    const auto it = body.find(m.name);
    if (it == body.end()) continue;
    const Json loc = Json::array({"body", m.name});
    const Json& value = *it;
    if (value.is_null()) {
      out[m.name] = nullptr;  // every member is optional
      continue;
    }
    switch (m.kind) {
      case Kind::string:
        if (!value.is_string()) {
          v.add(string_type_item(loc, value));
          continue;
        }
        break;
      case Kind::integer:
        if (!value.is_number_integer()) {
          v.add(int_type_item(loc, value));
          continue;
        }
        break;
      case Kind::boolean:
        if (!value.is_boolean()) {
          v.add(bool_type_item(loc, value));
          continue;
        }
        break;
      case Kind::string_list: {
        if (!value.is_array()) {
          v.add(list_type_item(loc, value));
          continue;
        }
        bool ok = true;
        for (std::size_t i = 0; i < value.size(); ++i)
          if (!value[i].is_string()) {
            v.add(string_type_item(Json::array({"body", m.name, i}), value[i]));
            ok = false;
          }
        if (!ok) continue;
        break;
      }
      case Kind::object:
        if (!value.is_object()) {
          v.add(dict_type_item(loc, value));
          continue;
        }
        break;
      case Kind::enumerated: {
        const bool known = value.is_string() && std::find(m.allowed->begin(), m.allowed->end(),
                                                          value.get<std::string>()) != m.allowed->end();
        if (!known) {
          v.add(enum_item(loc, value, *m.allowed));
          continue;
        }
        break;
      }
    }
    out[m.name] = value;
  }
  return out;
}

}  // namespace ivk::emu
