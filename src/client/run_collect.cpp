// Collecting a durable run's images: a completed item's images get their file names (journaled before
// any byte is fetched, collisions resolved deterministically), are downloaded atomically, and are
// recorded with their size and SHA-256 as they land. An item is done when every image is saved.
#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include "file_name_template.h"
#include "ivk/api/boards_api.h"
#include "ivk/api/images_api.h"
#include "ivk/client/output_mapping.h"
#include "run_engine.h"

namespace ivk {

namespace {

// A file name no other image of the run has (nor one of this item's own, not yet journaled).
// A name no image of this run has and no file in the folder has: a file the journal does not know is
// someone else's (an earlier run kept by --new, the user's own), never to be taken as this item's
// image. (This run's files are journaled before they are downloaded, so they are never foreign.)
Result<std::string> free_file_name(detail::RunJournal& journal, const std::filesystem::path& dir,
                                   std::string name, std::uint64_t index, int n,
                                   const std::set<std::string>& mine) {
  const std::string first = name;
  for (int attempt = 1;; ++attempt) {
    auto taken = journal.file_name_taken(name);
    if (!taken) return tl::unexpected(taken.error());
    std::error_code ec;
    const bool on_disk = std::filesystem::exists(dir / name, ec) || ec;
    if (!*taken && !on_disk && mine.count(name) == 0) return name;
    name = detail::collision_name(first, index, n, attempt);
  }
}

// A download error worth another try: the connection, a timeout, or the server's passing trouble.
bool transient(const Error& e) {
  if (e.code == ErrorCode::transport || e.code == ErrorCode::timeout) return true;
  return e.code == ErrorCode::http &&
         (e.http_status == 429 || (e.http_status >= 500 && e.http_status <= 504));
}

constexpr int kDownloadAttempts = 8;

}  // namespace

Status Run::Impl::collect(std::uint64_t index, const QueueItem& item) {
  auto mapped = map_item_images(item.session_json, workflow.templates(), &workflow);
  if (!mapped) {
    // Completed on the server, but its results cannot be read: nothing to save, and saying so.
    if (auto ok = journal->set_item_status(index, item.item_id, "completed"); !ok) return ok;
    if (auto ok = journal->fail_item(index, "ivk_unreadable_results", mapped.error().describe()); !ok)
      return ok;
    ++finished_this_execute;
    RunNotice n;
    n.kind = RunNotice::Kind::item_finished;
    n.index = index;
    n.item_id = item.item_id;
    n.status = "failed";
    n.error_message = mapped.error().describe();
    notify(n);
    return {};
  }
  auto stored = journal->item(index);
  if (!stored) return tl::unexpected(stored.error());
  // Values for the name template, parallel to the plan's fields.
  const std::vector<std::string> field_values = values_of(stored->values_json);

  std::vector<detail::JournalImage> images;
  std::set<std::string> mine;
  int n = 0;
  for (const auto& name : mapped->collect) {
    detail::NameContext context;
    context.index = index;
    context.n = n;
    context.item_id = item.item_id;
    context.image_name = name;
    context.batch_id = item.batch_id;
    context.fields = &plan.fields();
    context.values_json = &field_values;
    auto file = free_file_name(*journal, spec.out_dir, detail::render_file_name(spec.name_template, context),
                               index, n, mine);
    if (!file) return tl::unexpected(file.error());
    mine.insert(*file);
    detail::JournalImage image;
    image.index = index;
    image.item_id = item.item_id;
    image.position = n;
    image.image_name = name;
    image.file_name = std::move(*file);
    image.state = spec.download ? "pending" : "remote";
    images.push_back(std::move(image));
    ++n;
  }
  if (auto ok = journal->begin(); !ok) return ok;
  if (auto ok = journal->set_item_status(index, item.item_id, "completed"); !ok) {
    journal->rollback();
    return ok;
  }
  if (auto ok = journal->add_images(images); !ok) {
    journal->rollback();
    return ok;
  }
  if (auto ok = journal->commit(); !ok) return ok;

  if (spec.board_id && !mapped->collect.empty()) {
    // The graph already asked for the board (auto_board); this also moves images of nodes that named
    // another board or none, as the user asked for this one.
    if (auto moved = client.boards().add_images(*spec.board_id, mapped->collect); !moved) {
      RunNotice warn;
      warn.kind = RunNotice::Kind::image_failed;
      warn.index = index;
      warn.message = "could not put the images of item " + std::to_string(index) +
                     " on the board: " + moved.error().describe();
      notify(warn);
    }
  }
  if (!spec.download || images.empty()) return finish_item(index);
  images_left[index] = static_cast<int>(images.size());
  for (const auto& image : images)
    downloader->add(image.image_name, image.file_name, static_cast<std::int64_t>(index));
  return {};
}

Status Run::Impl::collect_from_journal(const detail::JournalItem& item) {
  auto images = journal->images_of(item.index);
  if (!images) return tl::unexpected(images.error());
  if (images->empty()) {
    // Completed before the last stop, images not yet named: read the item again.
    if (!item.server_item_id) return finish_item(item.index);
    auto fresh = client.queue().item(*item.server_item_id);
    if (!fresh) return tl::unexpected(fresh.error());
    return collect(item.index, *fresh);
  }
  int left = 0;
  for (const auto& image : *images) {
    if (image.state == "saved" || image.state == "remote") continue;
    if (!spec.download) continue;
    ++left;
    downloader->add(image.image_name, image.file_name, static_cast<std::int64_t>(image.index));
  }
  if (left == 0) return finish_item(item.index);
  images_left[item.index] = left;
  return {};
}

Status Run::Impl::drain_downloads() {
  std::deque<DownloadedImage> done;
  {
    std::lock_guard lock(mutex);
    done.swap(downloads_done);
  }
  if (done.empty()) return {};
  if (auto ok = journal->begin(); !ok) return ok;
  std::vector<std::uint64_t> finished;
  for (const auto& d : done) {
    const auto index = static_cast<std::uint64_t>(d.tag);
    const std::string file = d.path.filename().string();
    if (d.error && transient(*d.error) && ++download_attempts[file] < kDownloadAttempts &&
        left() > std::chrono::seconds(1)) {
      // Not a failure yet: the same file again after a backoff (250 ms, doubling, at most 4 s).
      const int n = download_attempts[file];
      const auto wait = std::min(std::chrono::milliseconds(250) * (1 << std::min(n - 1, 4)),
                                 std::chrono::milliseconds(4000));
      download_retries.push_back({d.image_name, file, d.tag, Clock::now() + wait});
      continue;
    }
    if (d.error) {
      ++counts.images_failed;
      if (auto ok = journal->image_failed(file, d.error->describe()); !ok) {
        journal->rollback();
        return ok;
      }
      RunNotice n;
      n.kind = RunNotice::Kind::image_failed;
      n.index = index;
      n.message = "image " + d.image_name + " of item " + std::to_string(index) + ": " + d.error->describe();
      notify(n);
    } else {
      ++(d.skipped ? counts.already_there : counts.downloaded);
      std::error_code ec;
      const auto bytes = d.skipped ? std::filesystem::file_size(d.path, ec) : d.bytes;
      if (auto ok = journal->image_saved(file, static_cast<std::int64_t>(ec ? 0 : bytes), d.sha256); !ok) {
        journal->rollback();
        return ok;
      }
    }
    auto left = images_left.find(index);
    if (left != images_left.end() && --left->second <= 0) {
      images_left.erase(left);
      finished.push_back(index);
    }
  }
  for (auto index : finished)
    if (auto ok = finish_item(index); !ok) {
      journal->rollback();
      return ok;
    }
  return journal->commit();
}

void Run::Impl::retry_due_downloads() {
  if (download_retries.empty() || !downloader) return;
  const auto now = Clock::now();
  for (auto it = download_retries.begin(); it != download_retries.end();) {
    if (it->due > now) {
      ++it;
      continue;
    }
    downloader->add(it->image_name, it->file_name, it->tag);
    it = download_retries.erase(it);
  }
}

Status Run::Impl::finish_item(std::uint64_t index) {
  auto images = journal->images_of(index);
  if (!images) return tl::unexpected(images.error());
  RunNotice n;
  n.kind = RunNotice::Kind::item_finished;
  n.index = index;
  n.status = "completed";
  std::size_t failed = 0;
  for (const auto& image : *images) {
    n.item_id = image.item_id;
    if (image.state == "failed")
      ++failed;
    else
      n.images.push_back(image.file_name);
  }
  if (failed == 0) {
    if (auto ok = journal->item_done(index); !ok) return ok;
  } else {
    // Stays `collecting`: a resume fetches the missing images again.
    n.error_type = "ivk_download_failed";
    n.error_message =
        std::to_string(failed) + " of " + std::to_string(images->size()) + " image(s) could not be saved";
  }
  if (auto item = journal->item(index)) {
    n.inputs = inputs_of(item->values_json);
    if (n.item_id == 0 && item->server_item_id) n.item_id = *item->server_item_id;
  }
  ++finished_this_execute;
  notify(n);
  return {};
}

}  // namespace ivk
