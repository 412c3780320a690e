// The emulator's model manager (spec §3), driven in-process through the Router: filters on a real
// server's catalog, install jobs (local probe, simulated downloads, failures, cancel, prune), scan,
// convert, persistence and the small service routes.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/router.h"
#include "model_manager/model_manager.h"
#include "support/fixtures.h"

namespace {

using Json = nlohmann::ordered_json;
using ivk::EmulatorOptions;
using ivk::emu::Access;
using ivk::emu::ModelManager;
using ivk::emu::Request;
using ivk::emu::Response;
using ivk::emu::Router;

std::filesystem::path fresh_temp_dir(const std::string& tag) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("ivk-emumodels-" + tag + "-" + std::to_string(rd()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  return dir;
}

// Writes a .safetensors file whose header names the given tensors (shapes [4, 8], F16).
void write_safetensors(const std::filesystem::path& file, const std::vector<std::string>& tensors) {
  Json header = Json::object();
  std::uint64_t offset = 0;
  for (const auto& name : tensors) {
    header[name] = Json{{"dtype", "F16"}, {"shape", {4, 8}}, {"data_offsets", {offset, offset + 64}}};
    offset += 64;
  }
  const std::string text = header.dump();
  std::string bytes;
  std::uint64_t len = text.size();
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((len >> (8 * i)) & 0xffu));
  bytes += text;
  bytes.append(static_cast<std::size_t>(offset), '\0');
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << bytes;
}

const std::vector<std::string> kLoraTensors{"lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight",
                                            "lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight",
                                            "lora_te_text_model_encoder_layers_0_mlp_fc1.lora_down.weight"};

// One model manager with its routes, the events it emitted, and its data folder.
class Harness {
 public:
  explicit Harness(EmulatorOptions options, std::filesystem::path data_dir = {})
      : owns_dir_(data_dir.empty()), dir_(owns_dir_ ? fresh_temp_dir("data") : std::move(data_dir)) {
    start(options);
  }
  ~Harness() {
    models_.reset();
    if (owns_dir_) std::filesystem::remove_all(dir_);
  }
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  void start(const EmulatorOptions& options) {
    router_ = Router();
    auto created =
        ModelManager::create(options, dir_, [this](const std::string& event, const std::string& payload) {
          std::lock_guard lock(mu_);
          events_.emplace_back(event, Json::parse(payload));
        });
    ASSERT_TRUE(created.has_value()) << created.error().describe();
    models_ = std::move(*created);
    ivk::emu::add_model_routes(router_, *models_);
  }
  void stop() { models_.reset(); }

  Response call(const std::string& method, const std::string& path,
                std::vector<std::pair<std::string, std::string>> query = {}, std::string body = {},
                std::vector<std::pair<std::string, std::string>> headers = {}) {
    const auto m = router_.match(method, path);
    if (m.handler == nullptr) return Response::detail(m.path_matched ? 405 : 404, "Not Found");
    Request req;
    req.method = method;
    req.path = path;
    req.query = std::move(query);
    req.body = std::move(body);
    req.headers = std::move(headers);
    req.params = m.params;
    req.user.user_id = "system";
    req.user.is_admin = true;
    return (*m.handler)(req);
  }
  Json json(const std::string& method, const std::string& path,
            std::vector<std::pair<std::string, std::string>> query = {}, std::string body = {},
            int expect = 200) {
    const Response r = call(method, path, std::move(query), std::move(body));
    EXPECT_EQ(r.status, expect) << method << " " << path << ": " << r.body;
    return r.body.empty() ? Json() : Json::parse(r.body);
  }

  // Polls GET /install/{id} until the job reaches a terminal status (or 10 s pass).
  Json wait_job(std::int64_t id) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    Json job;
    while (std::chrono::steady_clock::now() < deadline) {
      job = json("GET", "/api/v2/models/install/" + std::to_string(id));
      const std::string s = job.value("status", "");
      if (s == "completed" || s == "error" || s == "cancelled") return job;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "job " << id << " did not finish: " << job.dump();
    return job;
  }

  // Events are delivered just after the job's state changes: wait for the one a test looks at.
  void wait_event(const std::string& name, std::size_t count = 1) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      std::size_t seen = 0;
      for (const auto& n : event_names())
        if (n == name) ++seen;
      if (seen >= count) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ADD_FAILURE() << "no " << name << " event";
  }

