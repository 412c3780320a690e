// The fault-injecting loopback proxy (support/tcp_proxy.h), its HTTP framing and its control
// commands: each fault against a scripted server, with byte and request counts as seen on both sides.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "ivk/transport/http.h"
#include "ivk/transport/server_session.h"
#include "support/fault_proxy_control.h"
#include "support/http_framing.h"
#include "support/scripted_server.h"
#include "support/tcp_proxy.h"

namespace {

using namespace std::chrono_literals;
using ivk::ErrorCode;
using ivk::test::BodyFramer;
using ivk::test::HeadState;
using ivk::test::ScriptedResponse;
using ivk::test::ScriptedServer;
using ivk::test::TcpProxy;

// A blocking loopback TCP socket with poll() timeouts: it sees exactly the bytes the proxy sends,
// independent of curl and of the proxy's own code.
class PlainSocket {
 public:
  explicit PlainSocket(int fd) : fd_(fd) {}
  static PlainSocket connect_to(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
      ADD_FAILURE() << "cannot connect to 127.0.0.1:" << port;
    return PlainSocket(fd);
  }
  ~PlainSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  PlainSocket(PlainSocket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  PlainSocket(const PlainSocket&) = delete;
  PlainSocket& operator=(const PlainSocket&) = delete;
  PlainSocket& operator=(PlainSocket&&) = delete;

  bool send_all(std::string_view bytes) const {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Appends what arrives to `received` until `enough` says so, the peer closes, or `timeout` ends.
  // Returns the number of reads that brought bytes.
  int receive(std::string& received, const std::function<bool(const std::string&)>& enough,
              std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int reads = 0;
    while (!enough(received)) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        peer_closed_ = true;
        break;
      }
      received.append(buf, static_cast<std::size_t>(n));
      ++reads;
    }
    return reads;
  }
  std::string receive_bytes(std::size_t count, std::chrono::milliseconds timeout) {
    std::string out;
    receive(
        out, [count](const std::string& s) { return s.size() >= count; }, timeout);
    return out;
  }
  [[nodiscard]] bool peer_closed() const { return peer_closed_; }

 private:
  int fd_ = -1;
  bool peer_closed_ = false;
};

// An upstream that serves one connection: for each request head it reads, it writes the next
// scripted reply in the given pieces, a little apart, so they reach the proxy as separate reads.
class RawUpstream {
 public:
  explicit RawUpstream(std::vector<std::vector<std::string>> replies) : replies_(std::move(replies)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_, 4) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      ADD_FAILURE() << "RawUpstream cannot listen";
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~RawUpstream() {
    thread_.join();
    ::close(listener_);
  }
  RawUpstream(const RawUpstream&) = delete;
  RawUpstream& operator=(const RawUpstream&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] int requests() const { return requests_.load(); }

 private:
  void serve() {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return;
    PlainSocket conn(::accept(listener_, nullptr, nullptr));
    std::string pending;
    for (const auto& pieces : replies_) {
      conn.receive(
          pending, [](const std::string& s) { return s.find("\r\n\r\n") != std::string::npos; }, 5s);
      const auto end = pending.find("\r\n\r\n");
      if (end == std::string::npos) return;
      pending.erase(0, end + 4);
      ++requests_;
      for (const auto& piece : pieces) {
        conn.send_all(piece);
        std::this_thread::sleep_for(20ms);
      }
    }
    // Wait for the client to finish (or give up) before closing.
    std::string rest;
    conn.receive(
        rest, [](const std::string&) { return false; }, 1s);
  }

  std::vector<std::vector<std::string>> replies_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<int> requests_{0};
  std::thread thread_;
};

std::string get_request(std::string_view target) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
}

ivk::HttpRequest http_request(std::string method, std::uint16_t port, std::string_view target,
                              std::string body = {}) {
  ivk::HttpRequest r;
  r.method = std::move(method);
  r.url = "http://127.0.0.1:" + std::to_string(port) + std::string(target);
  r.body = std::move(body);
  return r;
}

std::unique_ptr<ivk::ServerSession> session_for(std::uint16_t port, ivk::SessionOptions options = {}) {
  ivk::ServerConfig config;
  auto url = ivk::ServerUrl::parse("http://127.0.0.1:" + std::to_string(port));
  EXPECT_TRUE(url);
  if (url) config.url = *url;
  return std::make_unique<ivk::ServerSession>(config, std::move(options));
}

ivk::test::MessageHead chunked_answer() {
  ivk::test::MessageHead head;
  head.status = 200;
  head.chunked = true;
  return head;
}

