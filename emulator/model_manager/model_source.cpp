#include "model_manager/model_source.h"

#include <filesystem>
#include <regex>
#include <system_error>

namespace ivk::emu {

Json ModelSource::to_json() const {
  Json j = Json::object();
  switch (kind) {
    case Kind::local:
      j["path"] = path;
      j["inplace"] = inplace;
      j["type"] = "local";
      break;
    case Kind::hf:
      j["repo_id"] = repo_id;
      j["variant"] = variant ? Json(*variant) : Json(nullptr);
      j["subfolder"] = subfolder ? Json(*subfolder) : Json(nullptr);
      j["access_token"] = access_token ? Json(*access_token) : Json(nullptr);
      j["type"] = "hf";
      break;
    case Kind::url:
      j["url"] = url;
      j["access_token"] = access_token ? Json(*access_token) : Json(nullptr);
      j["type"] = "url";
      break;
  }
  return j;
}

std::string ModelSource::record_source_type() const {
  switch (kind) {
    case Kind::local: return "path";
    case Kind::hf: return "hf_repo_id";
    case Kind::url: return "url";
  }
  return "path";
}

std::string ModelSource::record_source() const {
  switch (kind) {
    case Kind::local: return path;
    case Kind::hf: return text;
    case Kind::url: return url;
  }
  return text;
}

std::optional<ModelSource> parse_model_source(const std::string& source, bool inplace,
                                              std::optional<std::string> access_token) {
  ModelSource s;
  s.text = source;
  s.access_token = std::move(access_token);
  std::error_code ec;
  if (!source.empty() && std::filesystem::exists(source, ec)) {
    s.kind = ModelSource::Kind::local;
    s.path = std::filesystem::absolute(source, ec).lexically_normal().string();
    if (s.path.size() > 1 && s.path.back() == '/') s.path.pop_back();
    s.inplace = inplace;
    s.access_token.reset();
    return s;
  }
  // owner/repo, optionally :variant and :subfolder (the variant may be empty: "owner/repo::vae").
  static const std::regex kHf(R"(^([^/:]+/[^/:]+)(?::(fp16|fp32|onnx|openvino|flax|)?(?::/?([^:]+))?)?$)");
  std::smatch m;
  // std::regex recurses per character: bound the input so a huge source cannot exhaust the stack.
  if (source.size() <= 512 && std::regex_match(source, m, kHf)) {
    s.kind = ModelSource::Kind::hf;
    s.repo_id = m[1].str();
    // No variant part at all: the server's default, fp16 ("what people almost always want").
    s.variant = m[2].matched ? m[2].str() : std::string("fp16");
    if (m[3].matched) s.subfolder = m[3].str();
    return s;
  }
  if ((source.rfind("http://", 0) == 0 && source.size() > 7) ||
      (source.rfind("https://", 0) == 0 && source.size() > 8)) {
    s.kind = ModelSource::Kind::url;
    s.url = source;
    return s;
  }
  return std::nullopt;
}

}  // namespace ivk::emu
