// Prompt adaptation per model base.
#include <gtest/gtest.h>

#include "ivk/models/prompt_style.h"

namespace {

using ivk::PromptStyle;

PromptStyle style(PromptStyle::Form form, std::string prefix = {}, std::string suffix = {}) {
  PromptStyle s;
  s.form = form;
  s.prefix = std::move(prefix);
  s.suffix = std::move(suffix);
  return s;
}

TEST(PromptStyle, NaturalStripsCompelWeights) {
  const auto natural = style(PromptStyle::Form::natural);
  EXPECT_EQ(ivk::adapt_prompt("a (red hat)1.3 on a cat++, sci-fi city", natural),
            "a red hat on a cat, sci-fi city");
  EXPECT_EQ(ivk::adapt_prompt("(blue:1.2) sky,  , dog-  ", natural), "blue sky, dog");
  EXPECT_EQ(ivk::adapt_prompt("photo of (a castle)-- at dusk", natural), "photo of a castle at dusk");
}

TEST(PromptStyle, TagsSplitClausesAndDropRepeats) {
  const auto tags = style(PromptStyle::Form::tags);
  EXPECT_EQ(ivk::adapt_prompt("A cat on a mat. Soft light; cozy, soft light", tags),
            "A cat on a mat, Soft light, cozy");
  // A decimal point is not a sentence end.
  EXPECT_EQ(ivk::adapt_prompt("(red)1.2 hat. night", tags), "(red)1.2 hat, night");
}

TEST(PromptStyle, PrefixAndSuffixAreAddedOnce) {
  const auto tags = style(PromptStyle::Form::tags, "masterpiece, best quality", "8k");
  const auto once = ivk::adapt_prompt("castle, dusk", tags);
  EXPECT_EQ(once, "masterpiece, best quality, castle, dusk, 8k");
  EXPECT_EQ(ivk::adapt_prompt(once, tags), once);
  const auto natural = style(PromptStyle::Form::natural, "A photograph:");
  EXPECT_EQ(ivk::adapt_prompt("a (castle)1.1", natural), "A photograph: a castle");
  EXPECT_EQ(ivk::adapt_prompt("", natural), "A photograph:");
}

TEST(PromptStyle, DefaultsPerBase) {
  const auto styles = ivk::PromptStyles::defaults();
  EXPECT_EQ(styles.for_base("sdxl").form, PromptStyle::Form::tags);
  EXPECT_EQ(styles.for_base("flux").form, PromptStyle::Form::natural);
  EXPECT_EQ(styles.for_base("veo3").form, PromptStyle::Form::keep);
  EXPECT_EQ(ivk::adapt_prompt("a (cat)1.2. dog", "flux", styles), "a cat. dog");
  EXPECT_EQ(ivk::adapt_prompt("a (cat)1.2. dog", "veo3", styles), "a (cat)1.2. dog");
}

}  // namespace