  std::vector<std::pair<std::string, Json>> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::vector<std::string> event_names() {
    std::vector<std::string> out;
    for (const auto& [name, payload] : events()) out.push_back(name);
    return out;
  }
  const std::filesystem::path& dir() const { return dir_; }
  Router& router() { return router_; }

 private:
  bool owns_dir_;
  std::filesystem::path dir_;
  Router router_;
  std::unique_ptr<ModelManager> models_;
  std::mutex mu_;
  std::vector<std::pair<std::string, Json>> events_;
};

EmulatorOptions fixture_options() {
  EmulatorOptions o;
  o.models_file = ivk::test::fixture("models/server-exact.json");
  return o;
}

EmulatorOptions fast_downloads() {
  EmulatorOptions o;
  o.simulated_download_bytes = 4096;
  o.download_bytes_per_second = 100'000;  // ~40 ms: a few progress ticks
  return o;
}

std::vector<std::string> keys_of(const Json& list) {
  std::vector<std::string> out;
  for (const auto& m : list.at("models")) out.push_back(m.at("key").get<std::string>());
  return out;
}

TEST(EmulatorModels, ListFiltersOnServerFixture) {
  Harness h(fixture_options());
  EXPECT_EQ(h.json("GET", "/api/v2/models/").at("models").size(), 12u);

  const auto sdxl = keys_of(h.json("GET", "/api/v2/models/", {{"base_models", "sdxl"}}));
  EXPECT_EQ(sdxl, (std::vector<std::string>{
                      "914b2e5a-b8d3-4da1-965f-b3775bbc5745", "fb57e50d-e8b1-43d3-a988-e33721c2be3e",
                      "38bb1a29-8ede-42ba-b77f-64b3478896eb", "a1b2c3d4-0000-4000-8000-000000000002",
                      "a1b2c3d4-0000-4000-8000-000000000003"}));
  EXPECT_EQ(
      keys_of(h.json("GET", "/api/v2/models/", {{"base_models", "sdxl"}, {"base_models", "sd-1"}})).size(),
      6u);
  EXPECT_EQ(keys_of(h.json("GET", "/api/v2/models/", {{"base_models", "flux"}, {"model_type", "main"}})),
            (std::vector<std::string>{"4ea8c1b5-e56c-47c0-949e-3805d06c1301",
                                      "bcc9c810-5cfd-418a-b7c1-42facca130b5"}));
  EXPECT_EQ(keys_of(h.json("GET", "/api/v2/models/", {{"model_name", "flux1-dev"}})),
            (std::vector<std::string>{"bcc9c810-5cfd-418a-b7c1-42facca130b5"}));
  EXPECT_EQ(keys_of(h.json("GET", "/api/v2/models/", {{"model_format", "diffusers"}})).size(), 3u);
  EXPECT_EQ(keys_of(h.json("GET", "/api/v2/models/", {{"model_type", "main"}})).size(), 5u);

  // ≥6.13 ordering: by name, digits and capitals first.
  const Json by_name = h.json("GET", "/api/v2/models/", {{"order_by", "name"}, {"direction", "ASC"}});
  EXPECT_EQ(by_name["models"][0]["name"], "4xNomosWebPhoto_esrgan");
  EXPECT_EQ(by_name["models"][11]["name"], "t5_bnb_int8_quantized_encoder");

  // An enum value 6.8 does not know: FastAPI's 422 list, located at the list item.
  const Response bad = h.call("GET", "/api/v2/models/", {{"base_models", "sdxl"}, {"base_models", "flux2"}});
  ASSERT_EQ(bad.status, 422);
  const Json detail = Json::parse(bad.body).at("detail");
  ASSERT_EQ(detail.size(), 1u);
  EXPECT_EQ(detail[0]["type"], "enum");
  EXPECT_EQ(detail[0]["loc"], Json::parse(R"(["query","base_models",1])"));
  EXPECT_EQ(detail[0]["input"], "flux2");
  EXPECT_EQ(h.call("GET", "/api/v2/models/", {{"model_type", "checkpoint"}}).status, 422);
  // Trailing slashes are significant: the list lives at /api/v2/models/ only.
  EXPECT_EQ(h.router().match("GET", "/api/v2/models").handler, nullptr);
}

