// The emulator's session queue (spec §4) over real HTTP: batch expansion, execution with real PNGs,
// failure injection, cancel/clear/prune, 422 validation and dynamic prompts. One test drives the
// queue through its Router in-process to check the event order of spec §8.4.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "images/image_store.h"
#include "ivk/emulator.h"
#include "ivk/workflow/png_metadata.h"
#include "queue/session_queue.h"
#include "support/fixtures.h"
#include "support/raw_http.h"

namespace {

using Json = nlohmann::ordered_json;
using ivk::test::raw_http;

std::filesystem::path fresh_temp_dir() {
  static std::atomic<int> counter{0};
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("ivk-emuqueue-" + std::to_string(std::random_device{}()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  return dir;
}

struct Fixture {
  std::filesystem::path dir = fresh_temp_dir();
  std::unique_ptr<ivk::Emulator> emulator;

  explicit Fixture(int step_ms = 0, std::string fail_node_type = {}, std::filesystem::path openapi = {}) {
    ivk::EmulatorOptions options;
    options.data_dir = dir;
    options.step_ms = step_ms;
    options.fail_node_type = std::move(fail_node_type);
    options.openapi_file = std::move(openapi);
    auto started = ivk::Emulator::start(std::move(options));
    if (!started) {
      ADD_FAILURE() << started.error().describe();
      return;
    }
    emulator = std::move(*started);
  }
  ~Fixture() {
    emulator.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  std::pair<int, Json> call(const std::string& method, const std::string& target,
                            const std::string& body = {}) {
    auto r = raw_http(emulator->port(), method, target, body);
    Json parsed = Json::parse(r.body, nullptr, false);
    return {r.status, parsed};
  }

  Json wait_terminal(std::int64_t id) {
    Json item;
    for (int i = 0; i < 1000; ++i) {
      item = call("GET", "/api/v1/queue/default/i/" + std::to_string(id)).second;
      const std::string status = item.value("status", "");
      if (status == "completed" || status == "failed" || status == "canceled") return item;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "item " << id << " did not finish: " << item.dump();
    return item;
  }

  // The PNG of a generated image: over HTTP when the images routes serve it, else from the store's
  // directory.
  std::string png(const std::string& name) {
    auto r = raw_http(emulator->port(), "GET", "/api/v1/images/i/" + name + "/full");
    if (r.status == 200) return r.body;
    return ivk::test::read_file(dir / "images" / name);
  }
};

// prompt -> core_metadata -> l2i <- denoise <- noise: a small text-to-image chain.
Json small_graph(int steps = 3) {
  return Json::parse(R"({"id": "g1", "nodes": {
    "prompt": {"id": "prompt", "type": "string", "value": "a cat"},
    "noise": {"id": "noise", "type": "noise", "seed": 7, "width": 64, "height": 48},
    "denoise": {"id": "denoise", "type": "denoise_latents", "steps": )" +
                     std::to_string(steps) + R"(},
    "meta": {"id": "meta", "type": "core_metadata", "seed": 7},
    "out": {"id": "out", "type": "l2i", "is_intermediate": false}},
   "edges": [
    {"source": {"node_id": "noise", "field": "noise"}, "destination": {"node_id": "denoise", "field": "noise"}},
    {"source": {"node_id": "denoise", "field": "latents"}, "destination": {"node_id": "out", "field": "latents"}},
    {"source": {"node_id": "prompt", "field": "value"}, "destination": {"node_id": "meta", "field": "positive_prompt"}},
    {"source": {"node_id": "meta", "field": "metadata"}, "destination": {"node_id": "out", "field": "metadata"}}]})");
}

std::string enqueue_body(const Json& graph, const Json& data, int runs, bool prepend = false) {
  Json batch{{"graph", graph}, {"runs", runs}, {"origin", "tests"}, {"destination", "gallery"}};
  if (!data.is_null()) batch["data"] = data;
  batch["workflow"] = Json{{"name", "wf"}, {"nodes", Json::array()}, {"edges", Json::array()}};
  return Json{{"prepend", prepend}, {"batch", batch}}.dump();
}

TEST(EmulatorQueue, EnqueueExpandsZipGroupsTimesRunsAndExecutes) {
  Fixture f;
  ASSERT_TRUE(f.emulator);
  const Json data = Json::parse(R"([
    [{"node_path": "prompt", "field_name": "value", "items": ["a", "b"]},
     {"node_path": "noise", "field_name": "seed", "items": [1, 2]}],
    [{"node_path": "noise", "field_name": "width", "items": [64, 32]}]])");
  auto [status, result] =
      f.call("POST", "/api/v1/queue/default/enqueue_batch", enqueue_body(small_graph(), data, 2));
  ASSERT_EQ(status, 200) << result.dump();
  EXPECT_EQ(result["queue_id"], "default");
  EXPECT_EQ(result["enqueued"], 8);
  EXPECT_EQ(result["requested"], 8);
  EXPECT_EQ(result["priority"], 0);
  EXPECT_EQ(result["item_ids"], Json::parse("[8,7,6,5,4,3,2,1]"));
  EXPECT_TRUE(result["batch"]["batch_id"].is_string());
  EXPECT_EQ(result["batch"]["runs"], 2);

  // Last group fastest, the whole product repeated per run.
  const std::vector<std::tuple<std::string, int, int>> expected = {{"a", 1, 64}, {"a", 1, 32}, {"b", 2, 64},
                                                                   {"b", 2, 32}, {"a", 1, 64}, {"a", 1, 32},
                                                                   {"b", 2, 64}, {"b", 2, 32}};
  std::set<std::string> sessions;
  for (std::int64_t id = 1; id <= 8; ++id) {
    const Json item = f.wait_terminal(id);
    ASSERT_EQ(item["status"], "completed") << item.dump();
    const auto& [prompt, seed, width] = expected[static_cast<std::size_t>(id - 1)];
    EXPECT_EQ(item["field_values"],
              Json::array({Json{{"node_path", "prompt"}, {"field_name", "value"}, {"value", prompt}},
                           Json{{"node_path", "noise"}, {"field_name", "seed"}, {"value", seed}},
                           Json{{"node_path", "noise"}, {"field_name", "width"}, {"value", width}}}));
    EXPECT_FALSE(item.contains("error_type")) << "GET /i/{id} drops nulls";
    EXPECT_TRUE(item.contains("started_at"));
    EXPECT_TRUE(item.contains("completed_at"));
    EXPECT_EQ(item["workflow"]["name"], "wf");
    sessions.insert(item["session_id"].get<std::string>());
    const Json& session = item["session"];
    EXPECT_EQ(session["graph"]["nodes"]["noise"]["seed"], seed);
    EXPECT_EQ(session["graph"]["nodes"]["prompt"]["value"], prompt);
    ASSERT_EQ(session["prepared_source_mapping"].size(), 5u);
    EXPECT_EQ(session["executed"].size(), 5u);
    std::string out_id;
    for (const auto& [prepared, source] : session["prepared_source_mapping"].items()) {
      EXPECT_TRUE(session["results"].contains(prepared));
      EXPECT_TRUE(session["execution_graph"]["nodes"].contains(prepared));
      if (source == "out") out_id = prepared;
    }
    ASSERT_FALSE(out_id.empty());
    const Json& image = session["results"][out_id];
    EXPECT_EQ(image["type"], "image_output");
    EXPECT_EQ(image["width"], width);
    EXPECT_EQ(image["height"], 48);
    EXPECT_EQ(session["source_prepared_mapping"]["out"], Json::array({out_id}));

    auto png = ivk::read_png_metadata_bytes(f.png(image["image"]["image_name"].get<std::string>()));
    ASSERT_TRUE(png) << png.error().describe();
    EXPECT_EQ(png->width, static_cast<std::uint32_t>(width));
    EXPECT_EQ(png->height, 48u);
    ASSERT_TRUE(png->invokeai_graph);
    EXPECT_EQ(Json::parse(*png->invokeai_graph)["nodes"]["prompt"]["value"], prompt);
    ASSERT_TRUE(png->invokeai_metadata);
    EXPECT_EQ(Json::parse(*png->invokeai_metadata)["positive_prompt"], prompt);
    ASSERT_TRUE(png->invokeai_workflow);
    EXPECT_EQ(Json::parse(*png->invokeai_workflow)["name"], "wf");
  }
  EXPECT_EQ(sessions.size(), 8u) << "every item has its own session_id";

  auto [s2, st] = f.call("GET", "/api/v1/queue/default/status");
  EXPECT_EQ(s2, 200);
  EXPECT_EQ(st["queue"]["completed"], 8);
  EXPECT_EQ(st["queue"]["total"], 8);
  EXPECT_TRUE(st["queue"]["item_id"].is_null());
  auto [s3, bs] =
      f.call("GET", "/api/v1/queue/default/b/" + result["batch"]["batch_id"].get<std::string>() + "/status");
  EXPECT_EQ(bs["completed"], 8);
  EXPECT_EQ(bs["origin"], "tests");
  auto [s4, ids] = f.call("GET", "/api/v1/queue/default/item_ids?order_dir=ASC");
  EXPECT_EQ(ids["item_ids"], Json::parse("[1,2,3,4,5,6,7,8]"));
  EXPECT_EQ(ids["total_count"], 8);
  auto [s5, by_ids] = f.call("POST", "/api/v1/queue/default/items_by_ids", R"({"item_ids": [3, 99, 1]})");
  ASSERT_EQ(by_ids.size(), 2u);
  EXPECT_EQ(by_ids[0]["item_id"], 3);
  EXPECT_TRUE(by_ids[0].contains("error_type")) << "list routes keep nulls";
  auto [s6, pruned] = f.call("PUT", "/api/v1/queue/default/prune");
  EXPECT_EQ(pruned["deleted"], 8);
  EXPECT_EQ(f.call("GET", "/api/v1/queue/default/i/1").first, 404);
}

TEST(EmulatorQueue, IterateRunsDownstreamNodesOncePerItem) {
  Fixture f;
  ASSERT_TRUE(f.emulator);
  const Json graph = Json::parse(R"({"nodes": {
    "seeds": {"id": "seeds", "type": "integer_collection", "collection": [5, 6]},
    "it": {"id": "it", "type": "iterate"},
    "noise": {"id": "noise", "type": "noise", "width": 32, "height": 16},
    "denoise": {"id": "denoise", "type": "denoise_latents", "steps": 1},
    "out": {"id": "out", "type": "l2i"},
    "all": {"id": "all", "type": "collect"}},
   "edges": [
    {"source": {"node_id": "seeds", "field": "collection"}, "destination": {"node_id": "it", "field": "collection"}},
    {"source": {"node_id": "it", "field": "item"}, "destination": {"node_id": "noise", "field": "seed"}},
    {"source": {"node_id": "noise", "field": "noise"}, "destination": {"node_id": "denoise", "field": "noise"}},
    {"source": {"node_id": "denoise", "field": "latents"}, "destination": {"node_id": "out", "field": "latents"}},
    {"source": {"node_id": "out", "field": "image"}, "destination": {"node_id": "all", "field": "item"}}]})");
  auto [status, result] =
      f.call("POST", "/api/v1/queue/default/enqueue_batch", enqueue_body(graph, nullptr, 1));
  ASSERT_EQ(status, 200) << result.dump();
  const Json item = f.wait_terminal(1);
  ASSERT_EQ(item["status"], "completed") << item.dump();
  const Json& session = item["session"];
  std::map<std::string, int> per_source;
  std::set<std::int64_t> seeds;
  for (const auto& [prepared, source] : session["prepared_source_mapping"].items()) {
    ++per_source[source.get<std::string>()];
    if (source == "noise") seeds.insert(session["results"][prepared]["noise"]["seed"].get<std::int64_t>());
  }
  EXPECT_EQ(per_source, (std::map<std::string, int>{
                            {"seeds", 1}, {"it", 2}, {"noise", 2}, {"denoise", 2}, {"out", 2}, {"all", 1}}));
  EXPECT_EQ(seeds, (std::set<std::int64_t>{5, 6}));
  const std::string collect_id = session["source_prepared_mapping"]["all"][0].get<std::string>();
  EXPECT_EQ(session["results"][collect_id]["collection"].size(), 2u);
  EXPECT_EQ(session["results"][collect_id]["collection"][0].count("image_name"), 1u);
}

