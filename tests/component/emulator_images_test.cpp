// The emulator's /images, /boards and /board_images routes (spec §5, §6) over real HTTP: an
// in-process ivk::Emulator on an ephemeral port, driven by the independent Beast test client.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ivk/emulator.h"
#include "support/fixtures.h"
#include "support/raw_http.h"

namespace {

using Json = nlohmann::ordered_json;
using ivk::test::raw_http;
using ivk::test::RawResponse;

const char* const kFixtureName = "images/8079126e-6cb0-4d47-956a-0eec6b71c600.png";

std::uint32_t crc32(const std::string& data) {
  std::uint32_t c = 0xffffffffu;
  for (const char ch : data) {
    c ^= static_cast<unsigned char>(ch);
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xedb88320u ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xffffffffu;
}

void be32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xffu));
}

void chunk(std::string& png, const std::string& type, const std::string& data) {
  be32(png, static_cast<std::uint32_t>(data.size()));
  png += type + data;
  be32(png, crc32(type + data));
}

// A valid RGB PNG of w x h pixels of one colour (a stored, uncompressed zlib stream), so the test
// does not depend on the encoder it checks.
std::string make_png(std::uint32_t w, std::uint32_t h, unsigned char shade) {
  std::string raw;
  for (std::uint32_t y = 0; y < h; ++y) {
    raw.push_back('\0');  // filter: none
    raw.append(static_cast<std::size_t>(w) * 3, static_cast<char>(shade));
  }
  std::string z = "\x78\x01";
  z.push_back('\x01');  // final stored block (raw stays below 64 KiB in these tests)
  const auto len = static_cast<std::uint32_t>(raw.size());
  const std::uint32_t nlen = ~len & 0xffffu;
  z.push_back(static_cast<char>(len & 0xffu));
  z.push_back(static_cast<char>((len >> 8) & 0xffu));
  z.push_back(static_cast<char>(nlen & 0xffu));
  z.push_back(static_cast<char>((nlen >> 8) & 0xffu));
  z += raw;
  std::uint32_t a = 1;
  std::uint32_t b = 0;
  for (const char ch : raw) {
    a = (a + static_cast<unsigned char>(ch)) % 65521u;
    b = (b + a) % 65521u;
  }
  be32(z, (b << 16) | a);
  std::string png("\x89PNG\r\n\x1a\n", 8);
  std::string ihdr;
  be32(ihdr, w);
  be32(ihdr, h);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB
  chunk(png, "IHDR", ihdr);
  chunk(png, "IDAT", z);
  chunk(png, "IEND", "");
  return png;
}

struct Part {
  std::string name;
  std::string content_type;  // empty: a plain form field
  std::string data;
};

std::string multipart(const std::vector<Part>& parts, const std::string& boundary) {
  std::string body;
  for (const auto& p : parts) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + p.name + "\"";
    if (!p.content_type.empty()) body += "; filename=\"upload.png\"\r\nContent-Type: " + p.content_type;
    body += "\r\n\r\n" + p.data + "\r\n";
  }
  return body + "--" + boundary + "--\r\n";
}

Json parse(const RawResponse& r) { return Json::parse(r.body, nullptr, false); }

class EmulatorImages : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ = std::filesystem::temp_directory_path() /
                ("ivk-emuimages-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(data_dir_);
    ivk::EmulatorOptions options;
    options.data_dir = data_dir_;
    auto started = ivk::Emulator::start(std::move(options));
    ASSERT_TRUE(started) << started.error().describe();
    emulator_ = std::move(*started);
    port_ = emulator_->port();
  }
  void TearDown() override {
    emulator_.reset();
    std::filesystem::remove_all(data_dir_);
  }

  RawResponse upload(const std::string& bytes,
                     const std::string& query = "image_category=user&is_intermediate=false",
                     const std::string& content_type = "image/png", const std::string& metadata = {}) {
    std::vector<Part> parts{{"file", content_type, bytes}};
    if (!metadata.empty()) parts.push_back({"metadata", "", metadata});
    return raw_http(port_, "POST", "/api/v1/images/upload?" + query, multipart(parts, "XyZbOuNdArY"),
                    {{"Content-Type", "multipart/form-data; boundary=XyZbOuNdArY"}});
  }
  // Uploads and returns the new image's name.
  std::string upload_name(const std::string& bytes,
                          const std::string& query = "image_category=user&is_intermediate=false") {
    const auto r = upload(bytes, query);
    EXPECT_EQ(r.status, 201) << r.body;
    return parse(r).value("image_name", "");
  }
  RawResponse get(const std::string& target) { return raw_http(port_, "GET", target); }
  RawResponse send(const std::string& method, const std::string& target, const Json& body) {
    return raw_http(port_, method, target, body.dump());
  }

  std::filesystem::path data_dir_;
  std::unique_ptr<ivk::Emulator> emulator_;
  std::uint16_t port_ = 0;
};

