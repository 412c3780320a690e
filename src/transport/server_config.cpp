// A resolved server configuration and the redacted form it is logged in.
#include "ivk/transport/server_url.h"

namespace ivk {

std::string_view to_string(ConfigSource source) noexcept {
  switch (source) {
    case ConfigSource::flag: return "flag";
    case ConfigSource::environment: return "environment";
    case ConfigSource::config_file: return "config file";
    case ConfigSource::default_value: return "default";
  }
  return "default";
}

std::string redacted_token(const std::optional<std::string>& token) {
  return token ? "<redacted>" : "<none>";
}

std::string ServerConfig::redacted() const {
  std::string out = url.to_string() + " (" + std::string(ivk::to_string(url_source)) + "), token: ";
  out += redacted_token(token);
  if (token) out += " (" + std::string(ivk::to_string(token_source)) + ")";
  return out;
}

}  // namespace ivk
