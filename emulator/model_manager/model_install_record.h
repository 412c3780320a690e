#pragma once
// What an install job downloads and registers, separate from the job's life cycle
// (model_install.h): the simulated files of a remote source, and the config record a finished
// install adds to the catalog (probed for local paths, guessed from the name for remote ones).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "http/fastapi_errors.h"
#include "model_manager/model_source.h"
#include "model_manager/model_store.h"

namespace ivk::emu {

// One file of a simulated remote download.
struct RemoteFile {
  std::string url;
  std::string path;  // relative to the model root ("unet/diffusion_pytorch_model.fp16.safetensors")
  std::uint64_t size = 0;
};

struct RemotePlan {
  std::string name;         // the model's name ("sdxl-turbo", "pixel-art-xl")
  bool single_file = true;  // a weights file rather than a diffusers folder
  std::vector<RemoteFile> files;
  Json source_metadata = nullptr;  // HuggingFaceMetadata for hf sources, null for URLs
};

// Splits total_bytes over the files a source would download.
RemotePlan plan_remote_download(const ModelSource& source, std::uint64_t total_bytes);

// The outcome of registering: the record added, or the exception class name and message a real
// server would put into the job.
struct RegisterOutcome {
  std::optional<Json> record;
  std::string error_reason;
  std::string error;
};

// Probes (local) or guesses (remote), lays out the record, applies the ModelRecordChanges of the
// request, creates the model's file (copy or placeholder) and adds it to the store.
RegisterOutcome register_installed_model(ModelStore& store, const ModelSource& source, const Json& config_in,
                                         std::uint64_t total_bytes);

}  // namespace ivk::emu
