#pragma once
// SHA-256 of bytes in memory, as lowercase hex (OpenSSL's one-shot digest): how the run journal
// records what it saved.
#include <string>
#include <string_view>

namespace ivk::detail {

std::string sha256_hex(std::string_view bytes);

}  // namespace ivk::detail
