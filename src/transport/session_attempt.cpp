// The pure pieces of ServerSession::send (see session_attempt.h); the loop that runs them, with the
// clock, the sleeps and the session's token, is in server_session.cpp.
#include "transport/session_attempt.h"

#include <algorithm>
#include <utility>

#include "core/ascii_case.h"
#include "transport/secret_redaction.h"
#include "transport/server_error.h"

namespace ivk::detail {

namespace {

// Sets a header, replacing one of the same name: a caller's extra header overrides a default
// instead of being sent twice.
void set_header(std::vector<HttpHeader>& headers, std::string_view name, std::string_view value) {
  for (auto& h : headers)
    if (equals_ignoring_ascii_case(h.name, name)) {
      h.value = std::string(value);
      return;
    }
  headers.push_back(HttpHeader{std::string(name), std::string(value)});
}

bool has_header(const std::vector<HttpHeader>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const HttpHeader& h) { return equals_ignoring_ascii_case(h.name, name); });
}

std::string api_url(const ApiRequest& request, const ServerUrl& url) {
  switch (request.root) {
    case ApiRoot::v1: return url.v1(request.path);
    case ApiRoot::v2: return url.v2(request.path);
    case ApiRoot::none: return url.url(request.path);
  }
  return {};
}

// The defaults, then the caller's extra headers over them.
std::vector<HttpHeader> request_headers(const ApiRequest& request) {
  std::vector<HttpHeader> headers;
  set_header(headers, "Accept", "application/json");
  if (!request.body.empty() || !request.content_type.empty())
    set_header(headers, "Content-Type",
               request.content_type.empty() ? std::string_view("application/json") : request.content_type);
  for (const auto& h : request.extra_headers) set_header(headers, h.name, h.value);
  return headers;
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

}  // namespace

PreparedRequest prepare_request(const ApiRequest& request, const ServerUrl& url) {
  PreparedRequest p;
  std::string full_url = api_url(request, url);
  const std::string origin = url.origin();
  p.where = request.method + " " + (full_url.starts_with(origin) ? full_url.substr(origin.size()) : full_url);
  p.wire_path = p.where.substr(request.method.size() + 1);
  full_url += request.query;

  p.base.method = request.method;
  p.base.url = std::move(full_url);
  p.base.body = request.body;
  p.base.timeout = request.timeout;
  p.base.headers = request_headers(request);
  p.caller_sets_auth = has_header(p.base.headers, "Authorization");
  for (const auto& h : p.base.headers)
    if (equals_ignoring_ascii_case(h.name, "Authorization"))
      p.caller_secret = h.value.starts_with("Bearer ") ? h.value.substr(7) : h.value;
  p.idempotency = request.idempotency.value_or(default_idempotency(request.method));
  return p;
}

HttpRequest build_attempt(const PreparedRequest& prepared, const std::optional<std::string>& token,
                          std::optional<std::chrono::milliseconds> time_left,
                          const TransportOptions& transport) {
  HttpRequest http = prepared.base;
  http.fresh_connection = prepared.idempotency == Idempotency::not_idempotent;
  if (time_left) cap_by_deadline(http, *time_left, transport);
  if (!prepared.caller_sets_auth && token && !token->empty())
    http.headers.push_back(HttpHeader{"Authorization", "Bearer " + *token});
  return http;
}

AttemptVerdict judge_answer(HttpAttempt answer, const PreparedRequest& prepared) {
  AttemptVerdict verdict;
  if (!answer) {
    verdict.result = tl::unexpected(AttemptFailure{AttemptOutcome::transport(answer.error().kind),
                                                   std::move(answer.error().error), false});
    return verdict;
  }
  if (const auto fresh = answer->header("X-Refreshed-Token"); fresh && !fresh->empty())
    verdict.refreshed_token = std::string(*fresh);
  const int status = answer->status;
  if (status >= 200 && status < 300) {
    verdict.result = std::move(*answer);
    return verdict;
  }
  std::optional<std::string> retry_after;
  if (const auto ra = answer->header("Retry-After")) retry_after = std::string(*ra);
  verdict.result = tl::unexpected(AttemptFailure{
      AttemptOutcome::http(status, std::move(retry_after)),
      error_from_response(status, prepared.base.method, prepared.wire_path, answer->body), true});
  return verdict;
}

void redact_credentials(Error& why, const std::optional<std::string>& sent_token,
                        std::string_view caller_secret, const std::optional<std::string>& current_token) {
  if (sent_token) redact_secret(why, *sent_token);
  redact_secret(why, caller_secret);
  if (current_token && current_token != sent_token) redact_secret(why, *current_token);
}

Error deadline_error(std::string_view what, const Error* last, std::string where) {
  Error e =
      make_error(ErrorCode::timeout, "the run's deadline was reached " + std::string(what), std::move(where));
  if (last != nullptr) {
    e.message += " (" + last->message + ")";
    e.detail = last->detail;
  }
  return e;
}

RetryVerdict decide_retry(const AttemptFailure& failure, int attempt, const PreparedRequest& prepared,
                          const RetryPolicy& policy, const RetryClock& clock, RandomSource& random) {
  const Error& why = failure.why;
  if (why.code == ErrorCode::cancelled) return tl::unexpected(why);
  const auto& deadline = clock.run_deadline;
  // The attempt ran out of the time the deadline left it (curl's clock starts after ours, so "now" is
  // past the deadline): say so, instead of "no answer within N ms".
  if (deadline && !failure.answered && why.code == ErrorCode::timeout && clock.now >= *deadline)
    return tl::unexpected(deadline_error("while waiting for the answer", &why, prepared.where));
  const auto delay =
      next_delay(policy, attempt, prepared.idempotency, failure.outcome, random, clock.wall_now);
  if (!delay) return tl::unexpected(why);
  // Neither slept for nor attempted: a retry that cannot start before the deadline is no retry.
  if (deadline && clock.now + *delay >= *deadline)
    return tl::unexpected(deadline_error(
        "with no time left to retry (attempt " + std::to_string(attempt) + " failed)", &why, prepared.where));
  return *delay;
}

}  // namespace ivk::detail
