// Emulator::start wires the pieces: data directory, the database (--persist), model manager, routes,
// authentication, the Socket.IO server (fed by the model manager's and the queue's events) and the HTTP
// server. Every request goes through dispatch(), which never lets an exception escape.
#include "ivk/emulator.h"

#include <stdlib.h>  // mkdtemp

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <system_error>

#include "app/app_routes.h"
#include "auth/auth.h"
#include "http/http_server.h"
#include "http/router.h"
#include "images/image_store.h"
#include "ivk/files.h"
#include "ivk/workflow/node_templates.h"
#include "model_manager/model_manager.h"
#include "queue/session_queue.h"
#include "socketio/socketio_server.h"
#include "storage/state_db.h"

namespace ivk {

struct Emulator::Impl {
  EmulatorOptions options;
  std::filesystem::path data_dir;
  bool remove_data_dir = false;  // a temporary directory we created

  // Destroyed in reverse order: the server (whose handlers use everything above it) goes first.
  emu::AppState app;
  std::shared_ptr<emu::StateDb> db;        // --persist: shared by the models, images and queue
  std::optional<NodeTemplates> templates;  // from options.openapi_file
  std::unique_ptr<emu::Auth> auth;
  // Before the models and the queue, whose worker threads emit into it until they are joined.
  std::unique_ptr<emu::SocketIoServer> sockets;
  std::unique_ptr<emu::ModelManager> models;
  std::unique_ptr<emu::ImageStore> images;  // before the queue, which adds generated images
  std::unique_ptr<emu::SessionQueue> queue;
  emu::Router router;
  std::unique_ptr<emu::HttpServer> server;

  std::mutex stop_mutex;
  std::condition_variable stopped_cv;
  bool stopped = false;
  // Set by request_stop() from a signal handler: a lock-free atomic store is async-signal-safe.
  std::atomic<bool> stop_requested{false};