TEST(EmulatorModels, LookupsAndNotFoundTexts) {
  Harness h(fixture_options());
  const Json one = h.json("GET", "/api/v2/models/i/a1b2c3d4-0000-4000-8000-000000000003");
  EXPECT_EQ(one["name"], "pixel-art-xl");
  EXPECT_TRUE(one["cover_image"].is_null());

  const Response missing = h.call("GET", "/api/v2/models/i/no-such-key");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Json::parse(missing.body), Json::parse(R"({"detail":"model not found"})"));

  EXPECT_EQ(h.json("GET", "/api/v2/models/get_by_attrs",
                   {{"name", "flux1-dev"}, {"type", "main"}, {"base", "flux"}})["key"],
            "bcc9c810-5cfd-418a-b7c1-42facca130b5");
  const Response no_match = h.call("GET", "/api/v2/models/get_by_attrs",
                                   {{"name", "flux1-dev"}, {"type", "main"}, {"base", "sdxl"}});
  EXPECT_EQ(no_match.status, 404);
  EXPECT_EQ(Json::parse(no_match.body)["detail"], "No model found with these attributes");
  const Response no_type = h.call("GET", "/api/v2/models/get_by_attrs", {{"name", "x"}, {"base", "sdxl"}});
  EXPECT_EQ(no_type.status, 422);
  EXPECT_EQ(Json::parse(no_type.body)["detail"][0]["loc"], Json::parse(R"(["query","type"])"));

  const std::string hash = "blake3:d339f720de1fd92a672df9ef19a8cdbda6171cbf33fcd35ad95c46f8aebaf628";
  EXPECT_EQ(h.json("GET", "/api/v2/models/get_by_hash", {{"hash", hash}})["name"], "pixel-art-xl");
  EXPECT_EQ(Json::parse(h.call("GET", "/api/v2/models/get_by_hash", {{"hash", "blake3:00"}}).body)["detail"],
            "No model found with this hash");

  // The fixture's files are nowhere on this machine: all missing.
  EXPECT_EQ(h.json("GET", "/api/v2/models/missing")["models"].size(), 12u);
  // No cover image yet.
  EXPECT_EQ(h.call("GET", "/api/v2/models/i/a1b2c3d4-0000-4000-8000-000000000003/image").status, 404);
}

TEST(EmulatorModels, BuiltinCatalogHasFilesAndStarters) {
  Harness h(EmulatorOptions{});
  const Json all = h.json("GET", "/api/v2/models/");
  EXPECT_GE(all["models"].size(), 10u);
  EXPECT_EQ(h.json("GET", "/api/v2/models/missing")["models"].size(), 0u);
  const Json flux = h.json("GET", "/api/v2/models/", {{"base_models", "flux"}});
  EXPECT_EQ(flux["models"].size(), 2u);  // transformer and VAE; the encoders are base "any"

  const Json starters = h.json("GET", "/api/v2/models/starter_models");
  ASSERT_TRUE(starters["starter_models"].is_array());
  bool sd15_installed = false;
  bool sdxl_base_installed = true;
  for (const auto& s : starters["starter_models"]) {
    if (s["source"] == "stable-diffusion-v1-5/stable-diffusion-v1-5") sd15_installed = s["is_installed"];
    if (s["source"] == "stabilityai/stable-diffusion-xl-base-1.0") sdxl_base_installed = s["is_installed"];
  }
  EXPECT_TRUE(sd15_installed);
  EXPECT_FALSE(sdxl_base_installed);
  EXPECT_EQ(starters["starter_bundles"]["sd-1"]["name"], "Stable Diffusion 1.5");
}

