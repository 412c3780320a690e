// Where a server's OpenAPI document is cached, and under which name.
#include <cstdint>
#include <cstdio>

#include "ivk/client/server_templates.h"

namespace ivk {
namespace {

// FNV-1a, 64 bits: tiny, and unlike std::hash the same in every build, so every ivk on a machine
// finds the files the others wrote.
std::uint64_t fnv1a_64(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

std::string env_or_empty(const std::map<std::string, std::string>& env, const char* name) {
  const auto it = env.find(name);
  return it == env.end() ? std::string() : it->second;
}

// The version as a file name part: a lenient parse keeps unusual labels, and none may add a '/'.
std::string file_name_safe(std::string text) {
  for (char& c : text) {
    const bool safe = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      c == '.' || c == '-' || c == '_';
    if (!safe) c = '_';
  }
  return text;
}

}  // namespace

std::string server_templates_cache_name(const ServerUrl& url, const ServerVersion& version) {
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a_64(url.to_string())));
  return "openapi-" + file_name_safe(version.to_string()) + "-" + hash + ".json";
}

std::optional<std::filesystem::path> default_cache_dir(const std::map<std::string, std::string>& env) {
  // The XDG base directory specification: a relative path in XDG_CACHE_HOME is invalid and ignored.
  if (const auto xdg = env_or_empty(env, "XDG_CACHE_HOME"); !xdg.empty() && xdg.front() == '/')
    return std::filesystem::path(xdg) / "ivk";
  if (const auto home = env_or_empty(env, "HOME"); !home.empty())
    return std::filesystem::path(home) / ".cache" / "ivk";
  return std::nullopt;
}

}  // namespace ivk
