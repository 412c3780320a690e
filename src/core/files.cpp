#include "ivk/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

namespace ivk {

Result<std::string> read_file(const std::filesystem::path& path) {
  if (std::error_code ec; std::filesystem::is_directory(path, ec))
    return tl::unexpected(make_error(ErrorCode::io, "is a directory, not a file", {}, path.string()));
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    const bool exists = std::filesystem::exists(path, ec);
    return tl::unexpected(make_error(exists ? ErrorCode::io : ErrorCode::not_found,
                                     exists ? "cannot read the file" : "no such file", {}, path.string()));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return tl::unexpected(make_error(ErrorCode::io, "cannot read the file", {}, path.string()));
  return std::move(ss).str();
}

Status write_file_atomically(const std::filesystem::path& path, std::string_view data) {
  auto failure = [&](const std::string& what) {
    return tl::unexpected<Error>(
        make_error(ErrorCode::io, what + ": " + std::strerror(errno), {}, path.string()));
  };
  // Unique per process and call: the pid and a counter (a random_device per call cost more than the
  // write of a small image). O_EXCL below still refuses a leftover of the same name.
  static std::atomic<std::uint64_t> counter{0};
  const std::filesystem::path tmp = path.string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                                    std::to_string(counter.fetch_add(1, std::memory_order_relaxed));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return failure("cannot create a temporary file beside it");
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto err = failure("cannot write");
      ::close(fd);
      ::unlink(tmp.c_str());
      return err;
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    auto err = failure("cannot flush");
    ::unlink(tmp.c_str());
    return err;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto err = failure("cannot replace the file");
    ::unlink(tmp.c_str());
    return err;
  }
  return {};
}

}  // namespace ivk
