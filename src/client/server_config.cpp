// Where the server URL and token come from: options, the environment or the config file, by precedence.
#include "ivk/client/server_config.h"

#include <simdjson.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

namespace ivk {

std::optional<std::filesystem::path> default_config_path(const std::map<std::string, std::string>& env) {
  const auto get = [&](const char* name) -> std::string {
    const auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  };
  if (auto xdg = get("XDG_CONFIG_HOME"); !xdg.empty())
    return std::filesystem::path(xdg) / "ivk" / "config.json";
  if (auto home = get("HOME"); !home.empty())
    return std::filesystem::path(home) / ".config" / "ivk" / "config.json";
  return std::nullopt;
}

namespace {

struct FileSettings {
  std::optional<std::string> url;
  std::optional<std::string> token;
};

Result<FileSettings> read_config_file(const std::filesystem::path& path) {
  auto with_source = [&](ErrorCode code, std::string message) {
    Error e = make_error(code, std::move(message));
    e.source = path.string();
    return tl::unexpected<Error>(std::move(e));
  };
  FileSettings settings;
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found) return settings;
  if (status.type() == std::filesystem::file_type::directory)
    return with_source(ErrorCode::io, "the configuration file is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return with_source(ErrorCode::io, "cannot read the configuration file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  simdjson::dom::parser parser;
  simdjson::dom::object root;
  if (auto err = parser.parse(text).get_object().get(root); err)
    return with_source(ErrorCode::parse_error,
                       "the configuration file must be a JSON object such as "
                       "{\"url\": \"http://127.0.0.1:9090\", \"token\": \"...\"}");
  for (auto field : root) {
    std::optional<std::string>* target = nullptr;
    if (field.key == "url") target = &settings.url;
    if (field.key == "token") target = &settings.token;
    if (target == nullptr || field.value.is_null()) continue;  // unknown keys are left for other settings
    std::string_view value;
    if (field.value.get_string().get(value))
      return with_source(ErrorCode::parse_error,
                         "\"" + std::string(field.key) + "\" in the configuration file must be a string");
    if (!value.empty()) *target = std::string(value);
  }
  return settings;
}

std::optional<std::string> env_value(const std::map<std::string, std::string>& env, const char* name) {
  const auto it = env.find(name);
  if (it == env.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

}  // namespace

Result<ServerConfig> resolve_server_config(std::optional<std::string> flag_url,
                                           std::optional<std::string> flag_token,
                                           const std::map<std::string, std::string>& env,
                                           const std::optional<std::filesystem::path>& config_file) {
  try {
    FileSettings file;
    if (config_file) {
      auto read = read_config_file(*config_file);
      if (!read) return tl::unexpected(std::move(read.error()));
      file = std::move(*read);
    }
    ServerConfig config;

    std::optional<std::string> url_text;
    if (flag_url) {
      url_text = std::move(flag_url);
      config.url_source = ConfigSource::flag;
    } else if (auto env_url = env_value(env, "INVOKEAI_URL")) {
      url_text = std::move(env_url);
      config.url_source = ConfigSource::environment;
    } else if (file.url) {
      url_text = std::move(file.url);
      config.url_source = ConfigSource::config_file;
    }
    if (url_text) {
      auto parsed = ServerUrl::parse(*url_text);
      if (!parsed) {
        Error e = std::move(parsed.error());
        switch (config.url_source) {
          case ConfigSource::flag: e.source = "ClientOptions::url"; break;
          case ConfigSource::environment: e.source = "INVOKEAI_URL"; break;
          default: e.source = config_file ? config_file->string() : std::string(); break;
        }
        return tl::unexpected(std::move(e));
      }
      config.url = std::move(*parsed);
    }

    if (flag_token) {
      config.token_source = ConfigSource::flag;
      if (!flag_token->empty()) config.token = std::move(flag_token);
    } else if (auto env_token = env_value(env, "INVOKEAI_TOKEN")) {
      config.token = std::move(env_token);
      config.token_source = ConfigSource::environment;
    } else if (file.token) {
      config.token = std::move(file.token);
      config.token_source = ConfigSource::config_file;
    }
    if (config.token && std::any_of(config.token->begin(), config.token->end(), [](char c) {
          return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
        })) {
      std::string where(ivk::to_string(config.token_source));
      return fail(ErrorCode::invalid_argument,
                  "the token (from the " + where +
                      ") contains a space or a control character; pass the bare token, without \"Bearer \"");
    }
    return config;
  } catch (const std::exception& e) {  // std::bad_alloc, filesystem errors
    return fail(ErrorCode::internal, std::string("resolving the server configuration failed: ") + e.what());
  }
}

}  // namespace ivk