TEST(EmulatorQueue, FailingNodeTypeFailsTheItem) {
  Fixture f(0, "l2i");
  ASSERT_TRUE(f.emulator);
  auto [status, result] =
      f.call("POST", "/api/v1/queue/default/enqueue_batch", enqueue_body(small_graph(), nullptr, 1));
  ASSERT_EQ(status, 200) << result.dump();
  const Json item = f.wait_terminal(result["item_ids"][0].get<std::int64_t>());
  EXPECT_EQ(item["status"], "failed");
  EXPECT_EQ(item["error_type"], "RuntimeError");
  EXPECT_NE(item["error_message"].get<std::string>().find("out"), std::string::npos);
  EXPECT_NE(item["error_traceback"].get<std::string>().find("Traceback"), std::string::npos);
  EXPECT_EQ(item["session"]["errors"].size(), 1u);
  EXPECT_EQ(item["session"]["results"].size(), 4u) << "the nodes before the failing one ran";
  auto [s2, retried] = f.call("PUT", "/api/v1/queue/default/retry_items_by_id", "[1, 42]");
  EXPECT_EQ(retried, Json::parse(R"({"queue_id": "default", "retried_item_ids": [1]})"));
  const Json again = f.wait_terminal(2);
  EXPECT_EQ(again["retried_from_item_id"], 1);
}

