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

}  // namespace

void add_queue_routes(Router& router, SessionQueue& queue, const NodeTemplates* templates) {
  auto& q = static_cast<QueueService&>(queue);
  const std::string base = "/api/v1/queue/{queue_id}";
  auto qid = [](const Request& req) { return req.params.at("queue_id"); };

  router.add("POST", base + "/enqueue_batch", Access::user, [&q, qid, templates](const Request& req) {
    Validation v;
    auto body = parse_enqueue_body(req, v, templates);
    if (!body) return v.response();
    auto result = q.enqueue(qid(req), std::move(*body));
    if (!result) return Response::detail(500, result.error().message);
    return ok(*result);
  });
  router.add("GET", base + "/status", Access::user,
             [&q, qid](const Request& req) { return ok(q.status(qid(req))); });
  router.add("GET", base + "/b/{batch_id}/status", Access::user, [&q, qid](const Request& req) {
    return ok(q.batch_status(qid(req), req.params.at("batch_id")));
  });
  router.add("GET", base + "/current", Access::user,
             [&q, qid](const Request& req) { return ok(q.current(qid(req))); });
  router.add("GET", base + "/next", Access::user,
             [&q, qid](const Request& req) { return ok(q.next(qid(req))); });
  router.add("GET", base + "/i/{item_id}", Access::user, [&q, qid](const Request& req) {
    Validation v;
    auto id = path_item_id(req, v);
    if (!id) return v.response();
    auto item = q.item(qid(req), *id);
    if (!item) return not_found(req, *id);
    return ok(drop_null_members(std::move(*item)));  // this route alone uses response_model_exclude_none
  });
  router.add("PUT", base + "/i/{item_id}/cancel", Access::user, [&q, qid](const Request& req) {
    Validation v;
    auto id = path_item_id(req, v);
    if (!id) return v.response();
    auto item = q.cancel_item(qid(req), *id);
    if (!item) return not_found(req, *id);
    return ok(*item);
  });
  router.add("DELETE", base + "/i/{item_id}", Access::user, [&q, qid](const Request& req) {
    Validation v;
    auto id = path_item_id(req, v);
    if (!id) return v.response();
    if (!q.delete_item(qid(req), *id)) return not_found(req, *id);
    return ok(nullptr);
  });
  router.add("GET", base + "/list_all", Access::user, [&q, qid](const Request& req) {
    return ok(q.list_all(qid(req), req.query_value("destination")));
  });
  router.add("GET", base + "/item_ids", Access::user, [&q, qid](const Request& req) {
    Validation v;
    auto dir = v.query_enum(req, "order_dir", {"ASC", "DESC"}, std::string("DESC"));
    if (!v.ok()) return v.response();
    return ok(q.item_ids(qid(req), dir == "DESC"));
  });
  router.add("POST", base + "/items_by_ids", Access::user, [&q, qid](const Request& req) {
    Validation v;
    auto body = v.json_object_body(req);
    if (!body) return v.response();
    if (!body->contains("item_ids")) {
      v.add(missing_item(Json::array({"body", "item_ids"}), *body));
      return v.response();
    }
    auto ids = int_list((*body)["item_ids"], Json::array({"body", "item_ids"}), v);
    if (!ids) return v.response();
    return ok(q.items_by_ids(qid(req), *ids));
  });
  router.add("PUT", base + "/cancel_by_batch_ids", Access::user, [&q, qid](const Request& req) {
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
    return ok(Json{{"canceled", q.cancel_by_batch_ids(qid(req), ids)}});
  });
  router.add("PUT", base + "/cancel_by_destination", Access::user, [&q, qid](const Request& req) {
    Validation v;
    auto destination = v.query_string(req, "destination");
    if (!v.ok()) return v.response();
    return ok(Json{{"canceled", q.cancel_by_destination(qid(req), *destination)}});
  });
  router.add("PUT", base + "/cancel_all_except_current", Access::user, [&q, qid](const Request& req) {
    return ok(Json{{"canceled", q.cancel_all_except_current(qid(req))}});
  });
  router.add("PUT", base + "/delete_all_except_current", Access::user, [&q, qid](const Request& req) {
    return ok(Json{{"deleted", q.delete_all_except_current(qid(req))}});
  });
  router.add("DELETE", base + "/d/{destination}", Access::user, [&q, qid](const Request& req) {
    return ok(Json{{"deleted", q.delete_by_destination(qid(req), req.params.at("destination"))}});
  });
  router.add("PUT", base + "/retry_items_by_id", Access::user, [&q, qid](const Request& req) {
    Validation v;
    auto body = v.json_body(req);
    if (!body) return v.response();
    auto ids = int_list(*body, Json::array({"body"}), v);
    if (!ids) return v.response();
    auto result = q.retry(qid(req), *ids);
    if (!result) return Response::detail(500, result.error().message);
    return ok(*result);
  });
  router.add("PUT", base + "/clear", Access::user, [&q, qid](const Request& req) {
    return ok(Json{{"deleted", q.clear(qid(req))}});
  });
  router.add("PUT", base + "/prune", Access::user, [&q, qid](const Request& req) {
    return ok(Json{{"deleted", q.prune(qid(req))}});
  });
  router.add("GET", base + "/counts_by_destination", Access::user, [&q, qid](const Request& req) {
    Validation v;
    auto destination = v.query_string(req, "destination");
    if (!v.ok()) return v.response();
    return ok(q.counts_by_destination(qid(req), *destination));
  });
  router.add("PUT", base + "/processor/pause", Access::admin,
             [&q](const Request&) { return ok(q.set_paused(true)); });
  router.add("PUT", base + "/processor/resume", Access::admin,
             [&q](const Request&) { return ok(q.set_paused(false)); });

  router.add("POST", "/api/v1/utilities/dynamicprompts", Access::user, [](const Request& req) {
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
    auto result =
        expand_dynamic_prompt(*prompt, static_cast<std::size_t>(*max_prompts), *combinatorial, seed);
    Json out = Json::object();
    out["prompts"] = result.prompts;
    out["error"] = result.error ? Json(*result.error) : Json();
    return ok(out);
  });
}

}  // namespace ivk::emu
