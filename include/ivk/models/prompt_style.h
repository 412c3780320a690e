#pragma once
// Prompt adaptation per model base. Model families read prompts differently: SD 1.x/SDXL were
// trained on comma-separated tags (and InvokeAI's compel weights such as "(red)1.2" or "cat++"),
// while FLUX, SD3 and CogView4 read plain sentences through T5-class encoders, which take weight
// syntax literally. Switching a workflow between such models keeps a prompt useful only if its
// form follows. Pure string functions: no I/O.
#include <map>
#include <string>
#include <string_view>

namespace ivk {

struct PromptStyle {
  enum class Form { keep, tags, natural };
  Form form = Form::keep;
  std::string prefix;  // added once in front, unless the prompt already starts with it
  std::string suffix;  // added once at the end, unless the prompt already ends with it
};

struct PromptStyles {
  std::map<std::string, PromptStyle> by_base;  // base -> style
  PromptStyle other;                           // bases not in the map

  // sd-1, sd-2, sdxl, sdxl-refiner: tags; flux, sd-3, cogview4, flux2, z-image: natural;
  // everything else: keep. No prefixes or suffixes (add your own house style).
  static PromptStyles defaults();
  [[nodiscard]] const PromptStyle& for_base(std::string_view base) const;
};

// Rewrites `prompt` in the style of `base`:
//   tags:    sentences and clauses become comma-separated tags ("A cat. On a mat" -> "A cat, On a mat"),
//            empty and repeated tags dropped, weights kept;
//   natural: compel weight syntax removed ("(red hat)1.3" -> "red hat", "(red:1.2)" -> "red",
//            "cat++" -> "cat", "dog-" -> "dog"), runs of spaces and commas collapsed;
//   keep:    unchanged.
// Then prefix and suffix, joined with ", " for tags and " " otherwise. Adapting twice gives the
// same text as adapting once.
std::string adapt_prompt(std::string_view prompt, std::string_view base, const PromptStyles& styles);
std::string adapt_prompt(std::string_view prompt, const PromptStyle& style);

}  // namespace ivk
