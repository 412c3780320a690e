// The duplicate-event rule of spec §8.2: 6.12-6.13 servers send each invocation event to the user room
// and to the admin room, and the admin copy of invocation_progress has "image": null.
#include "events/event_dedupe.h"

#include <gtest/gtest.h>

namespace {

using Verdict = ivk::EventDeduper::Verdict;

std::string progress(std::string_view percentage, std::string_view image,
                     std::string_view invocation_id = "b8400875-a1ac-44ac-b2e6-e16e1f680dbe",
                     std::string_view timestamp = "1724224813") {
  return std::string(R"({"timestamp":)") + std::string(timestamp) +
         R"(,"queue_id":"default","item_id":229,"batch_id":"0f0c","origin":"workflows","destination":"gallery",)"
         R"("user_id":"system","session_id":"7676","invocation":{"id":")" +
         std::string(invocation_id) +
         R"(","type":"denoise_latents"},"invocation_source_id":"denoise:Xy12",)"
         R"("message":"Denoising","percentage":)" +
         std::string(percentage) + R"(,"image":)" + std::string(image) + "}";
}

const std::string kImage = R"({"width":96,"height":128,"dataURL":"data:image/jpeg;base64,/9j/4AAQ"})";

const std::string kComplete =
    R"({"timestamp":1724224813,"queue_id":"default","item_id":229,"batch_id":"0f0c","origin":"workflows",)"
    R"("destination":"gallery","user_id":"system","session_id":"7676","invocation":{"id":"b8400875-a1ac-44ac-)"
    R"(b2e6-e16e1f680dbe","type":"l2i"},"invocation_source_id":"canvas_output:JbPTiAJ26r","result":{"type":)"
    R"("image_output","image":{"image_name":"f1c2.png"},"width":768,"height":1024}})";

TEST(EventDedupe, KeysAreExact) {
  EXPECT_EQ(ivk::event_dedupe_key("invocation_complete", kComplete).value(),
            "invocation_complete\n229\n\"b8400875-a1ac-44ac-b2e6-e16e1f680dbe\"\n1724224813\n");
  EXPECT_EQ(
      ivk::event_dedupe_key("invocation_progress", progress("0.5", "null")).value(),
      "invocation_progress\n229\n\"b8400875-a1ac-44ac-b2e6-e16e1f680dbe\"\n1724224813\n0.5\n\"Denoising\"\n");
  EXPECT_EQ(ivk::event_dedupe_key("queue_item_status_changed",
                                  R"({"timestamp":5,"item_id":3,"status":"completed","status_sequence":2})")
                .value(),
            "queue_item_status_changed\n3\n\"completed\"\n5\n2\n");
  EXPECT_EQ(
      ivk::event_dedupe_key("queue_item_status_changed", R"({"timestamp":5,"item_id":3,"status":"failed"})")
          .value(),
      "queue_item_status_changed\n3\n\"failed\"\n5\nnull\n");
  EXPECT_EQ(
      ivk::event_dedupe_key("batch_enqueued", R"({"timestamp":9,"batch_id":"b1","enqueued":2})").value(),
      "batch_enqueued\n\"b1\"\n9\n");
}

TEST(EventDedupe, BothCopiesShareAKeyAndDistinctEventsDoNot) {
  const auto user_copy = ivk::event_dedupe_key("invocation_progress", progress("0.5", kImage));
  const auto admin_copy = ivk::event_dedupe_key("invocation_progress", progress("0.5", "null"));
  ASSERT_TRUE(user_copy.has_value());
  EXPECT_EQ(user_copy, admin_copy);  // the image is not part of the identity
  EXPECT_NE(user_copy, ivk::event_dedupe_key("invocation_progress", progress("0.6", kImage)));
  EXPECT_NE(user_copy, ivk::event_dedupe_key("invocation_progress", progress("null", kImage)));
  EXPECT_NE(user_copy, ivk::event_dedupe_key("invocation_progress", progress("0.5", kImage, "other-node")));
  EXPECT_NE(user_copy, ivk::event_dedupe_key(
                           "invocation_progress",
                           progress("0.5", kImage, "b8400875-a1ac-44ac-b2e6-e16e1f680dbe", "1724224814")));
  EXPECT_NE(ivk::event_dedupe_key("invocation_started", kComplete),
            ivk::event_dedupe_key("invocation_complete", kComplete));
}

