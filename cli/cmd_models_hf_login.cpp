// ivk models hf-login [--token T | --logout]: the server's Hugging Face token.
#include <iostream>
#include <memory>
#include <string>

#include "common.h"
#include "exit_codes.h"
#include "ivk/api/models_api.h"
#include "models_commands.h"
#include "server_options.h"

namespace ivk::cli {
namespace {

struct HfLoginOptions {
  ServerOptions server;
  std::string token;
  bool logout = false;
  bool json = false;
};

// "-" reads the token from stdin (first line), so it stays out of the process list and history.
Result<std::string> token_value(const std::string& given) {
  if (given != "-") return given;
  std::string line;
  if (!std::getline(std::cin, line) || line.empty())
    return fail(ErrorCode::invalid_argument, "--token -: no token on standard input");
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

int run_hf_login(const HfLoginOptions& opts, const CLI::Option* token_opt) {
  const bool login = token_opt->count() > 0;
  if (login && opts.logout) return usage_error("--token and --logout exclude each other");
  std::string token;
  if (login) {
    auto t = token_value(opts.token);
    if (!t) return report_error(t.error());
    token = std::move(*t);
  }
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  ModelsApi api(**session);
  auto status = login ? api.hf_login(token) : opts.logout ? api.hf_logout() : api.hf_login_status();
  if (!status) return report_error(status.error());
  if (opts.json)
    print_line(R"({"status": ")" + std::string(to_string(*status)) + R"("})");
  else
    std::cout << "Hugging Face token: " << to_string(*status) << '\n';
  // A login that leaves no valid token failed; a status query or logout only reports.
  return login && *status != HfTokenStatus::valid ? kExitFailure : kExitOk;
}

}  // namespace

void add_models_hf_login_command(CLI::App& models, Runner& run) {
  auto opts = std::make_shared<HfLoginOptions>();
  auto* sub = models.add_subcommand("hf-login", "Show, set or remove the server's Hugging Face token");
  // --token is the Hugging Face token here, so the server's bearer token is --server-token.
  add_server_options(sub, opts->server, "--server-token");
  auto* token =
      sub->add_option("--token", opts->token, "Store this Hugging Face token on the server (- reads stdin)")
          ->type_name("T");
  sub->add_flag("--logout", opts->logout, "Remove the server's Hugging Face token (InvokeAI 5.11+)");
  sub->add_flag("--json", opts->json, R"(Print {"status": "valid" | "invalid" | "unknown"})");
  sub->footer(
      "Without options, prints the token's state: valid, invalid or unknown (no token).\n"
      "Exit 0; 1 when --token leaves no valid token.\n\n"
      "Examples:\n"
      "  ivk models hf-login\n"
      "  printf '%s\\n' \"$HF_TOKEN\" | ivk models hf-login --token -");
  sub->callback([&run, opts, token] { run = [opts, token] { return run_hf_login(*opts, token); }; });
}

}  // namespace ivk::cli
