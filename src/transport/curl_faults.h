#pragma once
// The pure half of the libcurl transport: what an error may say about a request, the checks made
// before anything is sent, and the mapping from how a transfer ended (a CURLcode and what the handle
// and the callbacks noticed) to a TransportFault. Kept apart from the handle so it can be tested
// without sockets. Private to src/transport (and its tests): it exposes curl's types.
#include <curl/curl.h>

#include <chrono>
#include <optional>
#include <string>

#include "ivk/transport/http.h"

namespace ivk::detail {

// What an error may say about the request: the server's "host:port" and "METHOD /path". The query
// is left out on purpose: it may carry secrets (a token in a download link), and errors get logged.
struct CurlTarget {
  std::string host_port;
  std::string where;
};

CurlTarget describe_target(const HttpRequest& request);

// A fault for a request whose headers curl would send corrupted or split (a line break in a name or
// value, an empty name or one with a colon); nullopt when all are sendable. The value is never echoed.
std::optional<TransportFault> invalid_header_fault(const HttpRequest& request, const CurlTarget& target);

// How one transfer ended, as read from the easy handle and the callbacks after curl_easy_perform.
struct CurlOutcome {
  CURLcode code = CURLE_OK;
  std::string error_text;                // CURLOPT_ERRORBUFFER; empty when curl wrote nothing there
  long os_errno = 0;                     // CURLINFO_OS_ERRNO; 0 when unknown
  curl_off_t connect_time = 0;           // CURLINFO_CONNECT_TIME_T; 0 when no connection was made
  std::chrono::milliseconds timeout{0};  // the whole-request limit the attempt ran with
  std::chrono::milliseconds stall{0};    // TransportOptions::stall_timeout
  bool cancelled = false;                // the caller's cancel check stopped the transfer
  bool out_of_memory = false;            // a callback could not store the answer
};

// The fault for a failed curl_easy_perform: kind for RetryPolicy, code and message for the caller.
TransportFault fault_from_curl(const CurlOutcome& outcome, const CurlTarget& target);

// The fault for any transfer: a cancel or an allocation failure in a callback outranks the CURLcode
// it caused (CURLE_ABORTED_BY_CALLBACK, CURLE_WRITE_ERROR); nullopt when the transfer succeeded.
std::optional<TransportFault> fault_from_transfer(const CurlOutcome& outcome, const CurlTarget& target);

}  // namespace ivk::detail
