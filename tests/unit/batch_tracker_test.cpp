// BatchTracker, BatchRun::wait's state, driven by scripted events and a fake queue: which reads it
// makes, what it reports, and what the summary holds.
#include "client/batch_tracker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ivk::detail {
namespace {

using namespace std::chrono_literals;
using Kind = RunEvent::Kind;
using Clock = BatchTracker::Clock;

// The server's side: each item's status, the batch's finished counts, and every request made.
struct FakeReads : BatchReads {
  std::map<std::int64_t, std::string> status;  // items_by_ids answers these (unknown ids skipped)
  std::vector<std::int64_t> extra;             // and these, asked for or not
  QueueCounts counts;                          // batch_status answers these
  int fail_item_reads = 0;                     // so many items_by_ids calls fail first
  int fail_status_reads = 0;
  std::vector<std::vector<std::int64_t>> item_reads;
  int status_reads = 0;

  Result<std::vector<QueueItem>> items_by_ids(std::span<const std::int64_t> ids) override {
    item_reads.emplace_back(ids.begin(), ids.end());
    if (fail_item_reads > 0) {
      --fail_item_reads;
      return fail(ErrorCode::transport, "connection refused");
    }
    std::vector<QueueItem> items;
    std::vector<std::int64_t> answered(ids.begin(), ids.end());
    answered.insert(answered.end(), extra.begin(), extra.end());
    for (std::int64_t id : answered) {
      auto it = status.find(id);
      if (it == status.end()) continue;
      QueueItem item;
      item.item_id = id;
      item.status = it->second;
      item.batch_id = "b1";
      item.session_json = R"({"id":"s)" + std::to_string(id) + R"("})";
      item.raw_json = R"({"item_id":)" + std::to_string(id) + "}";
      items.push_back(std::move(item));
    }
    return items;
  }

  Result<BatchStatus> batch_status(const std::string& batch_id) override {
    ++status_reads;
    if (fail_status_reads > 0) {
      --fail_status_reads;
      return fail(ErrorCode::http, "server error");
    }
    BatchStatus s;
    s.batch_id = batch_id;
    s.counts = counts;
    return s;
  }
};

// What the callback saw: the event's fields and the progress right after it.
struct Seen {
  Kind kind;
  std::int64_t item_id;
  std::optional<double> percentage;
  std::string status, message, node_type;
  std::size_t completed, failed, canceled;
  std::optional<std::int64_t> current_item;
  std::string item_session_json;  // item_finished: the item's session as the callback saw it
};

EnqueueResult enqueued(std::vector<std::int64_t> ids) {
  EnqueueResult e;
  e.batch_id = "b1";
  e.item_ids = std::move(ids);
  return e;
}

// Ids from..to inclusive, descending (as servers list them).
std::vector<std::int64_t> ids_down(std::int64_t from, std::int64_t to) {
  std::vector<std::int64_t> ids;
  for (std::int64_t id = to; id >= from; --id) ids.push_back(id);
  return ids;
}

std::vector<std::int64_t> ids_up(std::int64_t from, std::int64_t to) {
  std::vector<std::int64_t> ids(static_cast<std::size_t>(to - from + 1));
  std::iota(ids.begin(), ids.end(), from);
  return ids;
}

BatchEvent status_event(std::int64_t item, std::string status) {
  BatchEvent e;
  e.kind = BatchEvent::Kind::status_changed;
  e.batch_id = "b1";
  e.item_id = item;
  e.status = std::move(status);
  return e;
}

BatchEvent node_event(BatchEvent::Kind kind, std::int64_t item, std::string type,
                      std::optional<double> percentage = std::nullopt) {
  BatchEvent e;
  e.kind = kind;
  e.batch_id = "b1";
  e.item_id = item;
  e.node_id = type + ":1";
  e.node_type = std::move(type);
  e.percentage = percentage;
  if (kind == BatchEvent::Kind::node_progress) e.message = "Denoising";
  return e;
}

class BatchTrackerTest : public ::testing::Test {
 protected:
  void make(std::vector<std::int64_t> ids, bool keep_item_json = true) {
    tracker_.emplace(enqueued(std::move(ids)), keep_item_json, callback_, start_, [this] { return now_; });
  }
  BatchTracker& t() { return *tracker_; }

