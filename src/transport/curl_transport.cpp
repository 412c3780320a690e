// The libcurl HttpTransport: exactly one attempt per send() (ServerSession owns retries), with
// connections kept alive in a small pool of easy handles. See docs/adr/0006-http-transport.md.
//
// One attempt runs in four steps, each with its state passed explicitly: checks before sending
// (CurlTransport::check_before_sending), configuring a pooled easy handle from the HttpRequest and
// TransportOptions (set_*_options), curl_easy_perform (perform), and mapping how it ended to a
// TransportFault (fault_from_transfer, pure, declared in curl_faults.h).
#include <curl/curl.h>

#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "core/ascii_case.h"
#include "ivk/transport/http.h"
#include "ivk/version.h"
#include "transport/curl_faults.h"

namespace ivk {

namespace {

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

TransportFault make_fault(TransportFailure kind, ErrorCode code, std::string message,
                          const detail::CurlTarget& target) {
  return TransportFault{kind, make_error(code, std::move(message), target.where)};
}

}  // namespace

namespace detail {

namespace {

// curl's own words, for the parenthesis after our explanation: the error buffer when curl filled it,
// else the generic text for the code.
std::string curl_reason(const CurlOutcome& outcome) {
  if (!outcome.error_text.empty()) return std::string(trim(outcome.error_text));
  return curl_easy_strerror(outcome.code);
}

// errno says why ("Connection refused", "No route to host") better than curl's sentence.
std::string connect_reason(const CurlOutcome& outcome, const std::string& reason) {
  if (outcome.os_errno == 0) return reason;
  return std::error_code(static_cast<int>(outcome.os_errno), std::generic_category()).message();
}

// A timeout has three causes worth telling apart: a stalled transfer (curl's low-speed limit), a
// connect that never completed, and a server that accepted but did not answer in time.
std::string timeout_message(const CurlOutcome& outcome, const std::string& reason,
                            const std::string& host_port) {
  if (reason.find("too slow") != std::string::npos)
    return "the transfer with " + host_port + " stalled (no data for " +
           std::to_string(outcome.stall.count()) + " ms): the network or the server is stuck; try again";
  if (outcome.connect_time == 0)
    return "cannot connect to " + host_port + " in time: is the server reachable (host, port, firewall)?";
  return "no answer from " + host_port + " within " + std::to_string(outcome.timeout.count()) +
         " ms: the server may be busy; raise the timeout if it is just slow";
}

std::string broken_connection_message(const std::string& host_port, const std::string& reason) {
  return "the connection to " + host_port +
         " broke before a complete answer arrived: the server may have restarted or a proxy dropped it; "
         "try again (" +
         reason + ")";
}

std::string tls_message(const std::string& host_port, const std::string& reason) {
  return "TLS with " + host_port +
         " failed: check the server's certificate (or disable verification for a self-signed one) and "
         "that the URL should be https (" +
         reason + ")";
}

}  // namespace

CurlTarget describe_target(const HttpRequest& request) {
  std::string_view url = request.url;
  std::string_view scheme = "http";
  if (const auto sep = url.find("://"); sep != std::string_view::npos) {
    scheme = url.substr(0, sep);
    url.remove_prefix(sep + 3);
  }
  const auto path_start = url.find_first_of("/?#");
  std::string_view authority = url.substr(0, path_start);
  // User-info never reaches here from ServerUrl, but a hand-built URL could carry a password in it.
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view path = path_start == std::string_view::npos ? std::string_view{} : url.substr(path_start);
  path = path.substr(0, path.find_first_of("?#"));

  CurlTarget t;
  t.host_port = std::string(authority);
  // "host" alone would hide which port was tried; an IPv6 literal's colons are inside brackets.
  const auto bracket = authority.rfind(']');
  const auto colon = authority.rfind(':');
  const bool has_port =
      colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket);
  if (!has_port) t.host_port += scheme == "https" ? ":443" : ":80";
  t.where = request.method + " " + (path.empty() ? std::string("/") : std::string(path));
  return t;
}

std::optional<TransportFault> invalid_header_fault(const HttpRequest& request, const CurlTarget& target) {
  for (const auto& h : request.headers)
    if (has_line_break(h.name) || has_line_break(h.value) || h.name.empty() ||
        h.name.find(':') != std::string::npos)
      // The value is not echoed: it may be a token.
      return make_fault(TransportFailure::other, ErrorCode::invalid_argument,
                        "the request header \"" + (has_line_break(h.name) ? "?" : h.name) +
                            "\" has an invalid name or a line break in its value",
                        target);
  return std::nullopt;
}

TransportFault fault_from_curl(const CurlOutcome& outcome, const CurlTarget& target) {
  const std::string reason = curl_reason(outcome);
  const std::string& at = target.host_port;
  switch (outcome.code) {
    case CURLE_COULDNT_CONNECT:
      return make_fault(TransportFailure::connect_failed, ErrorCode::transport,
                        "cannot connect to " + at + ": is the InvokeAI server running? (" +
                            connect_reason(outcome, reason) + ")",
                        target);
    case CURLE_COULDNT_RESOLVE_HOST:
      return make_fault(
          TransportFailure::connect_failed, ErrorCode::transport,
          "cannot resolve the host of " + at + ": check the server URL and the network (" + reason + ")",
          target);
    case CURLE_COULDNT_RESOLVE_PROXY:
      return make_fault(TransportFailure::connect_failed, ErrorCode::transport,
                        "cannot resolve the proxy: check the proxy settings (" + reason + ")", target);
    case CURLE_OPERATION_TIMEDOUT:
      return make_fault(TransportFailure::timed_out, ErrorCode::timeout,
                        timeout_message(outcome, reason, at) + " (" + reason + ")", target);
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return make_fault(TransportFailure::connection_reset, ErrorCode::transport,
                        broken_connection_message(at, reason), target);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return make_fault(TransportFailure::other, ErrorCode::transport, tls_message(at, reason), target);
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return make_fault(TransportFailure::other, ErrorCode::invalid_argument,
                        "the request URL is not a valid http or https URL (" + reason + ")", target);
    default:
      return make_fault(TransportFailure::other, ErrorCode::transport,
                        "the request to " + at + " failed (" + reason + ")", target);
  }
}

std::optional<TransportFault> fault_from_transfer(const CurlOutcome& outcome, const CurlTarget& target) {
  if (outcome.cancelled)
    return make_fault(TransportFailure::other, ErrorCode::cancelled, "cancelled while the request ran",
                      target);
  if (outcome.out_of_memory)
    return make_fault(TransportFailure::other, ErrorCode::internal, "out of memory reading the answer",
                      target);
  if (outcome.code != CURLE_OK) return fault_from_curl(outcome, target);
  return std::nullopt;
}

}  // namespace detail

