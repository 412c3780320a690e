#include "common.h"

#include "ivk/files.h"

#include <array>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>

#include "exit_codes.h"
#include "ivk/client/server_templates.h"
#include "ivk/workflow/node_templates.h"
#include "ivk/workflow/png_metadata.h"

namespace ivk::cli {
namespace {

constexpr std::string_view kPngSignature{"\x89PNG\r\n\x1a\n", 8};

bool ends_with_png(std::string_view path) {
  if (path.size() < 4) return false;
  std::string tail(path.substr(path.size() - 4));
  for (char& c : tail) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return tail == ".png";
}

bool starts_with_png_signature(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::array<char, 8> head{};
  in.read(head.data(), head.size());
  return in.gcount() == static_cast<std::streamsize>(head.size()) &&
         std::string_view(head.data(), head.size()) == kPngSignature;
}

Result<Workflow> load_from_stdin() {
  auto bytes = read_file("-");
  if (!bytes) return tl::unexpected(bytes.error());
  if (std::string_view(*bytes).substr(0, kPngSignature.size()) == kPngSignature) {
    auto meta = read_png_metadata_bytes(*bytes);
    if (!meta) {
      Error e = meta.error();
      if (e.source.empty()) e.source = "<stdin>";
      return tl::unexpected(std::move(e));
    }
    if (!meta->invokeai_workflow)
      return tl::unexpected(
          make_error(ErrorCode::not_found, "the PNG has no \"invokeai_workflow\" text chunk", {}, "<stdin>"));
    return Workflow::load_string(std::move(*meta->invokeai_workflow), "<stdin> (invokeai_workflow)");
  }
  return Workflow::load_string(std::move(*bytes), "<stdin>");
}

Status apply_templates_file(Workflow& workflow, const std::string& templates_path) {
  auto templates = NodeTemplates::from_openapi_file(templates_path);
  if (!templates) {
    Error e = templates.error();
    if (e.source.empty()) e.source = templates_path;
    e.message = "cannot use the templates: " + e.message;
    return tl::unexpected(std::move(e));
  }
  workflow.apply_templates(std::make_shared<const NodeTemplates>(std::move(*templates)));
  return {};
}

}  // namespace

CLI::Option* add_templates_option(CLI::App* sub, std::string& path) {
  return sub
      ->add_option("--templates", path,
                   "Server OpenAPI document (GET /openapi.json) to type inputs from the node schemas")
      ->envname("IVK_TEMPLATES")
      ->type_name("OPENAPI.json");
}

Result<Workflow> load_workflow(const std::string& path, const std::string& templates_path) {
  if (std::error_code ec; path != "-" && std::filesystem::is_directory(path, ec))
    return tl::unexpected(make_error(ErrorCode::io, "is a directory, not a workflow file", {}, path));
  Result<Workflow> wf = path == "-"                                              ? load_from_stdin()
                        : ends_with_png(path) || starts_with_png_signature(path) ? Workflow::load_png(path)
                                                                                 : Workflow::load_file(path);
  if (!wf) {
    Error e = wf.error();
    if (e.source.empty()) e.source = path;
    return tl::unexpected(std::move(e));
  }
  if (!templates_path.empty())
    if (auto applied = apply_templates_file(*wf, templates_path); !applied)
      return tl::unexpected(applied.error());
  return wf;
}

Result<Workflow> load_workflow_for_server(const std::string& path, const std::string& templates_flag,
                                          ServerSession& session) {
  auto wf = load_workflow(path, "");
  if (!wf) return wf;
  if (auto applied = apply_server_templates(*wf, templates_flag, session); !applied)
    return tl::unexpected(applied.error());
  return wf;
}

Status apply_server_templates(Workflow& workflow, const std::string& templates_flag, ServerSession& session) {
  if (!templates_flag.empty()) return apply_templates_file(workflow, templates_flag);
  auto fetched = fetch_server_templates(session, server_templates_dir());
  if (!fetched) {
    const Error& e = fetched.error();
    // No answer, or one that refuses us: the command's own requests would fail the same way.
    if (e.code == ErrorCode::transport || e.code == ErrorCode::timeout || e.code == ErrorCode::cancelled ||
        e.code == ErrorCode::auth)
      return tl::unexpected(e);
    std::cerr << "ivk: warning: inputs are not typed from the server's node templates: " << e.describe()
              << " (--templates FILE gives them)\n";
    return {};
  }
  if (!*fetched) return {};  // the server serves no /openapi.json: typed from the values, as before
  if ((*fetched)->cache_error)
    std::cerr << "ivk: warning: the server's node templates are not cached: "
              << (*fetched)->cache_error->describe() << '\n';
  workflow.apply_templates(std::make_shared<const NodeTemplates>(std::move((*fetched)->templates)));
  return {};
}

std::filesystem::path server_templates_dir() {
  std::map<std::string, std::string> env;
  for (const char* name : {"XDG_CACHE_HOME", "HOME"})
    if (const char* value = std::getenv(name); value != nullptr) env[name] = value;
  return default_cache_dir(env).value_or(std::filesystem::path());
}

Result<std::string> read_file(const std::string& path) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    if (std::cin.bad())
      return tl::unexpected(make_error(ErrorCode::io, "cannot read standard input", {}, "<stdin>"));
    return std::move(ss).str();
  }
  return ivk::read_file(path);
}

Result<ModelCatalog> load_model_catalog(const std::string& path) {
  auto body = read_file(path);
  if (!body) return tl::unexpected(body.error());
  auto catalog = ModelCatalog::from_json(*body);
  if (!catalog) {
    Error e = catalog.error();
    e.source = path;
    return tl::unexpected(std::move(e));
  }
  return catalog;
}

Status write_file_atomically(const std::filesystem::path& path, std::string_view data) {
  if (path == "-") {
    std::cout << data;
    std::cout.flush();
    if (!std::cout) return tl::unexpected(make_error(ErrorCode::io, "cannot write to standard output"));
    return {};
  }
  return ivk::write_file_atomically(path, data);
}

int report_error(const Error& error) {
  std::cout.flush();
  std::cerr << "ivk: error: " << error.describe() << '\n';
  // The library names no flag; on the command line the way past a self-signed certificate is one.
  if (error.code == ErrorCode::transport && error.message.find("certificate") != std::string::npos)
    std::cerr << "ivk: hint: --insecure skips the certificate check (only for a server you trust)\n";
  return exit_code_for(error.code);
}

int usage_error(std::string_view message) {
  std::cout.flush();
  std::cerr << "ivk: error: " << message << "\nRun with --help for more information.\n";
  return kExitUsage;
}

void print_line(std::string_view text) {
  std::cout << text;
  if (text.empty() || text.back() != '\n') std::cout << '\n';
}

}  // namespace ivk::cli
