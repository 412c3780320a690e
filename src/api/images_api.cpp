// ImagesApi: the /api/v1/images routes other than upload.
#include "ivk/api/images_api.h"

#include <algorithm>
#include <thread>

#include "api/images_parse.h"
#include "api/models_api_support.h"
#include "core/json_read.h"
#include "core/json_write.h"
#include "ivk/json_text.h"
#include "ivk/transport/server_session.h"

namespace ivk {
namespace {

std::string image_path(std::string_view name, std::string_view rest = {}) {
  return "/images/i/" + url_encode_path_segment(name) + std::string(rest);
}

// {"image_names":[...]}
std::string names_body(std::span<const std::string> names) {
  std::string out = "{\"image_names\":[";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    detail::append_json_string(out, names[i]);
  }
  return out + "]}";
}

// The filters shared by GET /images/ and /images/names.
void add_filters(QueryBuilder& q, const ImageQuery& query) {
  q.add_optional("image_origin", query.image_origin);
  q.add_list("categories", query.categories);
  if (query.is_intermediate) q.add_bool("is_intermediate", *query.is_intermediate);
  q.add_optional("board_id", query.board_id);
  q.add_optional("order_dir", query.order_dir);
  if (query.starred_first) q.add_bool("starred_first", *query.starred_first);
  q.add_optional("search_term", query.search_term);
}

}  // namespace

Result<ImageDto> ImagesApi::get(std::string_view image_name) {
  auto body = session_->get(ApiRoot::v1, image_path(image_name));
  if (!body) return tl::unexpected(body.error());
  return detail::parse_image_dto(*body);
}

Result<std::string> ImagesApi::full(std::string_view image_name) {
  return session_->get(ApiRoot::v1, image_path(image_name, "/full"));
}

Result<std::string> ImagesApi::thumbnail(std::string_view image_name) {
  return session_->get(ApiRoot::v1, image_path(image_name, "/thumbnail"));
}

Result<std::optional<std::string>> ImagesApi::metadata(std::string_view image_name) {
  auto body = session_->get(ApiRoot::v1, image_path(image_name, "/metadata"));
  if (!body) return tl::unexpected(body.error());
  return detail::parse_image_metadata(*body);
}

Result<ImageWorkflow> ImagesApi::workflow(std::string_view image_name) {
  auto body = session_->get(ApiRoot::v1, image_path(image_name, "/workflow"));
  if (!body) return tl::unexpected(body.error());
  return detail::parse_image_workflow(*body);
}

Result<ImageUrls> ImagesApi::urls(std::string_view image_name) {
  auto body = session_->get(ApiRoot::v1, image_path(image_name, "/urls"));
  if (!body) return tl::unexpected(body.error());
  return detail::parse_image_urls(*body);
}

Result<ImagePage> ImagesApi::list(const ImageQuery& query) {
  QueryBuilder q;
  add_filters(q, query);
  q.add_int("offset", query.offset);
  q.add_int("limit", query.limit);
  auto body = session_->get(ApiRoot::v1, "/images/", q.str());
  if (!body) return tl::unexpected(body.error());
  return detail::parse_image_page(*body);
}

Result<ImageNames> ImagesApi::names(const ImageQuery& query) {
  QueryBuilder q;
  add_filters(q, query);
  auto body = session_->get(ApiRoot::v1, "/images/names", q.str());
  if (!body) return tl::unexpected(body.error());
  return detail::parse_image_names(*body);
}

Result<std::vector<ImageDto>> ImagesApi::by_names(std::span<const std::string> image_names) {
  if (image_names.empty()) return std::vector<ImageDto>{};
  // A read despite the POST: safe to retry.
  auto body = session_->send_json("POST", ApiRoot::v1, "/images/images_by_names", names_body(image_names), {},
                                  Idempotency::idempotent);
  if (!body) return tl::unexpected(body.error());
  return detail::parse_image_dtos(*body);
}

Result<ImageDto> ImagesApi::update(std::string_view image_name, const ImagePatch& patch) {
  JsonBuilder b;
  b.begin_object();
  if (patch.image_category) b.key("image_category").string(*patch.image_category);
  if (patch.session_id) b.key("session_id").string(*patch.session_id);
  if (patch.is_intermediate) b.key("is_intermediate").boolean(*patch.is_intermediate);
  if (patch.starred) b.key("starred").boolean(*patch.starred);
  b.end_object();
  // Setting fields to given values: repeating it changes nothing, so it may be retried.
  auto body =
      session_->send_json("PATCH", ApiRoot::v1, image_path(image_name), b.str(), {}, Idempotency::idempotent);
  if (!body)
    return tl::unexpected(
        detail::remap_status(body.error(), 400, ErrorCode::invalid_argument,
                             "the server could not update image '" + std::string(image_name) + "'"));
  return detail::parse_image_dto(*body);
}

