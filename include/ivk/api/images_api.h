#pragma once
// The images of an InvokeAI server (/api/v1/images): one method per route,
// typed. Errors come from ServerSession (not_found with the server's detail for a 404, http, auth,
// transport, timeout) plus the mappings documented per method; answers that are not the documented
// shape give parse_error. Nothing here throws or prints; every call is one request.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"

namespace ivk {

class ServerSession;

// One ImageDTO. URLs are as the server sends them: relative, without a leading slash.
struct ImageDto {
  std::string image_name;
  std::string image_url, thumbnail_url;
  std::string image_origin;    // "internal" (generated) or "external" (uploaded)
  std::string image_category;  // general, mask, control, user, other
  std::int64_t width = 0, height = 0;
  std::string created_at, updated_at;
  std::optional<std::string> deleted_at;
  bool is_intermediate = false;
  std::optional<std::string> session_id, node_id;
  bool starred = false;
  bool has_workflow = false;
  std::optional<std::string> board_id;  // nullopt: uncategorized
  std::string raw_json;
};

struct UploadOptions {
  std::string image_category = "user";
  bool is_intermediate = false;
  std::optional<std::string> board_id;  // nullopt: uncategorized (never send "none")
  std::optional<std::string> session_id;
  std::optional<bool> crop_visible;
  // The optional "metadata" form field: a JSON object as text, stored with the image.
  std::optional<std::string> metadata_json;
  // The file part's Content-Type; empty: from the file name's extension (image/png when unknown).
  std::string content_type;
};

// Filters of GET /images/ and /images/names. Unset members are not sent (server defaults apply).
struct ImageQuery {
  std::int64_t offset = 0;
  std::int64_t limit = 10;                  // GET /images/ only
  std::optional<std::string> image_origin;  // "internal" or "external"
  std::vector<std::string> categories;      // repeated
  std::optional<bool> is_intermediate;
  std::optional<std::string> board_id;  // "none": uncategorized images only
  std::optional<std::string> search_term;
  std::optional<bool> starred_first;
  std::optional<std::string> order_dir;  // "ASC" or "DESC"
};

struct ImagePage {
  std::vector<ImageDto> items;
  std::int64_t offset = 0, limit = 0, total = 0;
};

struct ImageNames {
  std::vector<std::string> names;
  std::int64_t starred_count = 0, total = 0;
};

// GET /i/{name}/workflow: the embedded workflow and graph as JSON text, when there are any.
struct ImageWorkflow {
  std::optional<std::string> workflow_json, graph_json;
};

struct ImageUrls {
  std::string image_name, image_url, thumbnail_url;
};

// ImageRecordChanges; unset members are not sent. Board membership is changed with BoardsApi.
struct ImagePatch {
  std::optional<std::string> image_category;
  std::optional<std::string> session_id;
  std::optional<bool> is_intermediate;
  std::optional<bool> starred;
};

struct DeleteImagesResult {
  std::vector<std::string> deleted_images;
  std::vector<std::string> affected_boards;  // board ids, "none" for uncategorized
  std::vector<std::string> failed_images;    // newest servers only
};

struct StarResult {
  std::vector<std::string> images;  // starred_images / unstarred_images
  std::vector<std::string> affected_boards;
};

class ImagesApi {
 public:
  // The session must outlive this object.
  explicit ImagesApi(ServerSession& session) : session_(&session) {}

  // POST /upload (multipart field "file"), never retried. 415 (not an image) -> invalid_argument;
  // 404 (unknown board) -> not_found.
  Result<ImageDto> upload(std::string_view bytes, std::string_view file_name,
                          const UploadOptions& options = {});

  // GET /i/{name}. 404 -> not_found.
  Result<ImageDto> get(std::string_view image_name);
  // GET /i/{name}/full, /thumbnail: the bytes (PNG / WebP). 404 -> not_found.
  Result<std::string> full(std::string_view image_name);
  Result<std::string> thumbnail(std::string_view image_name);
  // GET /i/{name}/metadata: the metadata object as JSON text; nullopt when the server answers null.
  Result<std::optional<std::string>> metadata(std::string_view image_name);
  // GET /i/{name}/workflow.
  Result<ImageWorkflow> workflow(std::string_view image_name);
  // GET /i/{name}/urls.
  Result<ImageUrls> urls(std::string_view image_name);

  // GET /?...: one page of DTOs.
  Result<ImagePage> list(const ImageQuery& query = {});
  // GET /names?... (6.0+): every matching name (no paging; offset and limit are not sent).
  Result<ImageNames> names(const ImageQuery& query = {});
  // POST /images_by_names (6.0+): DTOs in the order asked, missing names skipped.
  Result<std::vector<ImageDto>> by_names(std::span<const std::string> image_names);

  // PATCH /i/{name}: the updated DTO. 400 -> invalid_argument.
  Result<ImageDto> update(std::string_view image_name, const ImagePatch& patch);
  // DELETE /i/{name}. The server answers 200 for a name it does not know, with nothing in
  // deleted_images: check it when that matters.
  Result<DeleteImagesResult> remove(std::string_view image_name);
  // POST /delete.
  Result<DeleteImagesResult> remove_many(std::span<const std::string> image_names);
  // DELETE /uncategorized (5.13+): every image on no board.
  Result<DeleteImagesResult> remove_uncategorized();
  // POST /star, /unstar.
  Result<StarResult> star(std::span<const std::string> image_names);
  Result<StarResult> unstar(std::span<const std::string> image_names);

  // GET /intermediates: how many intermediate images are stored.
  Result<std::int64_t> intermediates_count();
  // DELETE /intermediates (admin): how many were deleted.
  Result<std::int64_t> clear_intermediates();

  // POST /download (202): starts building a zip of these images (or of a board) and returns its
  // item name. The zip is ready after the bulk_download_complete event; fetch it with
  // download_zip_file, or wait for it with wait_for_zip_file. Never retried.
  Result<std::string> download_zip(std::span<const std::string> image_names);
  Result<std::string> download_board_zip(std::string_view board_id);
  // GET /download/{item_name}: the zip bytes. 404 -> not_found (not ready yet, or unknown).
  Result<std::string> download_zip_file(std::string_view item_name);
  // download_zip_file, asked again every `poll` while the server answers 404 (the archive is still
  // being built), for at most `timeout`: the zip bytes, the first other error, timeout, or cancelled
  // as soon as `cancelled` returns true (checked between attempts).
  Result<std::string> wait_for_zip_file(std::string_view item_name, std::chrono::milliseconds timeout,
                                        std::chrono::milliseconds poll = std::chrono::milliseconds(250),
                                        const std::function<bool()>& cancelled = {});

  [[nodiscard]] ServerSession& session() const noexcept { return *session_; }

 private:
  ServerSession* session_;
};

}  // namespace ivk
