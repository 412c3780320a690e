// The execution simulation: one item at a time (highest priority, then oldest), its prepared nodes
// in topological order, invocation events per node, real PNGs for image nodes, steps of
// options.step_ms for denoise nodes, and the injected failure of options.fail_node_type. The lock
// is never held while sleeping, encoding or storing an image.
#include <algorithm>
#include <chrono>
#include <thread>

#include "images/png_writer.h"
#include "queue/execution_plan.h"
#include "queue/queue_service.h"

namespace ivk::emu {
namespace {

constexpr int kMaxSide = 4096;  // generated images are capped so a typo cannot exhaust memory

int side(const Json& node, const char* field, int fallback) {
  if (node.contains(field) && node[field].is_number_integer())
    return static_cast<int>(std::clamp<std::int64_t>(node[field].get<std::int64_t>(), 1, kMaxSide));
  return fallback;
}

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace

void QueueService::worker_loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    const QueueItem* best = nullptr;
    wake_.wait(lock, [&] {
      if (stop_) return true;
      best = nullptr;
      if (paused_) return false;
      for (const auto& [id, item] : items_)
        if (item.status == "pending" && (best == nullptr || item.priority > best->priority)) best = &item;
      return best != nullptr;
    });
    if (stop_) return;
    const std::int64_t id = best->item_id;
    Events events;
    set_status_locked(items_.at(id), "in_progress", events);
    lock.unlock();
    emit(std::move(events));
    execute(id);
    lock.lock();
  }
}

