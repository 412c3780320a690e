#include "http/router.h"

#include <nlohmann/json.hpp>

namespace ivk::emu {
namespace {

// Splits on '/', keeping empty segments: "/a/b/" -> {"", "a", "b", ""}, so trailing slashes stay
// significant like on the real server.
std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      out.emplace_back(path.substr(start));
      return out;
    }
    out.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
}

bool is_capture(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// "{name}" -> "name"; "{name:path}" -> "name" (a Starlette path convertor: the rest of the path).
std::string capture_name(const std::string& segment, bool& rest_of_path) {
  std::string name = segment.substr(1, segment.size() - 2);
  rest_of_path = false;
  if (const auto colon = name.find(':'); colon != std::string::npos) {
    rest_of_path = name.substr(colon + 1) == "path";
    name.resize(colon);
  }
  return name;
}

// Matches a split path against a route's segments, filling captures.
bool match_segments(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
                    std::map<std::string, std::string>& params) {
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const std::string& seg = pattern[i];
    if (is_capture(seg)) {
      bool rest = false;
      std::string name = capture_name(seg, rest);
      if (rest) {
        if (i >= path.size()) return false;
        std::string joined = path[i];
        for (std::size_t j = i + 1; j < path.size(); ++j) joined += "/" + path[j];
        if (joined.empty()) return false;
        params[name] = std::move(joined);
        return true;
      }
      // Starlette's default convertor matches one non-empty segment.
      if (i >= path.size() || path[i].empty()) return false;
      params[name] = path[i];
      continue;
    }
    if (i >= path.size() || path[i] != seg) return false;
  }
  return pattern.size() == path.size();
}

}  // namespace

std::optional<std::string> Request::query_value(std::string_view name) const {
  // FastAPI takes the last value of a repeated scalar parameter.
  std::optional<std::string> out;
  for (const auto& [k, v] : query)
    if (k == name) out = v;
  return out;
}

std::vector<std::string> Request::query_values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : query)
    if (k == name) out.push_back(v);
  return out;
}

std::optional<std::string> Request::header(std::string_view lowercase_name) const {
  for (const auto& [k, v] : headers)
    if (k == lowercase_name) return v;
  return std::nullopt;
}

Response Response::json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::detail(int status, std::string_view message) {
  nlohmann::ordered_json body = nlohmann::ordered_json::object();
  // Handlers may pass bytes from a request (an unknown key, a path): replace invalid UTF-8 rather
  // than throw while serializing.
  body["detail"] = std::string(message);
  return json(status, body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

Response Response::no_content() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

void Router::add(std::string method, std::string pattern, Access access, Handler handler) {
  routes_.push_back(Route{std::move(method), split_path(pattern), access, std::move(handler)});
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match out;
  const std::vector<std::string> segments = split_path(path);
  // First registered route wins, as in Starlette; a path match with another method only counts
  // when no route matches fully.
  for (const Route& route : routes_) {
    std::map<std::string, std::string> params;
    if (!match_segments(route.segments, segments, params)) continue;
    if (route.method != method) {
      out.path_matched = true;
      continue;
    }
    out.handler = &route.handler;
    out.access = route.access;
    out.params = std::move(params);
    return out;
  }
  return out;
}

}  // namespace ivk::emu
