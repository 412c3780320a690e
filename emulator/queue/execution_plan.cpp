#include "queue/execution_plan.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/uuid.h"

namespace ivk::emu {
namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// Items an iterate node will produce: its own collection, or that of the node feeding it (a
// *_collection primitive or a range), else one.
std::size_t iterate_count(const Json& graph, const std::string& id) {
  const Json& node = graph["nodes"][id];
  if (node.contains("collection") && node["collection"].is_array() && !node["collection"].empty())
    return node["collection"].size();
  for (const auto& edge : graph["edges"]) {
    if (edge["destination"]["node_id"] != id || edge["destination"]["field"] != "collection") continue;
    const Json& src = graph["nodes"][edge["source"]["node_id"].get<std::string>()];
    if (src.contains("collection") && src["collection"].is_array() && !src["collection"].empty())
      return src["collection"].size();
    const std::string type = src.value("type", "");
    if (type == "range_of_size")
      return static_cast<std::size_t>(std::clamp<std::int64_t>(src.value("size", 1), 1, 1000));
    if (type == "range") {
      const std::int64_t start = src.value("start", 0), stop = src.value("stop", 10),
                         step = src.value("step", 1);
      if (step > 0 && stop > start)
        return static_cast<std::size_t>(std::min<std::int64_t>((stop - start + step - 1) / step, 1000));
    }
  }
  return 1;
}

Json model_part(const Json& model, const char* submodel) {
  Json m = model.is_object() ? model : Json::object();
  m["submodel_type"] = submodel;
  return m;
}

Json clip_field(const Json& model, const char* tokenizer, const char* encoder) {
  return Json{{"tokenizer", model_part(model, tokenizer)},
              {"text_encoder", model_part(model, encoder)},
              {"skipped_layers", 0},
              {"loras", Json::array()}};
}

Json named(const char* prefix) { return std::string(prefix) + detail::uuid4(); }

std::uint64_t fnv1a(std::string_view text, std::uint64_t h = 1469598103934665603ull) {
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

ExecutionPlan prepare_execution(const Json& graph) {
  const Json& nodes = graph["nodes"];
  const Json& edges = graph["edges"];
  std::vector<std::string> order_in_graph;
  std::map<std::string, std::size_t> position;
  for (const auto& [key, node] : nodes.items()) {
    position[key] = order_in_graph.size();
    order_in_graph.push_back(key);
  }
  std::map<std::string, int> indegree;
  for (const auto& key : order_in_graph) indegree[key] = 0;
  for (const auto& edge : edges) ++indegree[edge["destination"]["node_id"].get<std::string>()];
  // Kahn's algorithm, always taking the earliest ready node in graph order (deterministic).
  std::set<std::size_t> ready;
  for (const auto& key : order_in_graph)
    if (indegree[key] == 0) ready.insert(position[key]);
  std::vector<std::string> topo;
  while (!ready.empty()) {
    const std::string id = order_in_graph[*ready.begin()];
    ready.erase(ready.begin());
    topo.push_back(id);
    for (const auto& edge : edges)
      if (edge["source"]["node_id"] == id) {
        const std::string dst = edge["destination"]["node_id"].get<std::string>();
        if (--indegree[dst] == 0) ready.insert(position[dst]);
      }
  }

  ExecutionPlan plan;
  std::map<std::string, std::vector<std::size_t>> copies;  // source id -> prepared indexes
  for (const auto& id : topo) {
    const Json& node = nodes[id];
    const std::string type = node.value("type", "");
    std::size_t count = 1;
    if (type == "iterate") {
      count = iterate_count(graph, id);
    } else if (type != "collect") {
      for (const auto& edge : edges)
        if (edge["destination"]["node_id"] == id)
          count = std::max(count, copies[edge["source"]["node_id"].get<std::string>()].size());
    }
    for (std::size_t k = 0; k < count; ++k) {
      PreparedNode p;
      p.id = detail::uuid4();
      p.source_id = id;
      p.iteration = k;
      p.node = node;
      p.node["id"] = p.id;
      const std::size_t index = plan.nodes.size();
      plan.nodes.push_back(std::move(p));
      copies[id].push_back(index);
      for (const auto& edge : edges) {
        if (edge["destination"]["node_id"] != id) continue;
        const auto& from = copies[edge["source"]["node_id"].get<std::string>()];
        if (from.empty()) continue;
        const std::string from_field = edge["source"]["field"].get<std::string>();
        const std::string to_field = edge["destination"]["field"].get<std::string>();
        if (type == "collect") {  // a collect gathers every copy
          for (const auto f : from) plan.edges.push_back({f, from_field, index, to_field});
        } else if (type == "iterate") {  // copy k of an iterate hands out item k
          plan.edges.push_back({from.front(), from_field, index, to_field});
        } else {
          plan.edges.push_back({from[std::min(k, from.size() - 1)], from_field, index, to_field});
        }
      }
    }
  }
  return plan;
}

NodeKind node_kind(const std::string& type) {
  if (type == "image") return NodeKind::passthrough_image;
  if (type == "l2i" || ends_with(type, "_l2i") || type == "flux_vae_decode" || type == "save_image" ||
      starts_with(type, "img_") || starts_with(type, "infill_") || type == "esrgan" ||
      type == "blank_image" || type == "canvas_paste_back" || type == "color_correct")
    return NodeKind::image;
  if (type == "denoise_latents" || ends_with(type, "_denoise") || ends_with(type, "_denoise_meta") ||
      ends_with(type, "_denoise_latents"))
    return NodeKind::denoise;
  return NodeKind::plain;
}

int denoise_steps(const Json& node) {
  for (const char* f : {"steps", "num_steps"})
    if (node.contains(f) && node[f].is_number_integer())
      return static_cast<int>(std::clamp<std::int64_t>(node[f].get<std::int64_t>(), 0, 10000));
  return 10;
}

Json node_output(const Json& node, const Size& size, const RunContext& ctx, const std::string& image_name) {
  const std::string type = node.value("type", "");
  Json out = Json::object();
  auto typed = [&out](const char* t) {
    out["type"] = t;
    return out;
  };
  switch (node_kind(type)) {
    case NodeKind::image:
    case NodeKind::passthrough_image: {
      Json image = node.contains("image") && node["image"].is_object() && image_name.empty()
                       ? node["image"]
                       : Json{{"image_name", image_name}};
      out["image"] = image;
      out["width"] = size.width;
      out["height"] = size.height;
      return typed("image_output");
    }
    case NodeKind::denoise:
      if (ends_with(type, "_meta")) out["metadata"] = node.value("metadata", Json::object());
      out["latents"] = Json{{"latents_name", named("Tensor_")}, {"seed", ctx.seed}};
      out["width"] = size.width;
      out["height"] = size.height;
      return typed(ends_with(type, "_meta") ? "latents_meta_output" : "latents_output");
    case NodeKind::plain: break;
  }
  const Json model = node.value("model", Json());
  if (type == "main_model_loader" || type == "sdxl_model_loader" || type == "sdxl_refiner_model_loader") {
    out["unet"] = Json{{"unet", model_part(model, "unet")},
                       {"scheduler", model_part(model, "scheduler")},
                       {"loras", Json::array()},
                       {"seamless_axes", Json::array()}};
    if (type != "sdxl_refiner_model_loader") out["clip"] = clip_field(model, "tokenizer", "text_encoder");
    if (type != "main_model_loader") out["clip2"] = clip_field(model, "tokenizer_2", "text_encoder_2");
    out["vae"] = Json{{"vae", model_part(model, "vae")}, {"seamless_axes", Json::array()}};
    return typed(type == "main_model_loader" ? "model_loader_output" : (type + "_output").c_str());
  }
  if (type == "flux_model_loader") {
    out["transformer"] = Json{{"transformer", model_part(model, "transformer")}, {"loras", Json::array()}};
    out["clip"] = clip_field(node.value("clip_embed_model", Json()), "tokenizer", "text_encoder");
    const Json t5 = node.value("t5_encoder_model", Json());
    out["t5_encoder"] = Json{{"tokenizer", model_part(t5, "tokenizer_2")},
                             {"text_encoder", model_part(t5, "text_encoder_2")},
                             {"loras", Json::array()}};
    out["vae"] =
        Json{{"vae", model_part(node.value("vae_model", Json()), "vae")}, {"seamless_axes", Json::array()}};
    out["max_seq_len"] = 256;
    return typed("flux_model_loader_output");
  }
  if (type == "vae_loader") {
    out["vae"] = Json{{"vae", node.value("vae_model", Json::object())}, {"seamless_axes", Json::array()}};
    return typed("vae_output");
  }
  if (type == "compel" || type == "sdxl_compel_prompt" || type == "sdxl_refiner_compel_prompt" ||
      type == "flux_text_encoder" || type == "sd3_text_encoder" || type == "cogview4_text_encoder") {
    out["conditioning"] = Json{{"conditioning_name", named("ConditioningFieldData_")}};
    if (type == "flux_text_encoder") return typed("flux_conditioning_output");
    if (type == "sd3_text_encoder") return typed("sd3_conditioning_output");
    if (type == "cogview4_text_encoder") return typed("cogview4_conditioning_output");
    return typed("conditioning_output");
  }
  if (type == "noise") {
    out["noise"] = Json{{"latents_name", named("Tensor_")}, {"seed", node.value("seed", ctx.seed)}};
    out["width"] = size.width;
    out["height"] = size.height;
    return typed("noise_output");
  }
  if (type == "i2l" || ends_with(type, "_i2l") || type == "flux_vae_encode") {
    out["latents"] = Json{{"latents_name", named("Tensor_")}};
    out["width"] = size.width;
    out["height"] = size.height;
    return typed("latents_output");
  }
  if (type == "core_metadata" || type == "metadata_from_image") {
    Json metadata = Json::object();
    for (const auto& [key, value] : node.items())
      if (key != "id" && key != "type" && key != "is_intermediate" && key != "use_cache" && !value.is_null())
        metadata[key] = value;
    out["metadata"] = std::move(metadata);
    return typed("metadata_output");
  }
  if (type == "collect") {
    out["collection"] = node.value("collection", Json::array());
    return typed("collect_output");
  }
  if (type == "iterate") {
    out["item"] = node.value("item", Json());
    out["index"] = node.value("index", 0);
    out["total"] = node.value("total", 1);
    return typed("iterate_output");
  }
  if (type == "rand_int") {
    const std::int64_t low = node.value("low", std::int64_t{0});
    const std::int64_t high = node.value("high", std::int64_t{2147483647});
    const std::uint64_t span = high > low ? static_cast<std::uint64_t>(high - low) : 1;
    const std::uint64_t h = fnv1a(node.value("id", ""), static_cast<std::uint64_t>(ctx.seed));
    out["value"] = low + static_cast<std::int64_t>(h % span);
    return typed("integer_output");
  }
  if (type == "range" || type == "range_of_size") {
    Json collection = Json::array();
    const std::int64_t start = node.value("start", std::int64_t{0});
    const std::int64_t step = node.value("step", std::int64_t{1});
    const std::int64_t stop = type == "range" ? node.value("stop", std::int64_t{10})
                                              : start + step * node.value("size", std::int64_t{1});
    for (std::int64_t v = start; step != 0 && (step > 0 ? v < stop : v > stop) && collection.size() < 1000;
         v += step)
      collection.push_back(v);
    out["collection"] = std::move(collection);
    return typed("integer_collection_output");
  }
  // Collection primitives (integer_collection, string_collection, ...) echo their collection.
  if (node.contains("collection") && node["collection"].is_array() && ends_with(type, "_collection")) {
    out["collection"] = node["collection"];
    out["type"] = type + "_output";
    return out;
  }
  // Primitives (string, integer, float, boolean and their lookalikes) echo their value.
  if (node.contains("value")) {
    const Json& value = node["value"];
    out["value"] = value;
    if (value.is_string()) return typed("string_output");
    if (value.is_boolean()) return typed("boolean_output");
    if (value.is_number_integer()) return typed("integer_output");
    if (value.is_number()) return typed("float_output");
  }
  // A node type the emulator does not model: an output named after it, with no fields.
  out["type"] = type + "_output";
  return out;
}

std::string render_pixels(int width, int height, std::int64_t seed, const std::string& prompt) {
  const std::uint64_t h = fnv1a(prompt, static_cast<std::uint64_t>(seed) * 0x9e3779b97f4a7c15ull);
  const auto w = static_cast<std::size_t>(width);
  const auto hh = static_cast<std::size_t>(height);
  std::string rgb(w * hh * 3, '\0');
  // A gradient tinted by the hash with a little hashed grain: cheap, deterministic, not uniform.
  const unsigned r0 = h & 0xffu, g0 = (h >> 8) & 0xffu, b0 = (h >> 16) & 0xffu;
  std::uint64_t noise = h | 1u;
  for (std::size_t y = 0; y < hh; ++y)
    for (std::size_t x = 0; x < w; ++x) {
      noise ^= noise << 13;
      noise ^= noise >> 7;
      noise ^= noise << 17;
      const auto grain = static_cast<unsigned>(noise & 0x1fu);
      const std::size_t i = (y * w + x) * 3;
      rgb[i] = static_cast<char>((r0 + x * 255 / w + grain) & 0xffu);
      rgb[i + 1] = static_cast<char>((g0 + y * 255 / hh + grain) & 0xffu);
      rgb[i + 2] = static_cast<char>((b0 + (x + y) * 127 / (w + hh) + grain) & 0xffu);
    }
  return rgb;
}

}  // namespace ivk::emu
