#pragma once
// Helpers shared by the ivk subcommands: loading workflows and templates, reporting errors,
// reading and writing files.
#include <filesystem>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "ivk/error.h"
#include "ivk/model_record.h"
#include "ivk/workflow.h"

namespace ivk::cli {

// Adds `--templates FILE` (default: $IVK_TEMPLATES) to a subcommand.
CLI::Option* add_templates_option(CLI::App* sub, std::string& path);

// Loads a workflow from a .json file, from an InvokeAI .png (by signature or extension), or
// from standard input when path is "-"; then applies the node templates of templates_path
// (an OpenAPI document) unless it is empty.
Result<Workflow> load_workflow(const std::string& path, const std::string& templates_path);

// Reads a whole file; "-" reads standard input.
Result<std::string> read_file(const std::string& path);

// A saved GET /api/v2/models/ body (a file, or - for stdin) as a catalog; errors name the file.
Result<ModelCatalog> load_model_catalog(const std::string& path);

// Writes data to path through a temporary file beside it and a rename, so readers never see
// a half-written file; "-" writes to standard output.
Status write_file_atomically(const std::filesystem::path& path, std::string_view data);

// Prints "ivk: error: <describe()>" to stderr and returns the exit code for the error.
int report_error(const Error& error);

// Prints "ivk: error: <message>" to stderr and returns kExitUsage.
int usage_error(std::string_view message);

// Writes text to stdout, adding a newline unless it already ends with one.
void print_line(std::string_view text);

}  // namespace ivk::cli
