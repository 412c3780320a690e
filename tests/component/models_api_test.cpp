// ModelsApi and ModelCatalogCache over real HTTP against the in-process emulator, loaded with the
// shared fixture catalog (server-exact.json: 12 models).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ivk/api/model_catalog_cache.h"
#include "ivk/api/models_api.h"
#include "ivk/emulator.h"
#include "ivk/transport/server_session.h"
#include "support/fixtures.h"

namespace {

using namespace std::chrono_literals;
using ivk::ErrorCode;
using ivk::InstallState;
using ivk::ModelsApi;

constexpr const char* kJuggernaut = "914b2e5a-b8d3-4da1-965f-b3775bbc5745";
constexpr const char* kFluxDev = "bcc9c810-5cfd-418a-b7c1-42facca130b5";
constexpr const char* kJuggernautHash =
    "blake3:7bb02e9351409debc5727aeeb83f77340931d3c8f86d2d6c69f67af8de20dd74";
constexpr std::size_t kFixtureModels = 12;

// A fresh directory, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ivk-models-api-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, std::size_t bytes) const {
    auto p = path_ / name;
    std::ofstream(p, std::ios::binary) << std::string(bytes, 'x');
    return p;
  }
  // A minimal .safetensors LoRA (8-byte header length, JSON header, 2 data bytes): the emulator,
  // like the server, identifies a file by its tensor names.
  std::filesystem::path write_lora(const std::string& name) const {
    const std::string header =
        R"({"lora_unet_down.lora_down.weight":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}})";
    std::string bytes(8, '\0');
    for (std::size_t i = 0; i < 8; ++i) bytes[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
    auto p = path_ / name;
    std::ofstream(p, std::ios::binary) << bytes << header << std::string(2, '\0');
    return p;
  }

 private:
  std::filesystem::path path_;
};

std::set<std::string> keys_of(const std::vector<ivk::ModelRecord>& records) {
  std::set<std::string> keys;
  for (const auto& r : records) keys.insert(r.key);
  return keys;
}

class ModelsApiTest : public ::testing::Test {
 protected:
  // Small, quick simulated downloads: 4 MiB at 16 MiB/s take about a quarter of a second, long
  // enough for several progress polls.
  void SetUp() override { start(16ull * 1024 * 1024); }

  void start(std::uint64_t bytes_per_second) {
    ivk::EmulatorOptions options;
    options.port = 0;
    options.models_file = ivk::test::fixture("models/server-exact.json");
    options.simulated_download_bytes = 4ull * 1024 * 1024;
    options.download_bytes_per_second = bytes_per_second;
    options.fail_install_matching = "broken-on-purpose";
    api_.reset();
    session_.reset();
    emulator_.reset();
    auto emulator = ivk::Emulator::start(std::move(options));
    ASSERT_TRUE(emulator) << emulator.error().describe();
    emulator_ = std::move(*emulator);
    auto url = ivk::ServerUrl::parse(emulator_->url());
    ASSERT_TRUE(url) << url.error().describe();
    ivk::ServerConfig config;
    config.url = *url;
    // Quick retries: the cache test talks to a stopped server.
    ivk::SessionOptions session_options;
    session_options.retry.base_delay = 5ms;
    session_options.retry.max_delay = 20ms;
    session_ = std::make_unique<ivk::ServerSession>(config, session_options);
    api_ = std::make_unique<ModelsApi>(*session_);
  }

  ModelsApi& api() { return *api_; }

  std::unique_ptr<ivk::Emulator> emulator_;
  std::unique_ptr<ivk::ServerSession> session_;
  std::unique_ptr<ModelsApi> api_;
};

TEST_F(ModelsApiTest, ListsTheWholeCatalog) {
  auto all = api().list();
  ASSERT_TRUE(all) << all.error().describe();
  ASSERT_EQ(all->size(), kFixtureModels);
  EXPECT_TRUE(keys_of(*all).count(kJuggernaut));
  const auto it = std::find_if(all->begin(), all->end(), [](const auto& r) { return r.key == kJuggernaut; });
  EXPECT_EQ(it->name, "juggernautXL_v9Rundiffusionphoto2");
  EXPECT_EQ(it->base, "sdxl");
  EXPECT_EQ(it->type, "main");
  EXPECT_EQ(it->hash, kJuggernautHash);
}

