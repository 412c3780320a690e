#pragma once
// Downloading a run's images into a folder: several at once, each written atomically, named so that a
// server-supplied name can never leave the folder, and skipped when the file is already there (a
// re-run after an interruption fetches only what is missing).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"

namespace ivk {

class ImagesApi;

// A local file name for an image name sent by a server: the last path component, with every byte
// outside [A-Za-z0-9._-] replaced by '_', no leading dot, at most 120 bytes. When anything had to be
// changed, 8 hex digits of a hash of the original are added before the extension, so two different
// server names never share a file. "" and "." become "image".
std::string safe_image_file_name(std::string_view image_name);

struct DownloadedImage {
  std::string image_name;      // as the server named it
  std::filesystem::path path;  // where it is (or would have been) written
  bool skipped = false;        // the file was already there: nothing was fetched
  std::uint64_t bytes = 0;     // bytes written (0 when skipped or failed)
  std::optional<Error> error;  // why it could not be fetched or written
  std::int64_t tag = 0;        // the caller's tag (e.g. the queue item id)
  std::string sha256;          // lowercase hex of the file's bytes (also when skipped); "" on error
};

// A pool of download threads. add() returns at once; finished downloads are reported to the callback
// (on a pool thread; calls are serialised), or, without a callback, kept for wait(). Not copyable;
// the destructor waits.
class ImageDownloader {
 public:
  using Callback = std::function<void(const DownloadedImage&)>;
  // images must outlive the downloader. concurrency < 1 is treated as 1.
  ImageDownloader(ImagesApi& images, std::filesystem::path dir, int concurrency = 4, Callback on_done = {});
  ~ImageDownloader();
  ImageDownloader(const ImageDownloader&) = delete;
  ImageDownloader& operator=(const ImageDownloader&) = delete;

  void add(std::string image_name, std::int64_t tag = 0);
  // Saves under file_name (a bare name inside the folder, as the caller decided it) instead of
  // safe_image_file_name(image_name).
  void add(std::string image_name, std::string file_name, std::int64_t tag);
  // Blocks until every added image is done; returns all results in completion order (none when a
  // callback took them).
  std::vector<DownloadedImage> wait();

 private:
  struct Impl;  // the queue, the threads and their locks
  std::unique_ptr<Impl> impl_;
};

// One-shot convenience: downloads names into dir with the pool above and waits.
std::vector<DownloadedImage> download_images(ImagesApi& images, const std::vector<std::string>& names,
                                             const std::filesystem::path& dir, int concurrency = 4);

}  // namespace ivk