ivk::test::MessageHead with_length(std::uint64_t length) {
  ivk::test::MessageHead head;
  head.content_length = length;
  return head;
}

// Feeds `data` one byte at a time, keeping what the framer did not take, as the proxy does.
std::size_t consume_bytewise(BodyFramer& framer, std::string_view data) {
  std::string pending;
  std::size_t used = 0;
  for (char c : data) {
    if (framer.done()) break;
    pending += c;
    const std::size_t n = framer.consume(pending);
    pending.erase(0, n);
    used += n;
  }
  return used;
}

// ---- framing ----

TEST(HttpFraming, RequestHeadGivesMethodTargetPathAndLength) {
  const std::string bytes =
      "POST /api/v1/queue/default/enqueue_batch?x=1 HTTP/1.1\r\nHost: a\r\ncontent-length: "
      "12\r\n\r\n{\"batch\":1}";
  const auto parsed = ivk::test::parse_request_head(bytes);
  ASSERT_EQ(parsed.state, HeadState::complete);
  EXPECT_EQ(parsed.head.method, "POST");
  EXPECT_EQ(parsed.head.target, "/api/v1/queue/default/enqueue_batch?x=1");
  EXPECT_EQ(parsed.head.path(), "/api/v1/queue/default/enqueue_batch");
  EXPECT_EQ(parsed.head.content_length, 12u);
  EXPECT_EQ(parsed.head.size, bytes.find("{"));
  EXPECT_EQ(ivk::test::parse_request_head(bytes.substr(0, 40)).state, HeadState::incomplete);
  EXPECT_EQ(ivk::test::parse_request_head("\x16\x03\x01 hello\r\n\r\n").state, HeadState::malformed);
}

TEST(HttpFraming, ChunkedBodyEndsAfterTheLastChunkAndTrailersWhateverThePieces) {
  const std::string body = "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
  BodyFramer whole = BodyFramer::for_response(chunked_answer(), false);
  EXPECT_EQ(whole.consume(body + "HTTP/1.1 200 OK"), body.size());
  EXPECT_TRUE(whole.done());
  BodyFramer bytewise = BodyFramer::for_response(chunked_answer(), false);
  EXPECT_EQ(consume_bytewise(bytewise, body + "NEXT"), body.size());
  EXPECT_TRUE(bytewise.done());
  BodyFramer bad = BodyFramer::for_response(chunked_answer(), false);
  EXPECT_EQ(bad.consume("zz\r\n"), 0u);
  EXPECT_TRUE(bad.malformed());
}

TEST(HttpFraming, WhichAnswersHaveBodies) {
  ivk::test::MessageHead head;
  head.status = 200;
  head.content_length = 10;
  EXPECT_EQ(BodyFramer::for_response(head, false).kind(), BodyFramer::Kind::fixed);
  EXPECT_EQ(BodyFramer::for_response(head, true).kind(), BodyFramer::Kind::none);  // answers HEAD
  head.status = 204;
  EXPECT_EQ(BodyFramer::for_response(head, false).kind(), BodyFramer::Kind::none);
  head.status = 200;
  head.content_length.reset();
  EXPECT_EQ(BodyFramer::for_response(head, false).kind(), BodyFramer::Kind::until_close);
  EXPECT_EQ(BodyFramer::for_request(head).kind(), BodyFramer::Kind::none);
  BodyFramer fixed = BodyFramer::for_request(with_length(3));
  EXPECT_EQ(fixed.consume("abcdef"), 3u);
  EXPECT_TRUE(fixed.done());
}

// ---- forwarding ----

TEST(TcpProxy, KeepAliveRequestsAreForwardedAndCountedByMethodAndPath) {
  ScriptedServer server;
  server.set_fallback({200, {}, "pong"});
  TcpProxy proxy(server.port());
  auto transport = ivk::make_curl_transport();
  for (int i = 0; i < 2; ++i) {
    auto r = transport->send(http_request("GET", proxy.port(), "/api/v1/app/version?i=" + std::to_string(i)));
    ASSERT_TRUE(r) << r.error().error.describe();
    EXPECT_EQ(r->body, "pong");
  }
  auto posted = transport->send(http_request("POST", proxy.port(), "/api/v1/boards/", R"({"a":1})"));
  ASSERT_TRUE(posted);
  ASSERT_EQ(server.request_count(), 3u);
  EXPECT_EQ(server.requests()[2].body, R"({"a":1})");
  const auto stats = proxy.stats();
  EXPECT_EQ(stats.requests_seen("GET", "/api/v1/app/version"), 2);
  EXPECT_EQ(stats.requests_seen("POST", "/api/v1/boards/"), 1);
  EXPECT_EQ(stats.requests.size(), 2u);
  EXPECT_EQ(stats.accepted, 1);  // one kept-alive connection carried all three
  EXPECT_EQ(server.connection_count(), 1u);
}

