// The quick helpers: copy an image to a board, SDXL text-to-image. See quick.h.
#include "ivk/client/quick.h"

#include <cmath>
#include <random>

#include "core/ascii_case.h"
#include "core/json_write.h"
#include "core/uuid.h"
#include "ivk/api/boards_api.h"
#include "ivk/api/models_api.h"
#include "ivk/api/queue_api.h"
#include "ivk/client/batch_run.h"
#include "ivk/client/output_mapping.h"
#include "ivk/models/model_selection.h"
#include "ivk/workflow/batch.h"
#include "ivk/workflow/workflow.h"

namespace ivk {

namespace {

// Input indices of the built-in SDXL workflow (checked by a test).
constexpr const char* kPrompt = "0";
constexpr const char* kNegative = "1";
constexpr const char* kWidth = "2";
constexpr const char* kHeight = "3";
constexpr const char* kSeed = "4";
constexpr const char* kSteps = "6";
constexpr const char* kCfg = "7";
constexpr const char* kScheduler = "8";
constexpr const char* kBoard = "9";

// Runs one enqueue body to its end and returns the record of the first image it collected.
Result<ImageDto> run_for_one_image(ServerSession& session, const std::string& body,
                                   const QuickOptions& options, std::string_view what) {
  QueueApi queue(session);
  RunOptions run_options;
  run_options.timeout = options.timeout;
  auto run = BatchRun::submit(queue, options.events, body, run_options);
  if (!run) return tl::unexpected(run.error());
  auto summary = (*run)->wait();
  if (!summary) return tl::unexpected(summary.error());
  if (summary->items.empty())
    return fail(ErrorCode::internal, std::string(what) + ": the batch had no items");
  const QueueItem& item = summary->items.front();
  if (item.status != "completed") {
    Error e = fail(ErrorCode::http,
                   std::string(what) + ": queue item " + std::to_string(item.item_id) + " " + item.status +
                       (item.error_type ? ": " + *item.error_type : std::string()) +
                       (item.error_message ? ": " + *item.error_message : std::string()),
                   "queue item " + std::to_string(item.item_id))
                  .value();
    if (item.status == "canceled") e.code = ErrorCode::cancelled;
    return tl::unexpected(std::move(e));
  }
  auto mapped = map_item_images(item.session_json);
  if (!mapped) return tl::unexpected(mapped.error());
  if (mapped->collect.empty())
    return fail(ErrorCode::http, std::string(what) + ": queue item " + std::to_string(item.item_id) +
                                     " completed without an image");
  ImagesApi images(session);
  return images.get(mapped->collect.front());
}

}  // namespace

int round_to_multiple_of_8(int n) noexcept {
  // Python's round() is half to even; std::nearbyint with the default rounding mode is too.
  const double rounded = std::nearbyint(static_cast<double>(n) / 8.0) * 8.0;
  return std::max(8, static_cast<int>(rounded));
}

Result<ImageDto> copy_image_to_board(ServerSession& session, std::string_view image_name,
                                     std::string_view board_id, const QuickOptions& options) {
  const bool uncategorized = board_id.empty() || board_id == "none";
  if (!uncategorized) {
    BoardsApi boards(session);
    if (auto board = boards.get(board_id); !board) return tl::unexpected(board.error());
  }
  ImagesApi images(session);
  if (auto image = images.get(image_name); !image) return tl::unexpected(image.error());

  // One save_image node, not intermediate and not cached, so the server always makes a new image.
  using detail::json_string;
  std::string node =
      "{\"id\":\"save_image\",\"type\":\"save_image\",\"is_intermediate\":false,\"use_cache\":false,"
      "\"image\":{\"image_name\":" +
      json_string(image_name) + "}";
  if (!uncategorized) node += ",\"board\":{\"board_id\":" + json_string(board_id) + "}";
  node += "}";
  const std::string body = "{\"prepend\":false,\"batch\":{\"graph\":{\"id\":" + json_string(detail::uuid4()) +
                           ",\"nodes\":{\"save_image\":" + node +
                           "},\"edges\":[]},\"runs\":1,\"origin\":\"ivk\",\"destination\":\"gallery\"}}";
  return run_for_one_image(session, body, options, "copy of " + std::string(image_name));
}

Result<ImageDto> generate_sdxl_text_to_image(ServerSession& session, const SdxlTextToImage& request,
                                             const QuickOptions& options) {
  auto wf =
      Workflow::load_string(std::string(builtin_sdxl_text_to_image_workflow()), "sdxl-text-to-image.json");
  if (!wf) return tl::unexpected(wf.error());

  ModelsApi models(session);
  ModelFilter filter;
  filter.bases = {"sdxl"};
  filter.type = "main";
  auto records = models.list(filter);
  if (!records) return tl::unexpected(records.error());
  const ModelRecord* chosen = nullptr;
  for (const auto& r : *records) {
    if (r.base != "sdxl" || r.type != "main") continue;  // the filter is the server's; check anyway
    if (chosen == nullptr) chosen = &r;
    if (request.model_name &&
        detail::ascii_lower(r.name).find(detail::ascii_lower(*request.model_name)) != std::string::npos) {
      chosen = &r;
      break;
    }
  }
  if (chosen == nullptr)
    return fail(ErrorCode::not_found, "the server has no SDXL main model", "GET /api/v2/models/");
  SwitchOptions switch_options;
  switch_options.adjust_settings = false;
  if (auto switched = switch_model(*wf, *chosen, switch_options); !switched)
    return tl::unexpected(switched.error());

  std::vector<std::pair<std::string, std::string>> values = {
      {kPrompt, request.positive_prompt},
      {kNegative, request.negative_prompt},
      {kWidth, std::to_string(round_to_multiple_of_8(request.width))},
      {kHeight, std::to_string(round_to_multiple_of_8(request.height))},
  };
  std::int64_t seed = 0;
  if (request.seed) {
    seed = *request.seed;
  } else {
    // A fresh seed per call, as the GUI's "random seed" does: the same prompt twice gives two images.
    std::random_device rd;
    seed = static_cast<std::int64_t>(rd() % 4294967295u);
  }
  values.emplace_back(kSeed, std::to_string(seed));
  if (request.steps) values.emplace_back(kSteps, std::to_string(*request.steps));
  if (request.cfg_scale) {
    std::string cfg;
    detail::append_json_number(cfg, *request.cfg_scale);
    values.emplace_back(kCfg, cfg);
  }
  if (request.scheduler) values.emplace_back(kScheduler, *request.scheduler);
  values.emplace_back(kBoard, request.board_id.value_or("none"));
  if (auto ok = wf->set_many(values); !ok) return tl::unexpected(ok.error());
  auto body = build_enqueue_body(*wf);
  if (!body) return tl::unexpected(body.error());
  return run_for_one_image(session, *body, options, "SDXL text-to-image");
}

}  // namespace ivk
