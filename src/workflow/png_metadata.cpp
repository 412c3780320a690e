// Reads width, height and the text chunks of a PNG with libspng, without decoding pixels
// unless a text chunk sits after the image data (libspng only reaches those by decoding).

#include "ivk/workflow/png_metadata.h"

#include <spng.h>

#include <array>
#include <cstring>
#include <exception>
#include <fstream>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace ivk {
namespace {

// InvokeAI embeds the whole workflow and graph as text chunks (tens of KB, rarely MBs); these
// bounds only stop hostile files (zTXt bombs) from exhausting memory.
constexpr std::size_t kMaxChunkBytes = std::size_t{64} << 20;
constexpr std::size_t kMaxCachedBytes = std::size_t{256} << 20;
constexpr std::array<unsigned char, 8> kSignature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

struct SpngFree {
  void operator()(spng_ctx* ctx) const noexcept { spng_ctx_free(ctx); }
};
using SpngCtx = std::unique_ptr<spng_ctx, SpngFree>;

std::string spng_text_of(int rc) { return spng_strerror(rc); }

std::uint32_t read_be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

bool is_text_chunk(const unsigned char* type) {
  return std::memcmp(type, "tEXt", 4) == 0 || std::memcmp(type, "zTXt", 4) == 0 ||
         std::memcmp(type, "iTXt", 4) == 0;
}

struct ChunkLayout {
  bool text_after_idat = false;
};

// Walks the chunk headers only. libspng stops reading at the first IDAT, so without this walk
// a file cut off inside its image data would pass unnoticed, and text chunks after the image
// data would be silently missing.
Result<ChunkLayout> scan_chunks(std::string_view bytes) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t size = bytes.size();
  ChunkLayout layout;
  bool seen_idat = false;
  bool after_idat = false;
  std::size_t pos = kSignature.size();
  while (pos < size) {
    if (size - pos < 12)
      return fail(ErrorCode::parse_error, "truncated PNG: the chunk at byte " + std::to_string(pos) +
                                              " is cut off (the file ends at byte " + std::to_string(size) +
                                              ")");
    const std::uint32_t length = read_be32(data + pos);
    const unsigned char* type = data + pos + 4;
    const std::string type_name(reinterpret_cast<const char*>(type), 4);
    if (length > 0x7fffffffU)
      return fail(ErrorCode::parse_error, "corrupt PNG: chunk '" + type_name + "' at byte " +
                                              std::to_string(pos) + " declares an impossible length " +
                                              std::to_string(length));
    if (size - pos - 12 < length)
      return fail(ErrorCode::parse_error, "truncated PNG: chunk '" + type_name + "' at byte " +
                                              std::to_string(pos) + " needs " + std::to_string(length) +
                                              " data bytes but the file ends at byte " +
                                              std::to_string(size));
    if (std::memcmp(type, "IDAT", 4) == 0) {
      seen_idat = true;
    } else if (seen_idat) {
      after_idat = true;
    }
    if (after_idat && is_text_chunk(type)) layout.text_after_idat = true;
    pos += 12 + std::size_t{length};
    if (std::memcmp(type, "IEND", 4) == 0) return layout;  // bytes after IEND are ignored, as decoders do
  }
  return fail(ErrorCode::parse_error,
              "truncated PNG: no IEND chunk (the file ends at byte " + std::to_string(size) + ")");
}

