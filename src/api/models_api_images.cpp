// ModelsApi cover image routes: /api/v2/models/i/{key}/image.
#include "api/models_api_support.h"
#include "ivk/models_api.h"
#include "ivk/server_session.h"

namespace ivk {
namespace {

std::string image_path(std::string_view key) { return api::model_path("/models/i/", key) + "/image"; }

// A boundary that does not occur in the data (RFC 7578 requires it; image bytes are arbitrary).
std::string boundary_for(std::string_view data) {
  std::string boundary = "ivk-model-image-boundary";
  while (data.find(boundary) != std::string_view::npos) boundary += "-x";
  return boundary;
}

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
  const std::string boundary = boundary_for(image_bytes);
  std::string body = "--" + boundary + "\r\n";
  body += "Content-Disposition: form-data; name=\"image\"; filename=\"cover\"\r\n";
  body += "Content-Type: " + std::string(content_type) + "\r\n\r\n";
  body.append(image_bytes);
  body += "\r\n--" + boundary + "--\r\n";
  ApiRequest r;
  r.method = "PATCH";
  r.root = ApiRoot::v2;
  r.path = image_path(key);
  r.body = std::move(body);
  r.content_type = "multipart/form-data; boundary=" + boundary;
  auto response = session_->send(r);
  if (!response)
    return tl::unexpected(api::remap_status(response.error(), 415, ErrorCode::invalid_argument,
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