TEST_F(EmulatorImages, UploadServesDtoFullBytesMetadataWorkflowAndThumbnail) {
  const std::string png = ivk::test::read_file(ivk::test::fixture(kFixtureName));
  ASSERT_GT(png.size(), 1000u);
  const auto r = upload(png);
  ASSERT_EQ(r.status, 201) << r.body;
  const Json dto = parse(r);
  const std::string name = dto.at("image_name");
  EXPECT_EQ(name.size(), 36u + 4u);
  EXPECT_EQ(name.substr(36), ".png");
  EXPECT_EQ(r.header("location").value_or(""), "api/v1/images/i/" + name + "/full");
  EXPECT_EQ(dto.at("width"), 800);
  EXPECT_EQ(dto.at("height"), 1024);
  EXPECT_EQ(dto.at("image_origin"), "external");
  EXPECT_EQ(dto.at("image_category"), "user");
  EXPECT_EQ(dto.at("image_url"), "api/v1/images/i/" + name + "/full");
  EXPECT_EQ(dto.at("thumbnail_url"), "api/v1/images/i/" + name + "/thumbnail");
  EXPECT_EQ(dto.at("has_workflow"), true);  // the fixture carries an invokeai_workflow chunk
  EXPECT_EQ(dto.at("starred"), false);
  EXPECT_TRUE(dto.at("board_id").is_null());
  const std::string created = dto.at("created_at");
  ASSERT_EQ(created.size(), 23u);  // "YYYY-MM-DD HH:MM:SS.mmm"
  EXPECT_EQ(created[10], ' ');
  EXPECT_EQ(created[19], '.');
  EXPECT_TRUE(std::filesystem::exists(data_dir_ / "images" / name));

  EXPECT_EQ(parse(get("/api/v1/images/i/" + name)), dto);

  const auto full = get("/api/v1/images/i/" + name + "/full");
  ASSERT_EQ(full.status, 200);
  EXPECT_EQ(full.body, png);
  EXPECT_EQ(full.header("content-type").value_or(""), "image/png");
  EXPECT_EQ(full.header("content-disposition").value_or(""), "inline; filename=\"" + name + "\"");
  EXPECT_EQ(full.header("cache-control").value_or(""), "max-age=31536000");
  const auto head = raw_http(port_, "HEAD", "/api/v1/images/i/" + name + "/full");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());

  const auto thumb = get("/api/v1/images/i/" + name + "/thumbnail");
  ASSERT_EQ(thumb.status, 200);
  EXPECT_EQ(thumb.header("content-type").value_or(""), "image/webp");
  ASSERT_GT(thumb.body.size(), 30u);
  EXPECT_EQ(thumb.body.substr(0, 4), "RIFF");
  EXPECT_EQ(thumb.body.substr(8, 8), "WEBPVP8L");
  // 800x1024 fits 256: 200x256 in the VP8L header (14-bit width-1, height-1).
  const auto u = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(thumb.body[i]));
  };
  const std::uint32_t bits = u(21) | (u(22) << 8) | (u(23) << 16) | (u(24) << 24);
  EXPECT_EQ((bits & 0x3fffu) + 1, 200u);
  EXPECT_EQ(((bits >> 14) & 0x3fffu) + 1, 256u);

  const Json metadata = parse(get("/api/v1/images/i/" + name + "/metadata"));
  ASSERT_TRUE(metadata.is_object());
  EXPECT_FALSE(metadata.empty());
  const Json workflow = parse(get("/api/v1/images/i/" + name + "/workflow"));
  ASSERT_TRUE(workflow.at("workflow").is_string());
  EXPECT_TRUE(Json::parse(workflow.at("workflow").get<std::string>()).contains("nodes"));
  EXPECT_TRUE(workflow.at("graph").is_string());
  const Json urls = parse(get("/api/v1/images/i/" + name + "/urls"));
  EXPECT_EQ(
      urls,
      (Json{{"image_name", name}, {"image_url", dto["image_url"]}, {"thumbnail_url", dto["thumbnail_url"]}}));
}