TEST(TcpProxy, ChunkedAnswersPassThroughByteForByte) {
  // The first answer is chunked and split mid-size-line and mid-chunk; the second follows on the
  // same connection, so the proxy must have found exactly where the first one ended.
  const std::vector<std::string> chunked = {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r",
                                            "\nhel", "lo\r\n6\r\n world\r\n0\r\n", "\r\n"};
  const std::vector<std::string> plain = {"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond"};
  RawUpstream upstream({chunked, plain});
  TcpProxy proxy(upstream.port());
  auto client = PlainSocket::connect_to(proxy.port());
  std::string first_expected;
  for (const auto& piece : chunked) first_expected += piece;

  ASSERT_TRUE(client.send_all(get_request("/api/v1/images/i/a.png/full")));
  EXPECT_EQ(client.receive_bytes(first_expected.size(), 5s), first_expected);
  ASSERT_TRUE(client.send_all(get_request("/api/v1/app/version")));
  EXPECT_EQ(client.receive_bytes(plain[0].size(), 5s), plain[0]);
  EXPECT_EQ(upstream.requests(), 2);
  EXPECT_EQ(proxy.stats().requests_seen("GET", "/api/v1/images/i/a.png/full"), 1);
}

TEST(TcpProxy, SetUpstreamSendsNewConnectionsToTheNewPort) {
  ScriptedServer first;
  ScriptedServer second;
  first.set_fallback({200, {}, "first"});
  second.set_fallback({200, {}, "second"});
  TcpProxy proxy(first.port());
  auto transport = ivk::make_curl_transport();
  auto a = transport->send(http_request("GET", proxy.port(), "/x"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->body, "first");
  proxy.set_upstream(second.port());
  proxy.cut_all();  // the kept-alive connection still leads to the first server
  auto b = transport->send(http_request("GET", proxy.port(), "/x"));
  ASSERT_TRUE(b) << b.error().error.describe();
  EXPECT_EQ(b->body, "second");
  EXPECT_EQ(first.request_count(), 1u);
  EXPECT_EQ(second.request_count(), 1u);
}

// ---- drop_response ----

TEST(TcpProxy, DroppedAnswerIsLostAfterTheServerDidTheWork) {
  ScriptedServer server;
  server.enqueue({200, {{"Content-Type", "application/json"}}, R"({"batch":{"batch_id":"one"}})"});
  server.enqueue({200, {{"Content-Type", "application/json"}}, R"({"batch":{"batch_id":"two"}})"});
  TcpProxy proxy(server.port());
  proxy.drop_response("POST", "/enqueue_batch");
  auto session = session_for(proxy.port());

  auto lost = session->send_json("POST", ivk::ApiRoot::v1, "/queue/default/enqueue_batch", "{}", {},
                                 ivk::Idempotency::not_idempotent);
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::transport) << lost.error().describe();
  EXPECT_EQ(server.request_count(), 1u);  // the server took the batch
  EXPECT_EQ(proxy.stats().responses_dropped, 1);

  // The rule was for one request: the next one is answered.
  auto answered = session->send_json("POST", ivk::ApiRoot::v1, "/queue/default/enqueue_batch", "{}", {},
                                     ivk::Idempotency::not_idempotent);
  ASSERT_TRUE(answered) << answered.error().describe();
  EXPECT_EQ(*answered, R"({"batch":{"batch_id":"two"}})");
  EXPECT_EQ(server.request_count(), 2u);
  const auto stats = proxy.stats();
  EXPECT_EQ(stats.responses_dropped, 1);
  EXPECT_EQ(stats.accepted, 2);  // the dropped answer took its connection with it
  EXPECT_EQ(stats.requests_seen("POST", "/api/v1/queue/default/enqueue_batch"), 2);
}

TEST(TcpProxy, DroppedAnswerOfAnIdempotentRequestIsRetriedBySession) {
  ScriptedServer server;
  server.set_fallback({200, {}, R"({"version":"6.13.8"})"});
  TcpProxy proxy(server.port());
  proxy.drop_response("GET", "/app/version", 2);
  ivk::SessionOptions options;
  options.retry.base_delay = 10ms;
  auto session = session_for(proxy.port(), options);
  auto version = session->get(ivk::ApiRoot::v1, "/app/version");
  ASSERT_TRUE(version) << version.error().describe();
  EXPECT_EQ(*version, R"({"version":"6.13.8"})");
  EXPECT_EQ(server.request_count(), 3u);
  EXPECT_EQ(proxy.stats().responses_dropped, 2);
}

