// ivk emulator: serve the InvokeAI-compatible emulator until SIGINT or SIGTERM.
#include <signal.h>  // sigaction

#include <atomic>
#include <csignal>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "common.h"
#include "exit_codes.h"
#include "ivk/emulator.h"

namespace ivk::cli {
namespace {

struct EmulatorCliOptions {
  std::string host = "127.0.0.1";
  int port = 9090;
  std::string models;
  std::string data_dir;
  bool persist = false;
  bool multiuser = false;
  std::vector<std::string> users;
  std::string jwt_secret;
  std::string server_version;
  std::uint64_t download_speed = 0;
  std::string fail_install_matching;
  int step_ms = 0;
  std::string fail_node_type;
  std::int64_t max_queue_size = 10000;
  std::string openapi;
};

// The running emulator, for the signal handler (which may only do async-signal-safe things:
// request_stop() stores an atomic flag).
std::atomic<Emulator*> g_running{nullptr};
std::atomic<bool> g_signalled{false};  // a signal that came before the emulator was running

extern "C" void on_stop_signal(int) {
  g_signalled.store(true);
  if (Emulator* emulator = g_running.load()) emulator->request_stop();
}

// "EMAIL:PASSWORD" or "EMAIL:PASSWORD:admin" (the password may contain ':').
bool parse_user(const std::string& text, EmulatorUser& user) {
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  user.email = text.substr(0, colon);
  std::string rest = text.substr(colon + 1);
  constexpr std::string_view kAdmin = ":admin";
  if (rest.size() > kAdmin.size() && rest.compare(rest.size() - kAdmin.size(), kAdmin.size(), kAdmin) == 0) {
    user.is_admin = true;
    rest.resize(rest.size() - kAdmin.size());
  }
  if (rest.empty()) return false;
  user.password = rest;
  return true;
}

int run_emulator(const EmulatorCliOptions& cli) {
  EmulatorOptions options;
  options.host = cli.host;
  options.port = static_cast<std::uint16_t>(cli.port);
  options.models_file = cli.models;
  options.data_dir = cli.data_dir;
  options.persist = cli.persist;
  options.multiuser = cli.multiuser;
  options.jwt_secret = cli.jwt_secret;
  if (!cli.server_version.empty()) options.version = cli.server_version;
  if (cli.download_speed > 0) options.download_bytes_per_second = cli.download_speed;
  options.fail_install_matching = cli.fail_install_matching;
  options.step_ms = cli.step_ms;
  options.fail_node_type = cli.fail_node_type;
  options.max_queue_size = cli.max_queue_size;
  options.openapi_file = cli.openapi;
  if (cli.persist && cli.data_dir.empty())
    return usage_error("--persist needs --data-dir (a temporary directory is removed on exit)");
  if (!cli.users.empty() && !cli.multiuser) return usage_error("--user needs --multiuser");
  for (const auto& text : cli.users) {
    EmulatorUser user;
    if (!parse_user(text, user))
      return usage_error("--user expects EMAIL:PASSWORD[:admin], got '" + text + "'");
    options.users.push_back(std::move(user));
  }

  // Handlers first, so a signal during start-up is not lost: it stops the emulator right away.
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a client hanging up must not end the server

  auto emulator = Emulator::start(std::move(options));
  if (!emulator) return report_error(emulator.error());
  g_running.store(emulator->get());
  if (g_signalled.load()) (*emulator)->request_stop();
  // Tests and scripts read the port from this line, so it is the only stdout output, flushed.
  std::cout << "ivk emulator listening on " << (*emulator)->url() << std::endl;
  (*emulator)->wait();
  g_running.store(nullptr);
  (*emulator)->stop();
  return kExitOk;
}

}  // namespace

void add_emulator_command(CLI::App& app, Runner& run) {
  auto opts = std::make_shared<EmulatorCliOptions>();
  auto* sub = app.add_subcommand("emulator", "Serve an InvokeAI-compatible emulator until SIGINT or SIGTERM");
  sub->add_option("--host", opts->host, "Address to listen on")->capture_default_str();
  sub->add_option("--port", opts->port, "Port to listen on (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  sub->add_option("--models", opts->models,
                  "Initial model catalog, shaped like GET /api/v2/models/ (default: a built-in catalog)")
      ->type_name("FILE");
  sub->add_option("--data-dir", opts->data_dir,
                  "Where installed models and state live (default: a temporary directory, removed on exit)")
      ->type_name("DIR");
  sub->add_flag("--persist", opts->persist,
                "Keep queue, images, boards and models in --data-dir/emulator.db and load them at start "
                "(in-progress items become canceled, pending ones run)");
  sub->add_flag("--multiuser", opts->multiuser, "Require login and JWTs like a multi-user server");
  sub->add_option("--user", opts->users, "A multi-user account (repeatable)")
      ->type_name("EMAIL:PASSWORD[:admin]");
  sub->add_option("--jwt-secret", opts->jwt_secret, "Secret for signing tokens (default: random per start)")
      ->type_name("S");
  sub->add_option("--server-version", opts->server_version, "Version reported by /api/v1/app/version")
      ->type_name("V");
  sub->add_option("--download-speed", opts->download_speed, "Simulated download speed for model installs")
      ->type_name("BYTES_PER_S")
      ->check(CLI::PositiveNumber);
  sub->add_option("--fail-install-matching", opts->fail_install_matching,
                  "Make model installs whose source contains TEXT fail during download")
      ->type_name("TEXT");
  sub->add_option("--step-ms", opts->step_ms, "Simulated time per denoising step of queue items")
      ->type_name("MS")
      ->check(CLI::Range(0, 60000))
      ->capture_default_str();
  sub->add_option("--fail-node-type", opts->fail_node_type,
                  "Make queue items fail when they execute a node of this type")
      ->type_name("TYPE");
  sub->add_option(
         "--max-queue-size", opts->max_queue_size,
         "The server's max_queue_size: enqueue_batch adds at most N minus the pending items and drops "
         "the rest")
      ->type_name("N")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000000000}))
      ->capture_default_str();
  sub->add_option(
         "--openapi", opts->openapi,
         "A real server's OpenAPI document: served at /openapi.json, and enqueued graphs are checked "
         "against its node schemas (types, constraints, fields) like the server does")
      ->type_name("FILE");
  sub->footer(
      "Prints one line, \"ivk emulator listening on http://HOST:PORT\", once it accepts requests.\n"
      "Exit status: 0 after SIGINT/SIGTERM, 2 bad command line, 5 cannot bind or read files.");
  sub->callback([&run, opts] { run = [opts] { return run_emulator(*opts); }; });
}

}  // namespace ivk::cli
