// ImagesApi over real HTTP against the in-process emulator, with a real InvokeAI PNG from the shared
// fixtures (800×1024, metadata, workflow and graph embedded).
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

using ivk::ErrorCode;
using ivk::ImagesApi;

std::string fixture_png() {
  return ivk::test::read_file(ivk::test::fixture("images/8079126e-6cb0-4d47-956a-0eec6b71c600.png"));
}

class ImagesApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = ivk::test::start_emulator_session();
    ASSERT_TRUE(started.session);
    emulator_ = std::move(started.emulator);
    session_ = std::move(started.session);
    api_ = std::make_unique<ImagesApi>(*session_);
    png_ = fixture_png();
    ASSERT_GT(png_.size(), 1000u);
  }

  // Uploads the fixture PNG; the test ends on failure.
  ivk::ImageDto upload(const ivk::UploadOptions& options = {}) {
    auto dto = api_->upload(png_, "photo.png", options);
    EXPECT_TRUE(dto) << dto.error().describe();
    return dto ? *dto : ivk::ImageDto{};
  }

  std::unique_ptr<ivk::Emulator> emulator_;
  std::unique_ptr<ivk::ServerSession> session_;
  std::unique_ptr<ImagesApi> api_;
  std::string png_;
};

TEST_F(ImagesApiTest, UploadsARealPngAndReadsItBack) {
  const auto dto = upload();
  ASSERT_FALSE(dto.image_name.empty());
  EXPECT_EQ(dto.image_url, "api/v1/images/i/" + dto.image_name + "/full");
  EXPECT_EQ(dto.thumbnail_url, "api/v1/images/i/" + dto.image_name + "/thumbnail");
  EXPECT_EQ(dto.image_origin, "external");
  EXPECT_EQ(dto.image_category, "user");
  EXPECT_EQ(dto.width, 800);
  EXPECT_EQ(dto.height, 1024);
  EXPECT_FALSE(dto.is_intermediate);
  EXPECT_FALSE(dto.starred);
  EXPECT_FALSE(dto.board_id.has_value());
  EXPECT_FALSE(dto.deleted_at.has_value());
  EXPECT_FALSE(dto.session_id.has_value());
  EXPECT_TRUE(dto.has_workflow);
  EXPECT_FALSE(dto.created_at.empty());
  EXPECT_NE(dto.raw_json.find("\"image_name\":\"" + dto.image_name + "\""), std::string::npos);

  auto again = api_->get(dto.image_name);
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(again->image_name, dto.image_name);
  EXPECT_EQ(again->width, 800);

  auto bytes = api_->full(dto.image_name);
  ASSERT_TRUE(bytes) << bytes.error().describe();
  EXPECT_EQ(*bytes, png_);
  auto thumb = api_->thumbnail(dto.image_name);
  ASSERT_TRUE(thumb) << thumb.error().describe();
  EXPECT_FALSE(thumb->empty());

  auto metadata = api_->metadata(dto.image_name);
  ASSERT_TRUE(metadata) << metadata.error().describe();
  ASSERT_TRUE(metadata->has_value());
  EXPECT_EQ((*metadata)->rfind("{\"width\":800,\"height\":", 0), 0u) << **metadata;

  auto wf = api_->workflow(dto.image_name);
  ASSERT_TRUE(wf) << wf.error().describe();
  ASSERT_TRUE(wf->workflow_json.has_value());
  EXPECT_NE(wf->workflow_json->find("\"name\":\"sdxl-then-flu"), std::string::npos);
  ASSERT_TRUE(wf->graph_json.has_value());
  EXPECT_NE(wf->graph_json->find("\"id\":\"2086afa1-8f0b-4286"), std::string::npos);

  auto urls = api_->urls(dto.image_name);
  ASSERT_TRUE(urls) << urls.error().describe();
  EXPECT_EQ(urls->image_name, dto.image_name);
  EXPECT_EQ(urls->image_url, dto.image_url);
  EXPECT_EQ(urls->thumbnail_url, dto.thumbnail_url);
}

TEST_F(ImagesApiTest, UploadOptionsReachTheServer) {
  ivk::BoardsApi boards(*session_);
  auto board = boards.create("uploads");
  ASSERT_TRUE(board) << board.error().describe();
  ivk::UploadOptions options;
  options.image_category = "control";
  options.is_intermediate = true;
  options.board_id = board->board_id;
  options.session_id = "session-1";
  options.metadata_json = R"({"note":"from ivk"})";
  const auto dto = upload(options);
  EXPECT_EQ(dto.image_category, "control");
  EXPECT_TRUE(dto.is_intermediate);
  EXPECT_EQ(dto.board_id, board->board_id);
  EXPECT_EQ(dto.session_id, "session-1");
  auto metadata = api_->metadata(dto.image_name);
  ASSERT_TRUE(metadata) << metadata.error().describe();
  EXPECT_EQ(*metadata, std::optional<std::string>(R"({"note":"from ivk"})"));

  auto count = api_->intermediates_count();
  ASSERT_TRUE(count) << count.error().describe();
  EXPECT_EQ(*count, 1);
  auto cleared = api_->clear_intermediates();
  ASSERT_TRUE(cleared) << cleared.error().describe();
  EXPECT_EQ(*cleared, 1);
  auto gone = api_->get(dto.image_name);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::not_found);
}

