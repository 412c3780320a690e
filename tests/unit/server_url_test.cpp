#include "ivk/transport/server_url.h"
#include "ivk/client/server_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

using ivk::ConfigSource;
using ivk::ErrorCode;
using ivk::ServerUrl;

ServerUrl parsed(std::string_view text) {
  auto url = ServerUrl::parse(text);
  EXPECT_TRUE(url.has_value()) << text << ": " << (url ? "" : url.error().describe());
  return url ? *url : ServerUrl{};
}

std::string parse_error(std::string_view text) {
  auto url = ServerUrl::parse(text);
  EXPECT_FALSE(url.has_value()) << text << " parsed as " << (url ? url->to_string() : "");
  if (url) return {};
  EXPECT_EQ(url.error().code, ErrorCode::invalid_argument);
  return url.error().message;
}

TEST(ServerUrl, DefaultIsInvokeAiLocalBind) {
  const ServerUrl url;
  EXPECT_EQ(url.to_string(), "http://127.0.0.1:9090");
  EXPECT_EQ(url.v1("/app/version"), "http://127.0.0.1:9090/api/v1/app/version");
}

// The Python client turns "localhost:9090" into http://localhost:809090 (pyclient.md §1.1).
TEST(ServerUrl, HostPortWithoutSchemeIsHttp) {
  const auto url = parsed("localhost:9090");
  EXPECT_EQ(url.scheme(), "http");
  EXPECT_EQ(url.host(), "localhost");
  EXPECT_EQ(url.port(), 9090);
  EXPECT_EQ(url.base_path(), "");
  EXPECT_EQ(url.v1("/app/version"), "http://localhost:9090/api/v1/app/version");
}

TEST(ServerUrl, BareHostGetsInvokeAiPort) {
  EXPECT_EQ(parsed("localhost").to_string(), "http://localhost:9090");
  EXPECT_EQ(parsed("192.168.1.20").origin(), "http://192.168.1.20:9090");
}

TEST(ServerUrl, SchemeWithoutPortUsesSchemeDefault) {
  const auto http = parsed("http://invoke.example.com");
  EXPECT_EQ(http.port(), 80);
  EXPECT_EQ(http.origin(), "http://invoke.example.com");
  const auto https = parsed("HTTPS://Invoke.Example.com");
  EXPECT_EQ(https.scheme(), "https");
  EXPECT_EQ(https.host(), "invoke.example.com");
  EXPECT_EQ(https.port(), 443);
  EXPECT_EQ(https.v2("/models/"), "https://invoke.example.com/api/v2/models/");
  EXPECT_EQ(parsed("https://h:8443").origin(), "https://h:8443");
  EXPECT_EQ(parsed("http://h:443").origin(), "http://h:443");
}

// The Python client writes http://::1:9090/api/v1 (pyclient.md §1.1).
TEST(ServerUrl, Ipv6LiteralsStayBracketed) {
  const auto url = parsed("[::1]:9090");
  EXPECT_EQ(url.host(), "::1");
  EXPECT_TRUE(url.is_ipv6());
  EXPECT_EQ(url.port(), 9090);
  EXPECT_EQ(url.origin(), "http://[::1]:9090");
  EXPECT_EQ(url.authority(), "[::1]:9090");
  EXPECT_EQ(url.v1("/queue/default/status"), "http://[::1]:9090/api/v1/queue/default/status");
  EXPECT_EQ(url.websocket_url(), "ws://[::1]:9090/ws/socket.io/?EIO=4&transport=websocket");

  const auto bare = parsed("http://[::1]");
  EXPECT_EQ(bare.port(), 80);
  EXPECT_EQ(bare.origin(), "http://[::1]");
  EXPECT_EQ(parsed("[fe80::1:2]").origin(), "http://[fe80::1:2]:9090");
  EXPECT_EQ(parsed("https://[2001:DB8::7]:8443/x").to_string(), "https://[2001:db8::7]:8443/x");
}

