// run.json, regenerated from the journal: streamed item by item into a temporary file in the same
// folder, flushed to disk, then renamed over the old one, so a reader never sees half a manifest and
// a 100,000-item run does not hold its manifest in memory.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/json_write.h"
#include "run_engine.h"

namespace ivk {

namespace {

// The status run.json has always shown (the server's), with the states in between named plainly.
std::string manifest_status(const detail::JournalItem& item) {
  if (item.state == "done" || item.state == "collecting") return "completed";
  if (item.state == "failed") return "failed";
  if (item.state == "canceled") return "canceled";
  if (item.state == "queued") return item.status.empty() ? "pending" : item.status;
  return "waiting";  // new or sending: not on the server yet
}

class ManifestFile {
 public:
  explicit ManifestFile(std::filesystem::path path)
      : path_(std::move(path)), temp_(path_.string() + ".tmp") {}
  ~ManifestFile() {
    if (file_ != nullptr) {
      std::fclose(file_);
      std::remove(temp_.c_str());
    }
  }
  ManifestFile(const ManifestFile&) = delete;
  ManifestFile& operator=(const ManifestFile&) = delete;

  Status open() {
    file_ = std::fopen(temp_.c_str(), "wb");
    if (file_ == nullptr) return error("cannot write");
    return {};
  }
  void write(const std::string& text) {
    if (file_ != nullptr && !failed_ && std::fwrite(text.data(), 1, text.size(), file_) != text.size())
      failed_ = true;
  }
  Status close_and_rename() {
    const bool flushed = std::fflush(file_) == 0 && ::fsync(fileno(file_)) == 0;
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (failed_ || !flushed || !closed) {
      std::remove(temp_.c_str());
      return error("cannot write");
    }
    if (std::rename(temp_.c_str(), path_.c_str()) != 0) {
      std::remove(temp_.c_str());
      return error("cannot replace");
    }
    return {};
  }

 private:
  Status error(const char* what) const {
    Error e = make_error(ErrorCode::io, std::string(what) + " the run manifest: " + std::strerror(errno));
    e.source = path_.string();
    return tl::unexpected(std::move(e));
  }
  std::filesystem::path path_;
  std::string temp_;
  std::FILE* file_ = nullptr;
  bool failed_ = false;
};

}  // namespace

Status Run::Impl::write_manifest() {
  using detail::append_json_string;
  ManifestFile file(spec.out_dir / detail::kManifestFileName);
  if (auto ok = file.open(); !ok) return ok;
  std::string head = "{\"workflow\":";
  append_json_string(head, spec.workflow_name);
  head += ",\"server\":";
  append_json_string(head, server_url);
  auto batches_sent = journal->batches_in_state("accepted");
  head += ",\"batch_id\":";
  append_json_string(head,
                     batches_sent && !batches_sent->empty() ? batches_sent->front().batch_id : std::string());
  head += ",\"plan_size\":" + std::to_string(plan.size());
  head += ",\"counts\":{\"done\":" + std::to_string(counts.done) +
          ",\"failed\":" + std::to_string(counts.failed) +
          ",\"canceled\":" + std::to_string(counts.canceled) +
          ",\"not_finished\":" + std::to_string(counts.total - std::min(counts.total, counts.finished())) +
          ",\"images\":" + std::to_string(counts.images_saved) +
          ",\"images_failed\":" + std::to_string(counts.images_failed) +
          ",\"duplicates\":" + std::to_string(counts.duplicates) + "}";
  head += ",\"items\":[";
  file.write(head);
  bool first_item = true;
  std::string out;
  auto visited = journal->for_each_item(
      [&](const detail::JournalItem& item, const std::vector<detail::JournalImage>& images) {
        out.clear();
        out += first_item ? "\n" : ",\n";
        first_item = false;
        out += "{\"index\":" + std::to_string(item.index) + ",\"item_id\":";
        out += item.server_item_id ? std::to_string(*item.server_item_id) : std::string("null");
        out += ",\"status\":";
        append_json_string(out, manifest_status(item));
        out += ",\"inputs\":{";
        bool first = true;
        for (const auto& [label, value] : inputs_of(item.values_json)) {
          if (!first) out += ',';
          first = false;
          append_json_string(out, label);
          out += ':';
          out += value;
        }
        out += "},\"images\":[";
        first = true;
        std::string failed;
        std::string details;
        for (const auto& image : images) {
          if (image.state == "failed") {
            failed += failed.empty() ? "" : ",";
            failed += "{\"image_name\":";
            append_json_string(failed, image.image_name);
            failed += ",\"error\":";
            append_json_string(failed, image.error.value_or(""));
            failed += '}';
            continue;
          }
          if (image.state == "remote") {
            // --no-download: the server's name, to fetch it later (nothing is in the folder).
            if (!first) out += ',';
            first = false;
            append_json_string(out, image.image_name);
            continue;
          }
          if (image.state != "saved") continue;
          if (!first) out += ',';
          first = false;
          append_json_string(out, image.file_name);
          details += details.empty() ? "" : ",";
          details += "{\"file\":";
          append_json_string(details, image.file_name);
          details += ",\"image_name\":";
          append_json_string(details, image.image_name);
          details += ",\"bytes\":" + std::to_string(image.bytes) + ",\"sha256\":";
          append_json_string(details, image.sha256);
          details += '}';
        }
        out += ']';
        if (!details.empty()) out += ",\"files\":[" + details + "]";
        if (!failed.empty()) out += ",\"failed_images\":[" + failed + "]";
        out += ",\"attempts\":" + std::to_string(item.attempts);
        if (item.error_type) {
          out += ",\"error_type\":";
          append_json_string(out, *item.error_type);
        }
        if (item.error_message) {
          out += ",\"error_message\":";
          append_json_string(out, *item.error_message);
        }
        out += '}';
        file.write(out);
      });
  if (!visited) return visited;
  file.write("\n]}\n");
  return file.close_and_rename();
}

}  // namespace ivk
