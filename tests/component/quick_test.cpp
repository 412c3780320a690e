// The quick helpers against the in-process emulator: an SDXL image from a prompt, and a copy of it on
// a board.
#include "ivk/client/quick.h"

#include <gtest/gtest.h>

#include <memory>

#include "ivk/api/boards_api.h"
#include "ivk/emulator.h"
#include "ivk/transport/server_session.h"
#include "ivk/workflow/png_metadata.h"
#include "ivk/workflow/workflow.h"
#include "support/emulator_session.h"

namespace {

class QuickTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = ivk::test::start_emulator_session();
    ASSERT_TRUE(started.session);
    emulator_ = std::move(started.emulator);
    session_ = std::move(started.session);
  }
  std::unique_ptr<ivk::Emulator> emulator_;
  std::unique_ptr<ivk::ServerSession> session_;
};

TEST(QuickRounding, HalfToEvenLikeThePythonClient) {
  EXPECT_EQ(ivk::round_to_multiple_of_8(1004), 1008);  // 125.5 -> 126
  EXPECT_EQ(ivk::round_to_multiple_of_8(1012), 1008);  // 126.5 -> 126
  EXPECT_EQ(ivk::round_to_multiple_of_8(1024), 1024);
  EXPECT_EQ(ivk::round_to_multiple_of_8(3), 8);
  EXPECT_EQ(ivk::round_to_multiple_of_8(0), 8);
}

TEST(QuickWorkflow, BuiltInWorkflowHasTheInputsTheHelperSets) {
  auto wf = ivk::Workflow::load_string(std::string(ivk::builtin_sdxl_text_to_image_workflow()));
  ASSERT_TRUE(wf) << wf.error().describe();
  const auto& in = wf->inputs();
  ASSERT_EQ(in.size(), 10u);
  EXPECT_EQ(in[0].title, "Prompt");
  EXPECT_EQ(in[1].title, "Negative prompt");
  EXPECT_EQ(in[2].field_name, "width");
  EXPECT_EQ(in[3].field_name, "height");
  EXPECT_EQ(in[4].field_name, "seed");
  EXPECT_EQ(in[5].field_name, "model");
  EXPECT_EQ(in[6].field_name, "steps");
  EXPECT_EQ(in[7].field_name, "cfg_scale");
  EXPECT_EQ(in[8].field_name, "scheduler");
  EXPECT_EQ(in[9].field_name, "board");
}

TEST_F(QuickTest, SdxlFromAPromptThenCopiedToABoard) {
  ivk::SdxlTextToImage request;
  request.positive_prompt = "a lighthouse in a storm";
  request.negative_prompt = "blurry";
  request.width = 300;  // 300 / 8 = 37.5, to even: 38 -> 304
  request.height = 200;
  request.steps = 3;
  request.seed = 1234;
  auto image = ivk::generate_sdxl_text_to_image(*session_, request);
  ASSERT_TRUE(image) << image.error().describe();
  EXPECT_EQ(image->width, 304);
  EXPECT_EQ(image->height, 200);
  EXPECT_FALSE(image->board_id.has_value());

  ivk::BoardsApi boards(*session_);
  auto board = boards.create("quick copies");
  ASSERT_TRUE(board);
  auto copy = ivk::copy_image_to_board(*session_, image->image_name, board->board_id);
  ASSERT_TRUE(copy) << copy.error().describe();
  EXPECT_NE(copy->image_name, image->image_name);
  ASSERT_TRUE(copy->board_id.has_value());
  EXPECT_EQ(*copy->board_id, board->board_id);
  auto names = boards.image_names(board->board_id);
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, std::vector<std::string>{copy->image_name});
}

TEST_F(QuickTest, MissingBoardOrImageIsNamed) {
  auto no_board = ivk::copy_image_to_board(*session_, "x.png", "no-such-board");
  ASSERT_FALSE(no_board);
  EXPECT_EQ(no_board.error().code, ivk::ErrorCode::not_found);
  auto no_image = ivk::copy_image_to_board(*session_, "no-such-image.png", "none");
  ASSERT_FALSE(no_image);
  EXPECT_EQ(no_image.error().code, ivk::ErrorCode::not_found);
}

}  // namespace