TEST_F(EmulatorImages, UploadWithMetadataFieldAndPlainPng) {
  const auto r = upload(make_png(3, 2, 200), "image_category=general&is_intermediate=true&session_id=s1",
                        "image/png", R"({"seed": 7})");
  ASSERT_EQ(r.status, 201) << r.body;
  const Json dto = parse(r);
  EXPECT_EQ(dto.at("width"), 3);
  EXPECT_EQ(dto.at("height"), 2);
  EXPECT_EQ(dto.at("is_intermediate"), true);
  EXPECT_EQ(dto.at("session_id"), "s1");
  EXPECT_EQ(dto.at("has_workflow"), false);
  const std::string name = dto.at("image_name");
  EXPECT_EQ(parse(get("/api/v1/images/i/" + name + "/metadata")), (Json{{"seed", 7}}));
  EXPECT_EQ(parse(get("/api/v1/images/i/" + name + "/workflow")),
            (Json{{"workflow", nullptr}, {"graph", nullptr}}));
  const auto thumb = get("/api/v1/images/i/" + name + "/thumbnail");
  EXPECT_EQ(thumb.status, 200);
  EXPECT_EQ(thumb.header("content-type").value_or(""), "image/webp");
}

TEST_F(EmulatorImages, UploadResizeTo) {
  const std::string png = make_png(8, 6, 77);
  for (const std::string resize : {"[4,3]", R"({"width":4,"height":3})"}) {
    const std::vector<Part> parts{{"file", "image/png", png}, {"resize_to", "", resize}};
    const auto r =
        raw_http(port_, "POST", "/api/v1/images/upload?image_category=user&is_intermediate=false",
                 multipart(parts, "b0undary"), {{"Content-Type", "multipart/form-data; boundary=b0undary"}});
    ASSERT_EQ(r.status, 201) << resize << r.body;
    EXPECT_EQ(parse(r).at("width"), 4);
    EXPECT_EQ(parse(r).at("height"), 3);
    const auto full = get("/api/v1/images/i/" + parse(r).at("image_name").get<std::string>() + "/full");
    ASSERT_GT(full.body.size(), 24u);
    EXPECT_EQ(full.body.substr(12, 4), "IHDR");
    EXPECT_EQ(full.body.substr(16, 8), std::string("\0\0\0\x04\0\0\0\x03", 8));
  }
  for (const std::string resize :
       {"[0,3]", "[5000,5000]", "[9223372036854775807,2]", "nope", R"({"width":"4"})"}) {
    const std::vector<Part> parts{{"file", "image/png", png}, {"resize_to", "", resize}};
    const auto r =
        raw_http(port_, "POST", "/api/v1/images/upload?image_category=user&is_intermediate=false",
                 multipart(parts, "b0undary"), {{"Content-Type", "multipart/form-data; boundary=b0undary"}});
    EXPECT_EQ(r.status, 400) << resize;
    EXPECT_EQ(parse(r), (Json{{"detail", "Invalid resize_to format or size"}}));
  }
}

TEST_F(EmulatorImages, UploadErrors) {
  const std::string png = make_png(2, 2, 9);
  auto r = upload(png, "image_category=user&is_intermediate=false", "text/plain");
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(parse(r), (Json{{"detail", "Not an image"}}));
  r = upload("definitely not an image", "image_category=user&is_intermediate=false", "image/png");
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(parse(r), (Json{{"detail", "Failed to read image"}}));
  r = upload(png.substr(0, 20), "image_category=user&is_intermediate=false",
             "image/png");  // truncated header
  EXPECT_EQ(r.status, 415);
  r = upload(png, "is_intermediate=false");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(parse(r)["detail"][0]["loc"], (Json{"query", "image_category"}));
  r = upload(png, "image_category=bogus&is_intermediate=false");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(parse(r)["detail"][0]["type"], "enum");
  r = upload(png, "image_category=user&is_intermediate=false&board_id=nope");
  EXPECT_EQ(r.status, 404);
  // Broken multipart bodies: no boundary, no closing delimiter, garbage.
  for (const auto& [ct, body] : std::vector<std::pair<std::string, std::string>>{
           {"multipart/form-data", "--x\r\n"},
           {"multipart/form-data; boundary=x",
            "--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc"},
           {"multipart/form-data; boundary=x", std::string(5000, '-')},
           {"application/json", "{}"}}) {
    r = raw_http(port_, "POST", "/api/v1/images/upload?image_category=user&is_intermediate=false", body,
                 {{"Content-Type", ct}});
    EXPECT_EQ(r.status, 422) << ct;
    EXPECT_EQ(parse(r)["detail"][0]["loc"], (Json{"body", "file"}));
  }
}