  Clock::time_point start_ = Clock::time_point(1000s);
  Clock::time_point now_ = start_;
  std::vector<Seen> seen_;
  BatchRun::EventCallback callback_ = [this](const RunEvent& e, const RunProgress& p) {
    seen_.push_back({e.kind, e.item_id, e.percentage, e.status, e.message, e.node_type, p.completed, p.failed,
                     p.canceled, p.current_item, e.item != nullptr ? e.item->session_json : ""});
  };
  FakeReads reads_;
  std::optional<BatchTracker> tracker_;
};

TEST_F(BatchTrackerTest, MarkedItemsAreReadInChunksOf200) {
  make(ids_down(1, 450));
  for (std::int64_t id = 1; id <= 450; ++id) {
    t().on_event(status_event(id, "completed"));
    reads_.status[id] = "completed";
  }
  EXPECT_EQ(t().marked().size(), 450u);
  EXPECT_TRUE(t().fetch_marked(reads_));

  ASSERT_EQ(reads_.item_reads.size(), 3u);
  EXPECT_EQ(reads_.item_reads[0], ids_up(1, 200));
  EXPECT_EQ(reads_.item_reads[1], ids_up(201, 400));
  EXPECT_EQ(reads_.item_reads[2], ids_up(401, 450));
  EXPECT_TRUE(t().done());
  EXPECT_EQ(t().progress().completed, 450u);
  EXPECT_TRUE(t().marked().empty());
  EXPECT_EQ(t().take_summary(false).polls, 3u);
}

TEST_F(BatchTrackerTest, NothingMarkedReadsNothing) {
  make({3, 2, 1});
  EXPECT_TRUE(t().fetch_marked(reads_));
  EXPECT_TRUE(reads_.item_reads.empty());
  EXPECT_EQ(t().take_summary(false).polls, 0u);
}

TEST_F(BatchTrackerTest, ReconcileReadsTheLowestPendingIdsFirst) {
  make(ids_down(1, 30));
  // The server finished 1..3: the lowest 3 + 8 pending ids are read, and that was enough.
  reads_.counts.completed = 2;
  reads_.counts.failed = 1;
  reads_.status = {{1, "completed"}, {2, "completed"}, {3, "failed"}, {4, "in_progress"}};
  t().reconcile(reads_);

  EXPECT_EQ(reads_.status_reads, 1);
  ASSERT_EQ(reads_.item_reads.size(), 1u);
  EXPECT_EQ(reads_.item_reads[0], ids_up(1, 11));
  EXPECT_EQ(t().progress().completed, 2u);
  EXPECT_EQ(t().progress().failed, 1u);
  EXPECT_EQ(t().pending().size(), 27u);
  EXPECT_EQ(*t().pending().begin(), 4);  // in_progress is not terminal: still pending

  // The counts now agree with ours: only the status is read.
  t().reconcile(reads_);
  EXPECT_EQ(reads_.status_reads, 2);
  EXPECT_EQ(reads_.item_reads.size(), 1u);
  EXPECT_EQ(t().take_summary(false).polls, 3u);
}

TEST_F(BatchTrackerTest, ReconcileReadsTheRestWhenTheLowestWereNotEnough) {
  make(ids_down(1, 30));
  // Two items finished, but not among the lowest 2 + 8 (another priority ran them first).
  reads_.counts.canceled = 2;
  reads_.status = {{25, "canceled"}, {30, "canceled"}};
  t().reconcile(reads_);

  ASSERT_EQ(reads_.item_reads.size(), 2u);
  EXPECT_EQ(reads_.item_reads[0], ids_up(1, 10));
  EXPECT_EQ(reads_.item_reads[1], ids_up(11, 30));
  EXPECT_EQ(t().progress().canceled, 2u);
  EXPECT_EQ(t().pending().size(), 28u);
}

TEST_F(BatchTrackerTest, ReconcileReadsTheRestInChunks) {
  make(ids_down(1, 500));
  reads_.counts.completed = 1;
  reads_.status = {{500, "completed"}};
  t().reconcile(reads_);

  ASSERT_EQ(reads_.item_reads.size(), 4u);
  EXPECT_EQ(reads_.item_reads[0], ids_up(1, 9));
  EXPECT_EQ(reads_.item_reads[1], ids_up(10, 209));
  EXPECT_EQ(reads_.item_reads[2], ids_up(210, 409));
  EXPECT_EQ(reads_.item_reads[3], ids_up(410, 500));
  EXPECT_EQ(t().progress().completed, 1u);
}

TEST_F(BatchTrackerTest, ReconcileWithFewPendingReadsThemOnce) {
  make({7, 5, 6});
  reads_.counts.completed = 1;
  reads_.status = {{6, "in_progress"}};  // the server is ahead of the read: nothing found
  t().reconcile(reads_);
  ASSERT_EQ(reads_.item_reads.size(), 1u);
  EXPECT_EQ(reads_.item_reads[0], (std::vector<std::int64_t>{5, 6, 7}));
  EXPECT_EQ(t().progress().finished(), 0u);
}

TEST_F(BatchTrackerTest, ScriptedEventStreamIsReportedInOrder) {
  make({11, 10});
  t().set_live(true);
  t().on_event(status_event(10, "in_progress"));
  t().on_event(node_event(BatchEvent::Kind::node_started, 10, "denoise_latents"));
  t().on_event(node_event(BatchEvent::Kind::node_progress, 10, "denoise_latents", 0.25));
  t().on_event(node_event(BatchEvent::Kind::node_progress, 10, "denoise_latents", std::nullopt));
  t().on_event(node_event(BatchEvent::Kind::node_progress, 10, "denoise_latents", 0.75));
  EXPECT_EQ(t().progress().current_node_type, "denoise_latents");
  EXPECT_EQ(t().progress().step_fraction, 0.75);
  EXPECT_TRUE(t().progress().live_events);
  t().on_event(node_event(BatchEvent::Kind::node_completed, 10, "denoise_latents"));
  t().on_event(status_event(10, "completed"));
  t().on_event(status_event(11, "pending"));  // neither in_progress nor terminal: nothing
  reads_.status[10] = "completed";
  now_ = start_ + 4s;
  EXPECT_TRUE(t().fetch_marked(reads_));

  ASSERT_EQ(seen_.size(), 7u);
  EXPECT_EQ(seen_[0].kind, Kind::item_started);
  EXPECT_EQ(seen_[0].status, "in_progress");
  EXPECT_EQ(seen_[1].kind, Kind::node_started);
  EXPECT_EQ(seen_[1].node_type, "denoise_latents");
  EXPECT_EQ(seen_[2].kind, Kind::node_progress);
  EXPECT_EQ(seen_[2].percentage, 0.25);
  EXPECT_EQ(seen_[2].message, "Denoising");
  EXPECT_EQ(seen_[3].kind, Kind::node_progress);
  EXPECT_EQ(seen_[3].percentage, std::nullopt);
  EXPECT_EQ(seen_[4].percentage, 0.75);
  EXPECT_EQ(seen_[5].kind, Kind::node_completed);
  EXPECT_EQ(seen_[6].kind, Kind::item_finished);
  EXPECT_EQ(seen_[6].status, "completed");
  EXPECT_EQ(seen_[6].item_session_json, R"({"id":"s10"})");
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(seen_[i].item_id, 10) << i;
    EXPECT_EQ(seen_[i].current_item, 10) << i;
    EXPECT_EQ(seen_[i].completed, 0u) << i;
  }
  // Finishing the current item clears the current item; the ETA is the pace so far times what is left.
  EXPECT_EQ(seen_[6].item_id, 10);
  EXPECT_EQ(seen_[6].completed, 1u);
  EXPECT_EQ(seen_[6].current_item, std::nullopt);
  EXPECT_EQ(t().progress().current_node_type, "");
  EXPECT_EQ(t().progress().step_fraction, std::nullopt);
  EXPECT_EQ(t().progress().eta_seconds, 4.0);
  EXPECT_EQ(t().take_summary(false).events, 8u);
}

