#pragma once
// Resolving which server to talk to and with which token, from explicit values, the environment
// and ivk's config file. Client::connect and ClientOptions use it; the result feeds a ServerSession.
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "ivk/error.h"
#include "ivk/transport/server_url.h"

namespace ivk {

// $XDG_CONFIG_HOME/ivk/config.json, else $HOME/.config/ivk/config.json, else nullopt
// (both variables unset or empty). Pure: reads only the map it is given.
std::optional<std::filesystem::path> default_config_path(const std::map<std::string, std::string>& env);

// Resolves the server URL and token, each on its own, by precedence:
//   the given value (an error in it names ClientOptions::url)
//   > environment (INVOKEAI_URL, INVOKEAI_TOKEN; empty values count as unset)
//   > config file (JSON: {"url": "...", "token": "..."}; a missing file is skipped, unknown keys ignored)
//   > default (http://127.0.0.1:9090, no token).
// An empty given token means "no token" and hides the environment's and the file's.
// Errors: invalid_argument (bad URL or token, naming where it came from), io (unreadable file),
// parse_error (file is not a JSON object or a value is not a string). No message contains a token.
Result<ServerConfig> resolve_server_config(std::optional<std::string> url, std::optional<std::string> token,
                                           const std::map<std::string, std::string>& env,
                                           const std::optional<std::filesystem::path>& config_file);

}  // namespace ivk
