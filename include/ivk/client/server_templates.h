#pragma once
// A server's own node templates: its GET /openapi.json, fetched once per server version and origin
// and cached as a file, so that inputs are typed and checked without a --templates flag.
//
// The cache file is openapi-<version>-<16 hex digits of the server URL's hash>.json: one per server
// version, and one per server (custom nodes differ between servers of one version). It is written
// through a temporary file and a rename, so concurrent ivk processes never read a torn file; a file
// that does not parse is fetched again and replaced, never trusted.
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "ivk/error.h"
#include "ivk/transport/server_session.h"
#include "ivk/transport/server_url.h"
#include "ivk/transport/server_version.h"
#include "ivk/workflow/node_templates.h"

namespace ivk {

struct ServerTemplates {
  NodeTemplates templates;
  bool from_cache = false;           // read from cache_file: no GET /openapi.json was sent
  std::filesystem::path cache_file;  // where they are cached; empty when no cache dir was given
  // The document was fetched but could not be cached (ErrorCode::io); the templates are good.
  std::optional<Error> cache_error;
};

// Asks the server for its version (GET /api/v1/app/version), then reads the cache file for that
// version and server or, failing that, GET /openapi.json (parsed, then cached). An empty cache_dir
// caches nothing (every call fetches); a missing one is created.
// nullopt when the server has no document (404 on /openapi.json). Errors: transport, timeout, http,
// auth (version or document request), parse_error or invalid_argument (a document that is not an
// OpenAPI document with invocation schemas; nothing is cached then).
Result<std::optional<ServerTemplates>> fetch_server_templates(ServerSession& session,
                                                              const std::filesystem::path& cache_dir);
// The same for a caller that already knows the server's version (one request fewer).
Result<std::optional<ServerTemplates>> fetch_server_templates(ServerSession& session,
                                                              const ServerVersion& version,
                                                              const std::filesystem::path& cache_dir);

// "openapi-6.8.0-1f0c2a9d83e4b7c5.json": the version as ServerVersion::to_string() writes it, and
// the FNV-1a 64-bit hash of url.to_string() (origin and sub-path), stable across runs and machines.
std::string server_templates_cache_name(const ServerUrl& url, const ServerVersion& version);

// $XDG_CACHE_HOME/ivk, else $HOME/.cache/ivk, else nullopt (both unset or empty). A relative
// XDG_CACHE_HOME is ignored, as the XDG base directory specification says. Pure: reads only env.
std::optional<std::filesystem::path> default_cache_dir(const std::map<std::string, std::string>& env);

}  // namespace ivk