Result<DeleteImagesResult> ImagesApi::remove(std::string_view image_name) {
  auto body = session_->send_json("DELETE", ApiRoot::v1, image_path(image_name), {});
  if (!body) return tl::unexpected(body.error());
  return detail::parse_delete_images(*body);
}

Result<DeleteImagesResult> ImagesApi::remove_many(std::span<const std::string> image_names) {
  // Deleting is idempotent: a repeat finds nothing more to delete.
  auto body = session_->send_json("POST", ApiRoot::v1, "/images/delete", names_body(image_names), {},
                                  Idempotency::idempotent);
  if (!body) return tl::unexpected(body.error());
  return detail::parse_delete_images(*body);
}

Result<DeleteImagesResult> ImagesApi::remove_uncategorized() {
  auto body = session_->send_json("DELETE", ApiRoot::v1, "/images/uncategorized", {});
  if (!body) return tl::unexpected(body.error());
  return detail::parse_delete_images(*body);
}

Result<StarResult> ImagesApi::star(std::span<const std::string> image_names) {
  auto body = session_->send_json("POST", ApiRoot::v1, "/images/star", names_body(image_names), {},
                                  Idempotency::idempotent);
  if (!body) return tl::unexpected(body.error());
  return detail::parse_star_result(*body, "starred_images");
}

Result<StarResult> ImagesApi::unstar(std::span<const std::string> image_names) {
  auto body = session_->send_json("POST", ApiRoot::v1, "/images/unstar", names_body(image_names), {},
                                  Idempotency::idempotent);
  if (!body) return tl::unexpected(body.error());
  return detail::parse_star_result(*body, "unstarred_images");
}

Result<std::int64_t> ImagesApi::intermediates_count() {
  auto body = session_->get(ApiRoot::v1, "/images/intermediates");
  if (!body) return tl::unexpected(body.error());
  return detail::parse_bare_int(*body, "intermediates count");
}

Result<std::int64_t> ImagesApi::clear_intermediates() {
  auto body = session_->send_json("DELETE", ApiRoot::v1, "/images/intermediates", {});
  if (!body) return tl::unexpected(body.error());
  return detail::parse_bare_int(*body, "deleted intermediates count");
}

namespace {

Result<std::string> start_download(ServerSession& session, const std::string& json) {
  auto body =
      session.send_json("POST", ApiRoot::v1, "/images/download", json, {}, Idempotency::not_idempotent);
  if (!body) return tl::unexpected(body.error());
  dom::parser parser;
  auto o = parse_object(parser, *body, "bulk download answer");
  if (!o) return tl::unexpected(o.error());
  auto name = string_member(*o, "bulk_download_item_name");
  if (name.empty())
    return fail(ErrorCode::parse_error, "bulk download answer: missing bulk_download_item_name",
                "$.bulk_download_item_name");
  return name;
}

}  // namespace

Result<std::string> ImagesApi::download_zip(std::span<const std::string> image_names) {
  return start_download(*session_, names_body(image_names));
}

Result<std::string> ImagesApi::download_board_zip(std::string_view board_id) {
  return start_download(*session_, "{\"board_id\":" + detail::json_string(board_id) + "}");
}

Result<std::string> ImagesApi::download_zip_file(std::string_view item_name) {
  return session_->get(ApiRoot::v1, "/images/download/" + url_encode_path_segment(item_name));
}

Result<std::string> ImagesApi::wait_for_zip_file(std::string_view item_name,
                                                 std::chrono::milliseconds timeout,
                                                 std::chrono::milliseconds poll,
                                                 const std::function<bool()>& cancelled) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto deadline = start + timeout;
  const auto step = std::max(poll, std::chrono::milliseconds(1));
  while (true) {
    auto zip = download_zip_file(item_name);
    if (zip || zip.error().code != ErrorCode::not_found) return zip;
    const auto now = Clock::now();
    if (now >= deadline) {
      const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - start).count();
      return fail(ErrorCode::timeout,
                  "the archive " + std::string(item_name) + " was not ready after " + std::to_string(waited) +
                      " ms (the server is still building it, or it does not exist)",
                  "/images/download/" + std::string(item_name));
    }
    // Sleep in short slices so that a cancel is seen promptly.
    const auto wake = std::min(deadline, now + step);
    while (Clock::now() < wake) {
      if (cancelled && cancelled())
        return fail(ErrorCode::cancelled, "cancelled while waiting for the archive");
      std::this_thread::sleep_for(
          std::min<Clock::duration>(wake - Clock::now(), std::chrono::milliseconds(20)));
    }
  }
}

}  // namespace ivk
