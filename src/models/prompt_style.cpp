// Prompt adaptation per model base (see ivk/prompt_style.h for the rules).
#include "ivk/models/prompt_style.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <vector>
#include "core/ascii_case.h"

namespace ivk {
namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// A weight after a group or word: a number ("1.3", ".8") or a run of '+' / '-'.
std::size_t weight_length(std::string_view s, std::size_t at) {
  std::size_t i = at;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    while (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    return i - at;
  }
  auto digit = [&](std::size_t k) {
    return k < s.size() && std::isdigit(static_cast<unsigned char>(s[k])) != 0;
  };
  bool digits = false;
  // A '.' belongs to the number only when a digit follows: "(cat)1.2. dog" keeps its full stop.
  while (digit(i) || (i < s.size() && s[i] == '.' && digit(i + 1))) {
    digits = digits || s[i] != '.';
    ++i;
  }
  return digits ? i - at : 0;
}

bool ends_word(std::string_view s, std::size_t at) {
  return at >= s.size() || is_space(s[at]) || s[at] == ',' || s[at] == ')' || s[at] == '.';
}

// Removes compel weights: "(a b)1.2" and "(a b:1.2)" -> "a b"; "cat++" / "dog-" -> "cat" / "dog".
std::string strip_weights(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '(' || c == ')') {
      if (c == ')') {
        // Drop a ":1.2" written inside the group.
        auto colon = out.rfind(':');
        if (colon != std::string::npos && colon + 1 < out.size() &&
            weight_length(out, colon + 1) == out.size() - colon - 1)
          out.resize(colon);
        i += weight_length(s, i + 1);
      }
      continue;
    }
    if ((c == '+' || c == '-') && !out.empty() && !is_space(out.back())) {
      std::size_t n = weight_length(s, i);
      if (ends_word(s, i + n)) {
        i += n - 1;
        continue;
      }
    }
    out.push_back(c);
  }
  // Collapse whitespace and stray commas.
  std::string tidy;
  for (char c : out) {
    if (is_space(c)) {
      if (!tidy.empty() && tidy.back() != ' ') tidy.push_back(' ');
      continue;
    }
    if (c == ',') {
      while (!tidy.empty() && tidy.back() == ' ') tidy.pop_back();
      if (tidy.empty() || tidy.back() == ',') continue;
    }
    tidy.push_back(c);
  }
  std::string_view t = trim(tidy);
  while (!t.empty() && t.back() == ',') t = trim(t.substr(0, t.size() - 1));
  return std::string(t);
}

// Splits clauses into tags; a '.' splits only when a space or the end follows (not in "1.2").
std::string to_tags(std::string_view s) {
  std::vector<std::string_view> tags;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    bool split = i == s.size() || s[i] == ',' || s[i] == ';' || s[i] == '\n' ||
                 (s[i] == '.' && (i + 1 == s.size() || is_space(s[i + 1])));
    if (!split) continue;
    auto tag = trim(s.substr(start, i - start));
    if (!tag.empty()) tags.push_back(tag);
    start = i + 1;
  }
  std::set<std::string> seen;
  std::string out;
  for (auto tag : tags) {
    if (!seen.insert(detail::ascii_lower(tag)).second) continue;
    if (!out.empty()) out += ", ";
    out += tag;
  }
  return out;
}

}  // namespace

PromptStyles PromptStyles::defaults() {
  PromptStyles s;
  for (const char* base : {"sd-1", "sd-2", "sdxl", "sdxl-refiner"})
    s.by_base[base].form = PromptStyle::Form::tags;
  for (const char* base : {"flux", "flux2", "sd-3", "cogview4", "z-image"})
    s.by_base[base].form = PromptStyle::Form::natural;
  return s;
}

const PromptStyle& PromptStyles::for_base(std::string_view base) const {
  auto it = by_base.find(std::string(base));
  return it == by_base.end() ? other : it->second;
}

std::string adapt_prompt(std::string_view prompt, const PromptStyle& style) {
  std::string text;
  switch (style.form) {
    case PromptStyle::Form::keep: text = std::string(prompt); break;
    case PromptStyle::Form::tags: text = to_tags(prompt); break;
    case PromptStyle::Form::natural: text = strip_weights(prompt); break;
  }
  const std::string_view joiner = style.form == PromptStyle::Form::tags ? ", " : " ";
  if (!style.prefix.empty() && !std::string_view(text).starts_with(style.prefix))
    text = text.empty() ? style.prefix : style.prefix + std::string(joiner) + text;
  if (!style.suffix.empty() && !std::string_view(text).ends_with(style.suffix))
    text = text.empty() ? style.suffix : text + std::string(joiner) + style.suffix;
  return text;
}

std::string adapt_prompt(std::string_view prompt, std::string_view base, const PromptStyles& styles) {
  return adapt_prompt(prompt, styles.for_base(base));
}

}  // namespace ivk