TEST(EmulatorModels, LocalSafetensorsLoraInstall) {
  Harness h(EmulatorOptions{});
  const auto src = fresh_temp_dir("src");
  const auto file = src / "tiny-detail-lora.safetensors";
  write_safetensors(file, kLoraTensors);

  const Json job = h.json("POST", "/api/v2/models/install", {{"source", file.string()}}, "{}", 201);
  EXPECT_EQ(job["id"], 1);
  EXPECT_EQ(job["status"], "waiting");
  EXPECT_EQ(job["source"], Json({{"path", file.string()}, {"inplace", false}, {"type", "local"}}));

  const Json done = h.wait_job(1);
  ASSERT_EQ(done["status"], "completed") << done.dump();
  const Json& cfg = done["config_out"];
  EXPECT_EQ(cfg["type"], "lora");
  EXPECT_EQ(cfg["format"], "lycoris");
  EXPECT_EQ(cfg["base"], "sd-1");
  EXPECT_EQ(cfg["name"], "tiny-detail-lora");
  EXPECT_EQ(cfg["path"], "sd-1/lora/tiny-detail-lora.safetensors");
  EXPECT_EQ(cfg["source"], file.string());
  EXPECT_EQ(cfg["file_size"], std::filesystem::file_size(file));
  EXPECT_EQ(done["bytes"], done["total_bytes"]);
  EXPECT_TRUE(std::filesystem::exists(h.dir() / "models" / "sd-1/lora/tiny-detail-lora.safetensors"));
  EXPECT_EQ(h.json("GET", "/api/v2/models/i/" + cfg["key"].get<std::string>())["type"], "lora");
  // A local install has no download phase.
  h.wait_event("model_install_complete");
  EXPECT_EQ(h.event_names(), (std::vector<std::string>{"model_install_started", "model_install_complete"}));

  // Installing the same file again: the server refuses the duplicate in the job.
  const Json again = h.json("POST", "/api/v2/models/install", {{"source", file.string()}}, "{}", 201);
  const Json dup = h.wait_job(again["id"].get<std::int64_t>());
  EXPECT_EQ(dup["status"], "error");
  EXPECT_EQ(dup["error_reason"], "DuplicateModelException");

  // A file nothing can identify.
  const auto odd = src / "mystery.safetensors";
  write_safetensors(odd, {"some.random.tensor"});
  const Json bad =
      h.json("POST", "/api/v2/models/install", {{"source", odd.string()}, {"inplace", "true"}}, "{}", 201);
  const Json failed = h.wait_job(bad["id"].get<std::int64_t>());
  EXPECT_EQ(failed["status"], "error");
  EXPECT_EQ(failed["error_reason"], "InvalidModelConfigException");
  EXPECT_TRUE(failed["error_traceback"].is_string());
  std::filesystem::remove_all(src);
}

TEST(EmulatorModels, ProbesSdxlMainAndDiffusersFolder) {
  Harness h(EmulatorOptions{});
  const auto src = fresh_temp_dir("src");
  write_safetensors(src / "myXL.safetensors", {"conditioner.embedders.1.model.ln_final.weight",
                                               "model.diffusion_model.input_blocks.0.0.weight"});
  std::filesystem::create_directories(src / "my-sd15");
  std::ofstream(src / "my-sd15" / "model_index.json") << R"({"_class_name":"StableDiffusionPipeline"})";

  const Json a = h.json("POST", "/api/v2/models/install",
                        {{"source", (src / "myXL.safetensors").string()}, {"inplace", "true"}},
                        R"({"description":"mine"})", 201);
  const Json b =
      h.json("POST", "/api/v2/models/install", {{"source", (src / "my-sd15").string()}}, "{}", 201);
  const Json xl = h.wait_job(a["id"].get<std::int64_t>())["config_out"];
  EXPECT_EQ(xl["base"], "sdxl");
  EXPECT_EQ(xl["type"], "main");
  EXPECT_EQ(xl["format"], "checkpoint");
  EXPECT_EQ(xl["description"], "mine");
  EXPECT_EQ(xl["path"], (src / "myXL.safetensors").string());  // in place: absolute
  const Json sd = h.wait_job(b["id"].get<std::int64_t>())["config_out"];
  EXPECT_EQ(sd["base"], "sd-1");
  EXPECT_EQ(sd["format"], "diffusers");
  EXPECT_EQ(sd["path"], "sd-1/main/my-sd15");
  EXPECT_TRUE(std::filesystem::exists(h.dir() / "models/sd-1/main/my-sd15/model_index.json"));
  std::filesystem::remove_all(src);
}