TEST(EventDedupe, UnidentifiableOrNeverDuplicatedEventsHaveNoKey) {
  EXPECT_FALSE(ivk::event_dedupe_key("model_load_started", R"({"timestamp":1,"config":{}})").has_value());
  EXPECT_FALSE(ivk::event_dedupe_key("queue_cleared", R"({"timestamp":1,"queue_id":"default"})").has_value());
  EXPECT_FALSE(ivk::event_dedupe_key("invocation_complete", R"({"timestamp":1,"item_id":2})").has_value());
  EXPECT_FALSE(ivk::event_dedupe_key("invocation_complete", "not json").has_value());
  EXPECT_FALSE(ivk::event_dedupe_key("invocation_complete", "[1,2]").has_value());
  EXPECT_FALSE(ivk::event_dedupe_key("batch_enqueued", R"({"batch_id":"b"})").has_value());
}

TEST(EventDedupe, PrefersTheCopyWithAnImage) {
  EXPECT_TRUE(ivk::duplicate_should_replace(progress("0.5", "null"), progress("0.5", kImage)));
  EXPECT_FALSE(ivk::duplicate_should_replace(progress("0.5", kImage), progress("0.5", "null")));
  EXPECT_FALSE(ivk::duplicate_should_replace(progress("0.5", kImage), progress("0.5", kImage)));
  EXPECT_FALSE(ivk::duplicate_should_replace(progress("0.5", "null"), progress("0.5", "null")));
  EXPECT_TRUE(ivk::duplicate_should_replace(R"({"timestamp":1})", progress("0.5", kImage)));  // absent = null
  EXPECT_FALSE(ivk::duplicate_should_replace(kComplete, kComplete));
  EXPECT_FALSE(ivk::duplicate_should_replace("garbage", "{also garbage"));
}

TEST(EventDedupe, DeduperDropsSecondCopiesAndUpgradesToTheImage) {
  ivk::EventDeduper d;
  // User copy (with image) first, admin copy (image null) second: the second adds nothing.
  EXPECT_EQ(d.offer("invocation_progress", progress("0.1", kImage)), Verdict::deliver);
  EXPECT_EQ(d.offer("invocation_progress", progress("0.1", "null")), Verdict::drop);
  // Admin copy first: the user copy replaces it; a third copy is dropped.
  EXPECT_EQ(d.offer("invocation_progress", progress("0.2", "null")), Verdict::deliver);
  EXPECT_EQ(d.offer("invocation_progress", progress("0.2", kImage)), Verdict::replace);
  EXPECT_EQ(d.offer("invocation_progress", progress("0.2", kImage)), Verdict::drop);
  // Non-progress invocation events and 6.13 status events.
  EXPECT_EQ(d.offer("invocation_complete", kComplete), Verdict::deliver);
  EXPECT_EQ(d.offer("invocation_complete", kComplete), Verdict::drop);
  const std::string status = R"({"timestamp":5,"item_id":229,"status":"in_progress","status_sequence":1})";
  EXPECT_EQ(d.offer("queue_item_status_changed", status), Verdict::deliver);
  EXPECT_EQ(d.offer("queue_item_status_changed", status), Verdict::drop);
  EXPECT_EQ(d.offer("queue_item_status_changed",
                    R"({"timestamp":5,"item_id":229,"status":"completed","status_sequence":2})"),
            Verdict::deliver);
  // Never-duplicated and unidentifiable events always pass and are not remembered.
  const std::size_t remembered = d.size();
  EXPECT_EQ(d.offer("model_install_complete", R"({"id":1})"), Verdict::deliver);
  EXPECT_EQ(d.offer("model_install_complete", R"({"id":1})"), Verdict::deliver);
  EXPECT_EQ(d.offer("invocation_complete", "{broken"), Verdict::deliver);
  EXPECT_EQ(d.offer("invocation_complete", "{broken"), Verdict::deliver);
  EXPECT_EQ(d.size(), remembered);
  d.clear();
  EXPECT_EQ(d.size(), 0u);
  EXPECT_EQ(d.offer("invocation_complete", kComplete), Verdict::deliver);
}

TEST(EventDedupe, DeduperForgetsTheOldestKeysBeyondCapacity) {
  ivk::EventDeduper d(2);
  EXPECT_EQ(d.offer("invocation_progress", progress("0.1", "null")), Verdict::deliver);
  EXPECT_EQ(d.offer("invocation_progress", progress("0.2", "null")), Verdict::deliver);
  EXPECT_EQ(d.offer("invocation_progress", progress("0.3", "null")), Verdict::deliver);
  EXPECT_EQ(d.size(), 2u);
  EXPECT_EQ(d.offer("invocation_progress", progress("0.3", "null")), Verdict::drop);
  EXPECT_EQ(d.offer("invocation_progress", progress("0.1", "null")), Verdict::deliver);  // forgotten
  ivk::EventDeduper zero(0);                                                             // treated as 1
  EXPECT_EQ(zero.offer("invocation_complete", kComplete), Verdict::deliver);
  EXPECT_EQ(zero.offer("invocation_complete", kComplete), Verdict::drop);
}

}  // namespace
