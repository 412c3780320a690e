#pragma once
// Helpers shared by the ivk subcommands: loading workflows and templates, reporting errors,
// reading and writing files.
#include <filesystem>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "ivk/error.h"
#include "ivk/models/model_record.h"
#include "ivk/transport/server_session.h"
#include "ivk/workflow/workflow.h"

namespace ivk::cli {

// Adds `--templates FILE` (default: $IVK_TEMPLATES) to a subcommand.
CLI::Option* add_templates_option(CLI::App* sub, std::string& path);

// Loads a workflow from a .json file, from an InvokeAI .png (by signature or extension), or
// from standard input when path is "-"; then applies the node templates of templates_path
// (an OpenAPI document) unless it is empty.
Result<Workflow> load_workflow(const std::string& path, const std::string& templates_path);

// load_workflow for a command that talks to session's server. The node templates come from
// templates_flag (--templates, $IVK_TEMPLATES) when it is not empty; else from the server's own
// GET /openapi.json, cached per server version and URL (see server_templates_dir); else there are
// none, as with load_workflow(path, ""). The file is read before the server is asked, so a bad
// file fails without a request. A server without the document (404) is no error. A document ivk
// cannot use, a server error on it, or a cache that cannot be written only warns on stderr; no
// answer at all (transport, timeout, auth) is an error, since nothing else would work either.
Result<Workflow> load_workflow_for_server(const std::string& path, const std::string& templates_flag,
                                          ServerSession& session);

// The second half of load_workflow_for_server, for a command that loaded its workflow already:
// applies templates_flag's document, else the server's (same rules), else nothing.
Status apply_server_templates(Workflow& workflow, const std::string& templates_flag, ServerSession& session);

// Where the server's OpenAPI documents are cached: $XDG_CACHE_HOME/ivk, else $HOME/.cache/ivk;
// empty (nothing cached) when neither is set.
std::filesystem::path server_templates_dir();

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
