#pragma once
// The inputs file of a run plan: read front to back once while the plan is made (every byte also
// fed to a SHA-256 for the fingerprint), then one row at a time by offset while it runs.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"

namespace ivk::detail {

// SHA-256 fed piece by piece (OpenSSL EVP).
class Sha256 {
 public:
  Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  ~Sha256();
  void update(std::string_view bytes);
  // Lowercase hex of the digest; call once, after the last update.
  std::string hex_digest();

 private:
  void* context_;  // EVP_MD_CTX*, kept out of this header
};

// An open file read with pread, so several threads can read rows at once without a lock.
class PlanFile {
 public:
  static Result<PlanFile> open(const std::filesystem::path& path);
  PlanFile(PlanFile&& other) noexcept;
  PlanFile& operator=(PlanFile&& other) noexcept;
  PlanFile(const PlanFile&) = delete;
  PlanFile& operator=(const PlanFile&) = delete;
  ~PlanFile();

  // Up to `size` bytes at `offset`; fewer only at the end of the file.
  [[nodiscard]] Result<std::string> read_at(std::uint64_t offset, std::size_t size) const;
  // Reads into buffer; the count read (0 at the end), or an io error.
  [[nodiscard]] Result<std::size_t> read_into(std::uint64_t offset, char* buffer, std::size_t size) const;
  [[nodiscard]] const std::string& name() const noexcept { return name_; }

 private:
  PlanFile(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  int fd_ = -1;
  std::string name_;
};

// Bytes one at a time, from a file in large chunks (each fed to a digest) or from memory.
class ByteSource {
 public:
  explicit ByteSource(std::string_view bytes);
  ByteSource(const PlanFile& file, Sha256* digest);

  // The next byte (0..255), or -1 at the end (or when reading failed: see error()).
  int get() {
    if (pos_ == end_ && !refill()) return -1;
    return static_cast<unsigned char>(*pos_++);
  }
  int peek() {
    if (pos_ == end_ && !refill()) return -1;
    return static_cast<unsigned char>(*pos_);
  }
  // Offset of the next byte from the start of the file (or of the string).
  [[nodiscard]] std::uint64_t offset() const noexcept {
    return base_ + static_cast<std::uint64_t>(pos_ - begin_);
  }
  // Skips a UTF-8 byte order mark at the very start.
  void skip_bom();
  // Set when reading the file failed, so an end seen is not the end of the file.
  [[nodiscard]] const std::optional<Error>& error() const noexcept { return error_; }

 private:
  bool refill();
  const PlanFile* file_ = nullptr;
  Sha256* digest_ = nullptr;
  std::vector<char> buffer_;
  const char* begin_ = nullptr;
  const char* pos_ = nullptr;
  const char* end_ = nullptr;
  std::uint64_t base_ = 0;  // file offset of begin_
  std::optional<Error> error_;
};

}  // namespace ivk::detail