namespace {

using detail::CurlOutcome;
using detail::CurlTarget;

// curl_global_init is not thread-safe and must run before any other curl call; call_once makes the
// first transport do it, whichever thread creates it. Its result is kept: a failed init makes every
// later send() report it instead of crashing in curl.
CURLcode global_init() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return result;
}

struct EasyDeleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

// State shared with curl's C callbacks for one attempt. The callbacks must not throw through curl.
struct Transfer {
  HttpResponse response;
  const std::function<bool()>* cancelled = nullptr;
  bool aborted = false;  // the caller's cancelled() said stop
  bool out_of_memory = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) noexcept {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  try {
    t->response.body.append(data, n);
  } catch (...) {
    t->out_of_memory = true;
    return 0;  // makes curl fail the transfer with CURLE_WRITE_ERROR
  }
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) noexcept {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  try {
    const std::string_view line = trim(std::string_view(data, n));
    if (line.starts_with("HTTP/")) {
      // A new status line: the headers of an interim answer (100 Continue) are not this response's.
      t->response.headers.clear();
    } else if (!line.empty()) {
      const std::string_view raw(data, n);
      if ((raw.front() == ' ' || raw.front() == '\t') && !t->response.headers.empty()) {
        // Obsolete line folding (RFC 9112 section 5.2): a continuation of the previous value.
        t->response.headers.back().value += ' ';
        t->response.headers.back().value += line;
      } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
        t->response.headers.push_back(
            HttpHeader{std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
      }
    }
  } catch (...) {
    t->out_of_memory = true;
    return 0;
  }
  return n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept {
  auto* t = static_cast<Transfer*>(user);
  if (t->cancelled == nullptr || !*t->cancelled) return 0;
  try {
    if ((*t->cancelled)()) t->aborted = true;
  } catch (...) {
    t->aborted = true;  // a throwing cancel check cannot say "go on"; stopping is the safe reading
  }
  return t->aborted ? 1 : 0;
}

// Everything the easy handle points at during one attempt. curl keeps raw pointers into it from the
// set_*_options calls until the handle is reset, so it never moves: it lives in the frame that runs
// the attempt, and the handle is reset before that frame ends.
struct AttemptState {
  HeaderList headers;
  Transfer transfer;
  char error_buffer[CURL_ERROR_SIZE] = {};
  std::chrono::milliseconds timeout{0};  // the whole-request limit, for the timeout message

  AttemptState() = default;
  AttemptState(const AttemptState&) = delete;
  AttemptState& operator=(const AttemptState&) = delete;
};

bool sends_body(const HttpRequest& request) {
  const std::string& method = request.method;
  return !request.body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
}

// The caller's headers, then two that undo curl defaults. "Expect:" stops curl from waiting up to a
// second for "100 Continue" before large bodies (servers rarely send it); "Content-Type:" stops curl
// from labelling a body as a form when the caller gave no type. nullopt when out of memory.
std::optional<HeaderList> build_header_list(const HttpRequest& request) {
  HeaderList headers;
  auto append = [&headers](const std::string& line) {
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next == nullptr) return false;
    static_cast<void>(headers.release());  // now owned through `next`
    headers.reset(next);
    return true;
  };
  bool ok = true;
  bool has_content_type = false;
  for (const auto& h : request.headers) {
    if (detail::equals_ignoring_ascii_case(h.name, "Content-Type")) has_content_type = true;
    // "Name;" is curl's way of sending a header with an empty value ("Name:" would remove it).
    ok = ok && append(h.value.empty() ? h.name + ";" : h.name + ": " + h.value);
  }
  ok = ok && append("Expect:");
  if (sends_body(request) && !has_content_type) ok = ok && append("Content-Type:");
  if (!ok) return std::nullopt;
  return headers;
}

// curl_easy_setopt is variadic: the value types must be exactly long, curl_off_t, pointers or
// function pointers, hence the explicit casts at each call.
long as_long(std::chrono::milliseconds ms) { return static_cast<long>(ms.count()); }

// Where to connect and how: URL, connection reuse, protocols, identification and headers.
void set_connection_options(CURL* h, const HttpRequest& request, const std::string& user_agent,
                            AttemptState& state) {
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, request.fresh_connection ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // timeouts via signals are unsafe in threaded programs
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, state.error_buffer);
  curl_easy_setopt(h, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // every encoding curl can decode; body arrives decoded
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, state.headers.get());
  // Redirects are not followed: InvokeAI answers its declared routes directly, and following one
  // would be a second exchange inside one attempt (and could carry the token elsewhere).
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
}

