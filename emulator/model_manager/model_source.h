#pragma once
// Parsing the `source` of POST /api/v2/models/install the way the server guesses it:
// an existing local path, then a Hugging Face repo id ("owner/repo[:variant[:subfolder]]"), then an
// http(s) URL; anything else is unsupported (409).
#include <optional>
#include <string>

#include "http/fastapi_errors.h"

namespace ivk::emu {

struct ModelSource {
  enum class Kind { local, hf, url } kind = Kind::local;
  std::string text;  // the source string as given
  // local
  std::string path;
  bool inplace = false;
  // hf
  std::string repo_id;
  std::optional<std::string> variant;  // "fp16" when not given, "" for an explicit empty variant
  std::optional<std::string> subfolder;
  // hf and url
  std::optional<std::string> access_token;
  std::string url;

  // The ModelSource object of ModelInstallJob.source and of the model_install_* events.
  [[nodiscard]] Json to_json() const;
  // ModelSourceType of the registered record: path, hf_repo_id or url.
  [[nodiscard]] std::string record_source_type() const;
  // What the installed record's `source` says: the path, the repo id (with :variant/:subfolder
  // as given) or the URL.
  [[nodiscard]] std::string record_source() const;
};

// nullopt when the string is no supported source.
std::optional<ModelSource> parse_model_source(const std::string& source, bool inplace,
                                              std::optional<std::string> access_token);

}  // namespace ivk::emu
