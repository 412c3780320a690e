// BoardsApi over real HTTP against the in-process emulator: CRUD, membership, "none", name helpers.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ivk/api/boards_api.h"
#include "ivk/api/images_api.h"
#include "ivk/emulator.h"
#include "ivk/transport/server_session.h"
#include "support/emulator_session.h"
#include "support/fixtures.h"

namespace {

using ivk::BoardsApi;
using ivk::ErrorCode;

class BoardsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = ivk::test::start_emulator_session();
    ASSERT_TRUE(started.session);
    emulator_ = std::move(started.emulator);
    session_ = std::move(started.session);
    api_ = std::make_unique<BoardsApi>(*session_);
    images_ = std::make_unique<ivk::ImagesApi>(*session_);
  }

  std::string upload() {
    static const std::string png =
        ivk::test::read_file(ivk::test::fixture("images/8079126e-6cb0-4d47-956a-0eec6b71c600.png"));
    auto dto = images_->upload(png, "photo.png");
    EXPECT_TRUE(dto) << dto.error().describe();
    return dto ? dto->image_name : std::string();
  }

  std::unique_ptr<ivk::Emulator> emulator_;
  std::unique_ptr<ivk::ServerSession> session_;
  std::unique_ptr<BoardsApi> api_;
  std::unique_ptr<ivk::ImagesApi> images_;
};

TEST_F(BoardsApiTest, CreatesListsUpdatesAndDeletesBoards) {
  auto made = api_->create("My Board");
  ASSERT_TRUE(made) << made.error().describe();
  EXPECT_FALSE(made->board_id.empty());
  EXPECT_EQ(made->board_name, "My Board");
  EXPECT_FALSE(made->archived);
  EXPECT_EQ(made->image_count, 0);
  EXPECT_FALSE(made->cover_image_name.has_value());
  EXPECT_FALSE(made->created_at.empty());
  auto other = api_->create("Other");
  ASSERT_TRUE(other) << other.error().describe();

  auto got = api_->get(made->board_id);
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_EQ(got->board_name, "My Board");

  auto all = api_->list_all();
  ASSERT_TRUE(all) << all.error().describe();
  EXPECT_EQ(all->size(), 2u);
  auto page = api_->list(0, 1);
  ASSERT_TRUE(page) << page.error().describe();
  EXPECT_EQ(page->total, 2);
  EXPECT_EQ(page->limit, 1);
  EXPECT_EQ(page->items.size(), 1u);

  auto renamed = api_->update(made->board_id, std::string("Renamed"));
  ASSERT_TRUE(renamed) << renamed.error().describe();
  EXPECT_EQ(renamed->board_name, "Renamed");
  ivk::BoardChanges archive;
  archive.archived = true;
  auto archived = api_->update(made->board_id, archive);
  ASSERT_TRUE(archived) << archived.error().describe();
  EXPECT_TRUE(archived->archived);
  EXPECT_EQ(archived->board_name, "Renamed");
  all = api_->list_all();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 1u);  // archived boards are hidden by default
  all = api_->list_all(true);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 2u);

  auto removed = api_->remove(made->board_id);
  ASSERT_TRUE(removed) << removed.error().describe();
  EXPECT_EQ(removed->board_id, made->board_id);
  EXPECT_TRUE(removed->deleted_board_images.empty());
  auto gone = api_->get(made->board_id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::not_found);
  EXPECT_EQ(gone.error().detail, "Board not found");
}

TEST_F(BoardsApiTest, MovesImagesOnAndOffBoards) {
  auto board = api_->create("Pets");
  ASSERT_TRUE(board) << board.error().describe();
  const std::string a = upload(), b = upload(), c = upload();

  auto added = api_->add_image(board->board_id, a);
  ASSERT_TRUE(added) << added.error().describe();
  EXPECT_EQ(added->images, std::vector<std::string>{a});
  EXPECT_NE(std::find(added->affected_boards.begin(), added->affected_boards.end(), board->board_id),
            added->affected_boards.end());
  auto batch = api_->add_images(board->board_id, std::vector<std::string>{b, c});
  ASSERT_TRUE(batch) << batch.error().describe();
  EXPECT_EQ(batch->images.size(), 2u);

  auto names = api_->image_names(board->board_id);
  ASSERT_TRUE(names) << names.error().describe();
  std::sort(names->begin(), names->end());
  std::vector<std::string> expected{a, b, c};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(*names, expected);
  auto none = api_->image_names("none");
  ASSERT_TRUE(none) << none.error().describe();
  EXPECT_TRUE(none->empty());
  auto counted = api_->get(board->board_id);
  ASSERT_TRUE(counted);
  // Uploads are "user" images: assets, not counted as images (those are generated, "general").
  EXPECT_EQ(counted->image_count, 0);
  EXPECT_EQ(counted->asset_count, 3);
  auto dto = images_->get(a);
  ASSERT_TRUE(dto);
  EXPECT_EQ(dto->board_id, board->board_id);

  auto removed = api_->remove_image(a);
  ASSERT_TRUE(removed) << removed.error().describe();
  EXPECT_EQ(removed->images, std::vector<std::string>{a});
  auto batch_removed = api_->remove_images(std::vector<std::string>{b});
  ASSERT_TRUE(batch_removed) << batch_removed.error().describe();
  EXPECT_EQ(batch_removed->images, std::vector<std::string>{b});
  none = api_->image_names("none");
  ASSERT_TRUE(none);
  std::sort(none->begin(), none->end());
  std::vector<std::string> loose{a, b};
  std::sort(loose.begin(), loose.end());
  EXPECT_EQ(*none, loose);
  const std::vector<std::string> users{"user"};
  names = api_->image_names(board->board_id, users, false);
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, std::vector<std::string>{c});

  auto cover = api_->update(board->board_id, std::nullopt, c);
  ASSERT_TRUE(cover) << cover.error().describe();
  EXPECT_EQ(cover->cover_image_name, c);

  auto deleted = api_->remove(board->board_id, /*include_images=*/true);
  ASSERT_TRUE(deleted) << deleted.error().describe();
  EXPECT_EQ(deleted->deleted_images, std::vector<std::string>{c});
  auto gone = images_->get(c);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::not_found);
}

TEST_F(BoardsApiTest, FindsBoardsByExactNameAndCreatesMissingOnes) {
  auto found = api_->find_by_name("Landscapes");
  ASSERT_TRUE(found) << found.error().describe();
  EXPECT_FALSE(found->has_value());
  auto made = api_->get_or_create("Landscapes");
  ASSERT_TRUE(made) << made.error().describe();
  auto again = api_->get_or_create("Landscapes");
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(again->board_id, made->board_id);
  ASSERT_TRUE(api_->create("landscapes"));
  found = api_->find_by_name("Landscapes");
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->board_id, made->board_id);
  auto all = api_->list_all();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 2u);
}

TEST_F(BoardsApiTest, UnknownBoardsAreNotFound) {
  auto board = api_->get("no-such-board");
  ASSERT_FALSE(board);
  EXPECT_EQ(board.error().code, ErrorCode::not_found);
  EXPECT_EQ(board.error().http_status, 404);
  EXPECT_EQ(board.error().detail, "Board not found");
}

}  // namespace
