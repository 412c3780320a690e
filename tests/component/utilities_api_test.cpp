// UtilitiesApi::dynamic_prompts over real HTTP against the in-process emulator.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ivk/api/utilities_api.h"
#include "ivk/emulator.h"
#include "ivk/transport/server_session.h"
#include "support/emulator_session.h"

namespace {

using ivk::ErrorCode;

class UtilitiesApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = ivk::test::start_emulator_session();
    ASSERT_TRUE(started.session);
    emulator_ = std::move(started.emulator);
    session_ = std::move(started.session);
    api_ = std::make_unique<ivk::UtilitiesApi>(*session_);
  }

  std::unique_ptr<ivk::Emulator> emulator_;
  std::unique_ptr<ivk::ServerSession> session_;
  std::unique_ptr<ivk::UtilitiesApi> api_;
};

TEST_F(UtilitiesApiTest, ExpandsCombinatorially) {
  auto r = api_->dynamic_prompts("a {red|blue} {car|bike}");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->prompts, (std::vector<std::string>{"a red car", "a red bike", "a blue car", "a blue bike"}));
  EXPECT_FALSE(r->error.has_value());
  r = api_->dynamic_prompts("{x {1|2}|y} z", 2);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->prompts, (std::vector<std::string>{"x 1 z", "x 2 z"}));
}

TEST_F(UtilitiesApiTest, SeededRandomPicksRepeat) {
  auto a = api_->dynamic_prompts("{a|b|c}", 5, false, 3);
  ASSERT_TRUE(a) << a.error().describe();
  ASSERT_EQ(a->prompts.size(), 5u);
  for (const auto& p : a->prompts) EXPECT_TRUE(p == "a" || p == "b" || p == "c") << p;
  auto b = api_->dynamic_prompts("{a|b|c}", 5, false, 3);
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(a->prompts, b->prompts);
}

TEST_F(UtilitiesApiTest, ASyntaxErrorComesBackAsTheServersComplaint) {
  auto r = api_->dynamic_prompts("a {red|blue");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->prompts, std::vector<std::string>{"a {red|blue"});
  ASSERT_TRUE(r->error.has_value());
  EXPECT_FALSE(r->error->empty());
}

TEST_F(UtilitiesApiTest, RejectsMaxPromptsOutOfRangeWithoutAsking) {
  auto r = api_->dynamic_prompts("x", 0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(r.error().message.find("between 1 and 10000"), std::string::npos);
  r = api_->dynamic_prompts("x", 10001);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
}

}  // namespace