TEST(EmulatorQueue, CancelClearAndPriority) {
  Fixture f(20);
  ASSERT_TRUE(f.emulator);
  // A long item, then three more; cancel the running one and the pending ones.
  auto [s1, r1] =
      f.call("POST", "/api/v1/queue/default/enqueue_batch", enqueue_body(small_graph(500), nullptr, 1));
  ASSERT_EQ(s1, 200);
  Json current;
  for (int i = 0; i < 500 && current.is_null(); ++i) {
    current = f.call("GET", "/api/v1/queue/default/current").second;
    if (current.is_null()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(current["item_id"], 1);
  auto [s2, r2] =
      f.call("POST", "/api/v1/queue/default/enqueue_batch", enqueue_body(small_graph(500), nullptr, 3));
  EXPECT_EQ(r2["item_ids"], Json::parse("[4,3,2]"));
  auto [s3, r3] =
      f.call("POST", "/api/v1/queue/default/enqueue_batch", enqueue_body(small_graph(500), nullptr, 1, true));
  EXPECT_EQ(r3["priority"], 1);
  EXPECT_EQ(f.call("GET", "/api/v1/queue/default/next").second["item_id"], 5) << "prepended first";
  auto [s4, canceled] = f.call("PUT", "/api/v1/queue/default/i/1/cancel");
  EXPECT_EQ(s4, 200);
  EXPECT_EQ(canceled["status"], "canceled");
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(f.call("GET", "/api/v1/queue/default/i/1").second["status"], "canceled") << "stays canceled";
  auto [s5, c5] = f.call("PUT", "/api/v1/queue/default/cancel_all_except_current");
  EXPECT_EQ(s5, 200);
  EXPECT_GE(c5["canceled"].get<int>(), 3);
  auto [s6, counts] = f.call("GET", "/api/v1/queue/default/counts_by_destination?destination=gallery");
  EXPECT_EQ(counts["total"], 5);
  EXPECT_EQ(counts["pending"], 0);
  auto [s7, cleared] = f.call("PUT", "/api/v1/queue/default/clear");
  EXPECT_EQ(cleared["deleted"], 5);
  EXPECT_EQ(f.call("GET", "/api/v1/queue/default/status").second["queue"]["total"], 0);
  EXPECT_EQ(f.call("GET", "/api/v1/queue/default/i/abc").first, 422);
  EXPECT_EQ(f.call("PUT", "/api/v1/queue/default/i/77/cancel").first, 404);
}

TEST(EmulatorQueue, EnqueueValidationAnswers422) {
  Fixture f;
  ASSERT_TRUE(f.emulator);
  auto post = [&f](const std::string& body) {
    return f.call("POST", "/api/v1/queue/default/enqueue_batch", body);
  };
  auto [s1, b1] = post(R"({"batch": {"runs": 1}})");
  EXPECT_EQ(s1, 422);
  EXPECT_EQ(b1["detail"][0]["type"], "missing");
  EXPECT_EQ(b1["detail"][0]["loc"], Json::parse(R"(["body","batch","graph"])"));

  Json bad_edge = small_graph();
  bad_edge["edges"].push_back(Json::parse(
      R"({"source": {"node_id": "ghost", "field": "x"}, "destination": {"node_id": "out", "field": "y"}})"));
  auto [s2, b2] = post(enqueue_body(bad_edge, nullptr, 1));
  EXPECT_EQ(s2, 422);
  EXPECT_EQ(b2["detail"][0]["msg"], "Value error, Edge source node ghost does not exist in the graph");
  EXPECT_EQ(b2["detail"][0]["loc"], Json::parse(R"(["body","batch","graph"])"));

  auto [s3, b3] = post(enqueue_body(small_graph(), Json::parse(R"([[
      {"node_path": "prompt", "field_name": "value", "items": ["a", "b"]},
      {"node_path": "noise", "field_name": "seed", "items": [1]}]])"),
                                    1));
  EXPECT_EQ(s3, 422);
  EXPECT_EQ(b3["detail"][0]["msg"], "Value error, Zipped batch items must all have the same length");
  EXPECT_EQ(b3["detail"][0]["loc"], Json::parse(R"(["body","batch","data"])"));

  auto [s4, b4] = post(enqueue_body(
      small_graph(), Json::parse(R"([[{"node_path": "nope", "field_name": "value", "items": [1]}]])"), 1));
  EXPECT_EQ(s4, 422);
  EXPECT_EQ(b4["detail"][0]["msg"], "Value error, Node nope not found in graph");
  EXPECT_EQ(b4["detail"][0]["loc"], Json::parse(R"(["body","batch"])"));

  auto [s5, b5] = post(enqueue_body(small_graph(), nullptr, 0));
  EXPECT_EQ(s5, 422);
  EXPECT_EQ(b5["detail"][0]["type"], "greater_than_equal");

  Json cyclic = small_graph();
  cyclic["edges"].push_back(Json::parse(
      R"({"source": {"node_id": "out", "field": "image"}, "destination": {"node_id": "noise", "field": "seed"}})"));
  auto [s6, b6] = post(enqueue_body(cyclic, nullptr, 1));
  EXPECT_EQ(b6["detail"][0]["msg"], "Value error, Graph contains cycles");

  EXPECT_EQ(post("{not json").first, 422);
  EXPECT_EQ(post(R"({"batch": {"graph": {"nodes": {"x": {"id": "x"}}}}})").second["detail"][0]["type"],
            "union_tag_not_found");
  EXPECT_EQ(f.call("GET", "/api/v1/queue/default/status").second["queue"]["total"], 0) << "nothing enqueued";
}

