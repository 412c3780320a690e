#pragma once
// The run journal: an SQLite database (run.sqlite) in a run's output folder that records everything
// the run engine decides before it acts on it, so that a run killed at any moment can go on from the
// journal alone without losing, repeating or silently dropping a plan item. See docs/adr/0011.
//
// Item states (items.state):
//   new        materialised from the plan, not on the server (first time, or to be enqueued again)
//   sending    in a batch whose enqueue answer has not been recorded (maybe on the server, maybe not)
//   queued     a server item exists and is not terminal
//   collecting the server item completed; some of its images are not saved yet
//   done       completed and every image saved (or downloads were off)
//   failed     the server item failed (re-run only with --retry-failed), or it vanished too often
//   canceled   canceled because this run was interrupted (a resume enqueues it again)
// Private to src/client. Not thread-safe: the engine's thread owns it.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"

namespace ivk::detail {

inline constexpr std::string_view kJournalFileName = "run.sqlite";
inline constexpr std::string_view kManifestFileName = "run.json";

struct JournalItem {
  std::uint64_t index = 0;
  std::string values_json;  // JSON array parallel to the plan's fields
  std::string state;
  int attempts = 0;  // server items created for it so far
  std::optional<std::int64_t> server_item_id;
  std::string batch_id;
  std::string status;  // the server item's last status
  std::optional<std::string> error_type, error_message;
};

struct JournalImage {
  std::uint64_t index = 0;
  std::int64_t item_id = 0;
  int position = 0;  // the image's place among its item's images
  std::string image_name;
  std::string file_name;
  std::string state;  // pending, saved, failed
  std::int64_t bytes = 0;
  std::string sha256;
  std::optional<std::string> error;
};

struct JournalBatch {
  std::string batch_id;
  std::string state;                   // sending, accepted, absent
  std::vector<std::uint64_t> indices;  // plan index per batch position
  std::int64_t created_ms = 0;         // when it was journaled (Unix ms)
};

struct JournalCounts {
  std::uint64_t fresh = 0, sending = 0, queued = 0, collecting = 0, done = 0, failed = 0, canceled = 0;
  std::uint64_t images_saved = 0, images_failed = 0, duplicates = 0;
  [[nodiscard]] std::uint64_t total() const noexcept {
    return fresh + sending + queued + collecting + done + failed + canceled;
  }
};

class RunJournal {
 public:
  // Opens DIR/run.sqlite (creating it and DIR's schema when missing) and takes an exclusive flock on
  // it. A second process on the same folder gets ErrorCode::io at once (the folder is busy; no
  // server said anything).
  static Result<std::unique_ptr<RunJournal>> open(const std::filesystem::path& dir);
  ~RunJournal();
  RunJournal(const RunJournal&) = delete;
  RunJournal& operator=(const RunJournal&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const noexcept;

  // Groups the following changes into one commit (changes outside a transaction commit alone).
  // Nested calls join the outer one. commit() makes them durable (synchronous, WAL).
  Status begin();
  Status commit();
  void rollback();

  Result<std::optional<std::string>> meta(std::string_view key);
  Status set_meta(std::string_view key, std::string_view value);

  // The next plan index not yet materialised.
  Result<std::uint64_t> next_index();
  // Materialises plan items (state new) and advances next_index past them.
  Status add_items(const std::vector<std::pair<std::uint64_t, std::string>>& index_and_values);
  Result<JournalItem> item(std::uint64_t index);

  // A batch about to be sent: its items go to `sending`.
  Status add_batch(const std::string& batch_id, const std::vector<std::uint64_t>& indices);
  // The enqueue answer (or what a lookup found): positions [0, item_ids.size()) got these server ids
  // (ascending id = batch position); the rest go back to `new`, to be enqueued again.
  Status accept_batch(const std::string& batch_id, const std::vector<std::int64_t>& item_ids_in_order);
  // The server does not have the batch: every item goes back to `new`.
  Status mark_batch_absent(const std::string& batch_id);
  Result<std::vector<JournalBatch>> batches_in_state(std::string_view state);

  // A server item's news. Terminal statuses move the item (completed -> collecting, failed -> failed,
  // canceled -> canceled); others only record the status.
  Status set_item_status(std::uint64_t index, std::int64_t item_id, std::string_view status,
                         std::optional<std::string_view> error_type = std::nullopt,
                         std::optional<std::string_view> error_message = std::nullopt);
  // The server item is gone or was canceled by someone else: back to `new` (attempts stay counted).
  Status requeue_item(std::uint64_t index, std::string_view reason);
  // Gives up on the item: failed, with the reason as its error.
  Status fail_item(std::uint64_t index, std::string_view error_type, std::string_view error_message);
  // A server item of a late batch (marked absent, its plan items sent again) with its status when
  // found. Counted in `duplicates` when it completed: that plan item ran twice on the server.
  Status record_duplicate(std::int64_t item_id, std::string_view batch_id, std::uint64_t index,
                          std::string_view status);

  // The images of a completed item, before any is downloaded (file names decided and reserved).
  Status add_images(const std::vector<JournalImage>& images);
  Status image_saved(std::string_view file_name, std::int64_t bytes, std::string_view sha256);
  Status image_failed(std::string_view file_name, std::string_view error);
  Status item_done(std::uint64_t index);
  Result<bool> file_name_taken(std::string_view file_name);

  Result<std::vector<JournalItem>> items_in_state(std::string_view state, std::size_t limit = SIZE_MAX);
  Result<std::vector<JournalImage>> images_of(std::uint64_t index);
  Result<std::vector<JournalImage>> images_in_state(std::string_view state);
  Result<JournalCounts> counts();

  // Every item by ascending index with its images, for run.json (streamed: memory stays flat).
  Status for_each_item(
      const std::function<void(const JournalItem&, const std::vector<JournalImage>&)>& visit);

  struct Impl;

 private:
  explicit RunJournal(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ivk::detail
