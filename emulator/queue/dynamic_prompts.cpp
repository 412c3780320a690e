#include "queue/dynamic_prompts.h"

#include <memory>
#include <random>
#include <stdexcept>

namespace ivk::emu {
namespace {

// A prompt template: literal text and variants, each variant a list of alternative templates.
struct Template {
  struct Part {
    std::string literal;
    std::vector<Template> options;  // empty: a literal part
  };
  std::vector<Part> parts;
};

struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Parser {
 public:
  explicit Parser(const std::string& text) : text_(text) {}

  Template parse() {
    Template t = sequence(0);
    if (pos_ < text_.size())
      throw ParseError("unexpected '" + std::string(1, text_[pos_]) + "' at position " +
                       std::to_string(pos_));
    return t;
  }

 private:
  // A sequence ends at the end of the text, or (inside a variant) at '|' or '}'.
  Template sequence(int depth) {
    if (depth > 100) throw ParseError("variants nested too deeply");
    Template t;
    std::string literal;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\\' && pos_ + 1 < text_.size()) {  // "\{" is a literal brace
        literal += text_[pos_ + 1];
        pos_ += 2;
      } else if (c == '{') {
        if (!literal.empty()) t.parts.push_back({std::move(literal), {}});
        literal.clear();
        ++pos_;
        Template::Part variant;
        while (true) {
          variant.options.push_back(sequence(depth + 1));
          if (pos_ >= text_.size()) throw ParseError("unclosed '{': expected '}' at the end of the prompt");
          if (text_[pos_++] == '}') break;  // else '|': the next alternative
        }
        t.parts.push_back(std::move(variant));
      } else if ((c == '|' || c == '}') && depth > 0) {
        break;
      } else if (c == '}') {
        throw ParseError("unexpected '}' at position " + std::to_string(pos_));
      } else {
        literal += c;
        ++pos_;
      }
    }
    if (!literal.empty()) t.parts.push_back({std::move(literal), {}});
    return t;
  }

  const std::string& text_;
  std::size_t pos_ = 0;
};

// Every expansion of t in order, at most cap of them. Truncating keeps the first cap of the full
// product order, because every step extends earlier prefixes before later ones.
std::vector<std::string> combinations(const Template& t, std::size_t cap) {
  std::vector<std::string> out{std::string()};
  for (const auto& part : t.parts) {
    if (part.options.empty()) {
      for (auto& s : out) s += part.literal;
      continue;
    }
    std::vector<std::string> alternatives;
    for (const auto& option : part.options) {
      for (auto& s : combinations(option, cap)) {
        if (alternatives.size() >= cap) break;
        alternatives.push_back(std::move(s));
      }
    }
    std::vector<std::string> next;
    for (const auto& prefix : out)
      for (const auto& alt : alternatives) {
        if (next.size() >= cap) break;
        next.push_back(prefix + alt);
      }
    out = std::move(next);
    if (out.empty()) break;
  }
  return out;
}

std::string sample(const Template& t, std::mt19937_64& rng) {
  std::string out;
  for (const auto& part : t.parts) {
    if (part.options.empty()) {
      out += part.literal;
    } else {
      std::uniform_int_distribution<std::size_t> pick(0, part.options.size() - 1);
      out += sample(part.options[pick(rng)], rng);
    }
  }
  return out;
}

}  // namespace

DynamicPromptsResult expand_dynamic_prompt(const std::string& prompt, std::size_t max_prompts,
                                           bool combinatorial, std::optional<std::int64_t> seed) {
  DynamicPromptsResult result;
  Template t;
  try {
    t = Parser(prompt).parse();
  } catch (const ParseError& e) {
    result.prompts = {prompt};
    result.error = e.what();
    return result;
  }
  if (combinatorial) {
    result.prompts = combinations(t, max_prompts);
    return result;
  }
  std::mt19937_64 rng(seed ? static_cast<std::uint64_t>(*seed) : std::random_device{}());
  for (std::size_t i = 0; i < max_prompts; ++i) result.prompts.push_back(sample(t, rng));
  return result;
}

}  // namespace ivk::emu
