// The libcurl transport's pure half (transport/curl_faults.h): what an error says about the target,
// the header checks made before sending, and the mapping from how a transfer ended to a
// TransportFault. No handle and no sockets: every outcome is built by hand.
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <system_error>

#include "transport/curl_faults.h"

namespace {

using namespace std::chrono_literals;
using ivk::ErrorCode;
using ivk::HttpRequest;
using ivk::TransportFailure;
using ivk::detail::CurlOutcome;
using ivk::detail::CurlTarget;
using ivk::detail::describe_target;
using ivk::detail::fault_from_curl;
using ivk::detail::fault_from_transfer;
using ivk::detail::invalid_header_fault;

HttpRequest request(std::string method, std::string url) {
  HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  return r;
}

const CurlTarget kTarget{"127.0.0.1:9090", "GET /api/v1/app/version"};

CurlOutcome failed(CURLcode code, std::string error_text = {}) {
  CurlOutcome o;
  o.code = code;
  o.error_text = std::move(error_text);
  o.timeout = 60s;
  o.stall = 30s;
  return o;
}

TEST(TransportCurlTarget, NamesHostPortAndPathWithoutTheQuery) {
  const auto t = describe_target(request("GET", "http://127.0.0.1:9090/api/v1/images/i/a.png?token=sekrit"));
  EXPECT_EQ(t.host_port, "127.0.0.1:9090");
  EXPECT_EQ(t.where, "GET /api/v1/images/i/a.png");
}

TEST(TransportCurlTarget, FillsInTheSchemesDefaultPort) {
  EXPECT_EQ(describe_target(request("GET", "http://example.com/x")).host_port, "example.com:80");
  EXPECT_EQ(describe_target(request("GET", "https://example.com/x")).host_port, "example.com:443");
  EXPECT_EQ(describe_target(request("GET", "http://[::1]/x")).host_port, "[::1]:80");
  EXPECT_EQ(describe_target(request("GET", "http://[::1]:9090/x")).host_port, "[::1]:9090");
}

TEST(TransportCurlTarget, DropsUserInfoAndFragmentAndDefaultsThePathToSlash) {
  const auto t = describe_target(request("DELETE", "http://user:pw@host:81#frag"));
  EXPECT_EQ(t.host_port, "host:81");
  EXPECT_EQ(t.where, "DELETE /");
}

TEST(TransportCurlHeaders, SendableHeadersPass) {
  auto r = request("GET", "http://h/x");
  r.headers = {{"Accept", "application/json"}, {"X-Empty", ""}};
  EXPECT_FALSE(invalid_header_fault(r, kTarget));
}

TEST(TransportCurlHeaders, LineBreakInAValueIsRejectedWithoutEchoingIt) {
  auto r = request("GET", "http://h/x");
  r.headers = {{"Authorization", "Bearer sekrit\r\nX-Evil: 1"}};
  const auto fault = invalid_header_fault(r, kTarget);
  ASSERT_TRUE(fault);
  EXPECT_EQ(fault->kind, TransportFailure::other);
  EXPECT_EQ(fault->error.code, ErrorCode::invalid_argument);
  EXPECT_EQ(fault->error.message,
            "the request header \"Authorization\" has an invalid name or a line break in its value");
  EXPECT_EQ(fault->error.where, kTarget.where);
}

TEST(TransportCurlHeaders, BadNamesAreRejected) {
  for (const std::string name : {"", "X-A:b", "X-A\nB"}) {
    auto r = request("GET", "http://h/x");
    r.headers = {{name, "v"}};
    const auto fault = invalid_header_fault(r, kTarget);
    ASSERT_TRUE(fault) << name;
    EXPECT_EQ(fault->error.code, ErrorCode::invalid_argument);
  }
  auto r = request("GET", "http://h/x");
  r.headers = {{"X-A\nB", "v"}};
  // A name with a line break is not echoed either: it could be the tail of a smuggled header.
  EXPECT_EQ(invalid_header_fault(r, kTarget)->error.message,
            "the request header \"?\" has an invalid name or a line break in its value");
}

TEST(TransportCurlFault, RefusedConnectionNamesErrnosReason) {
  auto o = failed(CURLE_COULDNT_CONNECT, "Failed to connect to 127.0.0.1 port 9090 after 0 ms");
  o.os_errno = ECONNREFUSED;
  const auto f = fault_from_curl(o, kTarget);
  EXPECT_EQ(f.kind, TransportFailure::connect_failed);
  EXPECT_EQ(f.error.code, ErrorCode::transport);
  EXPECT_EQ(f.error.message, "cannot connect to 127.0.0.1:9090: is the InvokeAI server running? (" +
                                 std::generic_category().message(ECONNREFUSED) + ")");
  EXPECT_EQ(f.error.where, "GET /api/v1/app/version");
}

TEST(TransportCurlFault, ConnectFailureWithoutErrnoUsesCurlsTrimmedText) {
  const auto f = fault_from_curl(failed(CURLE_COULDNT_CONNECT, "  Failed to connect\n"), kTarget);
  EXPECT_EQ(f.kind, TransportFailure::connect_failed);
  EXPECT_EQ(f.error.message,
            "cannot connect to 127.0.0.1:9090: is the InvokeAI server running? (Failed to connect)");
}

TEST(TransportCurlFault, UnresolvableHostFallsBackToCurlsTextForTheCode) {
  const auto f = fault_from_curl(failed(CURLE_COULDNT_RESOLVE_HOST), kTarget);
  EXPECT_EQ(f.kind, TransportFailure::connect_failed);
  EXPECT_EQ(f.error.code, ErrorCode::transport);
  EXPECT_EQ(f.error.message,
            "cannot resolve the host of 127.0.0.1:9090: check the server URL and the network (" +
                std::string(curl_easy_strerror(CURLE_COULDNT_RESOLVE_HOST)) + ")");
}

TEST(TransportCurlFault, UnresolvableProxy) {
  const auto f = fault_from_curl(failed(CURLE_COULDNT_RESOLVE_PROXY, "Could not resolve proxy: p"), kTarget);
  EXPECT_EQ(f.kind, TransportFailure::connect_failed);
  EXPECT_EQ(f.error.message,
            "cannot resolve the proxy: check the proxy settings (Could not resolve proxy: p)");
}

TEST(TransportCurlFault, StalledTransferIsATimeoutNamingTheStallLimit) {
  const std::string reason = "Operation too slow. Less than 1 bytes/sec transferred the last 30 seconds";
  auto o = failed(CURLE_OPERATION_TIMEDOUT, reason);
  o.connect_time = 1000;
  const auto f = fault_from_curl(o, kTarget);
  EXPECT_EQ(f.kind, TransportFailure::timed_out);
  EXPECT_EQ(f.error.code, ErrorCode::timeout);
  EXPECT_EQ(f.error.message,
            "the transfer with 127.0.0.1:9090 stalled (no data for 30000 ms): the network or the server is "
            "stuck; try again (" +
                reason + ")");
}

TEST(TransportCurlFault, TimeoutBeforeConnectingSaysSo) {
  const std::string reason = "Connection timed out after 5001 milliseconds";
  const auto f = fault_from_curl(failed(CURLE_OPERATION_TIMEDOUT, reason), kTarget);
  EXPECT_EQ(f.kind, TransportFailure::timed_out);
  EXPECT_EQ(f.error.code, ErrorCode::timeout);
  EXPECT_EQ(f.error.message,
            "cannot connect to 127.0.0.1:9090 in time: is the server reachable (host, port, firewall)? (" +
                reason + ")");
}

TEST(TransportCurlFault, TimeoutAfterConnectingNamesTheRequestTimeout) {
  const std::string reason = "Operation timed out after 250 milliseconds with 0 bytes received";
  auto o = failed(CURLE_OPERATION_TIMEDOUT, reason);
  o.connect_time = 120;
  o.timeout = 250ms;
  const auto f = fault_from_curl(o, kTarget);
  EXPECT_EQ(f.kind, TransportFailure::timed_out);
  EXPECT_EQ(f.error.code, ErrorCode::timeout);
  EXPECT_EQ(f.error.message,
            "no answer from 127.0.0.1:9090 within 250 ms: the server may be busy; raise the timeout if it is "
            "just slow (" +
                reason + ")");
}

TEST(TransportCurlFault, BrokenConnectionsAreResets) {
  for (const CURLcode code : {CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE}) {
    const auto f = fault_from_curl(failed(code, "Empty reply from server"), kTarget);
    EXPECT_EQ(f.kind, TransportFailure::connection_reset) << code;
    EXPECT_EQ(f.error.code, ErrorCode::transport) << code;
    EXPECT_EQ(f.error.message,
              "the connection to 127.0.0.1:9090 broke before a complete answer arrived: the server may have "
              "restarted or a proxy dropped it; try again (Empty reply from server)")
        << code;
  }
}

TEST(TransportCurlFault, TlsFailuresPointAtTheCertificate) {
  for (const CURLcode code : {CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION,
                              CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM}) {
    const auto f = fault_from_curl(failed(code, "SSL certificate problem: self-signed certificate"), kTarget);
    EXPECT_EQ(f.kind, TransportFailure::other) << code;
    EXPECT_EQ(f.error.code, ErrorCode::transport) << code;
    EXPECT_EQ(f.error.message,
              "TLS with 127.0.0.1:9090 failed: check the server's certificate (or disable verification for a "
              "self-signed one) and that the URL should be https (SSL certificate problem: self-signed "
              "certificate)")
        << code;
  }
}

TEST(TransportCurlFault, BadUrlIsAnInvalidArgument) {
  for (const CURLcode code : {CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT}) {
    const auto f = fault_from_curl(failed(code, "URL rejected"), kTarget);
    EXPECT_EQ(f.kind, TransportFailure::other) << code;
    EXPECT_EQ(f.error.code, ErrorCode::invalid_argument) << code;
    EXPECT_EQ(f.error.message, "the request URL is not a valid http or https URL (URL rejected)") << code;
  }
}

TEST(TransportCurlFault, AnyOtherCodeIsAPlainTransportFailure) {
  const auto f = fault_from_curl(failed(CURLE_TOO_MANY_REDIRECTS), kTarget);
  EXPECT_EQ(f.kind, TransportFailure::other);
  EXPECT_EQ(f.error.code, ErrorCode::transport);
  EXPECT_EQ(f.error.message, "the request to 127.0.0.1:9090 failed (" +
                                 std::string(curl_easy_strerror(CURLE_TOO_MANY_REDIRECTS)) + ")");
}

TEST(TransportCurlTransfer, SuccessIsNoFault) {
  EXPECT_FALSE(fault_from_transfer(failed(CURLE_OK), kTarget));
}

TEST(TransportCurlTransfer, CancelOutranksTheAbortCodeItCaused) {
  auto o = failed(CURLE_ABORTED_BY_CALLBACK, "Callback aborted");
  o.cancelled = true;
  o.out_of_memory = true;  // a cancel is what the caller asked for: it is reported first
  const auto f = fault_from_transfer(o, kTarget);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, TransportFailure::other);
  EXPECT_EQ(f->error.code, ErrorCode::cancelled);
  EXPECT_EQ(f->error.message, "cancelled while the request ran");
  EXPECT_EQ(f->error.where, kTarget.where);
}

TEST(TransportCurlTransfer, OutOfMemoryOutranksTheWriteErrorItCaused) {
  auto o = failed(CURLE_WRITE_ERROR, "Failure writing output to destination");
  o.out_of_memory = true;
  const auto f = fault_from_transfer(o, kTarget);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, TransportFailure::other);
  EXPECT_EQ(f->error.code, ErrorCode::internal);
  EXPECT_EQ(f->error.message, "out of memory reading the answer");
}

TEST(TransportCurlTransfer, OtherwiseTheCurlCodeDecides) {
  auto o = failed(CURLE_GOT_NOTHING, "Empty reply from server");
  const auto f = fault_from_transfer(o, kTarget);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, TransportFailure::connection_reset);
  EXPECT_EQ(f->error.code, ErrorCode::transport);
}

}  // namespace
