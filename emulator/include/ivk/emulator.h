#pragma once
// An InvokeAI-compatible server in-process: the REST routes ivk uses, over real HTTP on a loopback
// port (0 picks a free one). `ivk emulator` runs it from the command line; tests start it in-process.
// Responses follow the server's OpenAPI document (tests/conformance checks every route).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ivk/error.h"

namespace ivk {

struct EmulatorUser {
  std::string email;
  std::string password;
  std::string display_name;
  bool is_admin = false;
  bool is_active = true;
};

struct EmulatorOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (read it back with Emulator::port())
  // What GET /api/v1/app/version answers. Response shapes follow the v6.8 OpenAPI document.
  std::string version = "6.8.0";

  // The model catalog at start: a file shaped like GET /api/v2/models/ ({"models": [...]}).
  // Empty: the built-in catalog (a few SD 1.5, SDXL and FLUX models with their encoders and a VAE).
  std::filesystem::path models_file;
  // Where installed models, uploaded files and persisted state live. Empty: a fresh temporary
  // directory, removed on stop.
  std::filesystem::path data_dir;
  // Keep the state in one SQLite database, data_dir/emulator.db, like a server that restarts: the
  // queue (every item with its status, session, field values, errors and timestamps), images (records;
  // the PNGs are files under data_dir/images), boards and the model catalog. Every change is
  // committed before it is answered, so even a killed emulator loses nothing it answered. At start
  // the stored state is loaded, item ids continue after the highest ever given, items that were in
  // progress become canceled (as the server does at start-up) and the pending ones run. A stored
  // model catalog wins over models_file (a models.json from earlier emulators is read when the
  // database has none). Needs data_dir; without persist everything lives in memory.
  bool persist = false;

  // Multi-user mode: login, HS256 JWTs, 401/403 like the real server. Single-user when false.
  bool multiuser = false;
  std::vector<EmulatorUser> users;  // multi-user accounts; the first admin signs nothing special
  std::string jwt_secret;           // empty: a random secret per start

  // Simulated downloads for URL and Hugging Face installs.
  std::uint64_t download_bytes_per_second = 512ull * 1024 * 1024;
  std::uint64_t simulated_download_bytes = 64ull * 1024 * 1024;  // size of one simulated model
  // An install whose source contains this text fails during download (error_reason, error,
  // error_traceback set). Empty: no injected failures.
  std::string fail_install_matching;

  // Queue execution: simulated time per denoising step (0 runs items as fast as possible), and a
  // node type whose execution fails (the item ends "failed" with error_type/message/traceback).
  int step_ms = 0;
  std::string fail_node_type;
  // The server's max_queue_size (> 0): enqueue_batch adds at most this many minus the queue's pending
  // items and silently drops the rest of the batch (enqueued < requested). Reported by
  // GET /api/v1/app/runtime_config.
  std::int64_t max_queue_size = 10000;

  // An InvokeAI server's OpenAPI document (its GET /openapi.json). When set, the emulator serves it at
  // /openapi.json and enqueue_batch checks graphs against its invocation schemas like the server does:
  // unknown node types, field values against their types and constraints (a width that is no multiple
  // of 8, a scheduler that does not exist), edges and batch data naming fields a node lacks. Empty: only
  // the checks that need no schemas.
  std::filesystem::path openapi_file;

  int threads = 2;  // I/O threads serving requests

  // Socket.IO at /ws/socket.io: the Engine.IO heartbeat announced in the open packet. The server pings
  // every ping_interval_ms and drops a client whose pong does not come within ping_timeout_ms.
  // python-engineio's defaults; tests shorten them.
  int ping_interval_ms = 25000;
  int ping_timeout_ms = 20000;
};

class Emulator {
 public:
  // Binds, loads the catalog and starts serving on background threads. Errors: io (bind failed,
  // unreadable catalog or data dir), parse_error (catalog is not {"models": [...]}).
  static Result<std::unique_ptr<Emulator>> start(EmulatorOptions options);
  ~Emulator();  // stop()s
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept;
  // "http://127.0.0.1:PORT" ("http://[::1]:PORT" for an IPv6 host).
  [[nodiscard]] std::string url() const;
  // Stops accepting, finishes the requests in flight, joins the threads. Idempotent.
  void stop();
  // Blocks until stop() is called from another thread or a signal handler calls request_stop().
  void wait();
  // Async-signal-safe request to stop (for SIGINT in `ivk emulator`).
  void request_stop() noexcept;

 private:
  struct Impl;
  explicit Emulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ivk