void QueueService::execute(std::int64_t item_id) {
  Json graph, workflow, base;
  {
    std::lock_guard lock(mutex_);
    auto it = items_.find(item_id);
    if (it == items_.end()) return;
    graph = it->second.session["graph"];
    workflow = it->second.workflow;
    base = item_event_base_locked(it->second);
    base["session_id"] = it->second.session_id;
  }
  ExecutionPlan plan = prepare_execution(graph);
  std::vector<Json> results(plan.nodes.size());
  std::vector<Size> sizes(plan.nodes.size());
  RunContext ctx;
  // The seed and prompt of the session, for deterministic pixels: core metadata first.
  for (const auto& [key, node] : graph["nodes"].items()) {
    if (node.value("type", "") == "core_metadata") {
      if (node.contains("positive_prompt") && node["positive_prompt"].is_string())
        ctx.prompt = node["positive_prompt"].get<std::string>();
      if (node.contains("seed") && node["seed"].is_number_integer())
        ctx.seed = node["seed"].get<std::int64_t>();
    }
  }

  auto running = [this, item_id]() {
    std::lock_guard lock(mutex_);
    auto it = items_.find(item_id);
    return !stop_ && it != items_.end() && it->second.status == "in_progress";
  };
  auto event = [&base](const PreparedNode& p, const char* name, Json extra) {
    Json payload = base;
    payload["timestamp"] = queue_event_timestamp();
    payload["invocation"] = p.node;
    payload["invocation_source_id"] = p.source_id;
    for (auto& [k, v] : extra.items()) payload[k] = std::move(v);
    return std::make_pair(std::string(name), std::move(payload));
  };
  auto fail = [&](const PreparedNode& p, const std::string& type, const std::string& message) {
    Events events;
    {
      std::lock_guard lock(mutex_);
      auto it = items_.find(item_id);
      if (it == items_.end() || it->second.status != "in_progress") return;
      QueueItem& item = it->second;
      item.error_type = type;
      item.error_message = message;
      item.error_traceback = "Traceback (most recent call last):\n  File \"ivk-emulator\", in " +
                             p.source_id + "\n" + type + ": " + message + "\n";
      item.session["errors"][p.id] = message;
      persist_session_locked(item);
      // The server fails the item before it emits invocation_error.
      set_status_locked(item, "failed", events);
      events.push_back(event(p, "invocation_error",
                             Json{{"error_type", item.error_type},
                                  {"error_message", item.error_message},
                                  {"error_traceback", item.error_traceback}}));
    }
    emit(std::move(events));
  };

  for (std::size_t n = 0; n < plan.nodes.size(); ++n) {
    PreparedNode& p = plan.nodes[n];
    if (!running()) return;
    // Inputs from edges, as the server fills a prepared node before running it.
    Size size{side(p.node, "width", 0), side(p.node, "height", 0)};
    Size inherited;
    for (const auto& e : plan.edges) {
      if (e.to != n) continue;
      const Json& out = results[e.from];
      if (out.contains("width")) inherited = sizes[e.from];
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
    sizes[n] = size;
    const std::string type = p.node.value("type", "");
    if (type == "iterate") {
      const Json collection = p.node.value("collection", Json::array());
      p.node["index"] = p.iteration;
      p.node["item"] = p.iteration < collection.size() ? collection[p.iteration] : Json();
      p.node["total"] = collection.size();
    }
    if (p.node.contains("seed") && p.node["seed"].is_number_integer())
      ctx.seed = p.node["seed"].get<std::int64_t>();
    if (ctx.prompt.empty() && p.node.contains("prompt") && p.node["prompt"].is_string())
      ctx.prompt = p.node["prompt"].get<std::string>();

    emit({event(p, "invocation_started", Json::object())});
    if (!options_.fail_node_type.empty() && type == options_.fail_node_type) {
      fail(p, "RuntimeError", "Emulated failure of node " + p.source_id + " (type " + type + ")");
      return;
    }
    const NodeKind kind = node_kind(type);
    if (kind == NodeKind::denoise) {
      const int steps = denoise_steps(p.node);
      for (int s = 1; s <= steps; ++s) {
        if (options_.step_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(options_.step_ms));
        if (!running()) return;  // canceled, deleted or shutting down: stop at this step
        emit({event(p, "invocation_progress",
                    Json{{"message", "Denoising"},
                         {"percentage", static_cast<double>(s) / static_cast<double>(steps)},
                         {"image", nullptr}})});
      }
    }
    std::string image_name;
    if (kind == NodeKind::image) {
      std::vector<std::pair<std::string, std::string>> texts;
      const Json metadata = p.node.value("metadata", Json());
      if (metadata.is_object()) texts.emplace_back("invokeai_metadata", dump(metadata));
      texts.emplace_back("invokeai_graph", dump(graph));
      if (workflow.is_object()) texts.emplace_back("invokeai_workflow", dump(workflow));
      auto png = encode_png(size.width, size.height,
                            render_pixels(size.width, size.height, ctx.seed, ctx.prompt), texts);
      if (!png) {
        fail(p, "RuntimeError", png.error().message);
        return;
      }
      NewImage image;
      image.png = std::move(*png);
      image.width = size.width;
      image.height = size.height;
      image.is_intermediate = p.node.value("is_intermediate", false);
      const Json board = p.node.value("board", Json());
      if (board.is_object() && board.contains("board_id") && board["board_id"].is_string())
        image.board_id = board["board_id"].get<std::string>();
      image.session_id = base["session_id"].get<std::string>();
      image.node_id = p.id;
      if (metadata.is_object()) image.metadata_json = dump(metadata);
      if (workflow.is_object()) image.workflow_json = dump(workflow);
      image.graph_json = dump(graph);
      auto stored = images_.add_image(image);
      if (!stored && stored.error().code == ErrorCode::not_found && image.board_id) {
        image.board_id.reset();  // an unknown board: the image still lands in "uncategorized"
        stored = images_.add_image(image);
      }
      if (!stored) {
        fail(p, "RuntimeError", stored.error().message);
        return;
      }
      image_name = *stored;
    }
    results[n] = node_output(p.node, size, ctx, image_name);
    {
      std::lock_guard lock(mutex_);
      auto it = items_.find(item_id);
      if (it == items_.end() || it->second.status != "in_progress") return;
      Json& session = it->second.session;
      session["execution_graph"]["nodes"][p.id] = p.node;
      for (const auto& e : plan.edges)
        if (e.to == n)
          session["execution_graph"]["edges"].push_back(
              Json{{"source", {{"node_id", plan.nodes[e.from].id}, {"field", e.from_field}}},
                   {"destination", {{"node_id", p.id}, {"field", e.to_field}}}});
      session["executed"].push_back(p.id);
      session["executed_history"].push_back(p.id);
      session["results"][p.id] = results[n];
      session["prepared_source_mapping"][p.id] = p.source_id;
      if (!session["source_prepared_mapping"].contains(p.source_id))
        session["source_prepared_mapping"][p.source_id] = Json::array();
      session["source_prepared_mapping"][p.source_id].push_back(p.id);
      persist_session_locked(it->second);  // the server stores the session after every node too
    }
    emit({event(p, "invocation_complete", Json{{"result", results[n]}})});
  }
  Events events;
  {
    std::lock_guard lock(mutex_);
    auto it = items_.find(item_id);
    if (it == items_.end() || it->second.status != "in_progress") return;
    set_status_locked(it->second, "completed", events);
  }
  emit(std::move(events));
}

}  // namespace ivk::emu
