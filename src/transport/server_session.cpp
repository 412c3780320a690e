// ServerSession: URL and header building, the retry loop around one HttpTransport, and the bearer
// token with its sliding refresh. See docs/adr/0006-http-transport.md.
#include "ivk/transport/server_session.h"

#include <algorithm>
#include <exception>
#include <thread>
#include <utility>

#include "core/ascii_case.h"
#include "transport/retry_decision.h"
#include "transport/secret_redaction.h"
#include "transport/server_error.h"

namespace ivk {

namespace {

using namespace std::chrono_literals;

// Sets a header, replacing one of the same name: a caller's extra header overrides a default
// instead of being sent twice.
void set_header(std::vector<HttpHeader>& headers, std::string_view name, std::string_view value) {
  for (auto& h : headers)
    if (detail::equals_ignoring_ascii_case(h.name, name)) {
      h.value = std::string(value);
      return;
    }
  headers.push_back(HttpHeader{std::string(name), std::string(value)});
}

bool has_header(const std::vector<HttpHeader>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const HttpHeader& h) { return detail::equals_ignoring_ascii_case(h.name, name); });
}

// A throwing cancel check cannot mean "go on"; it counts as a cancel.
bool is_cancelled(const std::function<bool()>& cancelled) noexcept {
  if (!cancelled) return false;
  try {
    return cancelled();
  } catch (...) {
    return true;
  }
}

// Sleeps in short slices so a cancel is noticed within ~20 ms rather than after a long Retry-After.
// False when cancelled.
bool sleep_unless_cancelled(std::chrono::milliseconds delay, const std::function<bool()>& cancelled) {
  const auto deadline = std::chrono::steady_clock::now() + delay;
  for (;;) {
    if (is_cancelled(cancelled)) return false;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return true;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(deadline - now, 20ms));
  }
}

// Jitter only needs to differ between clients and retries, not to be shared: one generator per
// thread avoids a lock on every retry.
detail::RandomSource& thread_random() {
  thread_local detail::DefaultRandomSource random;
  return random;
}

tl::unexpected<Error> cancelled_error(std::string message, std::string where) {
  return tl::unexpected(make_error(ErrorCode::cancelled, std::move(message), std::move(where)));
}

// A run's deadline bounds each attempt: its whole time and its connect time are set explicitly (an
// injected transport may not share the session's TransportOptions), never beyond what is left.
// A configured 0 means "no limit", which the deadline turns into one.
void cap_by_deadline(HttpRequest& http, std::chrono::milliseconds left, const TransportOptions& transport) {
  auto capped = [left](std::chrono::milliseconds configured) {
    return configured.count() <= 0 ? left : std::min(configured, left);
  };
  http.timeout = capped(http.timeout.value_or(transport.request_timeout));
  http.connect_timeout = capped(http.connect_timeout.value_or(transport.connect_timeout));
}

// A failure because the run's deadline came: ErrorCode::timeout whatever ended the last attempt,
// since time, not the server, is what stops the request now. The last attempt's explanation stays
// in the message, and the server's detail with it.
tl::unexpected<Error> deadline_error(std::string_view what, const Error* last, std::string where) {
  Error e =
      make_error(ErrorCode::timeout, "the run's deadline was reached " + std::string(what), std::move(where));
  if (last != nullptr) {
    e.message += " (" + last->message + ")";
    e.detail = last->detail;
  }
  return tl::unexpected(std::move(e));
}

}  // namespace

ServerSession::ServerSession(ServerConfig config, SessionOptions options)
    : config_(std::move(config)), options_(std::move(options)) {
  transport_ = make_curl_transport(options_.transport);
}

ServerSession::ServerSession(ServerConfig config, std::unique_ptr<HttpTransport> transport,
                             SessionOptions options)
    : config_(std::move(config)), transport_(std::move(transport)), options_(std::move(options)) {}

ServerSession::~ServerSession() = default;

const ServerUrl& ServerSession::url() const noexcept { return config_.url; }

std::optional<std::string> ServerSession::token() const {
  std::lock_guard lock(token_mutex_);
  return config_.token;
}

void ServerSession::set_token(std::optional<std::string> token) {
  std::lock_guard lock(token_mutex_);
  config_.token = std::move(token);
}

void ServerSession::set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline) {
  std::lock_guard lock(deadline_mutex_);
  deadline_ = deadline;
}

std::optional<std::chrono::steady_clock::time_point> ServerSession::deadline() const {
  std::lock_guard lock(deadline_mutex_);
  return deadline_;
}