// ---- stall ----

TEST(TcpProxy, StallHoldsEveryByteUntilReleasedAndKeepsConnectionsOpen) {
  ScriptedServer server;
  server.set_fallback({200, {}, "pong"});
  TcpProxy proxy(server.port());
  proxy.stall(true);
  auto client = PlainSocket::connect_to(proxy.port());
  ASSERT_TRUE(client.send_all(get_request("/api/v1/app/version")));
  EXPECT_EQ(client.receive_bytes(1, 300ms), "");
  EXPECT_FALSE(client.peer_closed());
  EXPECT_EQ(server.request_count(), 0u);

  // A connection made during the stall is accepted, and stalled too.
  auto late = PlainSocket::connect_to(proxy.port());
  ASSERT_TRUE(late.send_all(get_request("/api/v1/late")));
  for (int i = 0; i < 200 && proxy.accepted() < 2; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(proxy.accepted(), 2);
  EXPECT_EQ(late.receive_bytes(1, 100ms), "");
  EXPECT_EQ(server.request_count(), 0u);

  proxy.stall(false);
  std::string rest;
  client.receive(
      rest, [](const std::string& s) { return s.ends_with("pong"); }, 5s);
  EXPECT_TRUE(rest.starts_with("HTTP/1.1 200 OK\r\n")) << rest;
  EXPECT_TRUE(rest.ends_with("\r\n\r\npong")) << rest;
  std::string late_answer;
  late.receive(
      late_answer, [](const std::string& s) { return s.ends_with("pong"); }, 5s);
  EXPECT_TRUE(late_answer.ends_with("pong"));
  EXPECT_EQ(server.request_count(), 2u);
}

// ---- trickle ----

TEST(TcpProxy, TrickledAnswerIsPacedAndArrivesWhole) {
  const std::string body(2000, 'x');
  ScriptedServer server;
  server.set_fallback({200, {}, body});
  TcpProxy proxy(server.port());
  proxy.trickle(200);  // slices of 10 bytes, one every 50 ms
  auto client = PlainSocket::connect_to(proxy.port());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.send_all(get_request("/api/v1/images/i/a.png/full")));
  std::string received = client.receive_bytes(body.size() + 1000, 500ms);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Pacing bounds what can have arrived in the time that passed (one slice ahead at most); a slow
  // machine only makes the bound looser.
  EXPECT_GT(received.size(), 0u);
  EXPECT_LE(static_cast<double>(received.size()), 10 + 200 * elapsed) << "after " << elapsed << " s";

  proxy.trickle(0);
  client.receive(
      received, [&](const std::string& s) { return s.ends_with(body); }, 5s);
  ASSERT_NE(received.find("\r\n\r\n"), std::string::npos);
  EXPECT_EQ(received.substr(received.find("\r\n\r\n") + 4), body);
}

// ---- fail_gets ----

TEST(TcpProxy, FailedGetsAre503sFromTheProxyThatNeverReachUpstream) {
  ScriptedServer server;
  server.set_fallback({200, {}, "pong"});
  TcpProxy proxy(server.port());
  proxy.fail_gets(1.0, 7);
  auto transport = ivk::make_curl_transport();
  auto got = transport->send(http_request("GET", proxy.port(), "/api/v1/app/version"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 503);
  EXPECT_EQ(got->body, R"({"detail":"fault proxy: injected 503 for a GET"})");
  EXPECT_EQ(server.request_count(), 0u);
  auto posted = transport->send(http_request("POST", proxy.port(), "/api/v1/boards/", "{}"));
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 200);
  EXPECT_EQ(server.request_count(), 1u);
  const auto stats = proxy.stats();
  EXPECT_EQ(stats.gets_failed, 1);
  EXPECT_EQ(stats.requests_seen("GET", "/api/v1/app/version"), 1);
  EXPECT_EQ(stats.accepted, 1);  // the injected 503 kept the connection usable
}

// Which of 24 sequential GETs fail, as a string of '5' (503) and '2' (200).
std::string failure_pattern(std::uint64_t seed, ScriptedServer& server, int& gets_failed, int& accepted) {
  TcpProxy proxy(server.port());
  proxy.fail_gets(0.5, seed);
  auto transport = ivk::make_curl_transport();
  std::string pattern;
  for (int i = 0; i < 24; ++i) {
    auto r = transport->send(http_request("GET", proxy.port(), "/api/v1/queue/default/status"));
    pattern += r ? (r->status == 503 ? '5' : '2') : '!';
  }
  gets_failed = proxy.stats().gets_failed;
  accepted = proxy.accepted();
  return pattern;
}

