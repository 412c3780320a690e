#pragma once
// ASCII-only case folding, for what InvokeAI and HTTP define in ASCII: header names, enum values,
// model names compared loosely, file extensions. Locale-independent on purpose (std::tolower
// depends on the C locale).
#include <string>
#include <string_view>

namespace ivk::detail {

constexpr char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = ascii_lower(c);
  return out;
}

constexpr bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

}  // namespace ivk::detail
