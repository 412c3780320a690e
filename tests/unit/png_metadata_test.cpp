#include "ivk/workflow/png_metadata.h"

#include <gtest/gtest.h>
#include <spng.h>

#include <array>
#include <boost/json.hpp>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "support/fixtures.h"

namespace {

using ivk::ErrorCode;
using ivk::PngMetadata;

const std::string kFixture = "images/8079126e-6cb0-4d47-956a-0eec6b71c600.png";

// One text chunk to encode; the strings own the bytes spng_text points at.
struct TextChunk {
  int type = SPNG_TEXT;
  std::string keyword;
  std::string text;
  bool compressed = false;  // iTXt only (zTXt is always compressed)
  std::string language = "";
  std::string translated = "";
};

// Encodes a small RGB PNG with libspng carrying the given text chunks (all before IDAT).
std::string encode_png(std::uint32_t width, std::uint32_t height, std::vector<TextChunk> chunks) {
  std::unique_ptr<spng_ctx, decltype(&spng_ctx_free)> ctx(spng_ctx_new(SPNG_CTX_ENCODER), spng_ctx_free);
  EXPECT_EQ(spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1), 0);
  spng_ihdr ihdr{};
  ihdr.width = width;
  ihdr.height = height;
  ihdr.bit_depth = 8;
  ihdr.color_type = SPNG_COLOR_TYPE_TRUECOLOR;
  EXPECT_EQ(spng_set_ihdr(ctx.get(), &ihdr), 0);
  std::vector<spng_text> texts(chunks.size());
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    spng_text& t = texts[i];
    std::memcpy(t.keyword, chunks[i].keyword.c_str(), chunks[i].keyword.size() + 1);
    t.type = chunks[i].type;
    t.length = chunks[i].text.size();
    t.text = chunks[i].text.data();
    t.compression_flag = chunks[i].compressed ? 1 : 0;
    t.language_tag = chunks[i].language.data();
    t.translated_keyword = chunks[i].translated.data();
  }
  if (!texts.empty()) {
    EXPECT_EQ(spng_set_text(ctx.get(), texts.data(), static_cast<std::uint32_t>(texts.size())), 0);
  }
  std::vector<unsigned char> pixels(std::size_t{width} * height * 3, 0x80);
  EXPECT_EQ(spng_encode_image(ctx.get(), pixels.data(), pixels.size(), SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE),
            0);
  std::size_t size = 0;
  int error = 0;
  void* buffer = spng_get_png_buffer(ctx.get(), &size, &error);
  EXPECT_EQ(error, 0);
  std::string png(static_cast<const char*>(buffer), size);
  std::free(buffer);
  return png;
}

std::uint32_t crc32(std::string_view bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (const char ch : bytes) {
    crc ^= static_cast<unsigned char>(ch);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return crc ^ 0xFFFFFFFFu;
}

void append_be32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFFu));
}

// A raw chunk (length, type, data, CRC) as it appears in the file.
std::string make_chunk(std::string_view type, std::string_view data) {
  std::string chunk;
  append_be32(chunk, static_cast<std::uint32_t>(data.size()));
  std::string body = std::string(type) + std::string(data);
  chunk += body;
  append_be32(chunk, crc32(body));
  return chunk;
}

// Inserts a chunk just before IEND, i.e. after the image data.
std::string insert_before_iend(std::string png, const std::string& chunk) {
  const auto iend = png.rfind("IEND");
  EXPECT_NE(iend, std::string::npos);
  png.insert(iend - 4, chunk);
  return png;
}

boost::json::value parse_json(const std::string& text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  EXPECT_FALSE(ec) << ec.message();
  return v;
}

