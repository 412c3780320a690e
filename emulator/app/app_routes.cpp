#include "app/app_routes.h"

#include <algorithm>

#include "http/fastapi_errors.h"

namespace ivk::emu {
namespace {

Response json_response(const Json& body) {
  return Response::json(200, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

// InvokeAIAppConfig with its documented defaults (v6.8 OpenAPI), as a fresh install reports it.
constexpr std::string_view kDefaultConfig = R"({
  "schema_version": "4.0.2", "legacy_models_yaml_path": null, "host": "127.0.0.1", "port": 9090,
  "allow_origins": [], "allow_credentials": true, "allow_methods": ["*"], "allow_headers": ["*"],
  "ssl_certfile": null, "ssl_keyfile": null, "log_tokenization": false, "patchmatch": true,
  "models_dir": "models", "convert_cache_dir": "models/.convert_cache",
  "download_cache_dir": "models/.download_cache", "legacy_conf_dir": "configs", "db_dir": "databases",
  "outputs_dir": "outputs", "custom_nodes_dir": "nodes", "style_presets_dir": "style_presets",
  "workflow_thumbnails_dir": "workflow_thumbnails", "log_handlers": ["console"], "log_format": "color",
  "log_level": "info", "log_sql": false, "log_level_network": "warning", "use_memory_db": false,
  "dev_reload": false, "profile_graphs": false, "profile_prefix": null, "profiles_dir": "profiles",
  "max_cache_ram_gb": null, "max_cache_vram_gb": null, "log_memory_usage": false,
  "device_working_mem_gb": 3, "enable_partial_loading": false, "keep_ram_copy_of_weights": true,
  "ram": null, "vram": null, "lazy_offload": true, "pytorch_cuda_alloc_conf": null, "device": "auto",
  "precision": "auto", "sequential_guidance": false, "attention_type": "auto",
  "attention_slice_size": "auto", "force_tiled_decode": false, "pil_compress_level": 1,
  "max_queue_size": 10000, "clear_queue_on_startup": false, "allow_nodes": null, "deny_nodes": null,
  "node_cache_size": 512, "hashing_algorithm": "blake3_single", "remote_api_tokens": null,
  "scan_models_on_startup": false, "unsafe_disable_picklescan": false
})";

// What an emulator "depends on", shaped like the server's answer (sorted case-insensitively).
constexpr std::string_view kAppDeps = R"({
  "accelerate": "1.2.1", "compel": "2.0.2", "CUDA": "N/A", "diffusers": "0.31.0", "invokeai": "emulated",
  "numpy": "1.26.4", "opencv": "4.9.0.80", "Platform": "Linux", "Python": "3.11.10", "torch": "2.4.1",
  "transformers": "4.46.3"
})";

constexpr std::int64_t kDefaultMaxQueueSize = 10000;

const std::vector<std::string> kLogLevels = {"0", "10", "20", "30", "40", "50"};

}  // namespace

void add_app_routes(Router& router, AppState& state) {
  const std::string base = "/api/v1/app";

  if (!state.openapi_json.empty())
    router.add("GET", "/openapi.json", Access::public_route,
               [&state](const Request&) { return Response::json(200, state.openapi_json); });
  router.add("GET", base + "/version", Access::public_route, [&state](const Request&) {
    Json body = Json::object();
    body["version"] = state.version;
    body["highlights"] = nullptr;
    return json_response(body);
  });

  router.add("GET", base + "/app_deps", Access::user,
             [](const Request&) { return Response::json(200, Json::parse(kAppDeps).dump()); });

  router.add("GET", base + "/patchmatch_status", Access::user,
             [](const Request&) { return Response::json(200, "true"); });

  router.add("GET", base + "/config", Access::public_route, [](const Request&) {
    Json body = Json::object();
    body["infill_methods"] = Json::array({"lama", "tile", "cv2", "color", "patchmatch"});
    body["upscaling_methods"] =
        Json::array({Json{{"upscaling_method", "esrgan"},
                          {"upscaling_models", Json::array({"RealESRGAN_x4plus", "RealESRGAN_x4plus_anime_6B",
                                                            "ESRGAN_SRx4_DF2KOST", "RealESRGAN_x2plus"})}}});
    body["nsfw_methods"] = Json::array({"nsfw_checker"});
    body["watermarking_methods"] = Json::array({"invisible_watermark"});
    return json_response(body);
  });

  router.add("GET", base + "/runtime_config", Access::admin, [&state](const Request&) {
    // set_fields names what differs from a fresh install's defaults, as if given on the command line.
    Json set_fields = Json::array({"host", "port"});
    Json config = Json::parse(kDefaultConfig);
    std::lock_guard lock(state.mutex);
    config["host"] = state.host;
    config["port"] = state.port;
    config["max_queue_size"] = state.max_queue_size;
    if (state.max_queue_size != kDefaultMaxQueueSize) set_fields.push_back("max_queue_size");
    config["use_memory_db"] = state.in_memory;
    if (state.in_memory) set_fields.push_back("use_memory_db");
    Json body = Json::object();
    body["set_fields"] = std::move(set_fields);
    body["config"] = std::move(config);
    return json_response(body);
  });

  router.add("GET", base + "/logging", Access::admin, [&state](const Request&) {
    std::lock_guard lock(state.mutex);
    return Response::json(200, std::to_string(state.log_level));
  });

  router.add("POST", base + "/logging", Access::admin, [&state](const Request& req) {
    Validation v;
    auto body = v.json_body(req);
    if (!v.ok()) return v.response();
    // LogLevel is an int enum: the body is a bare number (FastAPI takes a lone non-model Body unwrapped).
    if (!body->is_number_integer() ||
        std::find(kLogLevels.begin(), kLogLevels.end(), body->dump()) == kLogLevels.end())
      return validation_response(Json::array({enum_item(Json::array({"body"}), *body, kLogLevels, false)}));
    std::lock_guard lock(state.mutex);
    state.log_level = body->get<int>();
    return Response::json(200, std::to_string(state.log_level));
  });

  router.add("DELETE", base + "/invocation_cache", Access::admin, [&state](const Request&) {
    std::lock_guard lock(state.mutex);
    state.cache_hits = 0;
    state.cache_misses = 0;
    return Response::json(200, "null");
  });

  router.add("PUT", base + "/invocation_cache/enable", Access::admin, [&state](const Request&) {
    std::lock_guard lock(state.mutex);
    state.cache_enabled = true;
    return Response::json(200, "null");
  });

  router.add("PUT", base + "/invocation_cache/disable", Access::admin, [&state](const Request&) {
    std::lock_guard lock(state.mutex);
    state.cache_enabled = false;
    return Response::json(200, "null");
  });

  router.add("GET", base + "/invocation_cache/status", Access::admin, [&state](const Request&) {
    std::lock_guard lock(state.mutex);
    Json body = Json::object();
    body["size"] = 0;
    body["hits"] = state.cache_hits;
    body["misses"] = state.cache_misses;
    body["enabled"] = state.cache_enabled;
    body["max_size"] = 0;
    return json_response(body);
  });
}

}  // namespace ivk::emu
