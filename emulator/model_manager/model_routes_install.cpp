// Install routes: start an install, list, get, cancel and prune jobs, and the
// browser-facing Hugging Face install page.
#include "model_manager/model_changes.h"
#include "model_manager/model_manager_impl.h"
#include "model_manager/model_source.h"

namespace ivk::emu {
namespace {

Response install(InstallQueue& installs, const Request& req) {
  Validation v;
  const auto source = v.query_string(req, "source");
  const auto inplace = v.query_bool(req, "inplace", false);
  // The overrides body is required: FastAPI answers 422 without one ({} means "none").
  const auto body = v.json_object_body(req);
  Json changes = body ? validate_record_changes(v, *body) : Json::object();
  if (!v.ok()) return v.response();
  const auto parsed = parse_model_source(*source, inplace.value_or(false), req.query_value("access_token"));
  if (!parsed) return Response::detail(409, "Unsupported model source: '" + *source + "'");
  return model_json_response(201, installs.start(*parsed, std::move(changes)));
}

Response html(int status, const std::string& title, const std::string& message) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = "<html><head><title>" + title + "</title></head><body><h1>" + title + "</h1><p>" + message +
           "</p></body></html>\n";
  return r;
}

std::string escape_html(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// GET /install/huggingface: what the "install from Hugging Face" link of a model page opens.
Response install_huggingface(InstallQueue& installs, const Request& req) {
  Validation v;
  const auto source = v.query_string(req, "source");
  if (!v.ok()) return v.response();
  const auto parsed = parse_model_source(*source, false, std::nullopt);
  if (!parsed || parsed->kind != ModelSource::Kind::hf)
    return html(400, "Unable to Install Model",
                "No HuggingFace repository found for " + escape_html(*source) + ".");
  installs.start(*parsed, Json::object());
  return html(201, "Model Install Started",
              "Installing " + escape_html(*source) + ". Follow its progress in the Model Manager.");
}

std::optional<std::int64_t> job_id(Validation& v, const Request& req) {
  const std::string text = req.params.at("id");
  const auto id = parse_int_lax(text);
  if (!id) v.add(int_parsing_item(Json::array({"path", "id"}), text));
  return id;
}

}  // namespace

void add_model_install_routes(Router& router, ModelManagerImpl& models) {
  InstallQueue& installs = models.installs();
  const std::string p = kModelsPrefix;
  router.add("POST", p + "/install", Access::admin,
             [&installs](const Request& req) { return install(installs, req); });
  // Before /install/{id}, which would otherwise take "huggingface" for an id.
  router.add("GET", p + "/install/huggingface", Access::admin,
             [&installs](const Request& req) { return install_huggingface(installs, req); });
  router.add("GET", p + "/install", Access::admin, [&installs](const Request&) {
    Json list = Json::array();
    for (Json& j : installs.list()) list.push_back(std::move(j));
    return model_json_response(200, list);
  });
  router.add("DELETE", p + "/install", Access::admin, [&installs](const Request&) {
    installs.prune();
    return Response::no_content();
  });
  router.add("GET", p + "/install/{id}", Access::admin, [&installs](const Request& req) {
    Validation v;
    const auto id = job_id(v, req);
    if (!v.ok()) return v.response();
    const auto job = installs.get(*id);
    if (!job) return Response::detail(404, "No install job with id " + std::to_string(*id));
    return model_json_response(200, *job);
  });
  router.add("DELETE", p + "/install/{id}", Access::admin, [&installs](const Request& req) {
    Validation v;
    const auto id = job_id(v, req);
    if (!v.ok()) return v.response();
    if (!installs.cancel(*id)) return Response::detail(415, "No install job with id " + std::to_string(*id));
    return model_json_response(201, nullptr);
  });
}

}  // namespace ivk::emu