TEST(EmulatorModels, UrlInstallDownloadsAndCompletes) {
  Harness h(fast_downloads());
  const std::string url = "https://example.com/files/detail-tweaker-xl-lora.safetensors";
  const Json job = h.json("POST", "/api/v2/models/install", {{"source", url}}, R"({"name":"detail"})", 201);
  EXPECT_EQ(job["source"], Json({{"url", url}, {"access_token", nullptr}, {"type", "url"}}));
  EXPECT_EQ(job["config_in"], Json({{"name", "detail"}}));
  const Json done = h.wait_job(job["id"].get<std::int64_t>());
  ASSERT_EQ(done["status"], "completed") << done.dump();
  EXPECT_EQ(done["bytes"], 4096);
  EXPECT_EQ(done["total_bytes"], 4096);
  ASSERT_EQ(done["download_parts"].size(), 1u);
  EXPECT_EQ(done["download_parts"][0]["status"], "completed");
  EXPECT_EQ(done["download_parts"][0]["bytes"], 4096);
  EXPECT_EQ(done["config_out"]["type"], "lora");
  EXPECT_EQ(done["config_out"]["base"], "sdxl");
  EXPECT_EQ(done["config_out"]["name"], "detail");
  EXPECT_EQ(done["config_out"]["source_type"], "url");

  // Events in the server's order: progress..., downloads_complete, started, complete.
  h.wait_event("model_install_complete");
  const auto names = h.event_names();
  ASSERT_GE(names.size(), 4u);
  EXPECT_EQ(names[0], "model_install_download_progress");
  EXPECT_EQ(names[names.size() - 3], "model_install_downloads_complete");
  EXPECT_EQ(names[names.size() - 2], "model_install_started");
  EXPECT_EQ(names.back(), "model_install_complete");
  const Json complete = h.events().back().second;
  EXPECT_TRUE(complete["timestamp"].is_number_integer());
  EXPECT_EQ(complete["key"], done["config_out"]["key"]);
  EXPECT_EQ(complete["total_bytes"], 4096);
  EXPECT_EQ(complete["source"]["type"], "url");
  EXPECT_FALSE(complete.contains("config"));  // 6.8 events carry no config
  const Json last_progress = h.events()[names.size() - 4].second;
  EXPECT_EQ(last_progress["bytes"], 4096);
  EXPECT_EQ(last_progress["parts"][0]["total_bytes"], 4096);
}

TEST(EmulatorModels, HuggingFaceInstallWithConfigEvent) {
  EmulatorOptions o = fast_downloads();
  o.version = "6.9.0";
  Harness h(o);
  const Json job =
      h.json("POST", "/api/v2/models/install", {{"source", "stabilityai/sdxl-turbo"}}, "{}", 201);
  EXPECT_EQ(job["source"],
            Json::parse(R"({"repo_id":"stabilityai/sdxl-turbo","variant":"fp16","subfolder":null,
                                            "access_token":null,"type":"hf"})"));
  // The same source while it runs: the existing job.
  EXPECT_EQ(h.json("POST", "/api/v2/models/install", {{"source", "stabilityai/sdxl-turbo"}}, "{}", 201)["id"],
            job["id"]);
  const Json done = h.wait_job(job["id"].get<std::int64_t>());
  ASSERT_EQ(done["status"], "completed");
  EXPECT_EQ(done["download_parts"].size(), 2u);
  EXPECT_EQ(done["source_metadata"]["type"], "huggingface");
  EXPECT_EQ(done["config_out"]["format"], "diffusers");
  EXPECT_EQ(done["config_out"]["base"], "sdxl");
  EXPECT_EQ(done["config_out"]["source"], "stabilityai/sdxl-turbo");
  EXPECT_EQ(done["config_out"]["source_type"], "hf_repo_id");
  h.wait_event("model_install_complete");
  EXPECT_EQ(h.events().back().second["config"]["key"], done["config_out"]["key"]);

  const Json sub =
      h.json("POST", "/api/v2/models/install", {{"source", "owner/repo:fp32:sub/dir"}}, "{}", 201);
  EXPECT_EQ(sub["source"]["variant"], "fp32");
  EXPECT_EQ(sub["source"]["subfolder"], "sub/dir");
}

TEST(EmulatorModels, InstallRequestErrors) {
  Harness h(fast_downloads());
  const Response unsupported = h.call("POST", "/api/v2/models/install", {{"source", "not a source"}}, "{}");
  EXPECT_EQ(unsupported.status, 409);
  EXPECT_EQ(Json::parse(unsupported.body)["detail"], "Unsupported model source: 'not a source'");

  const Response no_body = h.call("POST", "/api/v2/models/install", {{"source", "a/b"}});
  EXPECT_EQ(no_body.status, 422) << no_body.body;
  EXPECT_EQ(Json::parse(no_body.body)["detail"][0]["loc"], Json::array({"body"}));
  const Response no_source = h.call("POST", "/api/v2/models/install", {}, "{}");
  EXPECT_EQ(no_source.status, 422);
  EXPECT_EQ(Json::parse(no_source.body)["detail"][0]["loc"], Json::parse(R"(["query","source"])"));
  EXPECT_EQ(h.call("POST", "/api/v2/models/install", {{"source", "a/b"}}, R"({"base":"flux2"})").status, 422);

  EXPECT_EQ(h.call("GET", "/api/v2/models/install/abc").status, 422);
  EXPECT_EQ(h.call("GET", "/api/v2/models/install/99").status, 404);
  EXPECT_EQ(h.call("DELETE", "/api/v2/models/install/99").status, 415);
  EXPECT_TRUE(h.json("GET", "/api/v2/models/install").empty());
}