TEST_F(BatchTrackerTest, TerminalStatusEventMarksTheItemForAReadInsteadOfFinishingIt) {
  make({2, 1});
  t().on_event(status_event(1, "completed"));
  t().on_event(node_event(BatchEvent::Kind::node_error, 2, "l2i"));
  EXPECT_TRUE(seen_.empty());
  EXPECT_EQ(t().progress().finished(), 0u);
  EXPECT_EQ(t().marked(), (std::set<std::int64_t>{1, 2}));
  EXPECT_EQ(t().pending().size(), 2u);

  // The read is the truth: item 1 is done, item 2 still runs (its error event was a hint only).
  reads_.status = {{1, "completed"}, {2, "in_progress"}};
  EXPECT_TRUE(t().fetch_marked(reads_));
  ASSERT_EQ(reads_.item_reads.size(), 1u);
  EXPECT_EQ(reads_.item_reads[0], (std::vector<std::int64_t>{1, 2}));
  EXPECT_TRUE(t().marked().empty());
  EXPECT_EQ(t().pending(), (std::set<std::int64_t>{2}));
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_EQ(seen_[0].kind, Kind::item_finished);
  EXPECT_EQ(seen_[0].item_id, 1);
}

TEST_F(BatchTrackerTest, EventsOfItemsNotPendingAreIgnored) {
  make({2, 1});
  reads_.status = {{1, "completed"}};
  t().on_event(status_event(1, "completed"));
  t().fetch_marked(reads_);
  seen_.clear();

  t().on_event(status_event(1, "in_progress"));                              // finished already
  t().on_event(node_event(BatchEvent::Kind::node_progress, 1, "l2i", 0.5));  // finished already
  t().on_event(status_event(99, "completed"));                               // not of this batch's items
  t().on_event(node_event(BatchEvent::Kind::node_started, 99, "l2i"));
  EXPECT_TRUE(seen_.empty());
  EXPECT_TRUE(t().marked().empty());
  EXPECT_EQ(t().progress().current_item, std::nullopt);
  // An answer with an item already finished (or never ours) does not count it twice.
  reads_.status = {{1, "completed"}, {99, "completed"}, {2, "canceled"}};
  reads_.extra = {1, 99};
  reads_.counts.completed = 1;
  reads_.counts.canceled = 2;
  t().reconcile(reads_);
  EXPECT_EQ(reads_.item_reads.back(), (std::vector<std::int64_t>{2}));
  EXPECT_EQ(t().progress().completed, 1u);
  EXPECT_EQ(t().progress().canceled, 1u);
  EXPECT_EQ(t().take_summary(false).events, 5u);  // counted all the same
}