TEST_F(ModelsApiTest, FiltersOnTheServer) {
  ivk::ModelFilter sdxl_main;
  sdxl_main.bases = {"sdxl"};
  sdxl_main.type = "main";
  auto r = api().list(sdxl_main);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(keys_of(*r), (std::set<std::string>{kJuggernaut, "fb57e50d-e8b1-43d3-a988-e33721c2be3e"}));

  ivk::ModelFilter two_bases;
  two_bases.bases = {"sd-1", "flux"};
  r = api().list(two_bases);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(keys_of(*r),
            (std::set<std::string>{
                "4ea8c1b5-e56c-47c0-949e-3805d06c1301", kFluxDev, "53fdb8d0-6376-44b4-a02f-d25fdb375451",
                "6acd79db-272e-42f7-8e70-875fd1e0aa6e", "a1b2c3d4-0000-4000-8000-000000000001"}));

  ivk::ModelFilter diffusers;
  diffusers.format = "diffusers";
  r = api().list(diffusers);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(keys_of(*r), (std::set<std::string>{"6fca3865-ce3f-45cd-a4d4-1086ea40504e",
                                                "a1b2c3d4-0000-4000-8000-000000000001",
                                                "a1b2c3d4-0000-4000-8000-000000000002"}));

  ivk::ModelFilter by_name;
  by_name.name = "flux1-dev";
  r = api().list(by_name);
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->front().key, kFluxDev);

  ivk::ModelFilter main_only;
  main_only.type = "main";
  r = api().list(main_only);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->size(), 5u);
}

TEST_F(ModelsApiTest, GetsOneRecordOrNotFound) {
  auto r = api().get(kJuggernaut);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->name, "juggernautXL_v9Rundiffusionphoto2");
  EXPECT_EQ(r->format, "checkpoint");

  auto missing = api().get("no-such-key");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_EQ(missing.error().http_status, 404);
  // The server's explanation travels with the error and shows in describe().
  EXPECT_FALSE(missing.error().detail.empty());
  EXPECT_NE(missing.error().describe().find(missing.error().detail), std::string::npos);
  EXPECT_EQ(missing.error().where, "GET /api/v2/models/i/no-such-key");
}

TEST_F(ModelsApiTest, GetsByAttributesAndHash) {
  auto r = api().get_by_attrs("flux1-dev", "main", "flux");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->key, kFluxDev);

  auto none = api().get_by_attrs("flux1-dev", "main", "sdxl");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::not_found);
  EXPECT_EQ(none.error().detail, "No model found with these attributes");

  auto h = api().get_by_hash(kJuggernautHash);
  ASSERT_TRUE(h) << h.error().describe();
  EXPECT_EQ(h->key, kJuggernaut);
  auto no_hash = api().get_by_hash("blake3:0000");
  ASSERT_FALSE(no_hash);
  EXPECT_EQ(no_hash.error().code, ErrorCode::not_found);
  EXPECT_EQ(no_hash.error().detail, "No model found with this hash");
}

TEST_F(ModelsApiTest, InstallsAUrlWithProgressUntilCompleted) {
  const std::string source = "https://example.com/models/detail-tweaker.safetensors";
  auto handle = api().install(source);
  ASSERT_TRUE(handle) << handle.error().describe();
  EXPECT_FALSE(handle->already_installed());
  EXPECT_GE(handle->job().id, 0);
  EXPECT_EQ(handle->job().source, source);
  EXPECT_EQ(handle->job().source_type, "url");

  std::vector<ivk::ModelInstallJob> seen;
  auto done = handle->wait(
      30s, [&](const ivk::ModelInstallJob& j) { seen.push_back(j); }, 20ms);
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_EQ(done->state(), InstallState::completed) << done->raw_json;
  EXPECT_TRUE(done->succeeded());
  EXPECT_TRUE(done->as_status());
  EXPECT_EQ(done->total_bytes, 4 * 1024 * 1024);
  EXPECT_EQ(done->bytes, done->total_bytes);
  EXPECT_EQ(handle->progress().fraction(), 1.0);
  // The callback saw the job on the way (at least the start and the end), bytes never going back.
  ASSERT_GE(seen.size(), 3u);
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i].bytes, seen[i - 1].bytes);
  EXPECT_TRUE(std::any_of(seen.begin(), seen.end(), [](const auto& j) { return !j.is_terminal(); }));
  ASSERT_TRUE(done->config_out);
  const std::string key = done->config_out->key;
  EXPECT_EQ(done->config_out->source, source);

  auto record = api().get(key);
  ASSERT_TRUE(record) << record.error().describe();
  EXPECT_EQ(record->source, source);
  auto all = api().list();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), kFixtureModels + 1);

  // The same source again: found installed before any download.
  auto again = api().install(source);
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_TRUE(again->already_installed());
  EXPECT_EQ(again->existing_model()->key, key);
  EXPECT_EQ(again->job().id, -1);
  auto again_done = again->wait(1s);
  ASSERT_TRUE(again_done);
  EXPECT_TRUE(again_done->succeeded());

  // Forced through: the server itself finds the duplicate, which still counts as success.
  ivk::InstallOptions force;
  force.skip_if_installed = false;
  auto forced = api().install(source, force);
  ASSERT_TRUE(forced) << forced.error().describe();
  auto forced_done = forced->wait(30s, {}, 20ms);
  ASSERT_TRUE(forced_done) << forced_done.error().describe();
  EXPECT_EQ(forced_done->error_reason, "DuplicateModelException") << forced_done->raw_json;
  EXPECT_TRUE(forced_done->is_duplicate());
  EXPECT_TRUE(forced_done->succeeded());
  EXPECT_TRUE(forced_done->as_status());
}

