// Header parsing for PNG/JPEG/WebP, PNG text chunks, and a small lossless WebP writer for
// thumbnails. InvokeAI 6.8 declares GET /i/{name}/thumbnail as image/webp, and there is no WebP
// encoder among our dependencies; VP8L with fixed 8-bit prefix codes is a few dozen lines and any
// WebP decoder reads it.
#include "images/image_codec.h"

#include <spng.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

namespace ivk::emu {
namespace {

std::uint32_t be32(std::string_view b, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3]));
}
std::uint32_t byte(std::string_view b, std::size_t at) { return static_cast<unsigned char>(b[at]); }
std::uint32_t be16(std::string_view b, std::size_t at) { return (byte(b, at) << 8) | byte(b, at + 1); }
std::uint32_t le16(std::string_view b, std::size_t at) { return byte(b, at) | (byte(b, at + 1) << 8); }
std::uint32_t le24(std::string_view b, std::size_t at) { return le16(b, at) | (byte(b, at + 2) << 16); }

constexpr std::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);
constexpr std::uint32_t kMaxSide = 1u << 24;  // larger sizes are broken headers, not images

std::optional<ImageInfo> sized(std::string format, std::uint32_t w, std::uint32_t h) {
  if (w == 0 || h == 0 || w > kMaxSide || h > kMaxSide) return std::nullopt;
  return ImageInfo{std::move(format), static_cast<int>(w), static_cast<int>(h)};
}

std::optional<ImageInfo> inspect_png(std::string_view b) {
  if (b.size() < 33 || b.substr(12, 4) != "IHDR") return std::nullopt;
  return sized("png", be32(b, 16), be32(b, 20));
}

std::optional<ImageInfo> inspect_jpeg(std::string_view b) {
  std::size_t pos = 2;
  while (pos + 4 <= b.size()) {
    if (byte(b, pos) != 0xFF) return std::nullopt;
    const std::uint32_t marker = byte(b, pos + 1);
    if (marker == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {  // no length
      pos += 2;
      continue;
    }
    const std::uint32_t length = be16(b, pos + 2);
    if (length < 2) return std::nullopt;
    const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) {
      if (pos + 9 > b.size()) return std::nullopt;
      return sized("jpeg", be16(b, pos + 7), be16(b, pos + 5));
    }
    pos += 2 + length;
  }
  return std::nullopt;
}