// With a real server's OpenAPI document, enqueue also makes the checks that need node schemas
// (spec §12 rows 5, 7, 12, 13, 22), with pydantic's types, texts, locations and contexts.
TEST(EmulatorQueue, EnqueueChecksNodeSchemasGivenTheServersOpenApi) {
  Fixture f(0, {}, ivk::test::openapi_path());
  ASSERT_TRUE(f.emulator);
  auto post = [&f](const Json& graph, const Json& data = nullptr) {
    return f.call("POST", "/api/v1/queue/default/enqueue_batch", enqueue_body(graph, data, 1));
  };
  auto [ok_status, ok_body] = post(small_graph());
  EXPECT_EQ(ok_status, 200) << ok_body.dump();

  // Every bad field of every node is reported at once, the node type tag inside loc.
  Json bad_values = small_graph();
  bad_values["nodes"]["noise"]["width"] = 65;
  bad_values["nodes"]["noise"]["height"] = "tall";
  bad_values["nodes"]["denoise"]["steps"] = 0;
  bad_values["nodes"]["denoise"]["scheduler"] = "fastest";
  bad_values["nodes"]["denoise"]["cfg_rescale_multiplier"] = 1;
  bad_values["nodes"]["noise"]["seed"] = 1.5;
  auto [s1, b1] = post(bad_values);
  EXPECT_EQ(s1, 422);
  std::map<std::string, Json> by_field;
  for (const auto& item : b1["detail"]) by_field[item["loc"].back().get<std::string>()] = item;
  ASSERT_EQ(by_field.size(), 6u) << b1.dump();
  EXPECT_EQ(by_field["width"], Json::parse(R"({"type": "multiple_of",
      "loc": ["body", "batch", "graph", "nodes", "noise", "noise", "width"],
      "msg": "Input should be a multiple of 8", "input": 65, "ctx": {"multiple_of": 8}})"));
  EXPECT_EQ(by_field["height"]["type"], "int_parsing");
  EXPECT_EQ(by_field["seed"]["type"], "int_from_float");
  EXPECT_EQ(by_field["steps"]["msg"], "Input should be greater than 0");
  EXPECT_EQ(by_field["steps"]["ctx"], Json::parse(R"({"gt": 0})"));
  EXPECT_EQ(by_field["steps"]["loc"][5], "denoise_latents");
  EXPECT_EQ(by_field["scheduler"]["type"], "literal_error");
  EXPECT_EQ(by_field["scheduler"]["msg"].get<std::string>().rfind("Input should be 'ddim', 'ddpm', ", 0), 0u);
  EXPECT_EQ(by_field["cfg_rescale_multiplier"]["type"], "less_than");
  EXPECT_EQ(by_field["cfg_rescale_multiplier"]["ctx"], Json::parse(R"({"lt": 1})"));

  Json unknown = small_graph();
  unknown["nodes"]["prompt"]["type"] = "frobnicate";
  auto [s2, b2] = post(unknown);
  EXPECT_EQ(s2, 422);
  EXPECT_EQ(b2["detail"][0]["type"], "union_tag_invalid");
  EXPECT_EQ(b2["detail"][0]["loc"], Json::parse(R"(["body", "batch", "graph", "nodes", "prompt"])"));
  EXPECT_EQ(b2["detail"][0]["ctx"]["tag"], "frobnicate");
  EXPECT_EQ(b2["detail"][0]["msg"].get<std::string>().rfind(
                "Input tag 'frobnicate' found using 'type' does not match any of the expected tags: '", 0),
            0u);

  Json bad_source = small_graph();
  bad_source["edges"][0]["source"]["field"] = "nonsense";
  EXPECT_EQ(post(bad_source).second["detail"][0]["msg"],
            "Value error, Edge source field nonsense does not exist in node noise");
  Json bad_destination = small_graph();
  bad_destination["edges"][1]["destination"]["field"] = "bogus";
  EXPECT_EQ(post(bad_destination).second["detail"][0]["msg"],
            "Value error, Edge destination field bogus does not exist in node out");
  Json extra_metadata = small_graph();  // core_metadata takes any input
  extra_metadata["edges"][2]["destination"]["field"] = "my_own_key";
  EXPECT_EQ(post(extra_metadata).first, 200);

  auto [s3, b3] =
      post(small_graph(), Json::parse(R"([[{"node_path": "noise", "field_name": "colour", "items": [1]}]])"));
  EXPECT_EQ(s3, 422);
  EXPECT_EQ(b3["detail"][0]["msg"], "Value error, Field colour not found in node noise");
  EXPECT_EQ(b3["detail"][0]["loc"], Json::parse(R"(["body", "batch"])"));

  EXPECT_EQ(f.call("GET", "/api/v1/queue/default/status").second["queue"]["total"], 2)
      << "only the good graphs";
  const auto served = raw_http(f.emulator->port(), "GET", "/openapi.json");
  EXPECT_EQ(served.status, 200);
  EXPECT_EQ(served.body, ivk::test::read_file(ivk::test::openapi_path()));
}