TEST(PngMetadata, FixtureHasDimensionsAndAllThreeInvokeAIChunks) {
  auto meta = ivk::read_png_metadata(ivk::test::fixture(kFixture));
  ASSERT_TRUE(meta) << meta.error().describe();
  EXPECT_EQ(meta->width, 800u);
  EXPECT_EQ(meta->height, 1024u);

  ASSERT_EQ(meta->text_chunks.size(), 3u);
  EXPECT_EQ(meta->text_chunks[0].first, "invokeai_metadata");
  EXPECT_EQ(meta->text_chunks[1].first, "invokeai_workflow");
  EXPECT_EQ(meta->text_chunks[2].first, "invokeai_graph");
  EXPECT_EQ(meta->text_chunks[1].second.size(), 57016u - std::strlen("invokeai_workflow") - 1);

  ASSERT_TRUE(meta->invokeai_metadata && meta->invokeai_workflow && meta->invokeai_graph);
  EXPECT_EQ(*meta->invokeai_metadata, meta->text_chunks[0].second);
  EXPECT_EQ(*meta->invokeai_workflow, meta->text_chunks[1].second);
  EXPECT_EQ(*meta->invokeai_graph, meta->text_chunks[2].second);

  const auto metadata = parse_json(*meta->invokeai_metadata).as_object();
  EXPECT_EQ(metadata.at("steps").as_int64(), 40);
  EXPECT_EQ(metadata.at("scheduler").as_string(), "euler_a");
  EXPECT_EQ(metadata.at("model").at("name").as_string(), "FLUX Dev (Quantized)");

  const auto workflow = parse_json(*meta->invokeai_workflow).as_object();
  EXPECT_EQ(workflow.at("name").as_string(), "sdxl-then-flux");
  EXPECT_EQ(workflow.at("meta").at("version").as_string(), "3.0.0");
  const auto& nodes = workflow.at("nodes").as_array();
  EXPECT_EQ(nodes.size(), 37u);
  bool found_loader = false;
  for (const auto& node : nodes) {
    if (node.at("id").as_string() == "fc066a36-5d48-4780-8c2b-d76c70ae0807") {
      found_loader = true;
      EXPECT_EQ(node.at("data").at("type").as_string(), "sdxl_model_loader");
    }
  }
  EXPECT_TRUE(found_loader);

  const auto graph = parse_json(*meta->invokeai_graph).as_object();
  EXPECT_EQ(graph.at("id").as_string(), "2086afa1-8f0b-4286-a4ec-48f0135fcbdd");
  EXPECT_EQ(graph.at("nodes").as_object().size(), 35u);
  EXPECT_EQ(graph.at("edges").as_array().size(), 70u);
}

TEST(PngMetadata, BytesAndFileReadersAgree) {
  const std::string bytes = ivk::test::read_file(ivk::test::fixture(kFixture));
  auto from_bytes = ivk::read_png_metadata_bytes(bytes);
  auto from_file = ivk::read_png_metadata(ivk::test::fixture(kFixture));
  ASSERT_TRUE(from_bytes) << from_bytes.error().describe();
  ASSERT_TRUE(from_file);
  EXPECT_EQ(from_bytes->text_chunks, from_file->text_chunks);
  EXPECT_EQ(from_bytes->width, from_file->width);
}

TEST(PngMetadata, EncodedTextZtxtAndItxtChunksReadBackExactly) {
  const std::string utf8_prompt = "a caf\xC3\xA9 in \xE6\x97\xA5\xE6\x9C\xAC, 100\xE2\x80\xB0 cosy";
  const std::string big_json = R"({"nodes":[)" + std::string(5000, ' ') + R"(],"name":"zipped"})";
  std::vector<TextChunk> chunks = {
      {SPNG_TEXT, "Comment", "plain tEXt, ASCII only", false, "", ""},
      {SPNG_ZTXT, "invokeai_graph", big_json, false, "", ""},
      {SPNG_ITXT, "invokeai_workflow", utf8_prompt, true, "en", "Workflow"},
      {SPNG_ITXT, "Title", "uncompressed iTXt \xE2\x9C\x93", false, "", ""},
  };
  auto meta = ivk::read_png_metadata_bytes(encode_png(3, 2, chunks));
  ASSERT_TRUE(meta) << meta.error().describe();
  EXPECT_EQ(meta->width, 3u);
  EXPECT_EQ(meta->height, 2u);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"Comment", "plain tEXt, ASCII only"},
      {"invokeai_graph", big_json},
      {"invokeai_workflow", utf8_prompt},
      {"Title", "uncompressed iTXt \xE2\x9C\x93"},
  };
  EXPECT_EQ(meta->text_chunks, expected);
  EXPECT_EQ(meta->invokeai_graph, big_json);
  EXPECT_EQ(meta->invokeai_workflow, utf8_prompt);
  EXPECT_FALSE(meta->invokeai_metadata);
}

TEST(PngMetadata, Latin1TextChunkIsConvertedToUtf8) {
  // Pillow writes tEXt in Latin-1: "café" is the bytes 63 61 66 E9.
  auto meta = ivk::read_png_metadata_bytes(
      encode_png(1, 1, {{SPNG_TEXT, "invokeai_metadata", "caf\xE9", false, "", ""}}));
  ASSERT_TRUE(meta) << meta.error().describe();
  EXPECT_EQ(meta->invokeai_metadata, "caf\xC3\xA9");
}

TEST(PngMetadata, TextChunkAfterImageDataIsRead) {
  std::string png = encode_png(4, 3, {{SPNG_TEXT, "invokeai_metadata", "{\"before\":true}", false, "", ""}});
  png =
      insert_before_iend(png, make_chunk("tEXt", std::string("invokeai_graph") + '\0' + "{\"after\":true}"));
  auto meta = ivk::read_png_metadata_bytes(png);
  ASSERT_TRUE(meta) << meta.error().describe();
  ASSERT_EQ(meta->text_chunks.size(), 2u);
  EXPECT_EQ(meta->invokeai_metadata, "{\"before\":true}");
  EXPECT_EQ(meta->invokeai_graph, "{\"after\":true}");
}