// The Python client applies a sub-path to v1 only (pyclient.md §1.1).
TEST(ServerUrl, SubPathAppliesToV1V2AndSocket) {
  const auto url = parsed("http://host:9090/proxy/invoke/");
  EXPECT_EQ(url.base_path(), "/proxy/invoke");
  EXPECT_EQ(url.to_string(), "http://host:9090/proxy/invoke");
  EXPECT_EQ(url.v1("/boards/"), "http://host:9090/proxy/invoke/api/v1/boards/");
  EXPECT_EQ(url.v2("/models/i/abc"), "http://host:9090/proxy/invoke/api/v2/models/i/abc");
  EXPECT_EQ(url.socket_path(), "/proxy/invoke/ws/socket.io");
  EXPECT_EQ(url.websocket_url(), "ws://host:9090/proxy/invoke/ws/socket.io/?EIO=4&transport=websocket");
  EXPECT_EQ(url.url("/openapi.json"), "http://host:9090/proxy/invoke/openapi.json");
  EXPECT_EQ(parsed("https://h/a//b///").base_path(), "/a/b");
  EXPECT_EQ(parsed("https://h/").base_path(), "");
  EXPECT_EQ(parsed("https://h/invoke").websocket_url(),
            "wss://h/invoke/ws/socket.io/?EIO=4&transport=websocket");
}

TEST(ServerUrl, ApiPrefixInTheUrlIsNotASubPath) {
  EXPECT_EQ(parsed("http://localhost:9090/api/v1").base_path(), "");
  EXPECT_EQ(parsed("http://localhost:9090/api/v1/").v1("/app/version"),
            "http://localhost:9090/api/v1/app/version");
  EXPECT_EQ(parsed("http://h/proxy/api/v2").base_path(), "/proxy");
  EXPECT_EQ(parsed("http://h/api").base_path(), "");
}

TEST(ServerUrl, PathsAreJoinedExactly) {
  const auto url = parsed("http://h:9090");
  EXPECT_EQ(url.v1(), "http://h:9090/api/v1");
  EXPECT_EQ(url.v1("boards/"), "http://h:9090/api/v1/boards/");
  EXPECT_EQ(url.v1("/boards/"), "http://h:9090/api/v1/boards/");
  EXPECT_EQ(url.v1("//boards"), "http://h:9090/api/v1/boards");
  EXPECT_EQ(url.v1("/images/?limit=10"), "http://h:9090/api/v1/images/?limit=10");
  EXPECT_EQ(url.v2("/models/"), "http://h:9090/api/v2/models/");
}

TEST(ServerUrl, ToStringRoundTrips) {
  for (std::string_view text : {"localhost", "[::1]:9090", "https://h/p/q", "http://h:81", "https://[::1]"}) {
    const auto url = parsed(text);
    EXPECT_EQ(parsed(url.to_string()), url) << text;
  }
  EXPECT_EQ(parsed("  http://h:9090  ").to_string(), "http://h:9090");
}

TEST(ServerUrl, RejectsGarbageWithAnExample) {
  EXPECT_NE(parse_error("http://").find("host name is missing"), std::string::npos);
  EXPECT_NE(parse_error(":9090").find("host name is missing"), std::string::npos);
  EXPECT_NE(parse_error("host:notaport").find("\"notaport\" is not a number"), std::string::npos);
  EXPECT_NE(parse_error("host:0").find("out of range (1-65535)"), std::string::npos);
  EXPECT_NE(parse_error("host:65536").find("out of range"), std::string::npos);
  EXPECT_NE(parse_error("host:").find("port after ':' is missing"), std::string::npos);
  EXPECT_NE(parse_error("").find("empty"), std::string::npos);
  EXPECT_NE(parse_error("ftp://h").find("must be http or https, not \"ftp\""), std::string::npos);
  EXPECT_NE(parse_error("ws://h").find("must be http or https"), std::string::npos);
  EXPECT_NE(parse_error("::1").find("IPv6 address must be written in brackets"), std::string::npos);
  EXPECT_NE(parse_error("http://[::1").find("no closing ']'"), std::string::npos);
  EXPECT_NE(parse_error("http://[::1]x").find("only \":port\""), std::string::npos);
  EXPECT_NE(parse_error("http://[zz]").find("not an IPv6 address"), std::string::npos);
  EXPECT_NE(parse_error("http://h st").find("space"), std::string::npos);
  EXPECT_NE(parse_error("http://h/a b").find("space"), std::string::npos);
  EXPECT_NE(parse_error("http://ho$t").find("not a valid host name"), std::string::npos);
  EXPECT_NE(parse_error("http://h/../x").find("\"..\""), std::string::npos);
  const auto message = parse_error("host:notaport");
  EXPECT_NE(message.find("invalid server URL \"host:notaport\""), std::string::npos);
  EXPECT_NE(message.find("a good URL looks like http://127.0.0.1:9090"), std::string::npos);
}

