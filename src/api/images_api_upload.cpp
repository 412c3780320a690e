// ImagesApi::upload: POST /api/v1/images/upload as multipart/form-data.
#include "api/images_parse.h"
#include "api/models_api_support.h"
#include "api/multipart_form.h"
#include "ivk/api/images_api.h"
#include "ivk/transport/server_session.h"

namespace ivk {
namespace {

// The server checks that the file part's type starts with image/; guess it like a browser would.
std::string content_type_for(std::string_view file_name) {
  const auto dot = file_name.rfind('.');
  std::string ext = dot == std::string_view::npos ? std::string() : std::string(file_name.substr(dot + 1));
  for (auto& c : ext) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "webp") return "image/webp";
  if (ext == "gif") return "image/gif";
  if (ext == "bmp") return "image/bmp";
  if (ext == "tif" || ext == "tiff") return "image/tiff";
  return "image/png";
}

}  // namespace

Result<ImageDto> ImagesApi::upload(std::string_view bytes, std::string_view file_name,
                                   const UploadOptions& options) {
  const std::string file_type =
      options.content_type.empty() ? content_type_for(file_name) : options.content_type;
  std::vector<detail::FormPart> parts;
  if (options.metadata_json) parts.push_back({"metadata", *options.metadata_json, std::nullopt, {}});
  parts.push_back({"file", bytes, file_name, file_type});
  detail::MultipartForm form = detail::multipart_form(parts);

  QueryBuilder q;
  q.add("image_category", options.image_category);
  q.add_bool("is_intermediate", options.is_intermediate);
  q.add_optional("board_id", options.board_id);
  q.add_optional("session_id", options.session_id);
  if (options.crop_visible) q.add_bool("crop_visible", *options.crop_visible);

  ApiRequest r;
  r.method = "POST";
  r.path = "/images/upload";
  r.query = q.str();
  r.body = std::move(form.body);
  r.content_type = std::move(form.content_type);
  r.idempotency = Idempotency::not_idempotent;  // a lost answer may still have stored the image
  auto response = session_->send(r);
  if (!response)
    return tl::unexpected(
        detail::remap_status(response.error(), 415, ErrorCode::invalid_argument,
                             "the server does not accept '" + std::string(file_name) + "' as an image"));
  return detail::parse_image_dto(response->body);
}

}  // namespace ivk
