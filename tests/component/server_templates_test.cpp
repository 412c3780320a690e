// fetch_server_templates against the in-process emulator serving the real 6.8 OpenAPI document: the
// cache file it writes (exact name and bytes), reading it back without a request, a corrupt file
// refetched, a server without the document, racing writers; and the pure naming helpers.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ivk/client/server_templates.h"
#include "ivk/emulator.h"
#include "ivk/transport/http.h"
#include "ivk/transport/server_session.h"
#include "support/fixtures.h"
#include "support/scripted_server.h"

namespace {

using ivk::ErrorCode;
using ivk::ServerSession;
using ivk::ServerTemplates;
using ivk::ServerUrl;
using ivk::ServerVersion;

constexpr std::size_t kTemplatesIn68 = 211;  // invocation schemas in the shared 6.8 document

// Counts the requests per path suffix on their way to libcurl, so a test can tell a cache hit
// (no GET /openapi.json) from a fetch.
struct RequestCounts {
  std::atomic<int> openapi{0};
  std::atomic<int> version{0};
};

class CountingTransport : public ivk::HttpTransport {
 public:
  explicit CountingTransport(std::shared_ptr<RequestCounts> counts)
      : inner_(ivk::make_curl_transport()), counts_(std::move(counts)) {}
  ivk::HttpAttempt send(const ivk::HttpRequest& request) override {
    if (request.url.ends_with("/openapi.json")) ++counts_->openapi;
    if (request.url.ends_with("/api/v1/app/version")) ++counts_->version;
    return inner_->send(request);
  }

 private:
  std::unique_ptr<ivk::HttpTransport> inner_;
  std::shared_ptr<RequestCounts> counts_;
};

std::filesystem::path fresh_dir(const std::string& tag) {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("ivk-templates-" + tag + "-" + std::to_string(std::random_device{}()) + "-" +
              std::to_string(counter++));
  std::filesystem::create_directories(dir);
  return dir;
}

std::vector<std::string> file_names(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  if (std::error_code ec; !std::filesystem::exists(dir, ec)) return names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

ServerVersion version_of(const char* text) {
  auto v = ServerVersion::parse(text);
  EXPECT_TRUE(v) << text;
  return v ? *v : ServerVersion{};
}

ivk::test::ScriptedResponse answer(int status, std::string body) {
  ivk::test::ScriptedResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

ServerUrl url_of(const std::string& text) {
  auto u = ServerUrl::parse(text);
  EXPECT_TRUE(u) << text;
  return u ? *u : ServerUrl{};
}

class ServerTemplatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ivk::EmulatorOptions options;
    options.openapi_file = ivk::test::openapi_path();
    auto emulator = ivk::Emulator::start(options);
    ASSERT_TRUE(emulator) << emulator.error().describe();
    emulator_ = std::move(*emulator);
    cache_dir_ = fresh_dir("cache") / "nested" / "ivk";  // not there yet: the call creates it
    document_ = ivk::test::read_file(ivk::test::openapi_path());
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(cache_dir_.parent_path().parent_path(), ec);
  }

  std::unique_ptr<ServerSession> session(std::shared_ptr<RequestCounts> counts) {
    ivk::ServerConfig config;
    config.url = url_of(emulator_->url());
    return std::make_unique<ServerSession>(config, std::make_unique<CountingTransport>(std::move(counts)));
  }

  std::filesystem::path expected_cache_file() const {
    return cache_dir_ / ivk::server_templates_cache_name(url_of(emulator_->url()), version_of("6.8.0"));
  }

  std::unique_ptr<ivk::Emulator> emulator_;
  std::filesystem::path cache_dir_;
  std::string document_;
};

TEST_F(ServerTemplatesTest, FirstCallFetchesTheDocumentAndCachesItUnderTheVersionAndServer) {
  auto counts = std::make_shared<RequestCounts>();
  auto s = session(counts);
  auto got = ivk::fetch_server_templates(*s, cache_dir_);
  ASSERT_TRUE(got) << got.error().describe();
  ASSERT_TRUE(got->has_value());
  const ServerTemplates& t = **got;
  EXPECT_FALSE(t.from_cache);
  EXPECT_FALSE(t.cache_error.has_value());
  EXPECT_EQ(t.templates.size(), kTemplatesIn68);
  ASSERT_NE(t.templates.find("noise"), nullptr);
  ASSERT_NE(t.templates.find("noise")->input("seed"), nullptr);
  EXPECT_EQ(t.templates.find("noise")->input("seed")->constraints.maximum, 4294967295.0);

  const auto name = t.cache_file.filename().string();
  EXPECT_EQ(t.cache_file, expected_cache_file());
  EXPECT_TRUE(name.starts_with("openapi-6.8.0-")) << name;
  EXPECT_EQ(name.size(), std::string("openapi-6.8.0-0123456789abcdef.json").size()) << name;
  EXPECT_EQ(file_names(cache_dir_), std::vector<std::string>{name});  // no temporary file left over
  EXPECT_EQ(ivk::test::read_file(t.cache_file), document_);           // the server's bytes, as sent
  EXPECT_EQ(counts->openapi.load(), 1);
  EXPECT_EQ(counts->version.load(), 1);
}

TEST_F(ServerTemplatesTest, SecondCallReadsTheCacheWithoutRequestingTheDocument) {
  auto counts = std::make_shared<RequestCounts>();
  ASSERT_TRUE(ivk::fetch_server_templates(*session(counts), cache_dir_));
  // A new session, as a second ivk process would have.
  auto again = ivk::fetch_server_templates(*session(counts), cache_dir_);
  ASSERT_TRUE(again) << again.error().describe();
  ASSERT_TRUE(again->has_value());
  EXPECT_TRUE((*again)->from_cache);
  EXPECT_EQ((*again)->templates.size(), kTemplatesIn68);
  EXPECT_EQ((*again)->cache_file, expected_cache_file());
  EXPECT_EQ(counts->openapi.load(), 1);  // only the first call's
  EXPECT_EQ(counts->version.load(), 2);  // the cache is keyed by version: each call asks for it
}

TEST_F(ServerTemplatesTest, AKnownVersionSkipsTheVersionRequest) {
  auto counts = std::make_shared<RequestCounts>();
  auto got = ivk::fetch_server_templates(*session(counts), version_of("6.8.0"), cache_dir_);
  ASSERT_TRUE(got) << got.error().describe();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->cache_file, expected_cache_file());
  EXPECT_EQ(counts->version.load(), 0);
  EXPECT_EQ(counts->openapi.load(), 1);
}

