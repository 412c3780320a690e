// WorkflowsApi: the workflow library routes (/api/v1/workflows) and the parsing of their answers.
#include "ivk/api/workflows_api.h"

#include "api/multipart_form.h"
#include "core/json_read.h"
#include "ivk/transport/server_session.h"

namespace ivk {
namespace {

using dom::element;
using dom::object;

std::string workflow_path(std::string_view id) { return "/workflows/i/" + url_encode_path_segment(id); }

Result<WorkflowRecord> parse_record(std::string_view json) {
  dom::parser parser;
  auto o = parse_object(parser, json, "workflow record");
  if (!o) return tl::unexpected(o.error());
  WorkflowRecord r;
  r.workflow_id = string_member(*o, "workflow_id");
  if (r.workflow_id.empty())
    return fail(ErrorCode::parse_error, "workflow record: missing workflow_id", "$.workflow_id");
  element wf;
  if (o->at_key("workflow").get(wf) != simdjson::SUCCESS || !wf.is_object())
    return fail(ErrorCode::parse_error, "workflow record " + r.workflow_id + ": missing object \"workflow\"",
                "$.workflow");
  r.workflow_json = simdjson::minify(wf);
  r.name = string_member(*o, "name");
  r.created_at = string_member(*o, "created_at");
  r.updated_at = string_member(*o, "updated_at");
  r.opened_at = optional_string_member(*o, "opened_at");
  r.user_id = optional_string_member(*o, "user_id");
  r.is_public = optional_bool_member(*o, "is_public");
  r.thumbnail_url = optional_string_member(*o, "thumbnail_url");
  r.raw_json = simdjson::minify(*o);
  return r;
}

Result<WorkflowListItem> list_item_from(element e, const std::string& where) {
  object o;
  if (e.get_object().get(o) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "workflow list item is not a JSON object", where);
  WorkflowListItem item;
  item.workflow_id = string_member(o, "workflow_id");
  if (item.workflow_id.empty())
    return fail(ErrorCode::parse_error, "workflow list item: missing workflow_id", where + ".workflow_id");
  item.name = string_member(o, "name");
  item.description = string_member(o, "description");
  item.category = string_member(o, "category");
  item.tags = string_member(o, "tags");
  item.created_at = string_member(o, "created_at");
  item.updated_at = string_member(o, "updated_at");
  item.opened_at = optional_string_member(o, "opened_at");
  item.thumbnail_url = optional_string_member(o, "thumbnail_url");
  item.user_id = optional_string_member(o, "user_id");
  item.is_public = optional_bool_member(o, "is_public");
  item.raw_json = simdjson::minify(e);
  return item;
}

Result<WorkflowPage> parse_page(std::string_view json) {
  dom::parser parser;
  auto o = parse_object(parser, json, "workflow list");
  if (!o) return tl::unexpected(o.error());
  dom::array items;
  if (o->at_key("items").get_array().get(items) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "workflow list: missing array \"items\"", "$.items");
  WorkflowPage page;
  std::size_t i = 0;
  for (element e : items) {
    auto item = list_item_from(e, "$.items[" + std::to_string(i++) + "]");
    if (!item) return tl::unexpected(item.error());
    page.items.push_back(std::move(*item));
  }
  page.page = int_member(*o, "page").value_or(0);
  page.pages = int_member(*o, "pages").value_or(0);
  page.per_page = int_member(*o, "per_page").value_or(0);
  page.total = int_member(*o, "total").value_or(static_cast<std::int64_t>(page.items.size()));
  return page;
}

// {"name": count, ...}; a member that is not an integer is a parse_error naming it.
Result<std::map<std::string, std::int64_t>> parse_counts(std::string_view json, std::string_view what) {
  dom::parser parser;
  auto o = parse_object(parser, json, what);
  if (!o) return tl::unexpected(o.error());
  std::map<std::string, std::int64_t> out;
  for (auto field : *o) {
    const std::string key(field.key);
    auto n = int_member(*o, field.key);
    if (!n)
      return fail(ErrorCode::parse_error, std::string(what) + ": \"" + key + "\" is not a count", "$." + key);
    out.emplace(key, *n);
  }
  return out;
}

}  // namespace

Result<WorkflowPage> WorkflowsApi::list(const WorkflowQuery& query) {
  QueryBuilder q;
  q.add_int("page", query.page);
  if (query.per_page) q.add_int("per_page", *query.per_page);
  q.add_optional("order_by", query.order_by);
  q.add_optional("direction", query.direction);
  q.add_list("categories", query.categories);
  q.add_list("tags", query.tags);
  q.add_optional("query", query.query);
  if (query.has_been_opened) q.add_bool("has_been_opened", *query.has_been_opened);
  if (query.is_public) q.add_bool("is_public", *query.is_public);
  auto body = session_->get(ApiRoot::v1, "/workflows/", q.str());
  if (!body) return tl::unexpected(body.error());
  return parse_page(*body);
}

Result<WorkflowRecord> WorkflowsApi::get(std::string_view workflow_id) {
  auto body = session_->get(ApiRoot::v1, workflow_path(workflow_id));
  if (!body) return tl::unexpected(body.error());
  return parse_record(*body);
}

Result<WorkflowRecord> WorkflowsApi::create(std::string_view workflow_json) {
  // The workflow is embedded as given: re-printing it could change numbers or member order.
  const std::string json = "{\"workflow\":" + std::string(workflow_json) + "}";
  auto body = session_->send_json("POST", ApiRoot::v1, "/workflows/", json, {}, Idempotency::not_idempotent);
  if (!body) return tl::unexpected(body.error());
  return parse_record(*body);
}

Result<WorkflowRecord> WorkflowsApi::update(std::string_view workflow_json) {
  std::string id;
  {
    dom::parser parser;
    auto o = parse_object(parser, workflow_json, "workflow");
    if (!o) return fail(ErrorCode::invalid_argument, o.error().message, o.error().where);
    id = string_member(*o, "id");
  }
  if (id.empty())
    return fail(ErrorCode::invalid_argument,
                "the workflow has no \"id\": updating needs the id of a stored workflow (create it first)",
                "$.id");
  const std::string json = "{\"workflow\":" + std::string(workflow_json) + "}";
  // Replacing the stored workflow with the same text twice leaves the same state: retried.
  auto body = session_->send_json("PATCH", ApiRoot::v1, workflow_path(id), json, {}, Idempotency::idempotent);
  if (!body) return tl::unexpected(body.error());
  return parse_record(*body);
}

Status WorkflowsApi::remove(std::string_view workflow_id) {
  auto body = session_->send_json("DELETE", ApiRoot::v1, workflow_path(workflow_id), {});
  if (!body) return tl::unexpected(body.error());
  return {};
}

Status WorkflowsApi::mark_opened(std::string_view workflow_id) {
  auto body = session_->send_json("PUT", ApiRoot::v1, workflow_path(workflow_id) + "/opened_at", {});
  if (!body) return tl::unexpected(body.error());
  return {};
}

Result<WorkflowRecord> WorkflowsApi::set_public(std::string_view workflow_id, bool is_public) {
  auto body = session_->send_json("PATCH", ApiRoot::v1, workflow_path(workflow_id) + "/is_public",
                                  is_public ? R"({"is_public":true})" : R"({"is_public":false})", {},
                                  Idempotency::idempotent);
  if (!body) return tl::unexpected(body.error());
  return parse_record(*body);
}

Result<std::string> WorkflowsApi::thumbnail(std::string_view workflow_id) {
  ApiRequest r;
  r.path = workflow_path(workflow_id) + "/thumbnail";
  auto response = session_->send(r);
  if (!response) return tl::unexpected(response.error());
  return std::move(response->body);
}

Result<WorkflowRecord> WorkflowsApi::set_thumbnail(std::string_view workflow_id, std::string_view image_bytes,
                                                   std::string_view content_type) {
  detail::MultipartForm form = detail::multipart_form({{"image", image_bytes, "thumbnail", content_type}});
  ApiRequest r;
  r.method = "PUT";
  r.path = workflow_path(workflow_id) + "/thumbnail";
  r.body = std::move(form.body);
  r.content_type = std::move(form.content_type);
  auto response = session_->send(r);
  if (!response) return tl::unexpected(response.error());
  return parse_record(response->body);
}

Result<WorkflowRecord> WorkflowsApi::delete_thumbnail(std::string_view workflow_id) {
  auto body = session_->send_json("DELETE", ApiRoot::v1, workflow_path(workflow_id) + "/thumbnail", {});
  if (!body) return tl::unexpected(body.error());
  return parse_record(*body);
}

Result<std::map<std::string, std::int64_t>> WorkflowsApi::counts_by_tag(
    const std::vector<std::string>& tags, const std::vector<std::string>& categories,
    std::optional<bool> has_been_opened) {
  if (tags.empty()) return fail(ErrorCode::invalid_argument, "counts_by_tag needs at least one tag", "tags");
  QueryBuilder q;
  q.add_list("tags", tags);
  q.add_list("categories", categories);
  if (has_been_opened) q.add_bool("has_been_opened", *has_been_opened);
  auto body = session_->get(ApiRoot::v1, "/workflows/counts_by_tag", q.str());
  if (!body) return tl::unexpected(body.error());
  return parse_counts(*body, "workflow counts by tag");
}

Result<std::map<std::string, std::int64_t>> WorkflowsApi::counts_by_category(
    const std::vector<std::string>& categories, std::optional<bool> has_been_opened) {
  if (categories.empty())
    return fail(ErrorCode::invalid_argument, "counts_by_category needs at least one category", "categories");
  QueryBuilder q;
  q.add_list("categories", categories);
  if (has_been_opened) q.add_bool("has_been_opened", *has_been_opened);
  auto body = session_->get(ApiRoot::v1, "/workflows/counts_by_category", q.str());
  if (!body) return tl::unexpected(body.error());
  return parse_counts(*body, "workflow counts by category");
}

Result<std::vector<std::string>> WorkflowsApi::tags() {
  auto body = session_->get(ApiRoot::v1, "/workflows/tags");
  if (!body) return tl::unexpected(body.error());
  dom::parser parser;
  auto doc = parse_json(parser, *body, "workflow tags");
  if (!doc) return tl::unexpected(doc.error());
  if (!doc->is_array()) return fail(ErrorCode::parse_error, "workflow tags are not a JSON array", "$");
  return string_array(*doc);
}

}  // namespace ivk