TEST(EmulatorQueue, WithoutNodeSchemasTheSchemaChecksAreNotMade) {
  Fixture f;
  ASSERT_TRUE(f.emulator);
  Json graph = small_graph();
  graph["nodes"]["noise"]["width"] = 65;
  EXPECT_EQ(f.call("POST", "/api/v1/queue/default/enqueue_batch", enqueue_body(graph, nullptr, 1)).first,
            200);
  EXPECT_EQ(raw_http(f.emulator->port(), "GET", "/openapi.json").status, 404);
}

TEST(EmulatorQueue, AnUnreadableOpenApiDocumentStopsTheStart) {
  const auto dir = fresh_temp_dir();
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "openapi.json") << R"({"openapi": "3.1.0", "components": )";
  ivk::EmulatorOptions options;
  options.data_dir = dir / "data";
  options.openapi_file = dir / "openapi.json";
  auto started = ivk::Emulator::start(options);
  ASSERT_FALSE(started.has_value());
  EXPECT_NE(started.error().message.find((dir / "openapi.json").string()), std::string::npos)
      << started.error().message;
  options.openapi_file = dir / "missing.json";
  auto missing = ivk::Emulator::start(options);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ivk::ErrorCode::not_found);
  EXPECT_NE(missing.error().describe().find("missing.json"), std::string::npos) << missing.error().describe();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