std::optional<ImageInfo> inspect_webp(std::string_view b) {
  if (b.size() < 30) return std::nullopt;
  const std::string_view chunk = b.substr(12, 4);
  if (chunk == "VP8 ") {
    if (byte(b, 23) != 0x9d || byte(b, 24) != 0x01 || byte(b, 25) != 0x2a) return std::nullopt;
    return sized("webp", le16(b, 26) & 0x3fff, le16(b, 28) & 0x3fff);
  }
  if (chunk == "VP8L") {
    if (byte(b, 20) != 0x2f) return std::nullopt;
    const std::uint32_t bits = le24(b, 21) | (byte(b, 24) << 24);
    return sized("webp", (bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1);
  }
  if (chunk == "VP8X") return sized("webp", le24(b, 24) + 1, le24(b, 27) + 1);
  return std::nullopt;
}

// LSB-first bit packing, as VP8L reads its stream.
class BitWriter {
 public:
  void put(std::uint32_t value, int bits) {
    acc_ |= static_cast<std::uint64_t>(value) << used_;
    used_ += bits;
    while (used_ >= 8) {
      out_.push_back(static_cast<char>(acc_ & 0xffu));
      acc_ >>= 8;
      used_ -= 8;
    }
  }
  std::string finish() {
    if (used_ > 0) out_.push_back(static_cast<char>(acc_ & 0xffu));
    used_ = 0;
    acc_ = 0;
    return std::move(out_);
  }

 private:
  std::string out_;
  std::uint64_t acc_ = 0;
  int used_ = 0;
};

// A prefix code giving each of the 256 literals 8 bits (and the 24 length codes of the green
// alphabet none): a complete code, so symbol s is written as the 8-bit value s, first bit first.
void put_flat_code(BitWriter& w, int alphabet_size) {
  w.put(0, 1);       // normal (not simple) code
  w.put(12 - 4, 4);  // 12 code-length-code lengths, in the order 17,18,0,1,2,3,4,5,16,6,7,8
  constexpr std::array<std::uint32_t, 12> lengths = {0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  for (const std::uint32_t len : lengths) w.put(len, 3);
  w.put(0, 1);  // max_symbol: the whole alphabet
  // The code-length code has two 1-bit codes: '0' for length 0, '1' for length 8.
  for (int s = 0; s < alphabet_size; ++s) w.put(s < 256 ? 1 : 0, 1);
}

std::uint32_t reverse8(std::uint32_t v) {
  std::uint32_t r = 0;
  for (int i = 0; i < 8; ++i) r |= ((v >> i) & 1u) << (7 - i);
  return r;
}

void append_le32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
}

std::string encode_vp8l(const std::vector<unsigned char>& rgba, std::uint32_t w, std::uint32_t h) {
  BitWriter bits;
  bits.put(0x2f, 8);  // signature
  bits.put(w - 1, 14);
  bits.put(h - 1, 14);
  bits.put(1, 1);                 // alpha is used
  bits.put(0, 3);                 // version
  bits.put(0, 1);                 // no transforms
  bits.put(0, 1);                 // no color cache
  bits.put(0, 1);                 // no meta prefix codes
  put_flat_code(bits, 256 + 24);  // green + length prefixes (no color cache)
  put_flat_code(bits, 256);       // red
  put_flat_code(bits, 256);       // blue
  put_flat_code(bits, 256);       // alpha
  bits.put(1, 1);                 // distance: a simple code with one symbol (never used)
  bits.put(0, 1);
  bits.put(0, 1);
  bits.put(0, 1);
  for (std::size_t i = 0; i + 3 < rgba.size(); i += 4) {
    bits.put(reverse8(rgba[i + 1]), 8);
    bits.put(reverse8(rgba[i]), 8);
    bits.put(reverse8(rgba[i + 2]), 8);
    bits.put(reverse8(rgba[i + 3]), 8);
  }
  const std::string data = bits.finish();
  const std::uint32_t chunk = static_cast<std::uint32_t>(data.size());
  const std::uint32_t padded = chunk + (chunk & 1u);
  std::string out = "RIFF";
  append_le32(out, 4 + 8 + padded);
  out += "WEBPVP8L";
  append_le32(out, chunk);
  out += data;
  if (chunk & 1u) out.push_back('\0');
  return out;
}

struct SpngFree {
  void operator()(spng_ctx* ctx) const { spng_ctx_free(ctx); }
};

}  // namespace

std::optional<ImageInfo> inspect_image(std::string_view bytes) {
  if (bytes.substr(0, 8) == kPngSignature) return inspect_png(bytes);
  if (bytes.size() >= 3 && byte(bytes, 0) == 0xFF && byte(bytes, 1) == 0xD8 && byte(bytes, 2) == 0xFF)
    return inspect_jpeg(bytes);
  if (bytes.substr(0, 4) == "RIFF" && bytes.size() >= 12 && bytes.substr(8, 4) == "WEBP")
    return inspect_webp(bytes);
  return std::nullopt;
}

std::map<std::string, std::string> png_text_chunks(std::string_view png) {
  std::map<std::string, std::string> out;
  if (png.substr(0, 8) != kPngSignature) return out;
  std::size_t pos = 8;
  while (pos + 12 <= png.size()) {
    const std::uint32_t length = be32(png, pos);
    const std::string_view type = png.substr(pos + 4, 4);
    if (length > png.size() - pos - 12) break;  // truncated chunk
    const std::string_view data = png.substr(pos + 8, length);
    const std::size_t nul = data.find('\0');
    if (type == "tEXt" && nul != std::string_view::npos) {
      out[std::string(data.substr(0, nul))] = std::string(data.substr(nul + 1));
    } else if (type == "iTXt" && nul != std::string_view::npos && nul + 3 <= data.size() &&
               data[nul + 1] == 0) {
      // keyword \0 compression-flag method language \0 translated-keyword \0 text (uncompressed only)
      const std::size_t lang_end = data.find('\0', nul + 3);
      const std::size_t kw_end =
          lang_end == std::string_view::npos ? lang_end : data.find('\0', lang_end + 1);
      if (kw_end != std::string_view::npos)
        out[std::string(data.substr(0, nul))] = std::string(data.substr(kw_end + 1));
    } else if (type == "IEND") {
      break;
    }
    pos += 12 + length;
  }
  return out;
}

