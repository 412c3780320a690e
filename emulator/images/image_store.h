#pragma once
// The emulator's images and boards: image records (ImageDTO fields), their PNG bytes on disk under
// data_dir/images, and board membership. Thread-safe. The queue's execution simulation adds the
// images its nodes "generate" through add_image; the /images, /boards and /board_images routes
// read and change the same store.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/router.h"
#include "ivk/error.h"
#include "socketio/event_sink.h"
#include "storage/state_db.h"

namespace ivk::emu {

struct NewImage {
  std::string png;  // the PNG file's bytes (already carrying any tEXt chunks)
  int width = 0;
  int height = 0;
  std::string image_origin = "internal";  // internal (generated) or external (uploaded)
  std::string image_category = "general";
  bool is_intermediate = false;
  std::optional<std::string> board_id;       // nullopt: uncategorized
  std::optional<std::string> session_id;     // the queue item's session
  std::optional<std::string> node_id;        // the prepared node id that produced it
  std::optional<std::string> metadata_json;  // GET /i/{name}/metadata (a JSON object) or null
  std::optional<std::string> workflow_json;  // stringified in GET /i/{name}/workflow
  std::optional<std::string> graph_json;
  std::string user_id = "system";
};

class ImageStore {
 public:
  // Keeps PNGs under data_dir/images (created when missing). With a database (--persist) the
  // stored records and boards are loaded and every change is written through. Errors: io.
  static Result<std::unique_ptr<ImageStore>> create(const std::filesystem::path& data_dir,
                                                    std::shared_ptr<StateDb> db = {});
  virtual ~ImageStore() = default;
  ImageStore(const ImageStore&) = delete;
  ImageStore& operator=(const ImageStore&) = delete;

  // Stores the image under a fresh "<uuid>.png" name and returns that name. Errors: io; not_found
  // when board_id names no board.
  virtual Result<std::string> add_image(NewImage image) = 0;
  // The ImageDTO JSON of an image, or nullopt.
  [[nodiscard]] virtual std::optional<std::string> image_dto_json(const std::string& image_name) const = 0;

 protected:
  ImageStore() = default;
};

// Registers /api/v1/images/*, /api/v1/boards/* and /api/v1/board_images/*.
// `events` receives the bulk download events (bulk_download_started, _complete, _error).
void add_image_routes(Router& router, ImageStore& images, EventSink events = {});

}  // namespace ivk::emu