TEST_F(EmulatorImages, NotFoundAndUnsafeNames) {
  for (const std::string target :
       {"/api/v1/images/i/nope.png", "/api/v1/images/i/nope.png/full", "/api/v1/images/i/nope.png/thumbnail",
        "/api/v1/images/i/nope.png/metadata", "/api/v1/images/i/nope.png/workflow",
        "/api/v1/images/i/nope.png/urls", "/api/v1/images/i/..%2F..%2Fetc%2Fpasswd/full",
        "/api/v1/images/i/../full", "/api/v1/images/i/..hidden.png/full",
        "/api/v1/images/i/a%5C..%5Cb.png/full", "/api/v1/images/download/..%2Fimages",
        "/api/v1/images/download/none.zip"}) {
    const auto r = get(target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(parse(r), (Json{{"detail", "Not Found"}})) << target;
  }
  // Deleting an unknown image is not an error on the real server: empty lists.
  const auto d = raw_http(port_, "DELETE", "/api/v1/images/i/nope.png");
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(parse(d), (Json{{"affected_boards", Json::array()}, {"deleted_images", Json::array()}}));
  EXPECT_EQ(send("PATCH", "/api/v1/images/i/nope.png", Json{{"starred", true}}).status, 400);
}

TEST_F(EmulatorImages, BoardsLifecycle) {
  const std::string image = upload_name(make_png(4, 4, 1));
  auto r = raw_http(port_, "POST", "/api/v1/boards/?board_name=My%20Board");
  ASSERT_EQ(r.status, 201) << r.body;
  const Json board = parse(r);
  const std::string board_id = board.at("board_id");
  EXPECT_EQ(board.at("board_name"), "My Board");
  EXPECT_EQ(board.at("image_count"), 0);
  EXPECT_EQ(board.at("asset_count"), 0);
  EXPECT_EQ(board.at("video_count"), 0);
  EXPECT_EQ(board.at("archived"), false);
  EXPECT_TRUE(board.at("cover_image_name").is_null());

  r = get("/api/v1/boards/");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(parse(r),
            (Json{{"detail", "Invalid request: Must provide either 'all' or both 'offset' and 'limit'"}}));
  EXPECT_EQ(get("/api/v1/boards/?offset=0").status, 400);
  EXPECT_EQ(parse(get("/api/v1/boards/?all=true")).size(), 1u);
  const Json page = parse(get("/api/v1/boards/?offset=0&limit=5"));
  EXPECT_EQ(page.at("total"), 1);
  EXPECT_EQ(page.at("limit"), 5);
  EXPECT_EQ(page.at("items")[0].at("board_id"), board_id);
  EXPECT_EQ(raw_http(port_, "POST", "/api/v1/boards/?board_name=" + std::string(301, 'x')).status, 422);
  EXPECT_EQ(raw_http(port_, "POST", "/api/v1/boards/").status, 422);

  r = send("POST", "/api/v1/board_images/", Json{{"board_id", board_id}, {"image_name", image}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(parse(r), (Json{{"affected_boards", {board_id, "none"}}, {"added_images", {image}}}));
  EXPECT_EQ(parse(get("/api/v1/boards/" + board_id + "/image_names")), (Json{image}));
  EXPECT_EQ(parse(get("/api/v1/boards/none/image_names")), Json::array());
  Json got = parse(get("/api/v1/boards/" + board_id));
  EXPECT_EQ(got.at("asset_count"), 1);  // "user" is an asset category
  EXPECT_EQ(got.at("image_count"), 0);
  EXPECT_EQ(got.at("cover_image_name"), image);
  EXPECT_EQ(parse(get("/api/v1/images/i/" + image)).at("board_id"), board_id);
  EXPECT_EQ(parse(get("/api/v1/images/?board_id=none")).at("total"), 0);
  EXPECT_EQ(parse(get("/api/v1/images/?board_id=" + board_id)).at("total"), 1);

  const std::string general = upload_name(make_png(2, 2, 3), "image_category=general&is_intermediate=false");
  r = send("POST", "/api/v1/board_images/batch",
           Json{{"board_id", board_id}, {"image_names", {general, "missing.png"}}});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(parse(r).at("added_images"), (Json{general}));
  got = parse(get("/api/v1/boards/" + board_id));
  EXPECT_EQ(got.at("image_count"), 1);
  EXPECT_EQ(got.at("cover_image_name"), general);  // the newest image

  r = send("DELETE", "/api/v1/board_images/", Json{{"image_name", image}});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(parse(r), (Json{{"affected_boards", {"none", board_id}}, {"removed_images", {image}}}));
  EXPECT_TRUE(parse(get("/api/v1/images/i/" + image)).at("board_id").is_null());
  r = send("POST", "/api/v1/board_images/batch/delete", Json{{"image_names", {general}}});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(parse(r).at("removed_images"), (Json{general}));
  EXPECT_EQ(send("POST", "/api/v1/board_images/", Json{{"board_id", "nope"}, {"image_name", image}}).status,
            500);
  EXPECT_EQ(send("POST", "/api/v1/board_images/", Json{{"board_id", board_id}}).status, 422);

  r = send("PATCH", "/api/v1/boards/" + board_id, Json{{"board_name", "Renamed"}, {"archived", true}});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(parse(r).at("board_name"), "Renamed");
  EXPECT_EQ(parse(get("/api/v1/boards/?all=true")).size(), 0u);  // archived boards hidden by default
  EXPECT_EQ(parse(get("/api/v1/boards/?all=true&include_archived=true")).size(), 1u);
  r = send("PATCH", "/api/v1/boards/" + board_id, Json{{"board_name", "x"}, {"owner", "me"}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(parse(r)["detail"][0]["type"], "extra_forbidden");
  EXPECT_EQ(get("/api/v1/boards/nope").status, 404);
  EXPECT_EQ(parse(get("/api/v1/boards/nope")), (Json{{"detail", "Board not found"}}));

  // Delete with its images: both go, files too.
  send("POST", "/api/v1/board_images/batch", Json{{"board_id", board_id}, {"image_names", {image, general}}});
  r = raw_http(port_, "DELETE", "/api/v1/boards/" + board_id + "?include_images=true");
  ASSERT_EQ(r.status, 200) << r.body;
  const Json deleted = parse(r);
  EXPECT_EQ(deleted.at("board_id"), board_id);
  EXPECT_EQ(deleted.at("deleted_board_images"), Json::array());
  EXPECT_EQ(deleted.at("deleted_images").size(), 2u);
  EXPECT_EQ(get("/api/v1/images/i/" + image).status, 404);
  EXPECT_FALSE(std::filesystem::exists(data_dir_ / "images" / image));
  EXPECT_EQ(get("/api/v1/boards/" + board_id).status, 404);
}

TEST_F(EmulatorImages, DeleteBoardKeepsImagesUncategorized) {
  const std::string image = upload_name(make_png(2, 2, 1));
  const std::string board_id = parse(raw_http(port_, "POST", "/api/v1/boards/?board_name=b")).at("board_id");
  send("POST", "/api/v1/board_images/", Json{{"board_id", board_id}, {"image_name", image}});
  const auto r = raw_http(port_, "DELETE", "/api/v1/boards/" + board_id);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(parse(r).at("deleted_board_images"), (Json{image}));
  EXPECT_EQ(parse(r).at("deleted_images"), Json::array());
  EXPECT_TRUE(parse(get("/api/v1/images/i/" + image)).at("board_id").is_null());
}

TEST_F(EmulatorImages, StarListFiltersAndPaging) {
  std::vector<std::string> names;
  for (int i = 0; i < 5; ++i)
    names.push_back(upload_name(make_png(2, 2, static_cast<unsigned char>(i)),
                                i < 3 ? "image_category=general&is_intermediate=false"
                                      : "image_category=mask&is_intermediate=false"));
  const std::string inter = upload_name(make_png(2, 2, 99), "image_category=general&is_intermediate=true");

  auto r = send("POST", "/api/v1/images/star", Json{{"image_names", {names[0], "missing.png"}}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(parse(r), (Json{{"affected_boards", {"none"}}, {"starred_images", {names[0]}}}));

  Json page = parse(get("/api/v1/images/?limit=2&offset=0&is_intermediate=false"));
  EXPECT_EQ(page.at("total"), 5);
  EXPECT_EQ(page.at("limit"), 2);
  ASSERT_EQ(page.at("items").size(), 2u);
  EXPECT_EQ(page["items"][0]["image_name"], names[0]);  // starred first
  EXPECT_EQ(page["items"][1]["image_name"], names[4]);  // then newest first
  page = parse(get("/api/v1/images/?limit=2&offset=4&is_intermediate=false"));
  EXPECT_EQ(page.at("items").size(), 1u);
  page = parse(get("/api/v1/images/?starred_first=false&order_dir=ASC&is_intermediate=false"));
  EXPECT_EQ(page["items"][0]["image_name"], names[0]);
  EXPECT_EQ(page["items"][1]["image_name"], names[1]);
  EXPECT_EQ(parse(get("/api/v1/images/?categories=mask")).at("total"), 2);
  EXPECT_EQ(parse(get("/api/v1/images/?categories=mask&categories=general")).at("total"), 6);
  EXPECT_EQ(parse(get("/api/v1/images/?image_origin=internal")).at("total"), 0);
  EXPECT_EQ(parse(get("/api/v1/images/?is_intermediate=true")).at("total"), 1);
  EXPECT_EQ(get("/api/v1/images/?order_dir=sideways").status, 422);
  EXPECT_EQ(get("/api/v1/images/?limit=ten").status, 422);

  const Json listed = parse(get("/api/v1/images/names?is_intermediate=false"));
  EXPECT_EQ(listed.at("total_count"), 5);
  EXPECT_EQ(listed.at("starred_count"), 1);
  EXPECT_EQ(listed.at("image_names")[0], names[0]);

  r = send("POST", "/api/v1/images/images_by_names",
           Json{{"image_names", {names[2], "missing.png", names[1]}}});
  ASSERT_EQ(r.status, 200);
  const Json dtos = parse(r);
  ASSERT_EQ(dtos.size(), 2u);
  EXPECT_EQ(dtos[0]["image_name"], names[2]);
  EXPECT_EQ(dtos[1]["image_name"], names[1]);

  r = send("POST", "/api/v1/images/unstar", Json{{"image_names", {names[0]}}});
  EXPECT_EQ(parse(r), (Json{{"affected_boards", {"none"}}, {"unstarred_images", {names[0]}}}));
  EXPECT_EQ(parse(get("/api/v1/images/names")).at("starred_count"), 0);
  EXPECT_EQ(send("POST", "/api/v1/images/star", Json{{"names", Json::array()}}).status, 422);

  r = send("PATCH", "/api/v1/images/i/" + names[1], Json{{"image_category", "control"}, {"starred", true}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(parse(r).at("image_category"), "control");
  EXPECT_EQ(parse(r).at("starred"), true);
  EXPECT_EQ(send("PATCH", "/api/v1/images/i/" + names[1], Json{{"image_category", "nope"}}).status, 422);

  EXPECT_EQ(parse(get("/api/v1/images/intermediates")), 1);
  EXPECT_EQ(parse(raw_http(port_, "DELETE", "/api/v1/images/intermediates")), 1);
  EXPECT_EQ(get("/api/v1/images/i/" + inter).status, 404);

  r = send("POST", "/api/v1/images/delete", Json{{"image_names", {names[3], names[4]}}});
  EXPECT_EQ(parse(r), (Json{{"affected_boards", {"none"}}, {"deleted_images", {names[3], names[4]}}}));
  r = raw_http(port_, "DELETE", "/api/v1/images/uncategorized");
  EXPECT_EQ(parse(r).at("deleted_images").size(), 3u);
  EXPECT_EQ(parse(get("/api/v1/images/")).at("total"), 0);
}

TEST_F(EmulatorImages, BulkDownloadWritesAZip) {
  const std::string a = upload_name(make_png(2, 2, 5));
  const std::string png = ivk::test::read_file(data_dir_ / "images" / a);
  auto r = send("POST", "/api/v1/images/download", Json{{"image_names", {a}}});
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string zip_name = parse(r).at("bulk_download_item_name");
  EXPECT_EQ(zip_name.substr(zip_name.size() - 4), ".zip");
  r = get("/api/v1/images/download/" + zip_name);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type").value_or(""), "application/zip");
  EXPECT_EQ(r.body.substr(0, 4), "PK\x03\x04");
  EXPECT_NE(r.body.find(a), std::string::npos);
  EXPECT_NE(r.body.find(png), std::string::npos);  // stored, not compressed
  EXPECT_EQ(send("POST", "/api/v1/images/download", Json::object()).status, 400);
}

}  // namespace