TEST(TcpProxy, FailedGetsFollowTheSeed) {
  ScriptedServer server;
  server.set_fallback({200, {}, "{}"});
  int failed_a = 0;
  int failed_b = 0;
  int accepted_a = 0;
  int accepted_b = 0;
  const std::string a = failure_pattern(42, server, failed_a, accepted_a);
  const std::string b = failure_pattern(42, server, failed_b, accepted_b);
  EXPECT_EQ(a, b);
  const auto fives = static_cast<int>(std::count(a.begin(), a.end(), '5'));
  EXPECT_EQ(failed_a, fives);
  EXPECT_EQ(failed_b, fives);
  EXPECT_GT(fives, 0);
  EXPECT_LT(fives, 24);
  EXPECT_EQ(std::count(a.begin(), a.end(), '!'), 0);
  EXPECT_EQ(server.request_count(), static_cast<std::size_t>(2 * (24 - fives)));
  EXPECT_EQ(accepted_a, 1);
  EXPECT_EQ(accepted_b, 1);
}

// ---- control commands ----

TEST(FaultProxyControl, CommandsAnswerOkOrSayWhatIsWrong) {
  ScriptedServer server;
  server.set_fallback({200, {}, "pong"});
  TcpProxy proxy(server.port());
  using ivk::test::run_proxy_command;
  EXPECT_EQ(run_proxy_command(proxy, "stall on").reply, "ok");
  EXPECT_EQ(run_proxy_command(proxy, "stall off").reply, "ok");
  EXPECT_EQ(run_proxy_command(proxy, "drop-response POST /enqueue_batch 1").reply, "ok");
  EXPECT_EQ(run_proxy_command(proxy, "trickle 200").reply, "ok");
  EXPECT_EQ(run_proxy_command(proxy, "cut").reply, "ok");
  EXPECT_EQ(run_proxy_command(proxy, "clear").reply, "ok");
  EXPECT_EQ(run_proxy_command(proxy, "upstream 0").reply,
            R"(error: upstream: PORT must be from 1 to 65535, not "0")");
  EXPECT_EQ(run_proxy_command(proxy, "fail-gets 1.5 3").reply,
            R"(error: fail-gets: PROBABILITY must be a number from 0 to 1, not "1.5")");
  EXPECT_TRUE(run_proxy_command(proxy, "bogus")
                  .reply.starts_with(R"(error: unknown command or wrong arguments: "bogus")"));
  EXPECT_TRUE(run_proxy_command(proxy, "shutdown").shutdown);
  EXPECT_FALSE(run_proxy_command(proxy, "stats").shutdown);

  // The trickle rule was cleared, the drop rule too: both GETs come straight back.
  EXPECT_EQ(run_proxy_command(proxy, "fail-gets 1 3\r").reply, "ok");
  auto transport = ivk::make_curl_transport();
  auto r1 = transport->send(http_request("GET", proxy.port(), "/api/v1/app/version?a=1"));
  EXPECT_EQ(run_proxy_command(proxy, "fail-gets 0 3").reply, "ok");
  auto r2 = transport->send(http_request("GET", proxy.port(), "/api/v1/app/version"));
  ASSERT_TRUE(r1 && r2);
  EXPECT_EQ(r1->status, 503);
  EXPECT_EQ(r2->status, 200);
  EXPECT_EQ(run_proxy_command(proxy, "stats").reply,
            "accepted=1 responses_dropped=0 gets_failed=1 requests=2 GET:/api/v1/app/version=2");
}

TEST(FaultProxyControl, ServesCommandsLineByLineOnLoopback) {
  ScriptedServer server;
  TcpProxy proxy(server.port());
  ivk::test::ProxyControlServer control(proxy);
  auto client = PlainSocket::connect_to(control.port());
  ASSERT_TRUE(client.send_all("stall on\nstats\nnonsense\nshutdown\n"));
  std::string replies;
  client.receive(
      replies, [](const std::string& s) { return std::count(s.begin(), s.end(), '\n') >= 4; }, 5s);
  EXPECT_EQ(replies.substr(0, replies.find("nonsense")),
            "ok\naccepted=0 responses_dropped=0 gets_failed=0 requests=0\nerror: unknown command or wrong "
            "arguments: \"");
  EXPECT_TRUE(replies.ends_with("\nok\n")) << replies;
  EXPECT_TRUE(control.wait_for_shutdown(5s));
}

}  // namespace
