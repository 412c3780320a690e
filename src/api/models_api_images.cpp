// ModelsApi cover image routes: /api/v2/models/i/{key}/image.
#include "api/models_api_support.h"
#include "api/multipart_form.h"
#include "ivk/api/models_api.h"
#include "ivk/transport/server_session.h"

namespace ivk {
namespace {

std::string image_path(std::string_view key) { return detail::model_path("/models/i/", key) + "/image"; }

}  // namespace

Result<std::string> ModelsApi::get_image(std::string_view key) {
  ApiRequest r;
  r.root = ApiRoot::v2;
  r.path = image_path(key);
  auto response = session_->send(r);
  if (!response) return tl::unexpected(response.error());
  return std::move(response->body);
}

Status ModelsApi::set_image(std::string_view key, std::string_view image_bytes,
                            std::string_view content_type) {
  detail::MultipartForm form = detail::multipart_form({{"image", image_bytes, "cover", content_type}});
  ApiRequest r;
  r.method = "PATCH";
  r.root = ApiRoot::v2;
  r.path = image_path(key);
  r.body = std::move(form.body);
  r.content_type = std::move(form.content_type);
  auto response = session_->send(r);
  if (!response)
    return tl::unexpected(detail::remap_status(response.error(), 415, ErrorCode::invalid_argument,
                                               "the server does not accept this file as an image"));
  return {};
}

Status ModelsApi::delete_image(std::string_view key) {
  ApiRequest r;
  r.method = "DELETE";
  r.root = ApiRoot::v2;
  r.path = image_path(key);
  auto response = session_->send(r);
  if (!response) return tl::unexpected(response.error());
  return {};
}

}  // namespace ivk
