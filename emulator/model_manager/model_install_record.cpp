#include "model_manager/model_install_record.h"

#include <algorithm>
#include <fstream>
#include <system_error>

#include "model_manager/model_configs.h"
#include "model_manager/model_files.h"
#include "model_manager/model_probe.h"

namespace ivk::emu {
namespace {

std::string last_segment(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  const auto slash = s.rfind('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

std::string strip_model_extension(const std::string& file_name) {
  const std::filesystem::path p(file_name);
  return has_model_file_extension(p) ? p.stem().string() : file_name;
}

// The hash of a local model: its bytes (the first 64 MB, plus the size, for big files).
std::string hash_local(const std::filesystem::path& path, std::uint64_t size) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return content_hash(path.string() + "|" + std::to_string(size));
  std::ifstream in(path, std::ios::binary);
  std::string bytes(static_cast<std::size_t>(std::min<std::uint64_t>(size, 64ull << 20)), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return content_hash(bytes + "|" + std::to_string(size));
}

std::uint64_t size_on_disk(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) return std::filesystem::file_size(path, ec);
  std::uint64_t total = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  return total;
}

// Applies the non-null ModelRecordChanges members given with the install request.
void apply_overrides(Json& record, const Json& config_in) {
  if (!config_in.is_object()) return;
  for (const auto& [k, v] : config_in.items())
    // Where the files go is the installer's decision: a "path" override is ignored.
    if (!v.is_null() && record.contains(k) && k != "path") record[k] = v;
  if (config_in.contains("trigger_phrases") && config_in["trigger_phrases"].is_array())
    record["trigger_phrases"] = config_in["trigger_phrases"];
}

}  // namespace

RemotePlan plan_remote_download(const ModelSource& source, std::uint64_t total) {
  RemotePlan plan;
  if (source.kind == ModelSource::Kind::url) {
    std::string file = last_segment(source.url.substr(0, source.url.find_first_of("?#")));
    if (file.empty()) file = "model.safetensors";
    plan.single_file = has_model_file_extension(file);
    plan.name = strip_model_extension(file);
    plan.files.push_back(RemoteFile{source.url, file, total});
    return plan;
  }
  const std::string repo = last_segment(source.repo_id);
  const std::string base_url = "https://huggingface.co/" + source.repo_id + "/resolve/main/";
  if (source.subfolder && has_model_file_extension(*source.subfolder)) {
    plan.single_file = true;
    plan.name = strip_model_extension(last_segment(*source.subfolder));
    plan.files.push_back(RemoteFile{base_url + *source.subfolder, last_segment(*source.subfolder), total});
  } else {
    plan.single_file = false;
    plan.name = source.subfolder ? repo + "_" + last_segment(*source.subfolder) : repo;
    const std::string prefix = source.subfolder ? *source.subfolder + "/" : std::string();
    const std::string variant = source.variant && !source.variant->empty() ? "." + *source.variant : "";
    // A diffusers folder: a small index plus the weights, sized to add up to total.
    const std::uint64_t index_size = std::min<std::uint64_t>(543, total / 2);
    plan.files.push_back(RemoteFile{base_url + prefix + "model_index.json", "model_index.json", index_size});
    const std::string weights = "unet/diffusion_pytorch_model" + variant + ".safetensors";
    plan.files.push_back(RemoteFile{base_url + prefix + weights, weights, total - index_size});
  }
  Json files = Json::array();
  for (const RemoteFile& f : plan.files)
    files.push_back(Json{{"url", f.url}, {"path", f.path}, {"size", f.size}, {"sha256", nullptr}});
  plan.source_metadata =
      Json{{"name", repo},         {"files", files},          {"type", "huggingface"},
           {"id", source.repo_id}, {"api_response", nullptr}, {"is_diffusers", !plan.single_file},
           {"ckpt_urls", nullptr}};
  return plan;
}

RegisterOutcome register_installed_model(ModelStore& store, const ModelSource& source, const Json& config_in,
                                         std::uint64_t total_bytes) {
  RegisterOutcome out;
  ConfigSeed seed;
  seed.source = source.record_source();
  seed.source_type = source.record_source_type();
  std::filesystem::path copy_from;
  std::string file_name;
  if (source.kind == ModelSource::Kind::local) {
    const std::filesystem::path src(source.path);
    auto probed = probe_model_path(src);
    if (!probed) {
      out.error_reason = "InvalidModelConfigException";
      out.error = probed.error().message;
      return out;
    }
    seed.type = probed->type;
    seed.format = probed->format;
    seed.base = probed->base;
    seed.variant = probed->variant;
    seed.prediction_type = probed->prediction_type;
    file_name = src.filename().string();
    seed.name = strip_model_extension(file_name);
    seed.file_size = size_on_disk(src);
    seed.hash = hash_local(src, seed.file_size);
    if (source.inplace)
      seed.path = source.path;
    else
      copy_from = src;
  } else {
    const RemotePlan plan = plan_remote_download(source, total_bytes);
    const ProbedModel guess = guess_model_from_name(
        source.kind == ModelSource::Kind::hf ? source.text : plan.files.front().path, plan.single_file);
    seed.type = guess.type;
    seed.format = guess.format;
    seed.base = guess.base;
    seed.variant = guess.variant;
    seed.prediction_type = guess.prediction_type;
    seed.name = plan.name;
    file_name = plan.single_file ? plan.files.front().path : plan.name;
    seed.file_size = total_bytes;
    seed.hash = content_hash(source.text);
  }
  if (seed.path.empty()) seed.path = seed.base + "/" + seed.type + "/" + file_name;
  if (config_in.is_object() && config_in.contains("description") && config_in["description"].is_string())
    seed.description = config_in["description"].get<std::string>();

  Json record = make_config(seed);
  apply_overrides(record, config_in);
  const std::string path = record["path"].get<std::string>();
  if (store.find([&](const Json& m) { return m.value("path", "") == path; })) {
    out.error_reason = "DuplicateModelException";
    out.error = "A model with path '" + path + "' is already installed";
    return out;
  }
  // In-place models keep their absolute path; everything else must stay inside the models folder.
  if (!std::filesystem::path(path).is_absolute() && !store.owns_files(record)) {
    out.error_reason = "InvalidModelConfigException";
    out.error = "The model path '" + path + "' is outside the models folder";
    return out;
  }
  const std::filesystem::path dest = store.absolute_path(record);
  std::error_code ec;
  if (!copy_from.empty()) {
    std::filesystem::create_directories(dest.parent_path(), ec);
    std::filesystem::copy(
        copy_from, dest,
        std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) {
      out.error_reason = "OSError";
      out.error = "[Errno " + std::to_string(ec.value()) + "] " + ec.message() + ": '" + dest.string() + "'";
      return out;
    }
  } else if (source.kind != ModelSource::Kind::local) {
    create_placeholder(dest, record);
  }
  if (auto added = store.add(record); !added) {
    out.error_reason = "DuplicateModelException";
    out.error = added.error().message;
    return out;
  }
  out.record = record;
  return out;
}

}  // namespace ivk::emu