TEST_F(BatchTrackerTest, ProgressCountsEachTerminalStatus) {
  make({4, 3, 2, 1});
  reads_.status = {{1, "completed"}, {2, "failed"}, {3, "canceled"}, {4, "completed"}};
  for (std::int64_t id : {3, 1, 2})
    t().on_event(status_event(id, "failed"));  // the status hint is not trusted
  now_ = start_ + 9s;
  EXPECT_TRUE(t().fetch_marked(reads_));
  ASSERT_EQ(seen_.size(), 3u);
  EXPECT_EQ(seen_[0].item_id, 1);
  EXPECT_EQ(seen_[1].item_id, 2);
  EXPECT_EQ(seen_[2].item_id, 3);
  EXPECT_EQ(seen_[2].status, "canceled");
  EXPECT_EQ(t().progress().completed, 1u);
  EXPECT_EQ(t().progress().failed, 1u);
  EXPECT_EQ(t().progress().canceled, 1u);
  EXPECT_EQ(t().progress().finished(), 3u);
  EXPECT_EQ(t().progress().total, 4u);
  EXPECT_EQ(t().progress().eta_seconds, 3.0);  // 9 s for 3 items, 1 to go
  EXPECT_FALSE(t().done());
}

TEST_F(BatchTrackerTest, SummaryListsItemsInIdOrder) {
  make({42, 7, 19, 3});
  reads_.status = {{3, "failed"}, {7, "completed"}, {19, "completed"}, {42, "canceled"}};
  for (std::int64_t id : {42, 19}) t().on_event(status_event(id, "completed"));
  t().fetch_marked(reads_);
  for (std::int64_t id : {7, 3}) t().on_event(status_event(id, "completed"));
  t().fetch_marked(reads_);
  ASSERT_TRUE(t().done());

  RunSummary summary = t().take_summary(true);
  EXPECT_EQ(summary.batch_id, "b1");
  ASSERT_EQ(summary.items.size(), 4u);
  EXPECT_EQ(summary.items[0].item_id, 3);
  EXPECT_EQ(summary.items[1].item_id, 7);
  EXPECT_EQ(summary.items[2].item_id, 19);
  EXPECT_EQ(summary.items[3].item_id, 42);
  EXPECT_EQ(summary.items[0].status, "failed");
  EXPECT_EQ(summary.items[3].status, "canceled");
  EXPECT_EQ(summary.items[0].session_json, R"({"id":"s3"})");  // kept by default
  EXPECT_EQ(summary.completed, 2u);
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_EQ(summary.canceled, 1u);
  EXPECT_TRUE(summary.cancel_sent);
  EXPECT_EQ(summary.polls, 2u);
  EXPECT_EQ(summary.events, 4u);
}

