// The libcurl HttpTransport: exactly one attempt per send() (ServerSession owns retries), with
// connections kept alive in a small pool of easy handles. See docs/adr/0006-http-transport.md.
#include <curl/curl.h>

#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "core/ascii_case.h"
#include "ivk/transport/http.h"
#include "ivk/version.h"

namespace ivk {

namespace {

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

// What an error may say about the request: the server's "host:port" and "METHOD /path". The query
// is left out on purpose: it may carry secrets (a token in a download link), and errors get logged.
struct Target {
  std::string host_port;
  std::string where;
};

Target describe_target(const HttpRequest& request) {
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

  Target t;
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

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

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

TransportFault make_fault(TransportFailure kind, ErrorCode code, std::string message, const Target& target) {
  return TransportFault{kind, make_error(code, std::move(message), target.where)};
}

// curl's own words, for the parenthesis after our explanation: the error buffer when curl filled it,
// else the generic text for the code.
std::string curl_reason(CURLcode rc, const char* error_buffer) {
  if (error_buffer != nullptr && error_buffer[0] != '\0') return std::string(trim(error_buffer));
  return curl_easy_strerror(rc);
}

TransportFault fault_from_curl(CURLcode rc, CURL* handle, const char* error_buffer, const Target& target,
                               std::chrono::milliseconds timeout, std::chrono::milliseconds stall) {
  const std::string reason = curl_reason(rc, error_buffer);
  switch (rc) {
    case CURLE_COULDNT_CONNECT: {
      // errno says why ("Connection refused", "No route to host") better than curl's sentence.
      long os_errno = 0;
      curl_easy_getinfo(handle, CURLINFO_OS_ERRNO, &os_errno);
      const std::string why =
          os_errno != 0 ? std::error_code(static_cast<int>(os_errno), std::generic_category()).message()
                        : reason;
      return make_fault(
          TransportFailure::connect_failed, ErrorCode::transport,
          "cannot connect to " + target.host_port + ": is the InvokeAI server running? (" + why + ")",
          target);
    }
    case CURLE_COULDNT_RESOLVE_HOST:
      return make_fault(TransportFailure::connect_failed, ErrorCode::transport,
                        "cannot resolve the host of " + target.host_port +
                            ": check the server URL and the network (" + reason + ")",
                        target);
    case CURLE_COULDNT_RESOLVE_PROXY:
      return make_fault(TransportFailure::connect_failed, ErrorCode::transport,
                        "cannot resolve the proxy: check the proxy settings (" + reason + ")", target);
    case CURLE_OPERATION_TIMEDOUT: {
      curl_off_t connect_time = 0;
      curl_easy_getinfo(handle, CURLINFO_CONNECT_TIME_T, &connect_time);
      std::string message;
      if (reason.find("too slow") != std::string::npos) {
        message = "the transfer with " + target.host_port + " stalled (no data for " +
                  std::to_string(stall.count()) + " ms): the network or the server is stuck; try again";
      } else if (connect_time == 0) {
        message = "cannot connect to " + target.host_port +
                  " in time: is the server reachable (host, port, firewall)?";
      } else {
        message = "no answer from " + target.host_port + " within " + std::to_string(timeout.count()) +
                  " ms: the server may be busy; raise the timeout if it is just slow";
      }
      return make_fault(TransportFailure::timed_out, ErrorCode::timeout, message + " (" + reason + ")",
                        target);
    }
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return make_fault(TransportFailure::connection_reset, ErrorCode::transport,
                        "the connection to " + target.host_port +
                            " broke before a complete answer arrived: the server may have restarted or a "
                            "proxy dropped it; try again (" +
                            reason + ")",
                        target);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return make_fault(TransportFailure::other, ErrorCode::transport,
                        "TLS with " + target.host_port +
                            " failed: check the server's certificate (or disable verification for a "
                            "self-signed one) and that the URL should be https (" +
                            reason + ")",
                        target);
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return make_fault(TransportFailure::other, ErrorCode::invalid_argument,
                        "the request URL is not a valid http or https URL (" + reason + ")", target);
    default:
      return make_fault(TransportFailure::other, ErrorCode::transport,
                        "the request to " + target.host_port + " failed (" + reason + ")", target);
  }
}

// curl_easy_setopt is variadic: the value types must be exactly long, curl_off_t, pointers or
// function pointers, hence the explicit casts at each call.
long as_long(std::chrono::milliseconds ms) { return static_cast<long>(ms.count()); }

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
                                              describe_target(request).where)});
    }
  }

 private:
  // A few idle handles are enough for a client's concurrency; each keeps its own live connections.
  static constexpr std::size_t kMaxIdle = 8;

  HttpAttempt send_once(const HttpRequest& request) {
    const Target target = describe_target(request);
    if (options_.cancelled && options_.cancelled())
      return tl::unexpected(make_fault(TransportFailure::other, ErrorCode::cancelled,
                                       "cancelled before the request was sent", target));
    if (init_result_ != CURLE_OK)
      return tl::unexpected(make_fault(
          TransportFailure::other, ErrorCode::internal,
          std::string("libcurl could not be initialised (") + curl_easy_strerror(init_result_) + ")",
          target));
    for (const auto& h : request.headers)
      if (has_line_break(h.name) || has_line_break(h.value) || h.name.empty() ||
          h.name.find(':') != std::string::npos)
        // The value is not echoed: it may be a token.
        return tl::unexpected(make_fault(TransportFailure::other, ErrorCode::invalid_argument,
                                         "the request header \"" + (has_line_break(h.name) ? "?" : h.name) +
                                             "\" has an invalid name or a line break in its value",
                                         target));

    EasyHandle handle = acquire();
    if (!handle)
      return tl::unexpected(make_fault(TransportFailure::other, ErrorCode::internal,
                                       "libcurl could not create a handle", target));
    CURL* h = handle.get();

    // Headers: the caller's, then two that undo curl defaults. "Expect:" stops curl from waiting up to
    // a second for "100 Continue" before large bodies (servers rarely send it); "Content-Type:" stops
    // curl from labelling a body as a form when the caller gave no type.
    const std::string& method = request.method;
    const bool sends_body = !request.body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
    bool has_content_type = false;
    HeaderList headers;
    auto append = [&headers](const std::string& line) {
      curl_slist* next = curl_slist_append(headers.get(), line.c_str());
      if (next == nullptr) return false;
      static_cast<void>(headers.release());  // now owned through `next`
      headers.reset(next);
      return true;
    };
    bool headers_ok = true;
    for (const auto& hd : request.headers) {
      if (detail::equals_ignoring_ascii_case(hd.name, "Content-Type")) has_content_type = true;
      // "Name;" is curl's way of sending a header with an empty value ("Name:" would remove it).
      headers_ok = headers_ok && append(hd.value.empty() ? hd.name + ";" : hd.name + ": " + hd.value);
    }
    headers_ok = headers_ok && append("Expect:");
    if (sends_body && !has_content_type) headers_ok = headers_ok && append("Content-Type:");
    if (!headers_ok) {
      release(std::move(handle));
      return tl::unexpected(
          make_fault(TransportFailure::other, ErrorCode::internal, "out of memory building headers", target));
    }

    Transfer transfer;
    transfer.cancelled = &options_.cancelled;
    char error_buffer[CURL_ERROR_SIZE] = {};
    const auto timeout = request.timeout.value_or(options_.request_timeout);

    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, request.fresh_connection ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // timeouts via signals are unsafe in threaded programs
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(h, CURLOPT_USERAGENT, user_agent_.c_str());
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // every encoding curl can decode; body arrives decoded
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     as_long(request.connect_timeout.value_or(options_.connect_timeout)));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, as_long(timeout));  // 0 = no limit, as in TransportOptions
    if (options_.stall_timeout.count() > 0) {
      // curl counts stall time in whole seconds; round up so a short stall timeout never becomes 0 (off).
      const long seconds = static_cast<long>((options_.stall_timeout.count() + 999) / 1000);
      curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
      curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, seconds);
    }
    if (!options_.verify_tls) {
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    // Redirects are not followed: InvokeAI answers its declared routes directly, and following one
    // would be a second exchange inside one attempt (and could carry the token elsewhere).
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);

    if (method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (sends_body) {
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

    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &transfer);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);

    const CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);

    HttpAttempt result;
    if (transfer.aborted) {
      result = tl::unexpected(make_fault(TransportFailure::other, ErrorCode::cancelled,
                                         "cancelled while the request ran", target));
    } else if (transfer.out_of_memory) {
      result = tl::unexpected(make_fault(TransportFailure::other, ErrorCode::internal,
                                         "out of memory reading the answer", target));
    } else if (rc != CURLE_OK) {
      result = tl::unexpected(fault_from_curl(rc, h, error_buffer, target, timeout, options_.stall_timeout));
    } else {
      transfer.response.status = static_cast<int>(status);
      result = std::move(transfer.response);
    }
    // The handle's options point at this frame's buffers; reset before anyone else can use it.
    release(std::move(handle));
    return result;
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
