// The run journal: states, batches (short and lost answers), images, the lock, and reopening.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "client/run_journal.h"

namespace ivk::detail {
namespace {

class RunJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ivk-journal-" + std::to_string(std::random_device{}()) + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<RunJournal> open() {
    auto j = RunJournal::open(dir_);
    EXPECT_TRUE(j.has_value()) << (j ? "" : j.error().describe());
    return j ? std::move(*j) : nullptr;
  }
  std::filesystem::path dir_;
};

TEST_F(RunJournalTest, ItemsGoThroughABatchWhoseAnswerWasShort) {
  auto j = open();
  ASSERT_TRUE(j);
  EXPECT_EQ(j->next_index().value(), 0u);
  ASSERT_TRUE(j->add_items({{0, "[1]"}, {1, "[2]"}, {2, "[3]"}}));
  EXPECT_EQ(j->next_index().value(), 3u);
  ASSERT_TRUE(j->add_batch("b1", {0, 1, 2}));
  EXPECT_EQ(j->item(1)->state, "sending");
  EXPECT_EQ(j->item(1)->batch_id, "b1");
  ASSERT_EQ(j->batches_in_state("sending")->size(), 1u);
  EXPECT_EQ(j->batches_in_state("sending")->front().indices, (std::vector<std::uint64_t>{0, 1, 2}));

  // The server took two of three: positions 0 and 1 got ids 41 and 42, position 2 goes again.
  ASSERT_TRUE(j->accept_batch("b1", {41, 42}));
  auto first = j->item(0).value();
  EXPECT_EQ(first.state, "queued");
  EXPECT_EQ(first.server_item_id, 41);
  EXPECT_EQ(first.attempts, 1);
  EXPECT_EQ(j->item(1)->server_item_id, 42);
  auto third = j->item(2).value();
  EXPECT_EQ(third.state, "new");
  EXPECT_FALSE(third.server_item_id.has_value());
  EXPECT_EQ(third.attempts, 0);
  EXPECT_TRUE(j->batches_in_state("sending")->empty());
  EXPECT_EQ(j->items_in_state("new")->size(), 1u);
  // A late copy of the batch: the item it completed counts as a duplicate, the canceled one does not.
  ASSERT_TRUE(j->record_duplicate(99, "late", 0, "completed"));
  ASSERT_TRUE(j->record_duplicate(100, "late", 1, "canceled"));
  EXPECT_EQ(j->counts()->duplicates, 1u);
  EXPECT_EQ(j->item(0)->server_item_id, 41);  // the plan item keeps its own server item
}

TEST_F(RunJournalTest, AnAbsentBatchSendsItsItemsAgain) {
  auto j = open();
  ASSERT_TRUE(j);
  ASSERT_TRUE(j->add_items({{0, "[\"a\"]"}, {1, "[\"b\"]"}}));
  ASSERT_TRUE(j->add_batch("lost", {0, 1}));
  ASSERT_TRUE(j->mark_batch_absent("lost"));
  auto again = j->items_in_state("new").value();
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].values_json, "[\"a\"]");
  EXPECT_EQ(again[1].attempts, 0);
  EXPECT_EQ(j->batches_in_state("absent")->size(), 1u);
}