// Time limits and TLS verification, from the request's overrides and the transport's options.
void set_limit_options(CURL* h, const HttpRequest& request, const TransportOptions& options,
                       const AttemptState& state) {
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   as_long(request.connect_timeout.value_or(options.connect_timeout)));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, as_long(state.timeout));  // 0 = no limit, as in TransportOptions
  if (options.stall_timeout.count() > 0) {
    // curl counts stall time in whole seconds; round up so a short stall timeout never becomes 0 (off).
    const long seconds = static_cast<long>((options.stall_timeout.count() + 999) / 1000);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, seconds);
  }
  if (!options.verify_tls) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
}

void set_method_options(CURL* h, const HttpRequest& request) {
  const std::string& method = request.method;
  if (method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (sends_body(request)) {
    // POSTFIELDS with an explicit size sends the body as is (binary safe), and Content-Length: 0 for
    // an empty one; any other method rides on the same machinery with its own verb.
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.c_str());
    if (method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  } else if (method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
}

void set_callback_options(CURL* h, Transfer& transfer) {
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &on_progress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
}

// Runs the configured transfer. The answer (headers and body so far, and the status) is left in
// state.transfer.response; the returned outcome is all the fault mapping needs to know.
CurlOutcome perform(CURL* h, AttemptState& state, std::chrono::milliseconds stall) {
  CurlOutcome outcome;
  outcome.code = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  state.transfer.response.status = static_cast<int>(status);
  outcome.cancelled = state.transfer.aborted;
  outcome.out_of_memory = state.transfer.out_of_memory;
  outcome.timeout = state.timeout;
  outcome.stall = stall;
  if (outcome.code != CURLE_OK) {
    outcome.error_text = state.error_buffer;
    curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &outcome.os_errno);
    curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &outcome.connect_time);
  }
  return outcome;
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(TransportOptions options) : options_(std::move(options)) {
    user_agent_ = options_.user_agent.empty() ? "ivk/" + std::string(ivk::version()) : options_.user_agent;
    idle_.reserve(kMaxIdle);  // release() must not allocate, so it cannot throw
    init_result_ = global_init();
  }
  ~CurlTransport() override = default;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  HttpAttempt send(const HttpRequest& request) override {
    try {
      return send_once(request);
    } catch (const std::exception& e) {
      // Only allocation can throw here; the API promises no exceptions.
      return tl::unexpected(TransportFault{
          TransportFailure::other, make_error(ErrorCode::internal, std::string("sending failed: ") + e.what(),
                                              detail::describe_target(request).where)});
    }
  }

 private:
  // A few idle handles are enough for a client's concurrency; each keeps its own live connections.
  static constexpr std::size_t kMaxIdle = 8;

  HttpAttempt send_once(const HttpRequest& request) {
    const CurlTarget target = detail::describe_target(request);
    if (auto fault = check_before_sending(request, target)) return tl::unexpected(std::move(*fault));
    EasyHandle handle = acquire();
    if (!handle)
      return tl::unexpected(make_fault(TransportFailure::other, ErrorCode::internal,
                                       "libcurl could not create a handle", target));
    HttpAttempt result = exchange(handle.get(), request, target);
    // The handle's options pointed into exchange()'s AttemptState, gone now: reset it before anyone
    // else can use it.
    release(std::move(handle));
    return result;
  }

  std::optional<TransportFault> check_before_sending(const HttpRequest& request,
                                                     const CurlTarget& target) const {
    if (options_.cancelled && options_.cancelled())
      return make_fault(TransportFailure::other, ErrorCode::cancelled,
                        "cancelled before the request was sent", target);
    if (init_result_ != CURLE_OK)
      return make_fault(
          TransportFailure::other, ErrorCode::internal,
          std::string("libcurl could not be initialised (") + curl_easy_strerror(init_result_) + ")", target);
    return detail::invalid_header_fault(request, target);
  }

  // One request on a handle fresh from the pool: configure, perform, map the outcome.
  HttpAttempt exchange(CURL* h, const HttpRequest& request, const CurlTarget& target) const {
    AttemptState state;
    auto headers = build_header_list(request);
    if (!headers)
      return tl::unexpected(
          make_fault(TransportFailure::other, ErrorCode::internal, "out of memory building headers", target));
    state.headers = std::move(*headers);
    state.transfer.cancelled = &options_.cancelled;
    state.timeout = request.timeout.value_or(options_.request_timeout);

    set_connection_options(h, request, user_agent_, state);
    set_limit_options(h, request, options_, state);
    set_method_options(h, request);
    set_callback_options(h, state.transfer);

    const CurlOutcome outcome = perform(h, state, options_.stall_timeout);
    if (auto fault = detail::fault_from_transfer(outcome, target)) return tl::unexpected(std::move(*fault));
    return std::move(state.transfer.response);
  }

  EasyHandle acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        EasyHandle h = std::move(idle_.back());
        idle_.pop_back();
        return h;
      }
    }
    return EasyHandle(curl_easy_init());
  }

  // curl_easy_reset clears the options but keeps the handle's open connections and DNS cache, which
  // is what makes the next request on this handle skip the TCP (and TLS) handshake.
  void release(EasyHandle handle) noexcept {
    curl_easy_reset(handle.get());
    std::lock_guard lock(mutex_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(handle));
    // else: the handle (and its connections) is closed when `handle` goes out of scope
  }

  TransportOptions options_;
  std::string user_agent_;
  CURLcode init_result_ = CURLE_OK;
  std::mutex mutex_;
  std::vector<EasyHandle> idle_;
};

}  // namespace

std::unique_ptr<HttpTransport> make_curl_transport(TransportOptions options) {
  return std::make_unique<CurlTransport>(std::move(options));
}

}  // namespace ivk
