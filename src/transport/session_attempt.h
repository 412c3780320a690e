#pragma once
// The pure pieces of ServerSession::send, apart from the loop that runs them (server_session.cpp):
// what every attempt of one ApiRequest shares, one attempt's HttpRequest, the verdict on one answer,
// and what follows a failed attempt (give up with an Error, or wait and try again). No I/O and no
// clock reads: the time, the token and the randomness come in as arguments, so tests are exact.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "ivk/error.h"
#include "ivk/transport/http.h"
#include "ivk/transport/retry_policy.h"
#include "ivk/transport/server_session.h"
#include "ivk/transport/server_url.h"
#include "transport/retry_decision.h"

namespace ivk::detail {

// Built once per ApiRequest; every attempt starts from it.
struct PreparedRequest {
  HttpRequest base;  // URL with the query, body, timeout, and every header but the session's token
  // "METHOD /path" as the path went on the wire (sub-path and /api/vN included), never the query:
  // errors name it.
  std::string where;
  std::string wire_path;          // the path part of where
  bool caller_sets_auth = false;  // an extra header carries Authorization: the token is not added
  std::string caller_secret;      // that header's credential, as secret as the session's token
  Idempotency idempotency = Idempotency::idempotent;
};

PreparedRequest prepare_request(const ApiRequest& request, const ServerUrl& url);

// One attempt's request: the base, on a fresh connection when the request is not idempotent, with the
// session's token unless the caller sent its own Authorization, and with its timeouts capped by
// time_left (what a run's deadline leaves) when there is a deadline.
HttpRequest build_attempt(const PreparedRequest& prepared, const std::optional<std::string>& token,
                          std::optional<std::chrono::milliseconds> time_left,
                          const TransportOptions& transport);

// Why an attempt did not succeed: what the retry policy looks at, and what the caller would see.
struct AttemptFailure {
  AttemptOutcome outcome;
  Error why;
  bool answered = false;  // an HTTP answer with an error status, not a transport fault
};

struct AttemptVerdict {
  tl::expected<HttpResponse, AttemptFailure> result;  // a 2xx answer, or the failure
  std::optional<std::string> refreshed_token;         // a non-empty X-Refreshed-Token of any answer
};

AttemptVerdict judge_answer(HttpAttempt answer, const PreparedRequest& prepared);

// A server (or a proxy's error page) may echo a credential back: removes the token the attempt sent,
// the caller's own, and the session's current token when a refresh changed it in the meantime.
void redact_credentials(Error& why, const std::optional<std::string>& sent_token,
                        std::string_view caller_secret, const std::optional<std::string>& current_token);

// ErrorCode::timeout, "the run's deadline was reached <what>": time, not the server, ends the request
// now. The last attempt's explanation (when there was one) stays in the message, its detail with it.
Error deadline_error(std::string_view what, const Error* last, std::string where);

// The moments the decision after a failed attempt depends on.
struct RetryClock {
  std::optional<std::chrono::steady_clock::time_point> run_deadline;
  std::chrono::steady_clock::time_point now;       // when the attempt ended
  std::chrono::system_clock::time_point wall_now;  // for a Retry-After date
};

// Wait this long and try again, or give up with this error (the attempt's, or a deadline error).
using RetryVerdict = tl::expected<std::chrono::milliseconds, Error>;

// After failed attempt number `attempt` (1-based): a cancel is final; a timeout that ran into the run's
// deadline is reported as the deadline; otherwise RetryPolicy decides, and a retry that could not start
// before the deadline is none.
RetryVerdict decide_retry(const AttemptFailure& failure, int attempt, const PreparedRequest& prepared,
                          const RetryPolicy& policy, const RetryClock& clock, RandomSource& random);

}  // namespace ivk::detail