// spng_text::keyword is a NUL-terminated char[80].
std::string_view keyword_of(const spng_text& t) {
  const void* nul = std::memchr(t.keyword, '\0', sizeof t.keyword);
  return {t.keyword, nul == nullptr ? sizeof t.keyword
                                    : static_cast<std::size_t>(static_cast<const char*>(nul) - t.keyword)};
}

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (s.size() - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    static constexpr std::array<std::uint32_t, 4> kMinForLength = {0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

// tEXt and zTXt are Latin-1 by the PNG spec (Pillow, which InvokeAI uses, writes them so and
// switches to iTXt for anything else), but some writers put UTF-8 in them: bytes that already
// form valid UTF-8 are kept, anything else is converted from Latin-1. iTXt is UTF-8 by spec.
std::string decode_text(std::string_view raw, bool latin1) {
  if (!latin1 || is_valid_utf8(raw)) return std::string(raw);
  return latin1_to_utf8(raw);
}

// Decodes (and discards) the image data so libspng moves on to the chunks after it.
Status skip_image_data(spng_ctx* ctx, std::uint32_t height) {
  std::size_t image_size = 0;
  int rc = spng_decoded_image_size(ctx, SPNG_FMT_PNG, &image_size);
  if (rc == 0) rc = spng_decode_image(ctx, nullptr, 0, SPNG_FMT_PNG, SPNG_DECODE_PROGRESSIVE);
  if (rc != 0) return fail(ErrorCode::parse_error, "corrupt PNG image data: " + spng_text_of(rc));
  std::vector<unsigned char> scanline(image_size / height + 1);
  do {
    rc = spng_decode_scanline(ctx, scanline.data(), scanline.size());
  } while (rc == 0);
  if (rc != SPNG_EOI) return fail(ErrorCode::parse_error, "corrupt PNG image data: " + spng_text_of(rc));
  return {};
}

Result<PngMetadata> read_bytes(std::string_view bytes) {
  if (bytes.size() < kSignature.size() ||
      std::memcmp(bytes.data(), kSignature.data(), kSignature.size()) != 0)
    return fail(ErrorCode::parse_error, "not a PNG file (bad signature)");
  auto layout = scan_chunks(bytes);
  if (!layout) return tl::unexpected(layout.error());

  SpngCtx ctx(spng_ctx_new(0));
  if (!ctx) return fail(ErrorCode::internal, "libspng could not create a decoder (out of memory?)");
  // Corrupt ancillary chunks would otherwise be dropped silently (libspng's default), making a
  // damaged invokeai_workflow chunk look like a PNG without one.
  spng_set_crc_action(ctx.get(), SPNG_CRC_ERROR, SPNG_CRC_ERROR);
  spng_set_chunk_limits(ctx.get(), kMaxChunkBytes, kMaxCachedBytes);
  int rc = spng_set_png_buffer(ctx.get(), bytes.data(), bytes.size());
  if (rc != 0) return fail(ErrorCode::internal, "libspng rejected the input buffer: " + spng_text_of(rc));

  spng_ihdr ihdr{};
  rc = spng_get_ihdr(ctx.get(), &ihdr);
  if (rc != 0) return fail(ErrorCode::parse_error, "invalid PNG header (IHDR): " + spng_text_of(rc));
  PngMetadata meta;
  meta.width = ihdr.width;
  meta.height = ihdr.height;

  if (layout->text_after_idat) {
    if (auto skipped = skip_image_data(ctx.get(), ihdr.height); !skipped)
      return tl::unexpected(skipped.error());
  }

  std::uint32_t count = 0;
  rc = spng_get_text(ctx.get(), nullptr, &count);
  if (rc == SPNG_ECHUNKAVAIL) return meta;  // no text chunks at all
  if (rc != 0) return fail(ErrorCode::parse_error, "corrupt PNG chunk: " + spng_text_of(rc));
  std::vector<spng_text> texts(count);
  rc = spng_get_text(ctx.get(), texts.data(), &count);
  if (rc != 0) return fail(ErrorCode::parse_error, "corrupt PNG text chunk: " + spng_text_of(rc));

  meta.text_chunks.reserve(count);
  for (const spng_text& t : texts) {
    const bool latin1 = t.type != SPNG_ITXT;
    std::string keyword = decode_text(keyword_of(t), latin1);
    std::string text = decode_text(std::string_view(t.text, t.length), latin1);
    // Later chunks win, as in Pillow's Image.info, which is what InvokeAI itself reads.
    if (keyword == "invokeai_metadata")
      meta.invokeai_metadata = text;
    else if (keyword == "invokeai_graph")
      meta.invokeai_graph = text;
    else if (keyword == "invokeai_workflow")
      meta.invokeai_workflow = text;
    meta.text_chunks.emplace_back(std::move(keyword), std::move(text));
  }
  return meta;
}

Result<std::string> read_whole_file(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found)
    return fail(ErrorCode::not_found, "no such file");
  if (status.type() == std::filesystem::file_type::directory)
    return fail(ErrorCode::io, "is a directory, not a PNG file");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const std::streamoff size = in ? static_cast<std::streamoff>(in.tellg()) : -1;
  if (size < 0) return fail(ErrorCode::io, "cannot open the file for reading");
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size)))
    return fail(ErrorCode::io, "reading the file failed");
  return bytes;
}

}  // namespace

Result<PngMetadata> read_png_metadata_bytes(std::string_view bytes) {
  try {
    return read_bytes(bytes);
  } catch (const std::exception& e) {  // std::bad_alloc and friends: never across the API
    return fail(ErrorCode::internal, std::string("reading PNG metadata failed: ") + e.what());
  }
}

Result<PngMetadata> read_png_metadata(const std::filesystem::path& path) {
  auto with_source = [&](Error e) {
    e.source = path.string();
    return tl::unexpected<Error>(std::move(e));
  };
  try {
    auto bytes = read_whole_file(path);
    if (!bytes) return with_source(bytes.error());
    auto meta = read_png_metadata_bytes(*bytes);
    if (!meta) return with_source(meta.error());
    return meta;
  } catch (const std::exception& e) {
    return with_source(
        Error{ErrorCode::internal, std::string("reading PNG metadata failed: ") + e.what(), {}, {}, 0, {}});
  }
}

}  // namespace ivk