TEST_F(ModelsApiTest, InstallsALocalFileInPlace) {
  TempDir dir;
  const auto file = dir.write_lora("local-lora.safetensors");
  ivk::InstallOptions options;
  options.inplace = true;
  options.config_json = R"({"description":"from a component test"})";
  auto handle = api().install(file.string(), options);
  ASSERT_TRUE(handle) << handle.error().describe();
  EXPECT_EQ(handle->job().source_type, "local");
  EXPECT_TRUE(handle->job().inplace);
  auto done = handle->wait(30s, {}, 20ms);
  ASSERT_TRUE(done) << done.error().describe();
  ASSERT_EQ(done->state(), InstallState::completed) << done->raw_json;
  ASSERT_TRUE(done->config_out);
  EXPECT_EQ(done->config_out->source, file.string());
  EXPECT_EQ(done->config_out->description, "from a component test");
  EXPECT_TRUE(std::filesystem::exists(file)) << "in place: the file stays";
}

TEST_F(ModelsApiTest, RejectsAnUnsupportedSource) {
  auto r = api().install("not a model source");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(r.error().http_status, 409);
  EXPECT_NE(r.error().detail.find("Unsupported model source"), std::string::npos) << r.error().detail;

  ivk::InstallOptions bad_config;
  bad_config.config_json = "[1]";
  auto c = api().install("https://example.com/x.safetensors", bad_config);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::invalid_argument);
}

TEST_F(ModelsApiTest, AFailedInstallEndsInErrorWithItsReason) {
  auto handle = api().install("https://example.com/broken-on-purpose.safetensors");
  ASSERT_TRUE(handle) << handle.error().describe();
  auto done = handle->wait(30s, {}, 20ms);
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_EQ(done->state(), InstallState::error);
  EXPECT_FALSE(done->error_reason.empty());
  EXPECT_FALSE(done->succeeded());
  auto status = done->as_status();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::http);
  EXPECT_NE(status.error().message.find(done->error_reason), std::string::npos) << status.error().message;
}

TEST_F(ModelsApiTest, CancelsPrunesAndListsJobs) {
  start(256ull * 1024);  // 4 MiB at 256 KiB/s: 16 s, long enough to cancel midway
  auto slow = api().install("https://example.com/models/slow.safetensors");
  ASSERT_TRUE(slow) << slow.error().describe();
  const auto id = slow->job().id;

  auto jobs = api().list_jobs();
  ASSERT_TRUE(jobs) << jobs.error().describe();
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ(jobs->front().id, id);

  ASSERT_TRUE(slow->cancel());
  auto done = slow->wait(10s, {}, 20ms);
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_EQ(done->state(), InstallState::cancelled);
  EXPECT_LT(done->bytes, done->total_bytes);
  auto status = done->as_status();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::cancelled);

  auto fetched = api().get_job(id);
  ASSERT_TRUE(fetched) << fetched.error().describe();
  EXPECT_EQ(fetched->status, "cancelled");

  auto unknown = api().get_job(9999);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  auto cancel_unknown = api().cancel_job(9999);
  ASSERT_FALSE(cancel_unknown);
  EXPECT_EQ(cancel_unknown.error().code, ErrorCode::not_found);
  EXPECT_EQ(cancel_unknown.error().http_status, 415);

  ASSERT_TRUE(api().prune_jobs());
  jobs = api().list_jobs();
  ASSERT_TRUE(jobs);
  EXPECT_TRUE(jobs->empty());
}

