// /api/v1/images/* as a v6.8 server has them: upload, the per-image routes, listing, starring,
// deletion and bulk download. Board membership changes through /board_images only.
#include <chrono>
#include <fstream>
#include <sstream>
#include <system_error>

#include "core/uuid.h"
#include "images/image_codec.h"
#include "images/image_routes.h"
#include "images/image_zip.h"
#include "model_manager/model_multipart.h"

namespace ivk::emu {

const std::vector<std::string> kImageCategories = {"general", "mask", "control", "user", "other"};

namespace {

const std::string kImagesPrefix = "/api/v1/images";

std::optional<std::string> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(ss).str();
}

Response not_found() { return Response::detail(404, "Not Found"); }

// The path's image name, or nullopt for a name that could escape the images folder.
std::optional<std::string> image_name_param(const Request& req) {
  const std::string& name = req.params.at("image_name");
  if (!ImageLibrary::safe_name(name)) return std::nullopt;
  return name;
}

Response file_response(std::string bytes, std::string content_type, const std::string& name) {
  Response r;
  r.status = 200;
  r.content_type = std::move(content_type);
  r.body = std::move(bytes);
  r.headers.emplace_back("Content-Disposition", "inline; filename=\"" + name + "\"");
  r.headers.emplace_back("Cache-Control", "max-age=31536000");
  return r;
}

std::string mime_of(const std::string& format) { return format == "png" ? "image/png" : "image/" + format; }

// An optional JSON object carried as a string (multipart field or PNG text chunk); nullopt if absent
// or not an object (the real server logs and ignores unparsable metadata).
std::optional<std::string> json_object_text(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  const Json parsed = Json::parse(*text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// resize_to: the 6.8 document asks for a stringified pair "[W,H]"; the UI of later versions sends
// {"width":W,"height":H}. Both are accepted; at most 4096x4096 pixels in total.
std::optional<std::pair<int, int>> parse_resize_to(const std::string& text) {
  const Json j = Json::parse(text, nullptr, false);
  Json w;
  Json h;
  if (j.is_array() && j.size() == 2) {
    w = j[0];
    h = j[1];
  } else if (j.is_object() && j.contains("width") && j.contains("height")) {
    w = j["width"];
    h = j["height"];
  } else {
    return std::nullopt;
  }
  if (!w.is_number_integer() || !h.is_number_integer()) return std::nullopt;
  const auto width = w.get<std::int64_t>();
  const auto height = h.get<std::int64_t>();
  constexpr std::int64_t kMaxPixels = 4096 * 4096;
  // Each side is bounded first, so the product cannot overflow.
  if (width < 1 || height < 1 || width > kMaxPixels || height > kMaxPixels || width * height > kMaxPixels)
    return std::nullopt;
  return std::pair<int, int>(static_cast<int>(width), static_cast<int>(height));
}

Response upload(ImageLibrary& lib, const Request& req) {
  Validation v;
  const auto category = v.query_enum(req, "image_category", kImageCategories);
  const auto intermediate = v.query_bool(req, "is_intermediate");
  if (req.query_value("crop_visible")) v.query_bool(req, "crop_visible");
  const std::string content_type = req.header("content-type").value_or("");
  const auto file = find_form_part(content_type, req.body, "file");
  if (!file) v.add(missing_item(Json::array({"body", "file"})));
  if (!v.ok()) return v.response();
  if (file->content_type.rfind("image/", 0) != 0) return Response::detail(415, "Not an image");
  const auto info = inspect_image(file->data);
  if (!info) return Response::detail(415, "Failed to read image");
  const auto board_id = req.query_value("board_id");
  if (board_id && !lib.board_exists(*board_id)) return Response::detail(404, "Board not found");

  NewImage image;
  image.width = info->width;
  image.height = info->height;
  image.image_origin = "external";
  image.image_category = *category;
  image.is_intermediate = *intermediate;
  image.board_id = board_id;
  image.session_id = req.query_value("session_id");
  image.user_id = caller_id(req);
  std::optional<std::string> metadata;
  if (const auto part = find_form_part(content_type, req.body, "metadata")) metadata = part->data;
  if (info->format == "png") {
    // Like the server: metadata, workflow and graph embedded by InvokeAI come along.
    const auto text = png_text_chunks(file->data);
    const auto chunk = [&text](const char* key) -> std::optional<std::string> {
      const auto it = text.find(key);
      return it == text.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    if (!metadata) metadata = chunk("invokeai_metadata");
    image.workflow_json = json_object_text(chunk("invokeai_workflow"));
    image.graph_json = json_object_text(chunk("invokeai_graph"));
  }
  image.metadata_json = json_object_text(metadata);
  image.png = file->data;  // JPEG/WebP are kept as sent: the emulator has no encoder to convert them
  if (const auto part = find_form_part(content_type, req.body, "resize_to"); part && !part->data.empty()) {
    const auto size = parse_resize_to(part->data);
    if (!size) return Response::detail(400, "Invalid resize_to format or size");
    // Only PNGs can be decoded here; a JPEG/WebP with resize_to is refused rather than mislabelled.
    auto resized = info->format == "png" ? png_resized(image.png, size->first, size->second) : std::nullopt;
    if (!resized) return Response::detail(415, "Failed to read image");
    image.png = std::move(*resized);
    image.width = size->first;
    image.height = size->second;
  }
  auto name = lib.add_image(std::move(image));
  if (!name) return Response::detail(500, "Failed to create image");
  Response r = json_response(201, *lib.image_dto(*name));
  r.headers.emplace_back("Location", "api/v1/images/i/" + *name + "/full");
  return r;
}

Response get_dto(ImageLibrary& lib, const Request& req) {
  const auto name = image_name_param(req);
  const auto dto = name ? lib.image_dto(*name) : std::nullopt;
  return dto ? json_response(200, *dto) : not_found();
}

Response get_full(ImageLibrary& lib, const Request& req) {
  const auto name = image_name_param(req);
  if (!name || !lib.image(*name)) return not_found();
  auto bytes = read_bytes(lib.file_of(*name));
  if (!bytes) return not_found();
  const auto info = inspect_image(*bytes);
  return file_response(std::move(*bytes), mime_of(info ? info->format : "png"), *name);
}

// 6.8 declares image/webp: the thumbnail is made on demand as a lossless WebP (see image_codec.h).
Response get_thumbnail(ImageLibrary& lib, const Request& req) {
  const auto name = image_name_param(req);
  if (!name || !lib.image(*name)) return not_found();
  const auto bytes = read_bytes(lib.file_of(*name));
  if (!bytes) return not_found();
  auto webp = png_thumbnail_webp(*bytes);
  if (!webp) return not_found();  // a JPEG/WebP upload: nothing to decode it with
  const std::string stem = name->substr(0, name->rfind('.'));
  return file_response(std::move(*webp), "image/webp", stem + ".webp");
}

Response get_metadata(ImageLibrary& lib, const Request& req) {
  const auto name = image_name_param(req);
  const auto record = name ? lib.image(*name) : std::nullopt;
  if (!record) return not_found();
  Json body = nullptr;
  if (record->metadata_json) body = Json::parse(*record->metadata_json, nullptr, false);
  if (body.is_discarded()) body = nullptr;
  return json_response(200, body);
}

Response get_workflow(ImageLibrary& lib, const Request& req) {
  const auto name = image_name_param(req);
  const auto record = name ? lib.image(*name) : std::nullopt;
  if (!record) return not_found();
  Json body = Json::object();
  body["workflow"] = record->workflow_json ? Json(*record->workflow_json) : Json(nullptr);
  body["graph"] = record->graph_json ? Json(*record->graph_json) : Json(nullptr);
  return json_response(200, body);
}

Response get_urls(ImageLibrary& lib, const Request& req) {
  const auto name = image_name_param(req);
  const auto dto = name ? lib.image_dto(*name) : std::nullopt;
  if (!dto) return not_found();
  Json body = Json::object();
  body["image_name"] = (*dto)["image_name"];
  body["image_url"] = (*dto)["image_url"];
  body["thumbnail_url"] = (*dto)["thumbnail_url"];
  return json_response(200, body);
}

Response patch_image(ImageLibrary& lib, const Request& req) {
  Validation v;
  const auto body = v.json_object_body(req);
  if (body) {
    // ImageRecordChanges: every field optional and nullable; extra keys are allowed.
    if (const auto c = body->find("image_category"); c != body->end() && !c->is_null()) {
      if (!c->is_string() || std::find(kImageCategories.begin(), kImageCategories.end(),
                                       c->get<std::string>()) == kImageCategories.end())
        v.add(enum_item(Json::array({"body", "image_category"}), *c, kImageCategories));
    }
    if (const auto s = body->find("session_id"); s != body->end() && !s->is_null() && !s->is_string())
      v.add(string_type_item(Json::array({"body", "session_id"}), *s));
    for (const char* key : {"is_intermediate", "starred"})
      if (const auto b = body->find(key); b != body->end() && !b->is_null() && !b->is_boolean())
        v.add(bool_type_item(Json::array({"body", key}), *b));
  }
  if (!v.ok()) return v.response();
  const auto name = image_name_param(req);
  const auto dto = name ? lib.update_image(*name, *body) : std::nullopt;
  return dto ? json_response(200, *dto) : Response::detail(400, "Failed to update image");
}

Json delete_result(const BoardChange& change) {
  Json body = Json::object();
  body["affected_boards"] = change.affected_boards;
  body["deleted_images"] = change.images;
  return body;
}

Response delete_one(ImageLibrary& lib, const Request& req) {
  // The server answers 200 with empty lists for an unknown image.
  const auto name = image_name_param(req);
  if (!name) return not_found();
  return json_response(200, delete_result(lib.delete_images({*name})));
}

std::optional<std::vector<std::string>> names_body(Validation& v, const Request& req) {
  const auto body = v.json_object_body(req);
  if (!body) return std::nullopt;
  return string_list_field(v, *body, "image_names");
}

Response delete_list(ImageLibrary& lib, const Request& req) {
  Validation v;
  const auto names = names_body(v, req);
  if (!v.ok()) return v.response();
  return json_response(200, delete_result(lib.delete_images(*names)));
}

Response delete_uncategorized(ImageLibrary& lib) {
  ImageFilter filter;
  filter.board_id = "none";
  std::vector<std::string> names;
  for (const auto& r : lib.select(filter)) names.push_back(r.image_name);
  return json_response(200, delete_result(lib.delete_images(names)));
}

Response star(ImageLibrary& lib, const Request& req, bool starred) {
  Validation v;
  const auto names = names_body(v, req);
  if (!v.ok()) return v.response();
  return json_response(
      200, board_change_json(lib.star(*names, starred), starred ? "starred_images" : "unstarred_images"));
}

// The filters of GET / and GET /names (422 items into v for invalid values).
ImageFilter read_filter(Validation& v, const Request& req) {
  ImageFilter f;
  if (req.query_value("image_origin"))
    f.image_origin = v.query_enum(req, "image_origin", {"internal", "external"});
  read_category_filter(v, req, f);
  f.board_id = req.query_value("board_id");
  f.ascending = v.query_enum(req, "order_dir", {"ASC", "DESC"}, "DESC").value_or("DESC") == "ASC";
  f.starred_first = v.query_bool(req, "starred_first", true).value_or(true);
  f.search_term = req.query_value("search_term");
  return f;
}

Response list_images(ImageLibrary& lib, const Request& req) {
  Validation v;
  const ImageFilter filter = read_filter(v, req);
  const auto offset = v.query_int(req, "offset", 0);
  const auto limit = v.query_int(req, "limit", 10);
  if (!v.ok()) return v.response();
  const auto records = lib.select(filter);
  Json items = Json::array();
  // Like SQLite's LIMIT/OFFSET: a negative limit means no limit, a negative offset none.
  const std::size_t first = *offset > 0 ? static_cast<std::size_t>(*offset) : 0;
  for (std::size_t i = first; i < records.size(); ++i) {
    if (*limit >= 0 && items.size() >= static_cast<std::size_t>(*limit)) break;
    // An image deleted since select() is skipped rather than listed as null.
    if (auto dto = lib.image_dto(records[i].image_name)) items.push_back(std::move(*dto));
  }
  Json body = Json::object();
  body["limit"] = *limit;
  body["offset"] = *offset;
  body["total"] = records.size();
  body["items"] = std::move(items);
  return json_response(200, body);
}

Response image_names(ImageLibrary& lib, const Request& req) {
  Validation v;
  const ImageFilter filter = read_filter(v, req);
  if (!v.ok()) return v.response();
  const auto records = lib.select(filter);
  Json names = Json::array();
  std::size_t starred = 0;
  for (const auto& r : records) {
    names.push_back(r.image_name);
    if (r.starred) ++starred;
  }
  Json body = Json::object();
  body["image_names"] = std::move(names);
  body["starred_count"] = starred;
  body["total_count"] = records.size();
  return json_response(200, body);
}

Response images_by_names(ImageLibrary& lib, const Request& req) {
  Validation v;
  const auto names = names_body(v, req);
  if (!v.ok()) return v.response();
  Json out = Json::array();
  for (const auto& name : *names)
    if (auto dto = lib.image_dto(name)) out.push_back(std::move(*dto));
  return json_response(200, out);
}

Response clear_intermediates(ImageLibrary& lib) {
  const auto deleted = lib.delete_images(lib.intermediate_names());
  return json_response(200, Json(deleted.images.size()));
}

std::filesystem::path downloads_dir(const ImageLibrary& lib) { return lib.data_dir() / "bulk_downloads"; }

// The bulk download events of one archive (room "default", no user_id before 6.13).
void emit_bulk_download(const EventSink& events, const char* event, const std::string& zip_name,
                        const std::string& error = {}) {
  if (!events) return;
  Json payload = Json::object();
  payload["timestamp"] =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  payload["bulk_download_id"] = "default";
  payload["bulk_download_item_id"] = zip_name.substr(0, zip_name.size() - 4);  // without ".zip"
  payload["bulk_download_item_name"] = zip_name;
  if (!error.empty()) payload["error"] = error;
  events(event, payload.dump());
}

Response download(ImageLibrary& lib, const Request& req, const EventSink& events) {
  Validation v;
  const auto body = v.json_object_body(req);
  std::vector<std::string> names;
  std::optional<std::string> board_id;
  if (body) {
    if (const auto n = body->find("image_names"); n != body->end() && !n->is_null())
      if (auto list = string_list_field(v, *body, "image_names")) names = std::move(*list);
    if (const auto b = body->find("board_id"); b != body->end() && !b->is_null()) {
      if (b->is_string())
        board_id = b->get<std::string>();
      else
        v.add(string_type_item(Json::array({"body", "board_id"}), *b));
    }
  }
  if (!v.ok()) return v.response();
  if (names.empty() && !board_id) return Response::detail(400, "No images or board id specified.");
  if (board_id) {
    ImageFilter filter;
    filter.board_id = board_id;
    for (const auto& r : lib.select(filter)) names.push_back(r.image_name);
  }
  // The server zips in the background and announces it over the socket; the emulator writes the
  // archive before answering, so GET /download/{name} works at once.
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& name : names) {
    if (!ImageLibrary::safe_name(name) || !lib.image(name)) continue;
    if (auto bytes = read_bytes(lib.file_of(name))) files.emplace_back(name, std::move(*bytes));
  }
  const std::string zip_name = detail::uuid4() + ".zip";
  emit_bulk_download(events, "bulk_download_started", zip_name);
  std::error_code ec;
  std::filesystem::create_directories(downloads_dir(lib), ec);
  std::ofstream out(downloads_dir(lib) / zip_name, std::ios::binary | std::ios::trunc);
  const std::string zip = make_stored_zip(files);
  out.write(zip.data(), static_cast<std::streamsize>(zip.size()));
  out.close();
  if (!out) {
    emit_bulk_download(events, "bulk_download_error", zip_name, "cannot write the archive");
    return Response::detail(500, "Failed to write the download");
  }
  emit_bulk_download(events, "bulk_download_complete", zip_name);
  Json result = Json::object();
  result["response"] = "Your images are preparing to be downloaded";
  result["bulk_download_item_name"] = zip_name;
  return json_response(202, result);
}

Response get_download(ImageLibrary& lib, const Request& req) {
  const std::string& name = req.params.at("bulk_download_item_name");
  if (!ImageLibrary::safe_name(name)) return not_found();
  auto bytes = read_bytes(downloads_dir(lib) / name);
  if (!bytes) return not_found();
  Response r;
  r.content_type = "application/zip";
  r.body = std::move(*bytes);
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
  return r;
}

}  // namespace

void add_image_routes(Router& router, ImageStore& images, EventSink events) {
  // ImageStore::create makes only ImageLibrary; a bad_cast here would be a wiring bug at startup.
  ImageLibrary& lib = dynamic_cast<ImageLibrary&>(images);
  const std::string p = kImagesPrefix;
  auto add = [&router, &lib](const char* method, const std::string& path, Access access,
                             Response (*fn)(ImageLibrary&, const Request&)) {
    router.add(method, path, access, [&lib, fn](const Request& req) { return fn(lib, req); });
  };
  add("POST", p + "/upload", Access::user, upload);
  router.add("POST", p + "/", Access::user,
             [](const Request&) { return Response::detail(501, "Not implemented"); });
  add("GET", p + "/", Access::user, list_images);
  add("GET", p + "/names", Access::user, image_names);
  add("POST", p + "/images_by_names", Access::user, images_by_names);
  router.add("GET", p + "/intermediates", Access::user,
             [&lib](const Request&) { return json_response(200, Json(lib.intermediate_names().size())); });
  router.add("DELETE", p + "/intermediates", Access::admin,
             [&lib](const Request&) { return clear_intermediates(lib); });
  add("POST", p + "/delete", Access::user, delete_list);
  router.add("DELETE", p + "/uncategorized", Access::user,
             [&lib](const Request&) { return delete_uncategorized(lib); });
  router.add("POST", p + "/star", Access::user, [&lib](const Request& req) { return star(lib, req, true); });
  router.add("POST", p + "/unstar", Access::user,
             [&lib](const Request& req) { return star(lib, req, false); });
  router.add("POST", p + "/download", Access::user,
             [&lib, events](const Request& req) { return download(lib, req, events); });
  add("GET", p + "/download/{bulk_download_item_name}", Access::user, get_download);
  add("GET", p + "/i/{image_name}", Access::user, get_dto);
  add("PATCH", p + "/i/{image_name}", Access::user, patch_image);
  add("DELETE", p + "/i/{image_name}", Access::user, delete_one);
  add("GET", p + "/i/{image_name}/full", Access::user, get_full);
  add("HEAD", p + "/i/{image_name}/full", Access::user, get_full);
  add("GET", p + "/i/{image_name}/thumbnail", Access::user, get_thumbnail);
  add("GET", p + "/i/{image_name}/metadata", Access::user, get_metadata);
  add("GET", p + "/i/{image_name}/workflow", Access::user, get_workflow);
  add("GET", p + "/i/{image_name}/urls", Access::user, get_urls);
  add_board_routes(router, lib);
  add_board_image_routes(router, lib);
}

}  // namespace ivk::emu