TEST_F(ServerTemplatesTest, ATruncatedCacheFileIsFetchedAgainAndReplaced) {
  std::filesystem::create_directories(cache_dir_);
  {
    std::ofstream out(expected_cache_file(), std::ios::binary);
    out << document_.substr(0, document_.size() / 2);  // what a full disk could leave
  }
  auto counts = std::make_shared<RequestCounts>();
  auto got = ivk::fetch_server_templates(*session(counts), cache_dir_);
  ASSERT_TRUE(got) << got.error().describe();
  ASSERT_TRUE(got->has_value());
  EXPECT_FALSE((*got)->from_cache);
  EXPECT_EQ((*got)->templates.size(), kTemplatesIn68);
  EXPECT_EQ(counts->openapi.load(), 1);
  EXPECT_EQ(ivk::test::read_file(expected_cache_file()), document_);
  EXPECT_EQ(file_names(cache_dir_).size(), 1u);
}

TEST_F(ServerTemplatesTest, ACacheFileThatIsNotAnOpenApiDocumentIsNotTrusted) {
  std::filesystem::create_directories(cache_dir_);
  std::ofstream(expected_cache_file()) << R"({"components": {"schemas": {}}})";
  auto counts = std::make_shared<RequestCounts>();
  auto got = ivk::fetch_server_templates(*session(counts), cache_dir_);
  ASSERT_TRUE(got) << got.error().describe();
  ASSERT_TRUE(got->has_value());
  EXPECT_FALSE((*got)->from_cache);
  EXPECT_EQ(counts->openapi.load(), 1);
  EXPECT_EQ(ivk::test::read_file(expected_cache_file()), document_);
}

TEST_F(ServerTemplatesTest, TwoRacingCallersLeaveOneCompleteFile) {
  auto counts = std::make_shared<RequestCounts>();
  std::vector<std::size_t> sizes(2, 0);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < sizes.size(); ++i)
    threads.emplace_back([&, i] {
      auto got = ivk::fetch_server_templates(*session(counts), cache_dir_);
      if (got && got->has_value()) sizes[i] = (*got)->templates.size();
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(sizes, (std::vector<std::size_t>{kTemplatesIn68, kTemplatesIn68}));
  EXPECT_EQ(file_names(cache_dir_), std::vector<std::string>{expected_cache_file().filename().string()});
  EXPECT_EQ(ivk::test::read_file(expected_cache_file()), document_);
  // Each fetched (or one read the other's finished file): never more requests than callers.
  EXPECT_GE(counts->openapi.load(), 1);
  EXPECT_LE(counts->openapi.load(), 2);
}

TEST_F(ServerTemplatesTest, NoCacheDirFetchesEveryTimeAndWritesNothing) {
  auto counts = std::make_shared<RequestCounts>();
  for (int i = 0; i < 2; ++i) {
    auto got = ivk::fetch_server_templates(*session(counts), {});
    ASSERT_TRUE(got) << got.error().describe();
    ASSERT_TRUE(got->has_value());
    EXPECT_FALSE((*got)->from_cache);
    EXPECT_TRUE((*got)->cache_file.empty());
  }
  EXPECT_EQ(counts->openapi.load(), 2);
}

TEST_F(ServerTemplatesTest, AnUnwritableCacheStillGivesTheTemplates) {
  const auto blocker = cache_dir_.parent_path();  // a file where the cache folder's parent should be
  std::filesystem::create_directories(blocker.parent_path());
  std::ofstream(blocker) << "not a folder";
  auto got = ivk::fetch_server_templates(*session(std::make_shared<RequestCounts>()), cache_dir_);
  ASSERT_TRUE(got) << got.error().describe();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->templates.size(), kTemplatesIn68);
  ASSERT_TRUE((*got)->cache_error.has_value());
  EXPECT_EQ((*got)->cache_error->code, ErrorCode::io);
  EXPECT_EQ((*got)->cache_error->source, cache_dir_.string());
}

