#pragma once
// A minimal multipart/form-data reader for PATCH /api/v2/models/i/{key}/image: finds one named
// part and returns its bytes and content type.
#include <optional>
#include <string>
#include <string_view>

namespace ivk::emu {

struct FormPart {
  std::string content_type;  // empty when the part has none
  std::string filename;
  std::string data;
};

// The part called `name` of a multipart body; nullopt when the content type has no boundary, the
// body is malformed or no such part exists.
std::optional<FormPart> find_form_part(std::string_view content_type, std::string_view body,
                                       std::string_view name);

}  // namespace ivk::emu
