#pragma once
// Just enough image decoding for the emulator's /images routes: recognise PNG, JPEG and WebP and
// read their size from the headers, read a PNG's text chunks (InvokeAI stores metadata, workflow
// and graph there), and make the WebP thumbnail that InvokeAI 6.8 serves. Private to the emulator.
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ivk::emu {

struct ImageInfo {
  std::string format;  // "png", "jpeg" or "webp"
  int width = 0;
  int height = 0;
};

// nullopt when the bytes are none of the three formats or their header is broken.
std::optional<ImageInfo> inspect_image(std::string_view bytes);

// Uncompressed tEXt/iTXt chunks of a PNG, keyword -> text (later chunks win).
std::map<std::string, std::string> png_text_chunks(std::string_view png);

// A lossless WebP (VP8L) of the PNG scaled to fit max_side x max_side, or nullopt when the PNG
// cannot be decoded.
std::optional<std::string> png_thumbnail_webp(std::string_view png, int max_side = 256);

// The PNG scaled to exactly width x height (RGBA, nearest neighbour), re-encoded as PNG; nullopt
// when it cannot be decoded or encoded.
std::optional<std::string> png_resized(std::string_view png, int width, int height);

}  // namespace ivk::emu