Result<HttpResponse> ServerSession::send(const ApiRequest& request) {
  std::string where = request.method + " " + request.path;
  try {
    std::string url;
    switch (request.root) {
      case ApiRoot::v1: url = config_.url.v1(request.path); break;
      case ApiRoot::v2: url = config_.url.v2(request.path); break;
      case ApiRoot::none: url = config_.url.url(request.path); break;
    }
    // Errors name the path as it went on the wire (sub-path and /api/vN included), never the query.
    const std::string origin = config_.url.origin();
    where = request.method + " " + (url.starts_with(origin) ? url.substr(origin.size()) : url);
    const std::string wire_path = where.substr(request.method.size() + 1);
    url += request.query;

    HttpRequest base;
    base.method = request.method;
    base.url = std::move(url);
    base.body = request.body;
    base.timeout = request.timeout;
    set_header(base.headers, "Accept", "application/json");
    if (!request.body.empty() || !request.content_type.empty())
      set_header(base.headers, "Content-Type",
                 request.content_type.empty() ? std::string_view("application/json") : request.content_type);
    for (const auto& h : request.extra_headers) set_header(base.headers, h.name, h.value);
    const bool caller_sets_auth = has_header(base.headers, "Authorization");
    // A caller's own credential is as secret as the session's token.
    std::string caller_secret;
    for (const auto& h : base.headers)
      if (detail::equals_ignoring_ascii_case(h.name, "Authorization"))
        caller_secret = h.value.starts_with("Bearer ") ? h.value.substr(7) : h.value;

    if (!transport_)
      return tl::unexpected(make_error(ErrorCode::internal, "the session has no transport", where));
    const Idempotency idempotency = request.idempotency.value_or(default_idempotency(request.method));
    const auto& cancelled = options_.transport.cancelled;

    for (int attempt = 1;; ++attempt) {
      if (is_cancelled(cancelled)) return cancelled_error("cancelled before the request was sent", where);

      // Read per attempt, like the token: another thread may move the deadline during our backoff.
      const auto run_deadline = deadline();
      HttpRequest http = base;
      http.fresh_connection = idempotency == Idempotency::not_idempotent;
      if (run_deadline) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= *run_deadline)
          return deadline_error(
              attempt == 1 ? "before the request could be sent" : "before it could be retried", nullptr,
              where);
        // Rounded up: a cap of 0 ms would mean "no limit" to curl.
        cap_by_deadline(http, std::chrono::ceil<std::chrono::milliseconds>(*run_deadline - now),
                        options_.transport);
      }

      // Read the token per attempt: a concurrent request may have refreshed it during our backoff.
      const std::optional<std::string> sent_token = token();
      if (!caller_sets_auth && sent_token && !sent_token->empty())
        http.headers.push_back(HttpHeader{"Authorization", "Bearer " + *sent_token});

      HttpAttempt answer = transport_->send(http);
      detail::AttemptOutcome outcome;
      Error why;
      if (answer) {
        if (const auto fresh = answer->header("X-Refreshed-Token"); fresh && !fresh->empty())
          set_token(std::string(*fresh));
        const int status = answer->status;
        if (status >= 200 && status < 300) return std::move(*answer);
        std::optional<std::string> retry_after;
        if (const auto ra = answer->header("Retry-After")) retry_after = std::string(*ra);
        outcome = detail::AttemptOutcome::http(status, std::move(retry_after));
        why = error_from_response(status, request.method, wire_path, answer->body);
      } else {
        outcome = detail::AttemptOutcome::transport(answer.error().kind);
        why = std::move(answer.error().error);
      }
      // A server (or a proxy's error page) may echo the Authorization header back.
      if (sent_token) redact_secret(why, *sent_token);
      redact_secret(why, caller_secret);
      if (const auto now_token = token(); now_token && now_token != sent_token)
        redact_secret(why, *now_token);
      if (why.code == ErrorCode::cancelled) return tl::unexpected(std::move(why));

      // The attempt ran out of the time the deadline left it (curl's clock starts after ours, so
      // "now" is past the deadline): say so, instead of "no answer within N ms".
      const auto now = std::chrono::steady_clock::now();
      if (run_deadline && !answer && why.code == ErrorCode::timeout && now >= *run_deadline)
        return deadline_error("while waiting for the answer", &why, where);

      const auto delay = detail::next_delay(options_.retry, attempt, idempotency, outcome, thread_random());
      if (!delay) return tl::unexpected(std::move(why));
      // Neither slept for nor attempted: a retry that cannot start before the deadline is no retry.
      if (run_deadline && now + *delay >= *run_deadline)
        return deadline_error("with no time left to retry (attempt " + std::to_string(attempt) + " failed)",
                              &why, where);
      if (options_.on_retry) {
        try {
          options_.on_retry(attempt, *delay, why);
        } catch (...) {
          // A failing progress display must not fail the request.
        }
      }
      if (!sleep_unless_cancelled(*delay, cancelled))
        return cancelled_error("cancelled while waiting to retry (" + why.message + ")", where);
    }
  } catch (const std::exception& e) {
    return tl::unexpected(make_error(ErrorCode::internal, std::string("sending failed: ") + e.what(), where));
  }
}

Result<std::string> ServerSession::get(ApiRoot root, std::string_view path, std::string_view query) {
  ApiRequest request;
  request.method = "GET";
  request.root = root;
  request.path = std::string(path);
  request.query = std::string(query);
  auto response = send(request);
  if (!response) return tl::unexpected(std::move(response.error()));
  return std::move(response->body);
}

Result<std::string> ServerSession::send_json(std::string_view method, ApiRoot root, std::string_view path,
                                             std::string_view json_body, std::string_view query,
                                             std::optional<Idempotency> idempotency) {
  ApiRequest request;
  request.method = std::string(method);
  request.root = root;
  request.path = std::string(path);
  request.query = std::string(query);
  request.body = std::string(json_body);
  request.content_type = "application/json";
  request.idempotency = idempotency;
  auto response = send(request);
  if (!response) return tl::unexpected(std::move(response.error()));
  return std::move(response->body);
}

}  // namespace ivk
