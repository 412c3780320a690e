#include "file_name_template.h"

#include <cstdio>

#include "core/ascii_case.h"
#include "ivk/client/image_download.h"

namespace ivk::detail {

namespace {

constexpr std::size_t kMaxFileName = 200;

bool allowed(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

// One substituted value: unsafe bytes become '_' so no value can add a separator or a traversal.
std::string safe_part(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) out += allowed(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

// A compact JSON value as text: strings without their quotes (escapes kept simple), others as they are.
std::string json_as_text(std::string_view json) {
  if (json.size() >= 2 && json.front() == '"' && json.back() == '"') {
    std::string out;
    for (std::size_t i = 1; i + 1 < json.size(); ++i) {
      if (json[i] == '\\' && i + 2 < json.size()) ++i;
      out += json[i];
    }
    return out;
  }
  return std::string(json);
}

std::string_view extension_of(std::string_view image_name) {
  const auto dot = image_name.rfind('.');
  if (dot == std::string_view::npos || image_name.size() - dot > 8) return ".png";
  return image_name.substr(dot);
}

std::string_view stem_of(std::string_view image_name) {
  const auto slash = image_name.find_last_of("/\\");
  if (slash != std::string_view::npos) image_name = image_name.substr(slash + 1);
  const auto dot = image_name.rfind('.');
  return dot == std::string_view::npos ? image_name : image_name.substr(0, dot);
}

const PlanField* find_field(const std::vector<PlanField>& fields, std::string_view name, std::size_t* at) {
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (fields[i].label == name || fields[i].node_path + "." + fields[i].field_name == name) {
      *at = i;
      return &fields[i];
    }
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (detail::equals_ignoring_ascii_case(fields[i].label, name)) {
      *at = i;
      return &fields[i];
    }
  return nullptr;
}

struct Placeholder {
  std::string name;
  int width = 0;  // {index:05}
};

Result<Placeholder> parse_placeholder(std::string_view body) {
  Placeholder p;
  const auto colon = body.rfind(':');
  if (colon != std::string_view::npos &&
      (body.substr(0, colon) == "index" || body.substr(0, colon) == "n" || body.substr(0, colon) == "item")) {
    const std::string_view spec = body.substr(colon + 1);
    if (spec.empty() || spec.size() > 2 || spec.find_first_not_of("0123456789") != std::string_view::npos)
      return fail(ErrorCode::invalid_argument,
                  "{" + std::string(body) + "}: the width must be digits, e.g. {index:05}");
    p.width = std::stoi(std::string(spec));
    p.name = std::string(body.substr(0, colon));
  } else {
    p.name = std::string(body);
  }
  return p;
}

std::string padded(std::uint64_t value, int width) {
  std::string s = std::to_string(value);
  if (static_cast<int>(s.size()) < width) s.insert(0, static_cast<std::size_t>(width) - s.size(), '0');
  return s;
}

// Walks the template, calling on_text for literal text and on_placeholder for each {…}.
template <class Text, class Hole>
Status walk(std::string_view tpl, Text&& on_text, Hole&& on_placeholder) {
  std::size_t i = 0;
  while (i < tpl.size()) {
    const auto open = tpl.find('{', i);
    if (open == std::string_view::npos) {
      on_text(tpl.substr(i));
      break;
    }
    on_text(tpl.substr(i, open - i));
    const auto close = tpl.find('}', open);
    if (close == std::string_view::npos)
      return fail(ErrorCode::invalid_argument,
                  "--name: '{' at byte " + std::to_string(open + 1) + " is never closed");
    auto p = parse_placeholder(tpl.substr(open + 1, close - open - 1));
    if (!p) return tl::unexpected(p.error());
    if (auto ok = on_placeholder(*p); !ok) return ok;
    i = close + 1;
  }
  return {};
}

}  // namespace

bool is_reserved_file_name(std::string_view name) {
  for (std::string_view own :
       {"run.json", "run.sqlite", "run.sqlite-wal", "run.sqlite-shm", "run.sqlite-journal"})
    if (detail::equals_ignoring_ascii_case(name, own)) return true;
  // Older runs moved aside by --new: run-1.json, run-1.sqlite...
  if (name.size() > 4 && detail::equals_ignoring_ascii_case(name.substr(0, 4), "run-")) {
    const auto dot = name.find('.');
    if (dot != std::string_view::npos && dot > 4 &&
        name.substr(4, dot - 4).find_first_not_of("0123456789") == std::string_view::npos)
      return true;
  }
  return false;
}

Status check_name_template(std::string_view name_template, const std::vector<PlanField>& fields) {
  return walk(
      name_template, [](std::string_view) {},
      [&](const Placeholder& p) -> Status {
        if (p.name == "index" || p.name == "n" || p.name == "item" || p.name == "image" || p.name == "batch")
          return {};
        std::size_t at = 0;
        if (find_field(fields, p.name, &at) != nullptr) return {};
        std::string known = "{index}, {index:05}, {n}, {item}, {image}, {batch}";
        for (const auto& f : fields) known += ", {" + f.label + "}";
        return fail(ErrorCode::invalid_argument,
                    "--name: unknown placeholder {" + p.name + "}; available: " + known);
      });
}

std::string render_file_name(std::string_view name_template, const NameContext& c) {
  std::string out;
  if (name_template.empty()) {
    out = safe_image_file_name(c.image_name);
  } else {
    (void)walk(
        name_template, [&](std::string_view text) { out += safe_part(text); },
        [&](const Placeholder& p) -> Status {
          if (p.name == "index")
            out += padded(c.index, p.width);
          else if (p.name == "n")
            out += padded(static_cast<std::uint64_t>(c.n), p.width);
          else if (p.name == "item")
            out += padded(static_cast<std::uint64_t>(c.item_id), p.width);
          else if (p.name == "image")
            out += safe_part(stem_of(c.image_name));
          else if (p.name == "batch")
            out += safe_part(c.batch_id);
          else if (c.fields != nullptr && c.values_json != nullptr) {
            std::size_t at = 0;
            if (find_field(*c.fields, p.name, &at) != nullptr && at < c.values_json->size())
              out += safe_part(json_as_text((*c.values_json)[at]));
          }
          return {};
        });
    const std::string_view ext = extension_of(c.image_name);
    if (out.size() < ext.size() ||
        !detail::equals_ignoring_ascii_case(std::string_view(out).substr(out.size() - ext.size()), ext))
      out += ext;
  }
  while (!out.empty() && out.front() == '.') out.front() = '_';
  if (out.size() > kMaxFileName) {
    const std::string ext(extension_of(out));
    out = out.substr(0, kMaxFileName - ext.size()) + ext;
  }
  if (out.empty() || out == extension_of(c.image_name)) out = "image" + out;
  if (is_reserved_file_name(out)) out.insert(0, "image-");
  return out;
}

std::string collision_name(const std::string& taken, std::uint64_t index, int n, int attempt) {
  const auto dot = taken.rfind('.');
  const std::string stem = dot == std::string::npos ? taken : taken.substr(0, dot);
  const std::string ext = dot == std::string::npos ? std::string() : taken.substr(dot);
  std::string out = stem + "-" + std::to_string(index) + "-" + std::to_string(n);
  if (attempt > 1) out += "-" + std::to_string(attempt);
  return out + ext;
}

}  // namespace ivk::detail