TEST_F(RunJournalTest, TerminalStatusesMoveItemsAndImagesFinishThem) {
  auto j = open();
  ASSERT_TRUE(j);
  ASSERT_TRUE(j->add_items({{0, "[1]"}, {1, "[2]"}, {2, "[3]"}}));
  ASSERT_TRUE(j->add_batch("b", {0, 1, 2}));
  ASSERT_TRUE(j->accept_batch("b", {10, 11, 12}));
  ASSERT_TRUE(j->set_item_status(0, 10, "in_progress"));
  EXPECT_EQ(j->item(0)->state, "queued");
  EXPECT_EQ(j->item(0)->status, "in_progress");
  ASSERT_TRUE(j->set_item_status(0, 10, "completed"));
  EXPECT_EQ(j->item(0)->state, "collecting");
  ASSERT_TRUE(j->set_item_status(1, 11, "failed", "NodeError", "boom"));
  EXPECT_EQ(j->item(1)->state, "failed");
  EXPECT_EQ(j->item(1)->error_message, "boom");
  // A status for an item under another server id (a stale attempt) changes nothing.
  ASSERT_TRUE(j->set_item_status(2, 99, "completed"));
  EXPECT_EQ(j->item(2)->state, "queued");

  JournalImage a{0, 10, 0, "x.png", "x.png", "", 0, "", std::nullopt};
  JournalImage b{0, 10, 1, "y.png", "y.png", "", 0, "", std::nullopt};
  ASSERT_TRUE(j->add_images({a, b}));
  EXPECT_TRUE(j->file_name_taken("x.png").value());
  EXPECT_FALSE(j->file_name_taken("z.png").value());
  ASSERT_TRUE(j->image_saved("x.png", 123, "abc"));
  ASSERT_TRUE(j->image_failed("y.png", "404"));
  ASSERT_TRUE(j->item_done(0));
  auto counts = j->counts().value();
  EXPECT_EQ(counts.done, 1u);
  EXPECT_EQ(counts.failed, 1u);
  EXPECT_EQ(counts.queued, 1u);
  EXPECT_EQ(counts.images_saved, 1u);
  EXPECT_EQ(counts.images_failed, 1u);

  std::vector<std::pair<std::uint64_t, std::size_t>> seen;
  ASSERT_TRUE(j->for_each_item([&](const JournalItem& item, const std::vector<JournalImage>& images) {
    seen.emplace_back(item.index, images.size());
    if (item.index == 0) {
      EXPECT_EQ(images[0].bytes, 123);
      EXPECT_EQ(images[0].sha256, "abc");
      EXPECT_EQ(images[1].error, "404");
    }
  }));
  EXPECT_EQ(seen, (std::vector<std::pair<std::uint64_t, std::size_t>>{{0, 2}, {1, 0}, {2, 0}}));
}

TEST_F(RunJournalTest, RequeueKeepsTheAttemptCount) {
  auto j = open();
  ASSERT_TRUE(j);
  ASSERT_TRUE(j->add_items({{5, "[1]"}}));
  EXPECT_EQ(j->next_index().value(), 6u);
  ASSERT_TRUE(j->add_batch("b", {5}));
  ASSERT_TRUE(j->accept_batch("b", {7}));
  ASSERT_TRUE(j->requeue_item(5, "vanished"));
  auto item = j->item(5).value();
  EXPECT_EQ(item.state, "new");
  EXPECT_EQ(item.attempts, 1);
  ASSERT_TRUE(j->add_batch("c", {5}));
  ASSERT_TRUE(j->accept_batch("c", {8}));
  EXPECT_EQ(j->item(5)->attempts, 2);
  EXPECT_EQ(j->item(5)->server_item_id, 8);
}

TEST_F(RunJournalTest, ASecondOpenOfTheFolderIsRefusedUntilTheFirstCloses) {
  auto first = open();
  ASSERT_TRUE(first);
  auto second = RunJournal::open(dir_);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, ErrorCode::io);
  EXPECT_NE(second.error().message.find("another ivk run"), std::string::npos);
  first.reset();
  EXPECT_TRUE(RunJournal::open(dir_).has_value());
}

TEST_F(RunJournalTest, WhatWasCommittedIsThereAfterReopening) {
  {
    auto j = open();
    ASSERT_TRUE(j);
    ASSERT_TRUE(j->set_meta("workflow", "{}"));
    ASSERT_TRUE(j->add_items({{0, "[1]"}}));
    ASSERT_TRUE(j->begin());
    ASSERT_TRUE(j->add_items({{1, "[2]"}}));
    j->rollback();  // never committed: gone
  }
  auto j = open();
  ASSERT_TRUE(j);
  EXPECT_EQ(j->meta("workflow").value(), std::optional<std::string>("{}"));
  EXPECT_EQ(j->next_index().value(), 1u);
  EXPECT_FALSE(j->item(1).has_value());
  EXPECT_EQ(j->item(0)->values_json, "[1]");
}

}  // namespace
}  // namespace ivk::detail
