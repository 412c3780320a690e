#pragma once
// One-call helpers for the two jobs invokeai-py-client's quick client does (copy to board, SDXL t2i),
// without its bugs: a refiner is never taken for an SDXL main model, the chosen model is not
// overwritten by a sync, failures keep the server's error, and every wait has a timeout.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ivk/api/images_api.h"
#include "ivk/error.h"

namespace ivk {

class ServerSession;
class EventStream;

struct QuickOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(240)};
  EventStream* events = nullptr;  // optional: faster completion; polling alone works too
};

// A new copy of an image on a board ("none": uncategorized), made by a one-node save_image graph as
// the Python client does. The board (unless "none") and the image are checked first: not_found names
// which one is missing. Returns the new image's record.
Result<ImageDto> copy_image_to_board(ServerSession& session, std::string_view image_name,
                                     std::string_view board_id, const QuickOptions& options = {});

struct SdxlTextToImage {
  std::string positive_prompt;
  std::string negative_prompt;
  int width = 1024;  // rounded to a multiple of 8 (at least 8), half to even like the Python client
  int height = 1024;
  std::optional<int> steps;
  std::optional<double> cfg_scale;
  std::optional<std::int64_t> seed;
  // The SDXL main model whose name contains this (case-insensitive); else the first SDXL main model.
  std::optional<std::string> model_name;
  std::optional<std::string> scheduler;  // a scheduler name, e.g. "euler_a"
  std::optional<std::string> board_id;   // default: uncategorized
};

// Runs ivk's SDXL text-to-image workflow (examples/workflows/sdxl-text-to-image.json, built into the
// library) and returns the image it made. not_found when the server has no SDXL main model (base
// "sdxl", type "main": refiners are a different base); invalid_argument for a bad scheduler or size;
// a failed item gives ErrorCode::http with the server's error type and message.
Result<ImageDto> generate_sdxl_text_to_image(ServerSession& session, const SdxlTextToImage& request,
                                             const QuickOptions& options = {});

// The round-to-8 rule of the Python client: max(8, round(n / 8) * 8) with round half to even
// (1004 -> 1008, 1012 -> 1008).
int round_to_multiple_of_8(int n) noexcept;

// ivk's built-in SDXL text-to-image workflow (the example workflow's text).
std::string_view builtin_sdxl_text_to_image_workflow() noexcept;

}  // namespace ivk
