#include "client/run_plan_file.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace ivk::detail {

namespace {
// Large enough that the per-chunk cost vanishes, small enough to be nothing next to a row index.
constexpr std::size_t kChunkSize = 1 << 20;

EVP_MD_CTX* evp(void* context) { return static_cast<EVP_MD_CTX*>(context); }
}  // namespace

Sha256::Sha256() : context_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(evp(context_), EVP_sha256(), nullptr); }

Sha256::~Sha256() { EVP_MD_CTX_free(evp(context_)); }

void Sha256::update(std::string_view bytes) { EVP_DigestUpdate(evp(context_), bytes.data(), bytes.size()); }

std::string Sha256::hex_digest() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(evp(context_), digest.data(), &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::size_t{2} * length);
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

Result<PlanFile> PlanFile::open(const std::filesystem::path& path) {
  std::string name = path.string();
  if (std::error_code ec; std::filesystem::is_directory(path, ec))
    return tl::unexpected(make_error(ErrorCode::io, "is a directory, not an inputs file", {}, name));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return tl::unexpected(make_error(err == ENOENT ? ErrorCode::not_found : ErrorCode::io,
                                     err == ENOENT
                                         ? "no such inputs file"
                                         : std::string("cannot open the inputs file: ") + std::strerror(err),
                                     {}, name));
  }
  return PlanFile(fd, std::move(name));
}

PlanFile::PlanFile(PlanFile&& other) noexcept : fd_(other.fd_), name_(std::move(other.name_)) {
  other.fd_ = -1;
}

PlanFile& PlanFile::operator=(PlanFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    name_ = std::move(other.name_);
    other.fd_ = -1;
  }
  return *this;
}

PlanFile::~PlanFile() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::size_t> PlanFile::read_into(std::uint64_t offset, char* buffer, std::size_t size) const {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd_, buffer + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return tl::unexpected(make_error(
          ErrorCode::io, std::string("cannot read the inputs file: ") + std::strerror(errno), {}, name_));
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

Result<std::string> PlanFile::read_at(std::uint64_t offset, std::size_t size) const {
  std::string out(size, '\0');
  auto n = read_into(offset, out.data(), size);
  if (!n) return tl::unexpected(n.error());
  out.resize(*n);
  return out;
}

ByteSource::ByteSource(std::string_view bytes)
    : begin_(bytes.data()), pos_(bytes.data()), end_(bytes.data() + bytes.size()) {}

ByteSource::ByteSource(const PlanFile& file, Sha256* digest)
    : file_(&file), digest_(digest), buffer_(kChunkSize) {}

bool ByteSource::refill() {
  if (file_ == nullptr || error_) return false;
  const std::uint64_t next = offset();
  auto n = file_->read_into(next, buffer_.data(), buffer_.size());
  if (!n) {
    error_ = n.error();
    return false;
  }
  base_ = next;
  begin_ = pos_ = buffer_.data();
  end_ = begin_ + *n;
  if (digest_ != nullptr) digest_->update(std::string_view(begin_, *n));
  return *n != 0;
}

void ByteSource::skip_bom() {
  if (offset() != 0) return;
  if (pos_ == end_) refill();
  static constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (static_cast<std::size_t>(end_ - pos_) >= kBom.size() && std::string_view(pos_, kBom.size()) == kBom)
    pos_ += kBom.size();
}

}  // namespace ivk::detail