TEST(EmulatorQueue, DynamicPrompts) {
  Fixture f;
  ASSERT_TRUE(f.emulator);
  auto post = [&f](const Json& body) {
    return f.call("POST", "/api/v1/utilities/dynamicprompts", body.dump());
  };
  auto [s1, b1] = post(Json{{"prompt", "a {red|blue} {car|bike}"}, {"combinatorial", true}});
  EXPECT_EQ(s1, 200);
  EXPECT_EQ(
      b1,
      Json::parse(R"({"prompts": ["a red car", "a red bike", "a blue car", "a blue bike"], "error": null})"));
  auto [s2, b2] = post(Json{{"prompt", "{x {1|2}|y} z"}, {"max_prompts", 2}});
  EXPECT_EQ(b2["prompts"], Json::parse(R"(["x 1 z", "x 2 z"])"));
  auto [s3, b3] = post(Json{{"prompt", "a {red|blue"}});
  EXPECT_EQ(b3["prompts"], Json::parse(R"(["a {red|blue"])"));
  EXPECT_TRUE(b3["error"].is_string());
  auto [s4, b4] =
      post(Json{{"prompt", "{a|b|c}"}, {"combinatorial", false}, {"max_prompts", 5}, {"seed", 3}});
  ASSERT_EQ(b4["prompts"].size(), 5u);
  for (const auto& p : b4["prompts"]) EXPECT_TRUE(p == "a" || p == "b" || p == "c");
  EXPECT_EQ(
      post(Json{{"prompt", "{a|b|c}"}, {"combinatorial", false}, {"max_prompts", 5}, {"seed", 3}}).second, b4)
      << "seeded picks repeat";
  EXPECT_EQ(post(Json{{"prompt", "x"}, {"max_prompts", 0}}).first, 422);
  EXPECT_EQ(post(Json{{"max_prompts", 3}}).first, 422);
}

// Event order of spec §8.4, through the Router in-process with a recording EventSink.
TEST(EmulatorQueue, EventsFollowTheServerOrder) {
  const auto dir = fresh_temp_dir();
  auto images = ivk::emu::ImageStore::create(dir);
  ASSERT_TRUE(images);
  std::mutex mu;
  std::vector<std::pair<std::string, Json>> events;
  ivk::EmulatorOptions options;
  options.fail_node_type = "l2i";
  {
    auto queue = ivk::emu::SessionQueue::create(options, **images,
                                                [&](const std::string& name, const std::string& payload) {
                                                  std::lock_guard lock(mu);
                                                  events.emplace_back(name, Json::parse(payload));
                                                });
    ASSERT_TRUE(queue);
    ivk::emu::Router router;
    ivk::emu::add_queue_routes(router, **queue);
    auto match = router.match("POST", "/api/v1/queue/default/enqueue_batch");
    ASSERT_NE(match.handler, nullptr);
    ivk::emu::Request req;
    req.method = "POST";
    req.path = "/api/v1/queue/default/enqueue_batch";
    req.params = match.params;
    req.body = enqueue_body(small_graph(2), nullptr, 1);
    ASSERT_EQ((*match.handler)(req).status, 200);
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard lock(mu);
        if (!events.empty() && events.back().first == "invocation_error") break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  std::vector<std::string> names;
  for (const auto& e : events) names.push_back(e.first);
  // Topological order with ties in graph order: prompt, noise, denoise (2 steps), meta, out.
  const std::vector<std::string> expected = {
      "batch_enqueued",      "queue_item_status_changed", "invocation_started", "invocation_complete",
      "invocation_started",  "invocation_complete",       "invocation_started", "invocation_progress",
      "invocation_progress", "invocation_complete",       "invocation_started", "invocation_complete",
      "invocation_started",  "queue_item_status_changed", "invocation_error"};
  EXPECT_EQ(names, expected);
  ASSERT_EQ(events.size(), expected.size());
  EXPECT_EQ(events[1].second["status"], "in_progress");
  EXPECT_EQ(events[13].second["status"], "failed");
  EXPECT_EQ(events[13].second["queue_status"]["failed"], 1);
  EXPECT_EQ(events[14].second["invocation_source_id"], "out");
  EXPECT_EQ(events[7].second["percentage"], 0.5);
  EXPECT_EQ(events[7].second["invocation_source_id"], "denoise");
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