TEST_F(ModelsApiTest, WaitTimesOutNamingTheLastStatus) {
  start(256ull * 1024);
  auto slow = api().install("https://example.com/models/slow-timeout.safetensors");
  ASSERT_TRUE(slow) << slow.error().describe();
  auto done = slow->wait(150ms, {}, 20ms);
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, ErrorCode::timeout);
  EXPECT_NE(done.error().message.find("last status"), std::string::npos) << done.error().message;
  EXPECT_LT(slow->age(), 5s);
  ASSERT_TRUE(slow->cancel());
}

TEST_F(ModelsApiTest, DeletesOneAndManyReportingEach) {
  ASSERT_TRUE(api().delete_model(kFluxDev));
  auto gone = api().get(kFluxDev);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::not_found);
  auto twice = api().delete_model(kFluxDev);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::not_found);

  const std::vector<std::string> keys{kJuggernaut, "no-such-key", "a1b2c3d4-0000-4000-8000-000000000003"};
  const ivk::DeleteReport report = api().delete_models(keys);
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.deleted, (std::vector<std::string>{kJuggernaut, "a1b2c3d4-0000-4000-8000-000000000003"}));
  ASSERT_EQ(report.failed.size(), 1u);
  EXPECT_EQ(report.failed[0].key, "no-such-key");
  EXPECT_EQ(report.failed[0].error.code, ErrorCode::not_found);
  auto all = api().list();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), kFixtureModels - 3);
}

TEST_F(ModelsApiTest, UpdatesARecord) {
  auto r = api().update(kJuggernaut, R"({"description":"renamed by a test","name":"jugg"})");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->key, kJuggernaut);
  EXPECT_EQ(r->name, "jugg");
  EXPECT_EQ(r->description, "renamed by a test");
  auto again = api().get(kJuggernaut);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->name, "jugg");
  auto bad = api().update(kJuggernaut, "not json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
  auto missing = api().update("no-such-key", R"({"name":"x"})");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

TEST_F(ModelsApiTest, ScansAFolderAndSeesWhatIsInstalled) {
  TempDir dir;
  const auto a = dir.write_lora("a-detail.safetensors");
  const auto b = dir.write("b-vae.ckpt", 1024);
  auto found = api().scan_folder(dir.path().string());
  ASSERT_TRUE(found) << found.error().describe();
  ASSERT_EQ(found->size(), 2u);
  std::set<std::string> paths;
  for (const auto& f : *found) {
    paths.insert(f.path);
    EXPECT_FALSE(f.is_installed) << f.path;
  }
  EXPECT_EQ(paths, (std::set<std::string>{a.string(), b.string()}));

  ivk::InstallOptions inplace;
  inplace.inplace = true;
  auto handle = api().install(a.string(), inplace);
  ASSERT_TRUE(handle) << handle.error().describe();
  auto done = handle->wait(30s, {}, 20ms);
  ASSERT_TRUE(done && done->state() == InstallState::completed)
      << (done ? done->raw_json : done.error().describe());
  found = api().scan_folder(dir.path().string());
  ASSERT_TRUE(found);
  for (const auto& f : *found) EXPECT_EQ(f.is_installed, f.path == a.string()) << f.path;

  auto bad = api().scan_folder((dir.path() / "does-not-exist").string());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::not_found);
  EXPECT_EQ(bad.error().http_status, 400);
  EXPECT_NE(bad.error().detail.find("could not be scanned"), std::string::npos) << bad.error().detail;
}

TEST_F(ModelsApiTest, HuggingFaceTokenStates) {
  auto initial = api().hf_login_status();
  ASSERT_TRUE(initial) << initial.error().describe();
  EXPECT_NE(*initial, ivk::HfTokenStatus::valid);
  auto good = api().hf_login("hf_0123456789abcdef");
  ASSERT_TRUE(good) << good.error().describe();
  EXPECT_EQ(*good, ivk::HfTokenStatus::valid);
  auto now = api().hf_login_status();
  ASSERT_TRUE(now);
  EXPECT_EQ(*now, ivk::HfTokenStatus::valid);
  auto bad = api().hf_login("nope");
  ASSERT_TRUE(bad) << bad.error().describe();
  EXPECT_EQ(*bad, ivk::HfTokenStatus::invalid);
  auto out = api().hf_logout();
  ASSERT_TRUE(out) << out.error().describe();
  EXPECT_NE(*out, ivk::HfTokenStatus::valid);
}

