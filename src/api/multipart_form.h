#pragma once
// A multipart/form-data body (RFC 7578) for the routes that take files: image upload, model cover
// images, workflow thumbnails. The boundary is chosen so that it occurs in no part, as the RFC
// requires (image bytes are arbitrary).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ivk::detail {

struct FormPart {
  std::string_view name;                     // the form field: "file", "image", "metadata"
  std::string_view data;                     // sent as is
  std::optional<std::string_view> filename;  // a file part when set (quotes and line breaks replaced)
  std::string_view content_type;             // of a file part; empty: none sent
};

struct MultipartForm {
  std::string body;
  std::string content_type;  // "multipart/form-data; boundary=..."
};

MultipartForm multipart_form(const std::vector<FormPart>& parts);

}  // namespace ivk::detail
