#pragma once
// One HTTP exchange, as the rest of ivk sees it. HttpTransport is the seam between the API classes
// and libcurl: the real transport (make_curl_transport) does one attempt per send(); retries,
// authentication and error mapping live above it, in ServerSession. Tests fake this interface.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"
#include "ivk/transport/retry_policy.h"

namespace ivk {

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method = "GET";  // GET, POST, PUT, PATCH, DELETE, HEAD
  std::string url;             // absolute: "http://127.0.0.1:9090/api/v2/models/?model_type=main"
  std::vector<HttpHeader> headers;
  std::string body;  // sent as is; empty means no body (except POST/PUT/PATCH, which send an empty one)
  // Overrides TransportOptions::request_timeout for this request (e.g. a long download).
  std::optional<std::chrono::milliseconds> timeout;
  // Overrides TransportOptions::connect_timeout (ServerSession caps it by a run's deadline).
  std::optional<std::chrono::milliseconds> connect_timeout;
  // Send on a new connection, never a kept-alive one: libcurl silently sends a request again when a
  // reused connection turns out dead, which must never happen to a request that could do its work
  // twice (an enqueue whose answer was lost would run twice). ServerSession sets it for those.
  bool fresh_connection = false;
};

struct HttpResponse {
  int status = 0;
  std::vector<HttpHeader> headers;  // in arrival order; names as sent by the server
  std::string body;                 // decoded (gzip is undone by the transport)
  // First header with this name, compared case-insensitively; nullopt when absent.
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
};

// Why an attempt got no HTTP answer. `kind` feeds RetryPolicy; `error` is what callers see
// (code transport, timeout or cancelled; where = "METHOD url-path"; message names the cause).
struct TransportFault {
  TransportFailure kind = TransportFailure::other;
  Error error;
};

using HttpAttempt = tl::expected<HttpResponse, TransportFault>;

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{5000};
  // Whole request, connect included; 0 = no limit (then the stall timeout still applies).
  std::chrono::milliseconds request_timeout{60000};
  // Abort when fewer than 1 byte/s flows for this long (large uploads and downloads).
  std::chrono::milliseconds stall_timeout{30000};
  bool verify_tls = true;
  std::string user_agent;  // empty: "ivk/<version>"
  // Polled during transfers; returning true aborts the attempt with ErrorCode::cancelled.
  std::function<bool()> cancelled;
};

// One attempt per send(); thread-safe (each call may run on its own thread).
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual HttpAttempt send(const HttpRequest& request) = 0;
};

// libcurl, keeping connections alive between requests (a small pool of easy handles).
std::unique_ptr<HttpTransport> make_curl_transport(TransportOptions options = {});

}  // namespace ivk