  emu::Response dispatch(emu::Request& req) const;
  void stop();
};

namespace {

bool is_mutating(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

// Routes whose answers never carry X-Refreshed-Token (the server excludes them from sliding expiry).
bool refresh_exempt(const std::string& path) {
  return path == "/api/v1/auth/login" || path == "/api/v1/auth/logout" || path == "/api/v1/auth/media-cookie";
}

Result<std::filesystem::path> make_temp_dir() {
  std::error_code ec;
  const auto base = std::filesystem::temp_directory_path(ec);
  if (ec) return fail(ErrorCode::io, "cannot find the temporary directory: " + ec.message());
  std::string pattern = (base / "ivk-emulator-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr)
    return fail(ErrorCode::io, "cannot create a temporary directory under " + base.string());
  return std::filesystem::path(pattern);
}

}  // namespace

emu::Response Emulator::Impl::dispatch(emu::Request& req) const {
  try {
    auto match = router.match(req.method, req.path);
    if (match.handler == nullptr)
      return match.path_matched ? emu::Response::detail(405, "Method Not Allowed")
                                : emu::Response::detail(404, "Not Found");
    req.params = std::move(match.params);
    auto outcome = auth->authenticate(req, match.access);
    if (outcome.error) return std::move(*outcome.error);
    if (outcome.user) req.user = std::move(*outcome.user);
    emu::Response response = (*match.handler)(req);
    if (is_mutating(req.method) && response.status < 400 && !refresh_exempt(req.path))
      if (auto token = auth->refreshed_token(req)) response.headers.emplace_back("X-Refreshed-Token", *token);
    return response;
  } catch (const std::exception& e) {
    // The real server turns every exception into a 500 too; the message helps whoever debugs.
    return emu::Response::detail(500, e.what());
  } catch (...) {
    return emu::Response::detail(500, "Internal Server Error");
  }
}

void Emulator::Impl::stop() {
  std::lock_guard lock(stop_mutex);
  if (stopped) return;
  if (sockets) sockets->stop();  // answers parked polling requests, so the HTTP server can drain
  if (server) server->stop();    // no handler runs after this
  models.reset();                // joins the install worker
  queue.reset();                 // joins the queue worker before the data directory goes
  images.reset();
  db.reset();  // closes the database: a restart on the same data directory may open it at once
  if (remove_data_dir) {
    std::error_code ec;
    std::filesystem::remove_all(data_dir, ec);  // best effort: a leftover temp dir harms no one
  }
  stopped = true;
  stopped_cv.notify_all();
}

Emulator::Emulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Emulator::~Emulator() {
  if (impl_) impl_->stop();
}

Result<std::unique_ptr<Emulator>> Emulator::start(EmulatorOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  const EmulatorOptions& opts = impl->options;
  if (opts.persist && opts.data_dir.empty())
    return fail(ErrorCode::invalid_argument,
                "persist needs a data_dir: a temporary directory is removed when the emulator stops");
  if (opts.max_queue_size < 1)
    return fail(ErrorCode::invalid_argument,
                "max_queue_size must be greater than 0, got " + std::to_string(opts.max_queue_size));
  try {
    if (opts.data_dir.empty()) {
      auto dir = make_temp_dir();
      if (!dir) return tl::unexpected(dir.error());
      impl->data_dir = *dir;
      impl->remove_data_dir = true;
    } else {
      std::error_code ec;
      std::filesystem::create_directories(opts.data_dir, ec);
      if (ec || !std::filesystem::is_directory(opts.data_dir))
        return fail(ErrorCode::io, "cannot create the emulator's data directory " + opts.data_dir.string() +
                                       (ec ? ": " + ec.message() : std::string()));
      impl->data_dir = opts.data_dir;
    }
    // From here on a failure must remove the temporary directory: stop() does.
    auto cleanup_on_error = [&impl](Error error) -> Result<std::unique_ptr<Emulator>> {
      impl->stop();
      return tl::unexpected(std::move(error));
    };

    impl->app.version = opts.version;
    impl->app.host = opts.host;
    impl->app.max_queue_size = opts.max_queue_size;
    impl->app.in_memory = !opts.persist;
    if (opts.persist) {
      auto db = emu::StateDb::open(impl->data_dir);
      if (!db) return cleanup_on_error(db.error());
      impl->db = std::move(*db);
    }
    if (!opts.openapi_file.empty()) {
      auto text = read_file(opts.openapi_file);
      if (!text) return cleanup_on_error(text.error());
      auto templates = NodeTemplates::from_openapi(*text);
      if (!templates) {
        Error e = templates.error();
        e.message = opts.openapi_file.string() + ": " + e.message;
        return cleanup_on_error(std::move(e));
      }
      impl->templates = std::move(*templates);
      impl->app.openapi_json = std::move(*text);
    }
    impl->auth = std::make_unique<emu::Auth>(opts.multiuser, opts.users, opts.jwt_secret);
    emu::SocketIoOptions socket_options;
    socket_options.ping_interval_ms = opts.ping_interval_ms;
    socket_options.ping_timeout_ms = opts.ping_timeout_ms;
    impl->sockets = std::make_unique<emu::SocketIoServer>(socket_options, *impl->auth);
    emu::SocketIoServer* sockets = impl->sockets.get();
    const emu::EventSink sink = [sockets](const std::string& event, const std::string& payload) {
      sockets->emit(event, payload);
    };
    auto models = emu::ModelManager::create(opts, impl->data_dir, sink, impl->db);
    if (!models) return cleanup_on_error(models.error());
    impl->models = std::move(*models);
    auto images = emu::ImageStore::create(impl->data_dir, impl->db);
    if (!images) return cleanup_on_error(images.error());
    impl->images = std::move(*images);
    auto queue = emu::SessionQueue::create(opts, *impl->images, sink, impl->db);
    if (!queue) return cleanup_on_error(queue.error());
    impl->queue = std::move(*queue);

    emu::add_app_routes(impl->router, impl->app);
    emu::add_auth_routes(impl->router, *impl->auth);
    emu::add_model_routes(impl->router, *impl->models);
    emu::add_image_routes(impl->router, *impl->images, sink);
    emu::add_queue_routes(impl->router, *impl->queue, impl->templates ? &*impl->templates : nullptr);

    emu::HttpServerOptions server_options;
    server_options.host = opts.host;
    server_options.port = opts.port;
    server_options.threads = opts.threads;
    const Impl* raw = impl.get();
    emu::HttpHooks hooks;
    hooks.defer = [sockets](emu::Request& req, const emu::Respond& respond) {
      if (!emu::SocketIoServer::handles(req.path)) return false;
      sockets->handle_polling(req, respond);
      return true;
    };
    hooks.websocket = [raw, sockets](emu::Request& req, const emu::TakeWebSocket& take) {
      if (emu::SocketIoServer::handles(req.path)) return sockets->handle_websocket(req, take);
      return raw->dispatch(req);
    };
    auto server = emu::HttpServer::start(
        server_options, [raw](emu::Request& req) { return raw->dispatch(req); }, std::move(hooks));
    if (!server) return cleanup_on_error(server.error());
    impl->server = std::move(*server);
    {
      std::lock_guard lock(impl->app.mutex);
      impl->app.port = impl->server->port();
    }
  } catch (const std::exception& e) {
    impl->stop();
    return fail(ErrorCode::internal, std::string("cannot start the emulator: ") + e.what());
  }
  return std::unique_ptr<Emulator>(new Emulator(std::move(impl)));
}

std::uint16_t Emulator::port() const noexcept { return impl_->server ? impl_->server->port() : 0; }

std::string Emulator::url() const {
  const std::string& host = impl_->options.host;
  const bool ipv6 = host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port());
}

void Emulator::stop() { impl_->stop(); }

void Emulator::wait() {
  std::unique_lock lock(impl_->stop_mutex);
  // request_stop() cannot notify (not signal-safe), so wake up now and then to look at its flag.
  while (!impl_->stopped) {
    if (impl_->stop_requested.load()) {
      lock.unlock();
      impl_->stop();
      return;
    }
    impl_->stopped_cv.wait_for(lock, std::chrono::milliseconds(50));
  }
}

void Emulator::request_stop() noexcept { impl_->stop_requested.store(true); }

}  // namespace ivk
