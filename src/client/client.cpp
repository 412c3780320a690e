// Client: one ServerSession, the API classes over it, the lazily opened shared event socket and the
// answers worth asking a server only once (its version, its queue limit).
#include "ivk/client.h"

#include <exception>
#include <mutex>

#include "core/json_read.h"
#include "ivk/api/boards_api.h"
#include "ivk/api/images_api.h"
#include "ivk/api/models_api.h"
#include "ivk/api/queue_api.h"
#include "ivk/api/utilities_api.h"
#include "ivk/api/workflows_api.h"

namespace ivk {
namespace {

// config.max_queue_size of a GET /app/runtime_config body; the default when the member is absent.
Result<std::int64_t> parse_max_queue_size(std::string_view body) {
  dom::parser parser;
  auto root = parse_object(parser, body, "runtime config answer");
  if (!root) return tl::unexpected(std::move(root.error()));
  dom::object config;
  if (root->at_key("config").get_object().get(config) != simdjson::SUCCESS) return kDefaultMaxQueueSize;
  return int_member(config, "max_queue_size").value_or(kDefaultMaxQueueSize);
}

}  // namespace

struct Client::Impl {
  explicit Impl(ClientOptions client_options, std::unique_ptr<ServerSession> server_session)
      : options(std::move(client_options)),
        session(std::move(server_session)),
        queue(*session, options.queue_id),
        images(*session),
        boards(*session),
        models(*session),
        utilities(*session),
        workflows(*session) {}
  ~Impl() {
    // The stream asks the session for its token: it must stop before the session goes.
    if (events) events->close();
  }

  ClientOptions options;
  std::unique_ptr<ServerSession> session;
  QueueApi queue;
  ImagesApi images;
  BoardsApi boards;
  ModelsApi models;
  UtilitiesApi utilities;
  WorkflowsApi workflows;

  std::mutex mutex;  // guards the two cached answers
  std::optional<ServerVersion> version;
  std::optional<std::int64_t> max_queue_size;
  // Its own lock: a socket connect may take seconds and must not hold up the cached answers.
  std::mutex events_mutex;
  std::unique_ptr<EventStream> events;  // declared last: destroyed before the session
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::connect(ClientOptions options) {
  try {
    auto session = open_server_session(options);
    if (!session) return tl::unexpected(std::move(session.error()));
    // Asked before anything else: an unreachable server, or one that is no InvokeAI, fails here with
    // a clear error rather than at the caller's first real request.
    auto version = (*session)->version();
    if (!version) return tl::unexpected(std::move(version.error()));
    auto impl = std::make_unique<Impl>(std::move(options), std::move(*session));
    impl->version = std::move(*version);
    return std::unique_ptr<Client>(new Client(std::move(impl)));
  } catch (const std::exception& e) {  // std::bad_alloc
    return fail(ErrorCode::internal, std::string("connecting the client failed: ") + e.what());
  }
}

Result<std::unique_ptr<Client>> Client::connect(std::string_view url) {
  ClientOptions options = ClientOptions::from_environment();
  options.url = std::string(url);
  return connect(std::move(options));
}

ServerSession& Client::session() { return *impl_->session; }
QueueApi& Client::queue() { return impl_->queue; }
ImagesApi& Client::images() { return impl_->images; }
BoardsApi& Client::boards() { return impl_->boards; }
ModelsApi& Client::models() { return impl_->models; }
UtilitiesApi& Client::utilities() { return impl_->utilities; }
WorkflowsApi& Client::workflows() { return impl_->workflows; }
const ServerUrl& Client::url() const { return impl_->session->url(); }

Result<EventStream*> Client::events() {
  if (!impl_->options.events)
    return fail(ErrorCode::invalid_argument,
                "events are off for this client (ClientOptions::events is false); poll the REST API instead",
                "ClientOptions::events");
  std::lock_guard lock(impl_->events_mutex);
  if (impl_->events) return impl_->events.get();
  EventStreamOptions stream_options;
  stream_options.transport = impl_->options.event_transport;
  // Asked again before every reconnect, so a token refreshed through X-Refreshed-Token (or a later
  // login) reaches the socket too.
  stream_options.token = [session = impl_->session.get()] { return session->token(); };
  stream_options.queue_ids = {impl_->options.queue_id};
  stream_options.verify_tls = impl_->options.verify_tls;
  auto stream = EventStream::connect(impl_->session->url(), std::move(stream_options));
  if (!stream) return tl::unexpected(std::move(stream.error()));
  impl_->events = std::move(*stream);
  return impl_->events.get();
}

Result<ServerVersion> Client::version() {
  std::lock_guard lock(impl_->mutex);
  if (!impl_->version) {
    auto version = impl_->session->version();
    if (!version) return tl::unexpected(std::move(version.error()));
    impl_->version = std::move(*version);
  }
  return *impl_->version;
}

Result<std::int64_t> Client::max_queue_size() {
  auto version = this->version();
  if (!version) return tl::unexpected(std::move(version.error()));
  std::lock_guard lock(impl_->mutex);
  if (impl_->max_queue_size) return *impl_->max_queue_size;
  std::int64_t size = kDefaultMaxQueueSize;
  if (version->has_runtime_config()) {
    auto body = impl_->session->runtime_config();
    if (body) {
      auto parsed = parse_max_queue_size(*body);
      if (!parsed) return tl::unexpected(std::move(parsed.error()));
      size = *parsed;
    } else if (body.error().http_status != 404 && body.error().http_status != 403) {
      // 404: a server without the route; 403: a non-admin user. Both keep InvokeAI's default.
      return tl::unexpected(std::move(body.error()));
    }
  }
  impl_->max_queue_size = size;
  return size;
}

}  // namespace ivk