TEST(ServerTemplatesNoDocument, AServerWithoutTheDocumentGivesNoTemplatesAndNoFile) {
  auto emulator = ivk::Emulator::start({});  // no openapi_file: /openapi.json answers 404
  ASSERT_TRUE(emulator) << emulator.error().describe();
  const auto dir = fresh_dir("none");
  ivk::ServerConfig config;
  config.url = url_of((*emulator)->url());
  ServerSession session(config);
  auto got = ivk::fetch_server_templates(session, dir);
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_FALSE(got->has_value());
  EXPECT_TRUE(file_names(dir).empty());
  std::filesystem::remove_all(dir);
}

TEST(ServerTemplatesScripted, ADocumentWithoutInvocationsIsAnErrorAndIsNotCached) {
  ivk::test::ScriptedServer server;
  server.enqueue(answer(200, R"({"version":"6.8.0","highlights":null})"));
  server.enqueue(answer(200, R"({"openapi":"3.1.0","components":{"schemas":{}}})"));
  const auto dir = fresh_dir("empty");
  ivk::ServerConfig config;
  config.url = url_of(server.url());
  ServerSession session(config);
  auto got = ivk::fetch_server_templates(session, dir);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(got.error().source, server.url() + "/openapi.json");
  EXPECT_TRUE(got.error().message.starts_with("the server's OpenAPI document cannot give node templates: "))
      << got.error().message;
  EXPECT_TRUE(file_names(dir).empty());
  EXPECT_EQ(server.request_count(), 2u);
  std::filesystem::remove_all(dir);
}

TEST(ServerTemplatesScripted, AServerErrorOnTheDocumentIsAnHttpError) {
  ivk::test::ScriptedServer server;
  server.enqueue(answer(200, R"({"version":"6.8.0","highlights":null})"));
  server.set_fallback(answer(500, R"({"detail":"boom"})"));
  ivk::ServerConfig config;
  config.url = url_of(server.url());
  ServerSession session(config);
  auto got = ivk::fetch_server_templates(session, {});
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::http);
  EXPECT_EQ(got.error().http_status, 500);
}

TEST(ServerTemplatesCacheName, NamesTheVersionAndAStableHashOfTheServerUrl) {
  EXPECT_EQ(ivk::server_templates_cache_name(url_of("http://127.0.0.1:9090"), version_of("6.8.0")),
            "openapi-6.8.0-1419e3ac0597a88a.json");
  EXPECT_EQ(
      ivk::server_templates_cache_name(url_of("https://gpu.example:8443/invoke/"), version_of("6.14.0rc1")),
      "openapi-6.14.0-rc1-c5f623a2bee5d1ec.json");
  // Custom nodes differ between servers: another port or sub-path is another file.
  EXPECT_NE(ivk::server_templates_cache_name(url_of("http://127.0.0.1:9091"), version_of("6.8.0")),
            ivk::server_templates_cache_name(url_of("http://127.0.0.1:9090"), version_of("6.8.0")));
  EXPECT_NE(
      ivk::server_templates_cache_name(url_of("https://gpu.example:8443/other"), version_of("6.14.0rc1")),
      ivk::server_templates_cache_name(url_of("https://gpu.example:8443/invoke"), version_of("6.14.0rc1")));
  // What people type for one server names one file.
  EXPECT_EQ(ivk::server_templates_cache_name(url_of("localhost"), version_of("6.8.0")),
            ivk::server_templates_cache_name(url_of("http://localhost:9090/"), version_of("6.8.0")));
}

TEST(ServerTemplatesCacheDir, FollowsXdgThenHome) {
  using Env = std::map<std::string, std::string>;
  EXPECT_EQ(ivk::default_cache_dir(Env{{"XDG_CACHE_HOME", "/xdg"}, {"HOME", "/home/u"}}),
            std::filesystem::path("/xdg/ivk"));
  EXPECT_EQ(ivk::default_cache_dir(Env{{"HOME", "/home/u"}}), std::filesystem::path("/home/u/.cache/ivk"));
  EXPECT_EQ(ivk::default_cache_dir(Env{{"XDG_CACHE_HOME", ""}, {"HOME", "/home/u"}}),
            std::filesystem::path("/home/u/.cache/ivk"));
  EXPECT_EQ(ivk::default_cache_dir(Env{{"XDG_CACHE_HOME", "rel/cache"}, {"HOME", "/home/u"}}),
            std::filesystem::path("/home/u/.cache/ivk"));
  EXPECT_EQ(ivk::default_cache_dir(Env{}), std::nullopt);
  EXPECT_EQ(ivk::default_cache_dir(Env{{"XDG_CACHE_HOME", "rel"}}), std::nullopt);
}

}  // namespace