TEST(ServerUrl, RejectsQueryAndFragment) {
  EXPECT_NE(parse_error("http://h:9090/?x=1").find("query"), std::string::npos);
  EXPECT_NE(parse_error("http://h:9090#top").find("fragment"), std::string::npos);
}

TEST(ServerUrl, RejectsUserInfoWithoutEchoingIt) {
  const auto message = parse_error("http://alice:s3cret@h:9090/x");
  EXPECT_NE(message.find("user names and passwords"), std::string::npos);
  EXPECT_NE(message.find("a token option, or INVOKEAI_TOKEN"), std::string::npos);
  EXPECT_NE(message.find("\"http://***@h:9090/x\""), std::string::npos);
  EXPECT_EQ(message.find("s3cret"), std::string::npos);
  EXPECT_EQ(message.find("alice"), std::string::npos);
}

TEST(UrlEncode, KeepsUnreservedEncodesTheRest) {
  EXPECT_EQ(ivk::url_encode_query_value("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(ivk::url_encode_query_value("a b&c=d/e?f#g+h%"), "a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh%25");
  EXPECT_EQ(ivk::url_encode_query_value("\xC3\xA9"), "%C3%A9");
  EXPECT_EQ(ivk::url_encode_path_segment("x/y"), "x%2Fy");
}

TEST(QueryBuilder, RepeatsListParameters) {
  const std::vector<std::string> bases = {"sdxl", "sd-1"};
  ivk::QueryBuilder q;
  EXPECT_EQ(q.str(), "");
  EXPECT_TRUE(q.empty());
  q.add_list("base_models", bases).add("model_type", "main").add_int("limit", 10).add_bool("archived", false);
  q.add_optional("name", std::nullopt).add_optional("board id", std::string("a&b"));
  EXPECT_EQ(q.str(),
            "?base_models=sdxl&base_models=sd-1&model_type=main&limit=10&archived=false&board%20id=a%26b");
  const ServerUrl url;
  EXPECT_EQ(url.v2("/models/") + q.str(),
            "http://127.0.0.1:9090/api/v2/models/?base_models=sdxl&base_models=sd-1&model_type=main&limit=10&"
            "archived=false&board%20id=a%26b");
}

// --- configuration resolution ---

class ConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ivk-config-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path write(const std::string& text) {
    auto path = dir_ / "config.json";
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(ConfigFile, DefaultWhenNothingIsSet) {
  const auto config = ivk::resolve_server_config(std::nullopt, std::nullopt, {}, dir_ / "missing.json");
  ASSERT_TRUE(config) << config.error().describe();
  EXPECT_EQ(config->url.to_string(), "http://127.0.0.1:9090");
  EXPECT_EQ(config->url_source, ConfigSource::default_value);
  EXPECT_FALSE(config->token);
  EXPECT_EQ(config->redacted(), "http://127.0.0.1:9090 (default), token: <none>");
}

TEST_F(ConfigFile, FlagBeatsEnvironmentBeatsFile) {
  const auto file = write(R"({"url": "http://file-host:1", "token": "file-token", "timeout": 3})");
  const std::map<std::string, std::string> env = {{"INVOKEAI_URL", "env-host:2"},
                                                  {"INVOKEAI_TOKEN", "env-token"}};

  auto config = ivk::resolve_server_config("flag-host:3", "flag-token", env, file);
  ASSERT_TRUE(config) << config.error().describe();
  EXPECT_EQ(config->url.to_string(), "http://flag-host:3");
  EXPECT_EQ(config->token, "flag-token");
  EXPECT_EQ(config->url_source, ConfigSource::flag);
  EXPECT_EQ(config->token_source, ConfigSource::flag);

  config = ivk::resolve_server_config(std::nullopt, std::nullopt, env, file);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->url.to_string(), "http://env-host:2");
  EXPECT_EQ(config->token, "env-token");
  EXPECT_EQ(config->url_source, ConfigSource::environment);

  config = ivk::resolve_server_config(std::nullopt, std::nullopt, {{"INVOKEAI_URL", ""}}, file);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->url.to_string(), "http://file-host:1");
  EXPECT_EQ(config->token, "file-token");
  EXPECT_EQ(config->url_source, ConfigSource::config_file);
  EXPECT_EQ(config->token_source, ConfigSource::config_file);
  EXPECT_EQ(config->redacted(), "http://file-host:1 (config file), token: <redacted> (config file)");

  // URL and token resolve independently; an empty --token hides the others.
  config = ivk::resolve_server_config("[::1]", "", env, file);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->url.origin(), "http://[::1]:9090");
  EXPECT_FALSE(config->token);
  EXPECT_EQ(config->token_source, ConfigSource::flag);
}

TEST_F(ConfigFile, ErrorsNameTheSourceAndNeverTheToken) {
  auto config =
      ivk::resolve_server_config(std::nullopt, std::nullopt, {{"INVOKEAI_URL", "h:x"}}, std::nullopt);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(config.error().source, "INVOKEAI_URL");

  config = ivk::resolve_server_config("h:0", std::nullopt, {}, std::nullopt);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().source, "ClientOptions::url");

  config = ivk::resolve_server_config(std::nullopt, std::nullopt, {{"INVOKEAI_TOKEN", "Bearer abc.def"}},
                                      std::nullopt);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(config.error().describe().find("abc.def"), std::string::npos);
  EXPECT_NE(config.error().message.find("from the environment"), std::string::npos);

  const auto bad_file = write(R"({"url": 9090})");
  config = ivk::resolve_server_config(std::nullopt, std::nullopt, {}, bad_file);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::parse_error);
  EXPECT_EQ(config.error().source, bad_file.string());
  EXPECT_NE(config.error().message.find("\"url\" in the configuration file must be a string"),
            std::string::npos);

  const auto not_json = write("url = http://h");
  config = ivk::resolve_server_config(std::nullopt, std::nullopt, {}, not_json);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::parse_error);

  config = ivk::resolve_server_config(std::nullopt, std::nullopt, {}, dir_);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::io);

  const auto bad_url = write(R"({"url": "http://u:p@h"})");
  config = ivk::resolve_server_config(std::nullopt, std::nullopt, {}, bad_url);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().source, bad_url.string());
  EXPECT_EQ(config.error().message.find(":p@"), std::string::npos);
}

TEST(ConfigPath, XdgThenHome) {
  EXPECT_EQ(ivk::default_config_path({{"XDG_CONFIG_HOME", "/x"}, {"HOME", "/home/u"}}),
            std::filesystem::path("/x/ivk/config.json"));
  EXPECT_EQ(ivk::default_config_path({{"XDG_CONFIG_HOME", ""}, {"HOME", "/home/u"}}),
            std::filesystem::path("/home/u/.config/ivk/config.json"));
  EXPECT_FALSE(ivk::default_config_path({}));
  EXPECT_EQ(ivk::redacted_token(std::string("eyJhbGciOi")), "<redacted>");
  EXPECT_EQ(ivk::redacted_token(std::nullopt), "<none>");
}

}  // namespace
