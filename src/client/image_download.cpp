// Concurrent, atomic, traversal-safe image downloads. See image_download.h.
#include "ivk/client/image_download.h"

#include <array>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>

#include "core/sha256.h"
#include "ivk/api/images_api.h"
#include "ivk/files.h"

namespace ivk {

namespace {

constexpr std::size_t kMaxNameBytes = 120;

bool allowed(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

// FNV-1a: stable across runs and platforms, enough to keep two sanitised names apart.
std::uint32_t fnv1a(std::string_view text) {
  std::uint32_t h = 2166136261u;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

}  // namespace

std::string safe_image_file_name(std::string_view image_name) {
  std::string_view base = image_name;
  if (const auto slash = base.find_last_of("/\\"); slash != std::string_view::npos)
    base = base.substr(slash + 1);
  std::string out;
  out.reserve(base.size());
  for (char c : base) out += allowed(static_cast<unsigned char>(c)) ? c : '_';
  while (!out.empty() && out.front() == '.') out.front() = '_';
  if (out.empty() || out == "_" || out == "__") out = "image";
  bool changed = out != image_name;
  if (out.size() > kMaxNameBytes) {
    // Keep the extension: the file type matters to whoever opens the folder.
    const auto dot = out.rfind('.');
    const std::string ext = (dot != std::string::npos && out.size() - dot <= 10) ? out.substr(dot) : "";
    out = out.substr(0, kMaxNameBytes - ext.size() - 9) + ext;
    changed = true;
  }
  if (!changed) return out;
  std::array<char, 10> hash{};
  std::snprintf(hash.data(), hash.size(), "-%08x", fnv1a(image_name));
  const auto dot = out.rfind('.');
  if (dot == std::string::npos || dot == 0) return out + hash.data();
  return out.substr(0, dot) + hash.data() + out.substr(dot);
}

struct ImageDownloader::Impl {
  struct Job {
    std::string image_name;
    std::string file_name;
    std::int64_t tag = 0;
  };

  Impl(ImagesApi& images_api, std::filesystem::path folder, Callback callback)
      : images(images_api), dir(std::move(folder)), on_done(std::move(callback)) {}

  void work();
  DownloadedImage fetch(const Job& job);

  ImagesApi& images;
  std::filesystem::path dir;
  Callback on_done;
  std::mutex mutex;
  std::mutex callback_mutex;
  std::condition_variable cv;
  std::condition_variable idle_cv;
  std::deque<Job> pending;
  std::vector<DownloadedImage> done;
  std::size_t busy = 0;
  bool stopping = false;
  std::vector<std::thread> threads;
};

ImageDownloader::ImageDownloader(ImagesApi& images, std::filesystem::path dir, int concurrency,
                                 Callback on_done)
    : impl_(std::make_unique<Impl>(images, std::move(dir), std::move(on_done))) {
  const int n = concurrency < 1 ? 1 : concurrency;
  for (int i = 0; i < n; ++i) impl_->threads.emplace_back([impl = impl_.get()] { impl->work(); });
}

ImageDownloader::~ImageDownloader() {
  wait();
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  for (auto& t : impl_->threads) t.join();
}

void ImageDownloader::add(std::string image_name, std::int64_t tag) {
  std::string file_name = safe_image_file_name(image_name);
  add(std::move(image_name), std::move(file_name), tag);
}

void ImageDownloader::add(std::string image_name, std::string file_name, std::int64_t tag) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->pending.push_back(Impl::Job{std::move(image_name), std::move(file_name), tag});
  }
  impl_->cv.notify_one();
}

std::vector<DownloadedImage> ImageDownloader::wait() {
  std::unique_lock lock(impl_->mutex);
  impl_->idle_cv.wait(lock, [this] { return impl_->pending.empty() && impl_->busy == 0; });
  return impl_->done;
}

void ImageDownloader::Impl::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex);
      cv.wait(lock, [this] { return stopping || !pending.empty(); });
      if (pending.empty()) return;  // stopping, nothing left
      job = std::move(pending.front());
      pending.pop_front();
      ++busy;
    }
    DownloadedImage result = fetch(job);
    if (on_done) {
      std::lock_guard callback_lock(callback_mutex);
      try {
        on_done(result);
      } catch (...) {
        // A caller's callback must not take a download thread down with it.
      }
    }
    {
      std::lock_guard lock(mutex);
      // With a callback the caller has the result already: keeping it too would grow with every
      // image of a run of 100,000.
      if (!on_done) done.push_back(std::move(result));
      --busy;
    }
    idle_cv.notify_all();
  }
}

DownloadedImage ImageDownloader::Impl::fetch(const Job& job) {
  const std::string& name = job.image_name;
  DownloadedImage result;
  result.image_name = name;
  result.tag = job.tag;
  result.path = dir / job.file_name;
  std::error_code ec;
  if (std::filesystem::is_regular_file(result.path, ec) && std::filesystem::file_size(result.path, ec) > 0 &&
      !ec) {
    result.skipped = true;  // written atomically earlier, so complete
    if (auto existing = read_file(result.path)) result.sha256 = detail::sha256_hex(*existing);
    return result;
  }
  auto bytes = images.full(name);
  if (!bytes) {
    result.error = bytes.error();
    return result;
  }
  if (bytes->empty()) {
    result.error = fail(ErrorCode::http, "the server sent an empty file for image " + name,
                        "GET images/i/" + name + "/full")
                       .value();
    return result;
  }
  if (auto written = write_file_atomically(result.path, *bytes); !written) {
    result.error = written.error();
    return result;
  }
  result.bytes = bytes->size();
  result.sha256 = detail::sha256_hex(*bytes);
  return result;
}

std::vector<DownloadedImage> download_images(ImagesApi& images, const std::vector<std::string>& names,
                                             const std::filesystem::path& dir, int concurrency) {
  ImageDownloader downloader(images, dir, concurrency);
  for (const auto& name : names) downloader.add(name);
  return downloader.wait();
}

}  // namespace ivk
