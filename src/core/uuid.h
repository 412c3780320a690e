#pragma once
#include <string>

namespace ivk::detail {

// A random (version 4) UUID in canonical lowercase form, as InvokeAI and its GUI use for ids.
std::string uuid4();

}  // namespace ivk::detail
