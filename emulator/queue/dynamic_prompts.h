#pragma once
// POST /api/v1/utilities/dynamicprompts: the variant syntax "a {red|blue} car" with
// nesting, expanded combinatorially (every combination, first variant slowest) or by random picks.
// Private to the emulator.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ivk::emu {

struct DynamicPromptsResult {
  std::vector<std::string> prompts;
  std::optional<std::string> error;  // a parse error: prompts is then {prompt}
};

DynamicPromptsResult expand_dynamic_prompt(const std::string& prompt, std::size_t max_prompts,
                                           bool combinatorial, std::optional<std::int64_t> seed);

}  // namespace ivk::emu