// Run at the test pace and at a pace where one tick could carry the whole download: the failure
// strikes halfway in both, so the file never reads as completed in a failed job.
class InjectedFailure : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(InjectedFailure, EndsInErrorWithTheFileUnfinished) {
  EmulatorOptions o = fast_downloads();
  o.download_bytes_per_second = GetParam();
  o.fail_install_matching = "broken";
  Harness h(o);
  const Json job = h.json("POST", "/api/v2/models/install",
                          {{"source", "https://example.com/broken.safetensors"}}, "{}", 201);
  const Json done = h.wait_job(job["id"].get<std::int64_t>());
  EXPECT_EQ(done["status"], "error");
  EXPECT_EQ(done["error_reason"], "HTTPError");
  EXPECT_TRUE(done["error"].is_string());
  EXPECT_TRUE(done["error_traceback"].is_string());
  EXPECT_EQ(done["download_parts"][0]["status"], "error");
  h.wait_event("model_install_error");
  EXPECT_EQ(h.event_names().back(), "model_install_error");
  EXPECT_EQ(h.events().back().second["error_type"], "HTTPError");
  EXPECT_EQ(h.json("GET", "/api/v2/models/", {{"model_name", "broken"}})["models"].size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(EmulatorModels, InjectedFailure, ::testing::Values(100'000u, 1'000'000'000'000u));

TEST(EmulatorModels, CancelAndPrune) {
  EmulatorOptions o;
  o.simulated_download_bytes = 1 << 20;
  o.download_bytes_per_second = 1;  // never finishes on its own
  Harness h(o);
  const Json slow = h.json("POST", "/api/v2/models/install",
                           {{"source", "https://example.com/slow.safetensors"}}, "{}", 201);
  const Json slow2 = h.json("POST", "/api/v2/models/install",
                            {{"source", "https://example.com/slow2.safetensors"}}, "{}", 201);
  EXPECT_EQ(slow2["id"], 2);
  const std::string id = std::to_string(slow["id"].get<std::int64_t>());

  const Response cancelled = h.call("DELETE", "/api/v2/models/install/" + id);
  EXPECT_EQ(cancelled.status, 201);
  EXPECT_EQ(cancelled.body, "null");
  EXPECT_EQ(h.json("GET", "/api/v2/models/install/" + id)["status"], "cancelled");
  EXPECT_EQ(h.event_names().back(), "model_install_cancelled");

  // A local install that completes, then prune: only the unfinished download stays.
  const auto src = fresh_temp_dir("src");
  write_safetensors(src / "l.safetensors", kLoraTensors);
  const Json local =
      h.json("POST", "/api/v2/models/install", {{"source", (src / "l.safetensors").string()}}, "{}", 201);
  EXPECT_EQ(h.wait_job(local["id"].get<std::int64_t>())["status"], "completed");
  EXPECT_EQ(h.json("GET", "/api/v2/models/install").size(), 3u);
  const Response pruned = h.call("DELETE", "/api/v2/models/install");
  EXPECT_EQ(pruned.status, 204);
  EXPECT_TRUE(pruned.body.empty());
  const Json left = h.json("GET", "/api/v2/models/install");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["id"], 2);
  EXPECT_EQ(left[0]["status"], "downloading");
  std::filesystem::remove_all(src);
  // The harness now destroys the manager with a download in flight: the worker must stop cleanly.
}

TEST(EmulatorModels, ScanFolder) {
  Harness h(EmulatorOptions{});
  const auto src = fresh_temp_dir("scan");
  write_safetensors(src / "a-lora.safetensors", kLoraTensors);
  std::filesystem::create_directories(src / "sub");
  std::ofstream(src / "sub" / "b.ckpt") << "x";
  std::filesystem::create_directories(src / "pipe" / "unet");
  std::ofstream(src / "pipe" / "model_index.json") << "{}";
  std::ofstream(src / "pipe" / "unet" / "w.safetensors") << "x";
  std::ofstream(src / "notes.txt") << "x";

  const Json inst =
      h.json("POST", "/api/v2/models/install",
             {{"source", (src / "a-lora.safetensors").string()}, {"inplace", "true"}}, "{}", 201);
  ASSERT_EQ(h.wait_job(inst["id"].get<std::int64_t>())["status"], "completed");

  const Json found = h.json("GET", "/api/v2/models/scan_folder", {{"scan_path", src.string()}});
  ASSERT_EQ(found.size(), 3u) << found.dump();
  EXPECT_EQ(found[0], Json({{"path", (src / "a-lora.safetensors").string()}, {"is_installed", true}}));
  EXPECT_EQ(found[1], Json({{"path", (src / "pipe").string()}, {"is_installed", false}}));
  EXPECT_EQ(found[2], Json({{"path", (src / "sub" / "b.ckpt").string()}, {"is_installed", false}}));

  const Response bad = h.call("GET", "/api/v2/models/scan_folder", {{"scan_path", "/no/such/dir"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Json::parse(bad.body)["detail"], "The search path '/no/such/dir' could not be scanned");
  std::filesystem::remove_all(src);
}

TEST(EmulatorModels, ConvertAndDelete) {
  Harness h(EmulatorOptions{});
  const std::string key = "914b2e5a-b8d3-4da1-965f-b3775bbc5745";  // built-in SDXL checkpoint
  const Json before = h.json("GET", "/api/v2/models/i/" + key);
  const Json after = h.json("PUT", "/api/v2/models/convert/" + key);
  EXPECT_NE(after["key"], key);
  EXPECT_NE(after["hash"], before["hash"]);
  EXPECT_EQ(after["format"], "diffusers");
  EXPECT_EQ(after["name"], before["name"]);
  EXPECT_FALSE(after.contains("config_path"));
  EXPECT_EQ(h.call("GET", "/api/v2/models/i/" + key).status, 404);
  EXPECT_EQ(h.json("GET", "/api/v2/models/missing")["models"].size(), 0u);

  const Response lora = h.call("PUT", "/api/v2/models/convert/a1b2c3d4-0000-4000-8000-000000000003");
  EXPECT_EQ(lora.status, 400);
  EXPECT_EQ(
      Json::parse(lora.body)["detail"],
      "The model with key a1b2c3d4-0000-4000-8000-000000000003 is not a main SD 1/2/XL checkpoint model.");
  EXPECT_EQ(h.call("PUT", "/api/v2/models/convert/nope").status, 424);

  const std::string new_key = after["key"];
  const Response del = h.call("DELETE", "/api/v2/models/i/" + new_key);
  EXPECT_EQ(del.status, 204);
  EXPECT_TRUE(del.body.empty());
  EXPECT_EQ(h.call("DELETE", "/api/v2/models/i/" + new_key).status, 404);
}

TEST(EmulatorModels, DeleteNeverLeavesTheModelsFolder) {
  Harness h(EmulatorOptions{});
  const auto outside = h.dir() / "outside.safetensors";
  std::ofstream(outside) << "precious";
  const std::string key = "a1b2c3d4-0000-4000-8000-000000000003";
  EXPECT_EQ(h.json("PATCH", "/api/v2/models/i/" + key, {}, R"({"path":"../outside.safetensors"})")["path"],
            "../outside.safetensors");
  EXPECT_EQ(h.call("DELETE", "/api/v2/models/i/" + key).status, 204);
  EXPECT_TRUE(std::filesystem::exists(outside));
}

TEST(EmulatorModels, PatchPersistsAcrossRestarts) {
  const auto dir = fresh_temp_dir("persist");
  EmulatorOptions o;
  o.persist = true;
  const std::string key = "a1b2c3d4-0000-4000-8000-000000000003";
  {
    Harness h(o, dir);
    const Json patched =
        h.json("PATCH", "/api/v2/models/i/" + key, {},
               R"({"name":"pixels","trigger_phrases":["pixel","pixel","8bit"],"unknown":1})");
    EXPECT_EQ(patched["name"], "pixels");
    EXPECT_EQ(patched["trigger_phrases"], Json::parse(R"(["pixel","8bit"])"));
    EXPECT_EQ(h.call("PATCH", "/api/v2/models/i/" + key, {}, R"({"base":"nope"})").status, 422);
    EXPECT_EQ(h.call("PATCH", "/api/v2/models/i/missing-key", {}, "{}").status, 404);
    EXPECT_EQ(h.call("DELETE", "/api/v2/models/i/a1b2c3d4-0000-4000-8000-000000000002").status, 204);
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "emulator.db"));
  {
    Harness h(o, dir);
    const Json again = h.json("GET", "/api/v2/models/i/" + key);
    EXPECT_EQ(again["name"], "pixels");
    EXPECT_EQ(again["trigger_phrases"], Json::parse(R"(["pixel","8bit"])"));
    EXPECT_EQ(h.call("GET", "/api/v2/models/i/a1b2c3d4-0000-4000-8000-000000000002").status, 404);
  }
  std::filesystem::remove_all(dir);
}

TEST(EmulatorModels, CoverImageRoundTrip) {
  Harness h(EmulatorOptions{});
  const std::string key = "a1b2c3d4-0000-4000-8000-000000000003";
  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + "not really pixels";
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"c.png\"\r\n"
      "Content-Type: image/png\r\n\r\n" +
      png + "\r\n--XyZ--\r\n";
  const Response up = h.call("PATCH", "/api/v2/models/i/" + key + "/image", {}, body,
                             {{"content-type", "multipart/form-data; boundary=XyZ"}});
  EXPECT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(up.body, "null");
  const Response img = h.call("GET", "/api/v2/models/i/" + key + "/image");
  EXPECT_EQ(img.status, 200);
  EXPECT_EQ(img.content_type, "image/png");
  EXPECT_EQ(img.body, png);
  EXPECT_EQ(h.json("GET", "/api/v2/models/i/" + key)["cover_image"], "api/v2/models/i/" + key + "/image");
  EXPECT_EQ(h.call("DELETE", "/api/v2/models/i/" + key + "/image").status, 204);
  EXPECT_TRUE(h.json("GET", "/api/v2/models/i/" + key)["cover_image"].is_null());
  const std::string text =
      "--XyZ\r\nContent-Disposition: form-data; name=\"image\"\r\nContent-Type: "
      "text/plain\r\n\r\nhi\r\n--XyZ--\r\n";
  EXPECT_EQ(h.call("PATCH", "/api/v2/models/i/" + key + "/image", {}, text,
                   {{"content-type", "multipart/form-data; boundary=XyZ"}})
                .status,
            415);
}

TEST(EmulatorModels, ServiceRoutesAndAccess) {
  Harness h(EmulatorOptions{});
  EXPECT_EQ(h.json("GET", "/api/v2/models/hf_login"), "invalid");
  EXPECT_EQ(h.json("POST", "/api/v2/models/hf_login", {}, R"({"token":"hf_abcdefghijkl"})"), "valid");
  EXPECT_EQ(h.json("GET", "/api/v2/models/hf_login"), "valid");
  EXPECT_EQ(h.json("POST", "/api/v2/models/hf_login", {}, R"({"token":"nope"})"), "invalid");
  EXPECT_EQ(h.call("POST", "/api/v2/models/hf_login", {}, "{}").status, 422);
  EXPECT_EQ(h.json("DELETE", "/api/v2/models/hf_login"), "invalid");

  const Json stats = h.json("GET", "/api/v2/models/stats");
  EXPECT_EQ(stats["cleared"], 0);
  EXPECT_TRUE(stats["loaded_model_sizes"].is_object());
  EXPECT_EQ(h.call("POST", "/api/v2/models/empty_model_cache").body, "null");
  EXPECT_EQ(h.json("GET", "/api/v2/models/stats")["cleared"], 1);

  const Json hf =
      h.json("GET", "/api/v2/models/hugging_face", {{"hugging_face_repo", "stabilityai/sdxl-turbo"}});
  EXPECT_EQ(hf, Json::parse(R"({"urls":null,"is_diffusers":true})"));
  EXPECT_EQ(h.call("GET", "/api/v2/models/hugging_face", {{"hugging_face_repo", "nonsense"}}).status, 400);

  const Response page = h.call("GET", "/api/v2/models/install/huggingface", {{"source", "owner/some-model"}});
  EXPECT_EQ(page.status, 201);
  EXPECT_EQ(page.content_type.rfind("text/html", 0), 0u);

  EXPECT_EQ(h.router().match("POST", "/api/v2/models/install").access, Access::admin);
  EXPECT_EQ(h.router().match("DELETE", "/api/v2/models/i/x").access, Access::admin);
  EXPECT_EQ(h.router().match("GET", "/api/v2/models/scan_folder").access, Access::admin);
  EXPECT_EQ(h.router().match("GET", "/api/v2/models/").access, Access::user);
  EXPECT_EQ(h.router().match("GET", "/api/v2/models/i/x").access, Access::user);
}

}  // namespace