namespace {

struct Rgba {
  std::vector<unsigned char> pixels;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
};

std::optional<Rgba> decode_png(std::string_view png) {
  std::unique_ptr<spng_ctx, SpngFree> ctx(spng_ctx_new(0));
  if (!ctx) return std::nullopt;
  // Bound the decoded size: uploads are limited by the server, but a tiny PNG can claim a huge size.
  spng_set_image_limits(ctx.get(), 16384, 16384);
  spng_set_chunk_limits(ctx.get(), 64u << 20, 64u << 20);
  if (spng_set_png_buffer(ctx.get(), png.data(), png.size()) != 0) return std::nullopt;
  spng_ihdr ihdr{};
  if (spng_get_ihdr(ctx.get(), &ihdr) != 0) return std::nullopt;
  if (static_cast<std::uint64_t>(ihdr.width) * ihdr.height > (64ull << 20)) return std::nullopt;
  std::size_t size = 0;
  if (spng_decoded_image_size(ctx.get(), SPNG_FMT_RGBA8, &size) != 0) return std::nullopt;
  Rgba out{std::vector<unsigned char>(size), ihdr.width, ihdr.height};
  if (spng_decode_image(ctx.get(), out.pixels.data(), size, SPNG_FMT_RGBA8, SPNG_DECODE_TRNS) != 0)
    return std::nullopt;
  return out;
}

// Nearest-neighbour sampling: a thumbnail or a resized upload only has to look like the image.
Rgba scale(const Rgba& in, std::uint32_t tw, std::uint32_t th) {
  Rgba out{std::vector<unsigned char>(std::size_t{tw} * th * 4), tw, th};
  for (std::uint32_t y = 0; y < th; ++y) {
    const std::size_t sy = std::size_t{y} * in.height / th;
    for (std::uint32_t x = 0; x < tw; ++x) {
      const std::size_t sx = std::size_t{x} * in.width / tw;
      const std::size_t from = (sy * in.width + sx) * 4;
      const std::size_t to = (std::size_t{y} * tw + x) * 4;
      for (std::size_t c = 0; c < 4; ++c) out.pixels[to + c] = in.pixels[from + c];
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> png_thumbnail_webp(std::string_view png, int max_side) {
  if (max_side < 1) return std::nullopt;
  const auto image = decode_png(png);
  if (!image) return std::nullopt;
  const std::uint64_t side = static_cast<std::uint32_t>(max_side);
  const std::uint64_t big = std::max(image->width, image->height);
  if (big <= side) return encode_vp8l(image->pixels, image->width, image->height);
  const auto tw = static_cast<std::uint32_t>(std::max<std::uint64_t>(1, image->width * side / big));
  const auto th = static_cast<std::uint32_t>(std::max<std::uint64_t>(1, image->height * side / big));
  return encode_vp8l(scale(*image, tw, th).pixels, tw, th);
}

std::optional<std::string> png_resized(std::string_view png, int width, int height) {
  if (width < 1 || height < 1 || width > 16384 || height > 16384) return std::nullopt;
  const auto image = decode_png(png);
  if (!image) return std::nullopt;
  Rgba scaled = scale(*image, static_cast<std::uint32_t>(width), static_cast<std::uint32_t>(height));
  std::unique_ptr<spng_ctx, SpngFree> ctx(spng_ctx_new(SPNG_CTX_ENCODER));
  if (!ctx) return std::nullopt;
  spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1);
  spng_ihdr ihdr{};
  ihdr.width = scaled.width;
  ihdr.height = scaled.height;
  ihdr.bit_depth = 8;
  ihdr.color_type = SPNG_COLOR_TYPE_TRUECOLOR_ALPHA;
  if (spng_set_ihdr(ctx.get(), &ihdr) != 0) return std::nullopt;
  if (spng_encode_image(ctx.get(), scaled.pixels.data(), scaled.pixels.size(), SPNG_FMT_PNG,
                        SPNG_ENCODE_FINALIZE) != 0)
    return std::nullopt;
  std::size_t length = 0;
  int error = 0;
  void* buffer = spng_get_png_buffer(ctx.get(), &length, &error);
  if (buffer == nullptr || error != 0) return std::nullopt;
  std::string out(static_cast<const char*>(buffer), length);
  std::free(buffer);  // spng hands the buffer over to the caller
  return out;
}

}  // namespace ivk::emu