TEST_F(BatchTrackerTest, ItemJsonIsDroppedAfterTheCallbackUnlessKept) {
  make({1}, /*keep_item_json=*/false);
  reads_.status = {{1, "completed"}};
  t().on_event(status_event(1, "completed"));
  t().fetch_marked(reads_);
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_EQ(seen_[0].item_session_json, R"({"id":"s1"})");  // the callback saw it
  RunSummary summary = t().take_summary(false);
  ASSERT_EQ(summary.items.size(), 1u);
  EXPECT_EQ(summary.items[0].session_json, "");
  EXPECT_EQ(summary.items[0].raw_json, "");
  EXPECT_EQ(summary.items[0].batch_id, "b1");  // the rest stays
}

TEST_F(BatchTrackerTest, StreamChangesAreReported) {
  make({1});
  t().on_stream_change(false, "connection reset");
  t().on_stream_change(true, "");
  ASSERT_EQ(seen_.size(), 2u);
  EXPECT_EQ(seen_[0].kind, Kind::stream_lost);
  EXPECT_EQ(seen_[0].message, "connection reset");
  EXPECT_EQ(seen_[0].item_id, 0);
  EXPECT_EQ(seen_[1].kind, Kind::stream_restored);
  EXPECT_EQ(seen_[1].message, "");
  EXPECT_EQ(t().take_summary(false).events, 0u);
}

TEST_F(BatchTrackerTest, FailedReadKeepsTheErrorAndALaterGoodReadClearsIt) {
  make(ids_down(1, 250));
  for (std::int64_t id = 1; id <= 250; ++id) t().on_event(status_event(id, "completed"));
  reads_.status = {{1, "completed"}, {250, "completed"}};
  reads_.fail_item_reads = 1;
  EXPECT_FALSE(t().fetch_marked(reads_));
  ASSERT_TRUE(t().last_read_error().has_value());
  EXPECT_EQ(t().last_read_error()->code, ErrorCode::transport);
  EXPECT_EQ(t().last_read_error()->message, "connection refused");
  ASSERT_EQ(reads_.item_reads.size(), 1u);  // the first chunk failed: no second chunk
  // The marks are gone: reconciliation finds what the failed read missed, not another read.
  EXPECT_TRUE(t().marked().empty());
  EXPECT_TRUE(t().fetch_marked(reads_));
  EXPECT_EQ(reads_.item_reads.size(), 1u);
  EXPECT_TRUE(t().last_read_error().has_value());

  // A failed status read replaces the error; a good one that needs no item read leaves it.
  reads_.fail_status_reads = 1;
  t().reconcile(reads_);
  EXPECT_EQ(t().last_read_error()->message, "server error");
  t().reconcile(reads_);
  EXPECT_EQ(t().last_read_error()->message, "server error");

  reads_.counts.completed = 2;
  t().reconcile(reads_);
  EXPECT_FALSE(t().last_read_error().has_value());
  ASSERT_EQ(reads_.item_reads.size(), 4u);
  EXPECT_EQ(reads_.item_reads[1], ids_up(1, 10));
  EXPECT_EQ(reads_.item_reads[2], ids_up(11, 210));  // then the rest, chunked
  EXPECT_EQ(reads_.item_reads[3], ids_up(211, 250));
  EXPECT_EQ(t().progress().completed, 2u);
}

}  // namespace
}  // namespace ivk::detail
