// ServerSession: the retry loop around one HttpTransport, with the bearer token and its sliding
// refresh. The pieces the loop runs (building the request and each attempt, judging an answer,
// deciding on a retry) are pure and live in session_attempt.cpp. See docs/adr/0006-http-transport.md.
#include "ivk/transport/server_session.h"

#include <algorithm>
#include <exception>
#include <thread>
#include <utility>

#include "transport/retry_decision.h"
#include "transport/session_attempt.h"

namespace ivk {

namespace {

using namespace std::chrono_literals;

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

// What a run's deadline leaves for the next attempt, rounded up: a cap of 0 ms would mean "no limit"
// to curl. nullopt without a deadline.
std::optional<std::chrono::milliseconds> time_left(
    std::optional<std::chrono::steady_clock::time_point> run_deadline,
    std::chrono::steady_clock::time_point now) {
  if (!run_deadline) return std::nullopt;
  return std::chrono::ceil<std::chrono::milliseconds>(*run_deadline - now);
}

void notify_retry(const SessionOptions& options, int attempt, std::chrono::milliseconds delay,
                  const Error& why) {
  if (!options.on_retry) return;
  try {
    options.on_retry(attempt, delay, why);
  } catch (...) {
    // A failing progress display must not fail the request.
  }
}

// The attempts of one request until one succeeds, one fails for good, or the deadline or a cancel
// ends them. The session is read per attempt: another thread may move the deadline or refresh the
// token during our backoff.
Result<HttpResponse> run_attempts(ServerSession& session, HttpTransport& transport,
                                  const SessionOptions& options, const detail::PreparedRequest& prepared) {
  const auto& cancelled = options.transport.cancelled;
  for (int attempt = 1;; ++attempt) {
    if (is_cancelled(cancelled))
      return cancelled_error("cancelled before the request was sent", prepared.where);
    const auto run_deadline = session.deadline();
    const auto started = std::chrono::steady_clock::now();
    if (run_deadline && started >= *run_deadline)
      return tl::unexpected(detail::deadline_error(
          attempt == 1 ? "before the request could be sent" : "before it could be retried", nullptr,
          prepared.where));
    const std::optional<std::string> sent_token = session.token();
    const HttpRequest http =
        detail::build_attempt(prepared, sent_token, time_left(run_deadline, started), options.transport);

    detail::AttemptVerdict verdict = detail::judge_answer(transport.send(http), prepared);
    if (verdict.refreshed_token) session.set_token(std::move(verdict.refreshed_token));
    if (verdict.result) return std::move(*verdict.result);
    detail::AttemptFailure& failure = verdict.result.error();
    detail::redact_credentials(failure.why, sent_token, prepared.caller_secret, session.token());

    const detail::RetryClock clock{run_deadline, std::chrono::steady_clock::now(),
                                   std::chrono::system_clock::now()};
    auto delay = detail::decide_retry(failure, attempt, prepared, options.retry, clock, thread_random());
    if (!delay) return tl::unexpected(std::move(delay.error()));
    notify_retry(options, attempt, *delay, failure.why);
    if (!sleep_unless_cancelled(*delay, cancelled))
      return cancelled_error("cancelled while waiting to retry (" + failure.why.message + ")",
                             prepared.where);
  }
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
    const detail::PreparedRequest prepared = detail::prepare_request(request, config_.url);
    where = prepared.where;
    if (!transport_)
      return tl::unexpected(make_error(ErrorCode::internal, "the session has no transport", where));
    return run_attempts(*this, *transport_, options_, prepared);
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
