#include "queue/item_executor.h"

#include <algorithm>
#include <thread>

#include "images/png_writer.h"

namespace ivk::emu {
namespace {

constexpr int kMaxSide = 4096;  // generated images are capped so a typo cannot exhaust memory

int side(const Json& node, const char* field, int fallback) {
  if (node.contains(field) && node[field].is_number_integer())
    return static_cast<int>(std::clamp<std::int64_t>(node[field].get<std::int64_t>(), 1, kMaxSide));
  return fallback;
}

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::optional<std::string> string_field(const Json& node, const char* field) {
  if (node.contains(field) && node[field].is_string()) return node[field].get<std::string>();
  return std::nullopt;
}

}  // namespace

ItemExecutor::ItemExecutor(ExecutionHost& host, ImageStore& images, ExecutorOptions options,
                           std::int64_t item_id)
    : host_(host), images_(images), options_(std::move(options)), item_id_(item_id) {
  if (!options_.sleep) options_.sleep = [](std::chrono::milliseconds ms) { std::this_thread::sleep_for(ms); };
}

ItemExecutor::Outcome ItemExecutor::run() {
  if (!prepare()) return Outcome::stopped;
  for (std::size_t n = 0; n < plan_.nodes.size(); ++n)
    if (auto ended = run_node(n)) return *ended;
  return finish();
}

bool ItemExecutor::prepare() {
  auto start = host_.start_item(item_id_);
  if (!start) return false;
  start_ = std::move(*start);
  start_.event_base["session_id"] = start_.session_id;
  plan_ = prepare_execution(start_.graph);
  results_.assign(plan_.nodes.size(), Json());
  sizes_.assign(plan_.nodes.size(), Size{});
  // The seed and prompt of the session, for deterministic pixels: core metadata first.
  for (const auto& [key, node] : start_.graph["nodes"].items()) {
    if (node.value("type", "") != "core_metadata") continue;
    if (auto prompt = string_field(node, "positive_prompt")) ctx_.prompt = std::move(*prompt);
    if (node.contains("seed") && node["seed"].is_number_integer())
      ctx_.seed = node["seed"].get<std::int64_t>();
  }
  return true;
}

Size ItemExecutor::fill_inputs(std::size_t n) {
  PreparedNode& p = plan_.nodes[n];
  Size size{side(p.node, "width", 0), side(p.node, "height", 0)};
  Size inherited;
  for (const auto& e : plan_.edges) {
    if (e.to != n) continue;
    const Json& out = results_[e.from];
    if (out.contains("width")) inherited = sizes_[e.from];
    if (!out.contains(e.from_field)) continue;
    if (p.node.value("type", "") == "collect" && e.to_field == "item") {
      if (!p.node.contains("collection") || !p.node["collection"].is_array())
        p.node["collection"] = Json::array();
      p.node["collection"].push_back(out[e.from_field]);
    } else {
      p.node[e.to_field] = out[e.from_field];
    }
  }
  if (size.width == 0) size.width = inherited.width;
  if (size.height == 0) size.height = inherited.height;
  return size;
}

void ItemExecutor::apply_iteration_and_seed(PreparedNode& p) {
  if (p.node.value("type", "") == "iterate") {
    const Json collection = p.node.value("collection", Json::array());
    p.node["index"] = p.iteration;
    p.node["item"] = p.iteration < collection.size() ? collection[p.iteration] : Json();
    p.node["total"] = collection.size();
  }
  if (p.node.contains("seed") && p.node["seed"].is_number_integer())
    ctx_.seed = p.node["seed"].get<std::int64_t>();
  if (ctx_.prompt.empty())
    if (auto prompt = string_field(p.node, "prompt")) ctx_.prompt = std::move(*prompt);
}

std::optional<ItemExecutor::Outcome> ItemExecutor::run_node(std::size_t n) {
  if (!host_.running(item_id_)) return Outcome::stopped;
  sizes_[n] = fill_inputs(n);
  apply_iteration_and_seed(plan_.nodes[n]);
  const PreparedNode& p = plan_.nodes[n];
  const std::string type = p.node.value("type", "");
  host_.emit({event(p, "invocation_started", Json::object())});
  if (!options_.fail_node_type.empty() && type == options_.fail_node_type)
    return fail(p, "RuntimeError", "Emulated failure of node " + p.source_id + " (type " + type + ")");
  const NodeKind kind = node_kind(type);
  if (kind == NodeKind::denoise && !denoise(p)) return Outcome::stopped;
  std::string image_name;
  if (kind == NodeKind::image) {
    auto stored = store_image(p, sizes_[n]);
    if (!stored) return fail(p, "RuntimeError", stored.error().message);
    image_name = std::move(*stored);
  }
  results_[n] = node_output(p.node, sizes_[n], ctx_, image_name);
  if (!record(n)) return Outcome::stopped;
  return std::nullopt;
}

bool ItemExecutor::denoise(const PreparedNode& p) {
  const int steps = denoise_steps(p.node);
  for (int s = 1; s <= steps; ++s) {
    if (options_.step_ms > 0) options_.sleep(std::chrono::milliseconds(options_.step_ms));
    if (!host_.running(item_id_)) return false;  // canceled, deleted or shutting down: stop at this step
    host_.emit({event(p, "invocation_progress",
                      Json{{"message", "Denoising"},
                           {"percentage", static_cast<double>(s) / static_cast<double>(steps)},
                           {"image", nullptr}})});
  }
  return true;
}

Result<std::string> ItemExecutor::store_image(const PreparedNode& p, Size size) {
  std::vector<std::pair<std::string, std::string>> texts;
  const Json metadata = p.node.value("metadata", Json());
  if (metadata.is_object()) texts.emplace_back("invokeai_metadata", dump(metadata));
  texts.emplace_back("invokeai_graph", dump(start_.graph));
  if (start_.workflow.is_object()) texts.emplace_back("invokeai_workflow", dump(start_.workflow));
  auto png = encode_png(size.width, size.height,
                        render_pixels(size.width, size.height, ctx_.seed, ctx_.prompt), texts);
  if (!png) return tl::unexpected(png.error());
  NewImage image;
  image.png = std::move(*png);
  image.width = size.width;
  image.height = size.height;
  image.is_intermediate = p.node.value("is_intermediate", false);
  const Json board = p.node.value("board", Json());
  if (board.is_object()) image.board_id = string_field(board, "board_id");
  image.session_id = start_.session_id;
  image.node_id = p.id;
  if (metadata.is_object()) image.metadata_json = dump(metadata);
  if (start_.workflow.is_object()) image.workflow_json = dump(start_.workflow);
  image.graph_json = dump(start_.graph);
  auto stored = images_.add_image(image);
  if (!stored && stored.error().code == ErrorCode::not_found && image.board_id) {
    image.board_id.reset();  // an unknown board: the image still lands in "uncategorized"
    stored = images_.add_image(image);
  }
  return stored;
}

bool ItemExecutor::record(std::size_t n) {
  const PreparedNode& p = plan_.nodes[n];
  return host_.update_item(item_id_, [&](QueueItem& item, QueueEvents& events) {
    Json& session = item.session;
    session["execution_graph"]["nodes"][p.id] = p.node;
    for (const auto& e : plan_.edges)
      if (e.to == n)
        session["execution_graph"]["edges"].push_back(
            Json{{"source", {{"node_id", plan_.nodes[e.from].id}, {"field", e.from_field}}},
                 {"destination", {{"node_id", p.id}, {"field", e.to_field}}}});
    session["executed"].push_back(p.id);
    session["executed_history"].push_back(p.id);
    session["results"][p.id] = results_[n];
    session["prepared_source_mapping"][p.id] = p.source_id;
    if (!session["source_prepared_mapping"].contains(p.source_id))
      session["source_prepared_mapping"][p.source_id] = Json::array();
    session["source_prepared_mapping"][p.source_id].push_back(p.id);
    host_.persist_session_locked(item);  // the server stores the session after every node too
    events.push_back(event(p, "invocation_complete", Json{{"result", results_[n]}}));
  });
}

ItemExecutor::Outcome ItemExecutor::finish() {
  const bool completed = host_.update_item(item_id_, [this](QueueItem& item, QueueEvents& events) {
    host_.set_status_locked(item, "completed", events);
  });
  return completed ? Outcome::completed : Outcome::stopped;
}

ItemExecutor::Outcome ItemExecutor::fail(const PreparedNode& p, const std::string& type,
                                         const std::string& message) {
  const bool failed = host_.update_item(item_id_, [&](QueueItem& item, QueueEvents& events) {
    item.error_type = type;
    item.error_message = message;
    item.error_traceback = "Traceback (most recent call last):\n  File \"ivk-emulator\", in " + p.source_id +
                           "\n" + type + ": " + message + "\n";
    item.session["errors"][p.id] = message;
    host_.persist_session_locked(item);
    // The server fails the item before it emits invocation_error.
    host_.set_status_locked(item, "failed", events);
    events.push_back(event(p, "invocation_error",
                           Json{{"error_type", item.error_type},
                                {"error_message", item.error_message},
                                {"error_traceback", item.error_traceback}}));
  });
  return failed ? Outcome::failed : Outcome::stopped;
}

std::pair<std::string, Json> ItemExecutor::event(const PreparedNode& p, const char* name, Json extra) const {
  Json payload = start_.event_base;
  payload["timestamp"] = queue_event_timestamp();
  payload["invocation"] = p.node;
  payload["invocation_source_id"] = p.source_id;
  for (auto& [k, v] : extra.items()) payload[k] = std::move(v);
  return {std::string(name), std::move(payload)};
}

}  // namespace ivk::emu
