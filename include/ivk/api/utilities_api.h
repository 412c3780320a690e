#pragma once
// /api/v1/utilities: dynamic prompt expansion on the server.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"

namespace ivk {

class ServerSession;

struct DynamicPrompts {
  std::vector<std::string> prompts;
  // The server's complaint (a syntax error, an unknown wildcard); prompts then holds the prompt as
  // given. Not an ivk error: the request itself succeeded.
  std::optional<std::string> error;
};

class UtilitiesApi {
 public:
  // The session must outlive this object.
  explicit UtilitiesApi(ServerSession& session) : session_(&session) {}

  // POST /utilities/dynamicprompts ("a {red|blue} car" -> "a red car", "a blue car"). max_prompts
  // must be 1..10000 (invalid_argument otherwise, before any request). Retried like a read.
  Result<DynamicPrompts> dynamic_prompts(std::string_view prompt, int max_prompts = 1000,
                                         bool combinatorial = true,
                                         std::optional<std::int64_t> seed = std::nullopt);

 private:
  ServerSession* session_;
};

}  // namespace ivk