TEST(PngMetadata, LaterChunkWithTheSameKeywordWins) {
  auto meta =
      ivk::read_png_metadata_bytes(encode_png(1, 1,
                                              {{SPNG_TEXT, "invokeai_workflow", "first", false, "", ""},
                                               {SPNG_TEXT, "invokeai_workflow", "second", false, "", ""}}));
  ASSERT_TRUE(meta) << meta.error().describe();
  EXPECT_EQ(meta->text_chunks.size(), 2u);
  EXPECT_EQ(meta->invokeai_workflow, "second");
}

TEST(PngMetadata, PngWithoutTextChunksHasEmptyOptionals) {
  auto meta = ivk::read_png_metadata_bytes(encode_png(5, 7, {}));
  ASSERT_TRUE(meta) << meta.error().describe();
  EXPECT_EQ(meta->width, 5u);
  EXPECT_EQ(meta->height, 7u);
  EXPECT_TRUE(meta->text_chunks.empty());
  EXPECT_FALSE(meta->invokeai_metadata);
  EXPECT_FALSE(meta->invokeai_graph);
  EXPECT_FALSE(meta->invokeai_workflow);
}

TEST(PngMetadata, OtherTextChunksLeaveInvokeAIOptionalsEmpty) {
  auto meta = ivk::read_png_metadata_bytes(
      encode_png(2, 2, {{SPNG_TEXT, "parameters", "a1111 style", false, "", ""}}));
  ASSERT_TRUE(meta) << meta.error().describe();
  ASSERT_EQ(meta->text_chunks.size(), 1u);
  EXPECT_EQ(meta->text_chunks[0].first, "parameters");
  EXPECT_FALSE(meta->invokeai_metadata || meta->invokeai_graph || meta->invokeai_workflow);
}

TEST(PngMetadata, TruncatedFileIsAParseError) {
  const std::string bytes = ivk::test::read_file(ivk::test::fixture(kFixture));
  for (const std::size_t keep : {std::size_t{20}, std::size_t{40}, bytes.size() / 2, bytes.size() - 1}) {
    auto meta = ivk::read_png_metadata_bytes(std::string_view(bytes).substr(0, keep));
    ASSERT_FALSE(meta) << "kept " << keep << " bytes";
    EXPECT_EQ(meta.error().code, ErrorCode::parse_error);
    EXPECT_NE(meta.error().message.find("truncated"), std::string::npos) << meta.error().message;
  }
}

TEST(PngMetadata, NonPngBytesAreAParseError) {
  for (const std::string& bytes :
       {std::string(), std::string("GIF89a\x01\x00\x01\x00", 10), std::string("{\"a\":1}")}) {
    auto meta = ivk::read_png_metadata_bytes(bytes);
    ASSERT_FALSE(meta);
    EXPECT_EQ(meta.error().code, ErrorCode::parse_error);
    EXPECT_EQ(meta.error().message, "not a PNG file (bad signature)");
  }
}

TEST(PngMetadata, NonPngFileNamesTheFile) {
  const auto path = ivk::test::shared_dir() / "invokeai" / "openapi-v6.8.json";
  auto meta = ivk::read_png_metadata(path);
  ASSERT_FALSE(meta);
  EXPECT_EQ(meta.error().code, ErrorCode::parse_error);
  EXPECT_EQ(meta.error().source, path.string());
  EXPECT_EQ(meta.error().describe(), path.string() + ": not a PNG file (bad signature)");
}

TEST(PngMetadata, CorruptTextChunkCrcIsAParseError) {
  std::string png = encode_png(2, 2, {{SPNG_TEXT, "invokeai_workflow", "{\"nodes\":[]}", false, "", ""}});
  const auto at = png.find("{\"nodes\"");
  ASSERT_NE(at, std::string::npos);
  png[at + 2] = 'N';  // the stored CRC no longer matches
  auto meta = ivk::read_png_metadata_bytes(png);
  ASSERT_FALSE(meta);
  EXPECT_EQ(meta.error().code, ErrorCode::parse_error);
}

TEST(PngMetadata, MissingFileIsNotFound) {
  const auto path = ivk::test::shared_dir() / "fixtures" / "images" / "no-such-image.png";
  auto meta = ivk::read_png_metadata(path);
  ASSERT_FALSE(meta);
  EXPECT_EQ(meta.error().code, ErrorCode::not_found);
  EXPECT_EQ(meta.error().source, path.string());
}

TEST(PngMetadata, DirectoryIsAnIoError) {
  auto meta = ivk::read_png_metadata(ivk::test::shared_dir() / "fixtures" / "images");
  ASSERT_FALSE(meta);
  EXPECT_EQ(meta.error().code, ErrorCode::io);
}

}  // namespace
