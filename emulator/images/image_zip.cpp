#include "images/image_zip.h"

#include <array>
#include <cstdint>

namespace ivk::emu {
namespace {

std::array<std::uint32_t, 256> crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}

std::uint32_t crc32(const std::string& data) {
  static const auto table = crc_table();
  std::uint32_t c = 0xffffffffu;
  for (const char ch : data) c = table[(c ^ static_cast<unsigned char>(ch)) & 0xffu] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

void le16(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>(v & 0xffu));
  out.push_back(static_cast<char>((v >> 8) & 0xffu));
}
void le32(std::string& out, std::uint32_t v) {
  le16(out, v & 0xffffu);
  le16(out, v >> 16);
}

constexpr std::uint32_t kDosDate =
    (0u << 9) | (1u << 5) | 1u;  // 1980-01-01: the archive's times do not matter

}  // namespace

std::string make_stored_zip(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out;
  std::string central;
  for (const auto& [name, data] : files) {
    const std::uint32_t offset = static_cast<std::uint32_t>(out.size());
    const std::uint32_t crc = crc32(data);
    const std::uint32_t size = static_cast<std::uint32_t>(data.size());
    const std::uint32_t name_size = static_cast<std::uint32_t>(name.size());
    le32(out, 0x04034b50u);  // local file header
    le16(out, 20);           // version needed
    le16(out, 0);            // flags
    le16(out, 0);            // stored
    le16(out, 0);            // time
    le16(out, kDosDate);
    le32(out, crc);
    le32(out, size);
    le32(out, size);
    le16(out, name_size);
    le16(out, 0);
    out += name;
    out += data;

    le32(central, 0x02014b50u);  // central directory header
    le16(central, 20);           // made by
    le16(central, 20);
    le16(central, 0);
    le16(central, 0);
    le16(central, 0);
    le16(central, kDosDate);
    le32(central, crc);
    le32(central, size);
    le32(central, size);
    le16(central, name_size);
    le16(central, 0);  // extra
    le16(central, 0);  // comment
    le16(central, 0);  // disk
    le16(central, 0);  // internal attributes
    le32(central, 0);  // external attributes
    le32(central, offset);
    central += name;
  }
  const std::uint32_t central_offset = static_cast<std::uint32_t>(out.size());
  const std::uint32_t count = static_cast<std::uint32_t>(files.size());
  out += central;
  le32(out, 0x06054b50u);  // end of central directory
  le16(out, 0);
  le16(out, 0);
  le16(out, count);
  le16(out, count);
  le32(out, static_cast<std::uint32_t>(central.size()));
  le32(out, central_offset);
  le16(out, 0);
  return out;
}

}  // namespace ivk::emu
