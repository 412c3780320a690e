#pragma once
#include <string_view>
namespace ivk {
// ivk's own version, e.g. "0.1.0".
std::string_view version() noexcept;
}  // namespace ivk
