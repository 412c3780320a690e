#include "images/png_writer.h"

#include <spng.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace ivk::emu {
namespace {

struct CtxFree {
  void operator()(spng_ctx* ctx) const { spng_ctx_free(ctx); }
};

bool is_ascii(const std::string& text) {
  for (const char c : text)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

}  // namespace

Result<std::string> encode_png(int width, int height, const std::string& rgb,
                               const std::vector<std::pair<std::string, std::string>>& texts) {
  if (width <= 0 || height <= 0 ||
      rgb.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3)
    return fail(ErrorCode::internal, "encode_png: pixel buffer does not match the size");
  std::unique_ptr<spng_ctx, CtxFree> ctx(spng_ctx_new(SPNG_CTX_ENCODER));
  if (!ctx) return fail(ErrorCode::internal, "encode_png: out of memory");
  spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1);
  spng_ihdr ihdr{};
  ihdr.width = static_cast<std::uint32_t>(width);
  ihdr.height = static_cast<std::uint32_t>(height);
  ihdr.bit_depth = 8;
  ihdr.color_type = SPNG_COLOR_TYPE_TRUECOLOR;
  if (int err = spng_set_ihdr(ctx.get(), &ihdr))
    return fail(ErrorCode::internal, std::string("encode_png: ") + spng_strerror(err));
  // spng keeps pointers into these until encoding ends.
  std::vector<spng_text> chunks(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    spng_text& t = chunks[i];
    std::memset(&t, 0, sizeof t);
    std::strncpy(t.keyword, texts[i].first.c_str(), sizeof t.keyword - 1);
    t.type = is_ascii(texts[i].second) ? SPNG_TEXT : SPNG_ITXT;
    t.length = texts[i].second.size();
    t.text = const_cast<char*>(texts[i].second.c_str());  // spng's API is not const-correct; it only reads
    t.language_tag = const_cast<char*>("");
    t.translated_keyword = const_cast<char*>("");
  }
  if (!chunks.empty())
    if (int err = spng_set_text(ctx.get(), chunks.data(), static_cast<std::uint32_t>(chunks.size())))
      return fail(ErrorCode::internal, std::string("encode_png: text chunk: ") + spng_strerror(err));
  if (int err = spng_encode_image(ctx.get(), rgb.data(), rgb.size(), SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE))
    return fail(ErrorCode::internal, std::string("encode_png: ") + spng_strerror(err));
  std::size_t size = 0;
  int err = 0;
  void* buffer = spng_get_png_buffer(ctx.get(), &size, &err);
  if (buffer == nullptr) return fail(ErrorCode::internal, std::string("encode_png: ") + spng_strerror(err));
  std::string png(static_cast<const char*>(buffer), size);
  std::free(buffer);
  return png;
}

}  // namespace ivk::emu