TEST_F(ModelsApiTest, ServiceRoutes) {
  auto starters = api().starter_models();
  ASSERT_TRUE(starters) << starters.error().describe();
  EXPECT_FALSE(starters->models.empty());
  for (const auto& m : starters->models) EXPECT_FALSE(m.source.empty()) << m.raw_json;

  auto stats = api().stats();
  ASSERT_TRUE(stats) << stats.error().describe();
  ASSERT_TRUE(api().empty_cache());

  auto missing = api().missing();
  ASSERT_TRUE(missing) << missing.error().describe();

  auto lora_repo = api().hugging_face("someone/pixel-lora");
  ASSERT_TRUE(lora_repo) << lora_repo.error().describe();
  ASSERT_TRUE(lora_repo->urls);
  EXPECT_EQ(lora_repo->urls->size(), 1u);
  auto no_repo = api().hugging_face("not a repo");
  ASSERT_FALSE(no_repo);
  EXPECT_EQ(no_repo.error().code, ErrorCode::not_found);

  auto convert_missing = api().convert("no-such-key");
  ASSERT_FALSE(convert_missing);
  EXPECT_EQ(convert_missing.error().code, ErrorCode::not_found);
}

TEST_F(ModelsApiTest, CoverImages) {
  auto none = api().get_image(kJuggernaut);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::not_found);

  const std::string png =
      ivk::test::read_file(ivk::test::fixture("images/8079126e-6cb0-4d47-956a-0eec6b71c600.png"));
  ASSERT_GT(png.size(), 8u);
  ASSERT_TRUE(api().set_image(kJuggernaut, png));
  auto image = api().get_image(kJuggernaut);
  ASSERT_TRUE(image) << image.error().describe();
  EXPECT_EQ(image->substr(0, 8), png.substr(0, 8)) << "a PNG comes back";
  auto record = api().get(kJuggernaut);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->cover_image, std::string("api/v2/models/i/") + kJuggernaut + "/image");

  auto not_image = api().set_image(kJuggernaut, "plain text, not an image", "text/plain");
  ASSERT_FALSE(not_image);
  EXPECT_EQ(not_image.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(not_image.error().http_status, 415);

  ASSERT_TRUE(api().delete_image(kJuggernaut));
  none = api().get_image(kJuggernaut);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::not_found);
}

TEST_F(ModelsApiTest, ConvertsACheckpoint) {
  auto converted = api().convert(kJuggernaut);
  ASSERT_TRUE(converted) << converted.error().describe();
  EXPECT_EQ(converted->format, "diffusers");
  EXPECT_EQ(converted->name, "juggernautXL_v9Rundiffusionphoto2");
  auto lora = api().convert("a1b2c3d4-0000-4000-8000-000000000003");
  ASSERT_FALSE(lora);
  EXPECT_EQ(lora.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(lora.error().http_status, 400);
}

TEST_F(ModelsApiTest, CatalogCacheRefreshesAfterItsTtl) {
  auto now = ivk::ModelCatalogCache::Clock::now();
  ivk::ModelCatalogCache cache(api(), 60s, [&now] { return now; });
  auto c = cache.catalog();
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ((*c)->size(), kFixtureModels);
  EXPECT_EQ(cache.fetch_count(), 1);

  ASSERT_TRUE(api().delete_model(kFluxDev));
  now += 30s;  // within the TTL: the cached catalog, still with the deleted model
  auto found = cache.find_by_key(kFluxDev);
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->has_value());
  EXPECT_EQ(cache.fetch_count(), 1);

  now += 31s;  // past the TTL: fetched again
  found = cache.find_by_key(kFluxDev);
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value());
  EXPECT_EQ(cache.fetch_count(), 2);
  auto sdxl = cache.filter("sdxl", "main");
  ASSERT_TRUE(sdxl);
  EXPECT_EQ(sdxl->size(), 2u);
  auto by_name = cache.find_by_name("flux1-schnell");
  ASSERT_TRUE(by_name);
  ASSERT_EQ(by_name->size(), 1u);
  auto by_hash = cache.find_by_hash(kJuggernautHash);
  ASSERT_TRUE(by_hash && by_hash->has_value());
  EXPECT_EQ((*by_hash)->key, kJuggernaut);
  EXPECT_EQ(cache.fetch_count(), 2);

  cache.invalidate();
  ASSERT_TRUE(cache.catalog());
  EXPECT_EQ(cache.fetch_count(), 3);

  // No server: refresh fails, and so does a catalog() past its TTL (stale data is not passed off
  // as fresh); the fetch count stays.
  emulator_->stop();
  EXPECT_FALSE(cache.refresh());
  now += 120s;
  EXPECT_FALSE(cache.catalog());
  EXPECT_EQ(cache.fetch_count(), 3);
}

}  // namespace