TEST_F(ImagesApiTest, RejectsAFileThatIsNotAnImage) {
  auto r = api_->upload("just some text", "notes.png");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(r.error().http_status, 415);
  EXPECT_EQ(r.error().detail, "Failed to read image");
  ivk::UploadOptions text;
  text.content_type = "text/plain";
  r = api_->upload(png_, "photo.png", text);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "Not an image");
  ivk::UploadOptions no_board;
  no_board.board_id = "no-such-board";
  r = api_->upload(png_, "photo.png", no_board);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  EXPECT_EQ(r.error().detail, "Board not found");
}

TEST_F(ImagesApiTest, ListsNamesStarsUpdatesAndDeletes) {
  const auto a = upload();
  const auto b = upload();
  const auto c = upload();

  ivk::ImageQuery query;
  query.limit = 2;
  query.categories = {"user"};
  auto page = api_->list(query);
  ASSERT_TRUE(page) << page.error().describe();
  EXPECT_EQ(page->total, 3);
  EXPECT_EQ(page->limit, 2);
  EXPECT_EQ(page->offset, 0);
  ASSERT_EQ(page->items.size(), 2u);
  query.offset = 2;
  page = api_->list(query);
  ASSERT_TRUE(page) << page.error().describe();
  EXPECT_EQ(page->items.size(), 1u);
  ivk::ImageQuery masks;
  masks.categories = {"mask"};
  page = api_->list(masks);
  ASSERT_TRUE(page) << page.error().describe();
  EXPECT_EQ(page->total, 0);

  const std::vector<std::string> starred{b.image_name};
  auto star = api_->star(starred);
  ASSERT_TRUE(star) << star.error().describe();
  EXPECT_EQ(star->images, starred);
  EXPECT_EQ(star->affected_boards, std::vector<std::string>{"none"});
  auto got = api_->get(b.image_name);
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->starred);

  ivk::ImageQuery uncategorized;
  uncategorized.board_id = "none";
  uncategorized.starred_first = true;
  auto names = api_->names(uncategorized);
  ASSERT_TRUE(names) << names.error().describe();
  EXPECT_EQ(names->total, 3);
  EXPECT_EQ(names->starred_count, 1);
  ASSERT_EQ(names->names.size(), 3u);
  EXPECT_EQ(names->names[0], b.image_name);  // starred first

  auto unstar = api_->unstar(starred);
  ASSERT_TRUE(unstar) << unstar.error().describe();
  EXPECT_EQ(unstar->images, starred);

  ivk::ImagePatch patch;
  patch.image_category = "other";
  patch.starred = true;
  auto updated = api_->update(c.image_name, patch);
  ASSERT_TRUE(updated) << updated.error().describe();
  EXPECT_EQ(updated->image_category, "other");
  EXPECT_TRUE(updated->starred);

  const std::vector<std::string> two{c.image_name, a.image_name, "missing.png"};
  auto dtos = api_->by_names(two);
  ASSERT_TRUE(dtos) << dtos.error().describe();
  ASSERT_EQ(dtos->size(), 2u);
  EXPECT_EQ((*dtos)[0].image_name, c.image_name);
  EXPECT_EQ((*dtos)[1].image_name, a.image_name);

  auto removed = api_->remove(a.image_name);
  ASSERT_TRUE(removed) << removed.error().describe();
  EXPECT_EQ(removed->deleted_images, std::vector<std::string>{a.image_name});
  auto many = api_->remove_many(std::vector<std::string>{b.image_name});
  ASSERT_TRUE(many) << many.error().describe();
  EXPECT_EQ(many->deleted_images, std::vector<std::string>{b.image_name});
  auto rest = api_->remove_uncategorized();
  ASSERT_TRUE(rest) << rest.error().describe();
  EXPECT_EQ(rest->deleted_images, std::vector<std::string>{c.image_name});
  page = api_->list();
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 0);
}

TEST_F(ImagesApiTest, BuildsAZipOfImages) {
  const auto a = upload();
  auto name = api_->download_zip(std::vector<std::string>{a.image_name});
  ASSERT_TRUE(name) << name.error().describe();
  EXPECT_NE(name->find(".zip"), std::string::npos);
  auto zip = api_->download_zip_file(*name);
  ASSERT_TRUE(zip) << zip.error().describe();
  ASSERT_GT(zip->size(), 4u);
  EXPECT_EQ(zip->substr(0, 2), "PK");
}

TEST_F(ImagesApiTest, UnknownImagesAreNotFound) {
  auto dto = api_->get("nope.png");
  ASSERT_FALSE(dto);
  EXPECT_EQ(dto.error().code, ErrorCode::not_found);
  EXPECT_EQ(dto.error().detail, "Not Found");
  auto full = api_->full("nope.png");
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, ErrorCode::not_found);
  auto meta = api_->metadata("nope.png");
  ASSERT_FALSE(meta);
  EXPECT_EQ(meta.error().code, ErrorCode::not_found);
  auto zip = api_->download_zip_file("nope.zip");
  ASSERT_FALSE(zip);
  EXPECT_EQ(zip.error().code, ErrorCode::not_found);
}

}  // namespace
