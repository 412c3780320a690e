// /api/v1/queue/{queue_id}/* (the routes of the v6.8 document) and /api/v1/utilities/dynamicprompts.
// Request shapes are validated with FastAPI's 422 bodies before the queue is touched.
#include "queue/dynamic_prompts.h"
#include "queue/queue_service.h"

namespace ivk::emu {
namespace {

Response ok(const Json& body) {
  return Response::json(200, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

// The {item_id} path parameter (an int, 422 int_parsing otherwise).
std::optional<std::int64_t> path_item_id(const Request& req, Validation& v) {
  const std::string& text = req.params.at("item_id");
  auto id = parse_int_lax(text);
  if (!id) v.add(int_parsing_item(Json::array({"path", "item_id"}), text));
  return id;
}

Response not_found(const Request& req, std::int64_t id) {
  return Response::detail(
      404, "Queue item with id " + std::to_string(id) + " not found in queue " + req.params.at("queue_id"));
}

// A JSON list of ints (bare, or under `key` in an object), with pydantic's items on problems.
std::optional<std::vector<std::int64_t>> int_list(const Json& list, const Json& loc, Validation& v) {
  if (!list.is_array()) {
    v.add(list_type_item(loc, list));
    return std::nullopt;
  }
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    Json l = loc;
    l.push_back(i);
    if (list[i].is_number_integer())
      out.push_back(list[i].get<std::int64_t>());
    else if (list[i].is_string() && parse_int_lax(list[i].get<std::string>()))
      out.push_back(*parse_int_lax(list[i].get<std::string>()));
    else
      v.add(list[i].is_string() ? int_parsing_item(l, list[i]) : int_type_item(l, list[i]));
  }
  if (!v.ok()) return std::nullopt;
  return out;
}

const std::string& queue_id(const Request& req) { return req.params.at("queue_id"); }

Response enqueue_batch(QueueService& q, const NodeTemplates* templates, const Request& req) {
  Validation v;
  auto body = parse_enqueue_body(req, v, templates);
  if (!body) return v.response();
  auto result = q.enqueue(queue_id(req), std::move(*body));
  if (!result) return Response::detail(500, result.error().message);
  return ok(*result);
}

Response get_status(QueueService& q, const Request& req) { return ok(q.status(queue_id(req))); }

Response get_batch_status(QueueService& q, const Request& req) {
  return ok(q.batch_status(queue_id(req), req.params.at("batch_id")));
}

Response get_current(QueueService& q, const Request& req) { return ok(q.current(queue_id(req))); }

Response get_next(QueueService& q, const Request& req) { return ok(q.next(queue_id(req))); }

Response get_item(QueueService& q, const Request& req) {
  Validation v;
  auto id = path_item_id(req, v);
  if (!id) return v.response();
  auto item = q.item(queue_id(req), *id);
  if (!item) return not_found(req, *id);
  return ok(drop_null_members(std::move(*item)));  // this route alone uses response_model_exclude_none
}

Response cancel_item(QueueService& q, const Request& req) {
  Validation v;
  auto id = path_item_id(req, v);
  if (!id) return v.response();
  auto item = q.cancel_item(queue_id(req), *id);
  if (!item) return not_found(req, *id);
  return ok(*item);
}

Response delete_item(QueueService& q, const Request& req) {
  Validation v;
  auto id = path_item_id(req, v);
  if (!id) return v.response();
  if (!q.delete_item(queue_id(req), *id)) return not_found(req, *id);
  return ok(nullptr);
}

Response list_all(QueueService& q, const Request& req) {
  return ok(q.list_all(queue_id(req), req.query_value("destination")));
}

Response item_ids(QueueService& q, const Request& req) {
  Validation v;
  auto dir = v.query_enum(req, "order_dir", {"ASC", "DESC"}, std::string("DESC"));
  if (!v.ok()) return v.response();
  return ok(q.item_ids(queue_id(req), dir == "DESC"));
}

Response items_by_ids(QueueService& q, const Request& req) {
  Validation v;
  auto body = v.json_object_body(req);
  if (!body) return v.response();
  if (!body->contains("item_ids")) {
    v.add(missing_item(Json::array({"body", "item_ids"}), *body));
    return v.response();
  }
  auto ids = int_list((*body)["item_ids"], Json::array({"body", "item_ids"}), v);
  if (!ids) return v.response();
  return ok(q.items_by_ids(queue_id(req), *ids));
}

Response cancel_by_batch_ids(QueueService& q, const Request& req) {
  Validation v;
  auto body = v.json_object_body(req);
  if (!body) return v.response();
  std::vector<std::string> ids;
  const Json loc = Json::array({"body", "batch_ids"});
  if (!body->contains("batch_ids")) {
    v.add(missing_item(loc, *body));
  } else if (!(*body)["batch_ids"].is_array()) {
    v.add(list_type_item(loc, (*body)["batch_ids"]));
  } else {
    const Json& list = (*body)["batch_ids"];
    for (std::size_t i = 0; i < list.size(); ++i) {
      Json l = loc;
      l.push_back(i);
      if (list[i].is_string())
        ids.push_back(list[i].get<std::string>());
      else
        v.add(string_type_item(l, list[i]));
    }
  }
  if (!v.ok()) return v.response();
  return ok(Json{{"canceled", q.cancel_by_batch_ids(queue_id(req), ids)}});
}

Response cancel_by_destination(QueueService& q, const Request& req) {
  Validation v;
  auto destination = v.query_string(req, "destination");
  if (!v.ok()) return v.response();
  return ok(Json{{"canceled", q.cancel_by_destination(queue_id(req), *destination)}});
}

Response cancel_all_except_current(QueueService& q, const Request& req) {
  return ok(Json{{"canceled", q.cancel_all_except_current(queue_id(req))}});
}

Response delete_all_except_current(QueueService& q, const Request& req) {
  return ok(Json{{"deleted", q.delete_all_except_current(queue_id(req))}});
}

Response delete_by_destination(QueueService& q, const Request& req) {
  return ok(Json{{"deleted", q.delete_by_destination(queue_id(req), req.params.at("destination"))}});
}

Response retry_items_by_id(QueueService& q, const Request& req) {
  Validation v;
  auto body = v.json_body(req);
  if (!body) return v.response();
  auto ids = int_list(*body, Json::array({"body"}), v);
  if (!ids) return v.response();
  auto result = q.retry(queue_id(req), *ids);
  if (!result) return Response::detail(500, result.error().message);
  return ok(*result);
}

Response clear(QueueService& q, const Request& req) { return ok(Json{{"deleted", q.clear(queue_id(req))}}); }

Response prune(QueueService& q, const Request& req) { return ok(Json{{"deleted", q.prune(queue_id(req))}}); }

Response counts_by_destination(QueueService& q, const Request& req) {
  Validation v;
  auto destination = v.query_string(req, "destination");
  if (!v.ok()) return v.response();
  return ok(q.counts_by_destination(queue_id(req), *destination));
}

Response pause_processor(QueueService& q, const Request&) { return ok(q.set_paused(true)); }

Response resume_processor(QueueService& q, const Request&) { return ok(q.set_paused(false)); }

Response dynamic_prompts(const Request& req) {
  Validation v;
  auto body = v.json_object_body(req);
  if (!body) return v.response();
  auto prompt = v.field_string(*body, "prompt", Json::array({"body", "prompt"}));
  auto max_prompts = v.field_int(*body, "max_prompts", Json::array({"body", "max_prompts"}), 1000);
  auto combinatorial = v.field_bool(*body, "combinatorial", Json::array({"body", "combinatorial"}), true);
  std::optional<std::int64_t> seed;
  if (body->contains("seed") && !(*body)["seed"].is_null())
    seed = v.field_int(*body, "seed", Json::array({"body", "seed"}));
  if (max_prompts && *max_prompts < 1)
    v.add(ge_item(Json::array({"body", "max_prompts"}), (*body)["max_prompts"], 1));
  if (max_prompts && *max_prompts > 10000)
    v.add(le_item(Json::array({"body", "max_prompts"}), (*body)["max_prompts"], 10000));
  if (!v.ok()) return v.response();
  auto result = expand_dynamic_prompt(*prompt, static_cast<std::size_t>(*max_prompts), *combinatorial, seed);
  Json out = Json::object();
  out["prompts"] = result.prompts;
  out["error"] = result.error ? Json(*result.error) : Json();
  return ok(out);
}

}  // namespace

void add_queue_routes(Router& router, SessionQueue& queue, const NodeTemplates* templates) {
  auto& q = static_cast<QueueService&>(queue);
  const std::string base = "/api/v1/queue/{queue_id}";
  auto add = [&router, &q, &base](const char* method, const std::string& path, Access access,
                                  Response (*fn)(QueueService&, const Request&)) {
    router.add(method, base + path, access, [&q, fn](const Request& req) { return fn(q, req); });
  };
  router.add("POST", base + "/enqueue_batch", Access::user,
             [&q, templates](const Request& req) { return enqueue_batch(q, templates, req); });
  add("GET", "/status", Access::user, get_status);
  add("GET", "/b/{batch_id}/status", Access::user, get_batch_status);
  add("GET", "/current", Access::user, get_current);
  add("GET", "/next", Access::user, get_next);
  add("GET", "/i/{item_id}", Access::user, get_item);
  add("PUT", "/i/{item_id}/cancel", Access::user, cancel_item);
  add("DELETE", "/i/{item_id}", Access::user, delete_item);
  add("GET", "/list_all", Access::user, list_all);
  add("GET", "/item_ids", Access::user, item_ids);
  add("POST", "/items_by_ids", Access::user, items_by_ids);
  add("PUT", "/cancel_by_batch_ids", Access::user, cancel_by_batch_ids);
  add("PUT", "/cancel_by_destination", Access::user, cancel_by_destination);
  add("PUT", "/cancel_all_except_current", Access::user, cancel_all_except_current);
  add("PUT", "/delete_all_except_current", Access::user, delete_all_except_current);
  add("DELETE", "/d/{destination}", Access::user, delete_by_destination);
  add("PUT", "/retry_items_by_id", Access::user, retry_items_by_id);
  add("PUT", "/clear", Access::user, clear);
  add("PUT", "/prune", Access::user, prune);
  add("GET", "/counts_by_destination", Access::user, counts_by_destination);
  add("PUT", "/processor/pause", Access::admin, pause_processor);
  add("PUT", "/processor/resume", Access::admin, resume_processor);
  router.add("POST", "/api/v1/utilities/dynamicprompts", Access::user, dynamic_prompts);
}

}  // namespace ivk::emu
