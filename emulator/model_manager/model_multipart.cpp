#include "model_manager/model_multipart.h"

#include <algorithm>
#include <cctype>
#include "core/ascii_case.h"

namespace ivk::emu {
namespace {

// The value of `key=` in a header parameter list (quoted or not).
std::optional<std::string> header_param(std::string_view header, std::string_view key) {
  const std::string lowered = ivk::detail::ascii_lower(header);
  std::size_t pos = 0;
  while ((pos = lowered.find(std::string(key) + "=", pos)) != std::string::npos) {
    // Only a whole parameter name: "filename=" must not match "name=".
    if (pos > 0 && lowered[pos - 1] != ' ' && lowered[pos - 1] != ';') {
      ++pos;
      continue;
    }
    std::size_t start = pos + key.size() + 1;
    if (start < header.size() && header[start] == '"') {
      const std::size_t end = header.find('"', start + 1);
      if (end == std::string_view::npos) return std::nullopt;
      return std::string(header.substr(start + 1, end - start - 1));
    }
    std::size_t end = header.find(';', start);
    if (end == std::string_view::npos) end = header.size();
    return std::string(header.substr(start, end - start));
  }
  return std::nullopt;
}

}  // namespace

std::optional<FormPart> find_form_part(std::string_view content_type, std::string_view body,
                                       std::string_view name) {
  const auto boundary = header_param(content_type, "boundary");
  if (!boundary || boundary->empty()) return std::nullopt;
  const std::string delimiter = "--" + *boundary;
  std::size_t pos = body.find(delimiter);
  while (pos != std::string_view::npos) {
    std::size_t part_start = pos + delimiter.size();
    if (body.substr(part_start, 2) == "--") return std::nullopt;  // the closing delimiter
    if (body.substr(part_start, 2) == "\r\n") part_start += 2;
    const std::size_t headers_end = body.find("\r\n\r\n", part_start);
    if (headers_end == std::string_view::npos) return std::nullopt;
    const std::size_t data_start = headers_end + 4;
    const std::size_t next = body.find("\r\n" + delimiter, data_start);
    if (next == std::string_view::npos) return std::nullopt;
    FormPart part;
    std::optional<std::string> part_name;
    std::string_view headers = body.substr(part_start, headers_end - part_start);
    while (!headers.empty()) {
      std::size_t eol = headers.find("\r\n");
      const std::string_view line = headers.substr(0, eol);
      const std::string lowered = ivk::detail::ascii_lower(line);
      if (lowered.rfind("content-disposition:", 0) == 0) {
        part_name = header_param(line, "name");
        part.filename = header_param(line, "filename").value_or("");
      } else if (lowered.rfind("content-type:", 0) == 0) {
        std::string_view value = line.substr(13);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        part.content_type = std::string(value);
      }
      if (eol == std::string_view::npos) break;
      headers.remove_prefix(eol + 2);
    }
    if (part_name == std::string(name)) {
      part.data = std::string(body.substr(data_start, next - data_start));
      return part;
    }
    pos = next + 2;
  }
  return std::nullopt;
}

}  // namespace ivk::emu
