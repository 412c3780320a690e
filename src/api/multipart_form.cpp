#include "api/multipart_form.h"

#include <algorithm>

namespace ivk::detail {
namespace {

std::string boundary_for(const std::vector<FormPart>& parts) {
  std::string boundary = "ivk-form-boundary";
  auto occurs = [&boundary](const FormPart& p) { return p.data.find(boundary) != std::string_view::npos; };
  while (std::any_of(parts.begin(), parts.end(), occurs)) boundary += "-x";
  return boundary;
}

// A quoted form-data parameter value: quotes, backslashes and line breaks would end it early.
std::string quoted(std::string_view value) {
  std::string out = "\"";
  for (char c : value) out += (c == '"' || c == '\\' || c == '\r' || c == '\n') ? '_' : c;
  return out + "\"";
}

}  // namespace

MultipartForm multipart_form(const std::vector<FormPart>& parts) {
  const std::string boundary = boundary_for(parts);
  std::size_t size = boundary.size() + 8;
  for (const auto& p : parts) size += p.data.size() + boundary.size() + 128;
  MultipartForm out;
  out.body.reserve(size);
  for (const auto& p : parts) {
    out.body += "--" + boundary + "\r\nContent-Disposition: form-data; name=" + quoted(p.name);
    if (p.filename) out.body += "; filename=" + quoted(*p.filename);
    out.body += "\r\n";
    if (!p.content_type.empty()) out.body += "Content-Type: " + std::string(p.content_type) + "\r\n";
    out.body += "\r\n";
    out.body.append(p.data);
    out.body += "\r\n";
  }
  out.body += "--" + boundary + "--\r\n";
  out.content_type = "multipart/form-data; boundary=" + boundary;
  return out;
}

}  // namespace ivk::detail
