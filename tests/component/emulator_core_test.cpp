// The emulator's HTTP core, app and auth routes over real HTTP on an ephemeral loopback port.
#include <array>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "auth/auth.h"
#include "http/http_server.h"
#include "ivk/emulator.h"
#include "support/raw_http.h"

namespace {

using Json = nlohmann::ordered_json;
using ivk::test::raw_http;
using ivk::test::RawResponse;

std::unique_ptr<ivk::Emulator> start(ivk::EmulatorOptions options = {}) {
  auto emulator = ivk::Emulator::start(std::move(options));
  if (!emulator) {
    ADD_FAILURE() << emulator.error().describe();
    return nullptr;
  }
  return std::move(*emulator);
}

ivk::EmulatorOptions multiuser_options() {
  ivk::EmulatorOptions options;
  options.multiuser = true;
  options.users.push_back({"admin@example.com", "admin-pw", "Admin", true, true});
  options.users.push_back({"user@example.com", "user-pw", "User", false, true});
  options.users.push_back({"gone@example.com", "gone-pw", "Gone", false, false});
  return options;
}

Json body_of(const RawResponse& r) {
  try {
    return Json::parse(r.body);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not JSON (" << e.what() << "): " << r.body;
    return nullptr;
  }
}

std::string detail_of(const RawResponse& r) {
  const Json body = body_of(r);
  return body.is_object() && body.contains("detail") && body["detail"].is_string()
             ? body["detail"].get<std::string>()
             : r.body;
}

std::string login(std::uint16_t port, const std::string& email, const std::string& password) {
  const auto r =
      raw_http(port, "POST", "/api/v1/auth/login", Json{{"email", email}, {"password", password}}.dump());
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status != 200) return {};
  return body_of(r).at("token").get<std::string>();
}

std::vector<std::pair<std::string, std::string>> bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

// Writes raw bytes on one connection and returns everything read until the server closes it or
// `wait` passes (for tests of malformed requests, 100-continue and keep-alive).
std::string raw_exchange(std::uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds wait = std::chrono::milliseconds(1500),
                         const std::string& after_first_reply = {}) {
  namespace net = boost::asio;
  net::io_context ioc;
  net::ip::tcp::socket socket(ioc);
  socket.connect({net::ip::make_address("127.0.0.1"), port});
  net::write(socket, net::buffer(bytes));
  std::string out;
  std::array<char, 4096> buf{};
  bool sent_more = after_first_reply.empty();
  const auto deadline = std::chrono::steady_clock::now() + wait;
  socket.non_blocking(true);
  while (std::chrono::steady_clock::now() < deadline) {
    boost::system::error_code ec;
    const std::size_t n = socket.read_some(net::buffer(buf), ec);
    if (ec == net::error::would_block) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    if (ec) break;  // closed by the server
    out.append(buf.data(), n);
    if (!sent_more) {
      sent_more = true;
      socket.non_blocking(false);
      net::write(socket, net::buffer(after_first_reply));
      socket.non_blocking(true);
    }
  }
  return out;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

TEST(EmulatorCore, VersionAndUnknownRoutes) {
  ivk::EmulatorOptions options;
  options.version = "6.8.1";
  auto emulator = start(options);
  ASSERT_TRUE(emulator);
  const auto port = emulator->port();
  ASSERT_NE(port, 0);
  EXPECT_EQ(emulator->url(), "http://127.0.0.1:" + std::to_string(port));

  auto r = raw_http(port, "GET", "/api/v1/app/version");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"version":"6.8.1","highlights":null})");
  EXPECT_EQ(r.header("content-type").value_or(""), "application/json");

  r = raw_http(port, "GET", "/api/v1/no/such/route");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"detail":"Not Found"})");
  // Trailing slashes are significant, as on the real server.
  r = raw_http(port, "GET", "/api/v1/app/version/");
  EXPECT_EQ(r.status, 404);

  r = raw_http(port, "DELETE", "/api/v1/app/version");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.body, R"({"detail":"Method Not Allowed"})");

  // Odd targets are answered, not fatal.
  for (const char* target : {"/api/v1/app/version?%zz=%&&=x&a", "/%", "/api/v1/app/%76ersion", "/%00%ff"}) {
    r = raw_http(port, "GET", target);
    EXPECT_NE(r.status, 0) << target << ": " << r.error;
  }
  r = raw_http(port, "GET", "/api/v1/app/%76ersion");  // decoded before routing
  EXPECT_EQ(r.status, 200);
}

TEST(EmulatorCore, AppRoutes) {
  auto emulator = start();
  ASSERT_TRUE(emulator);
  const auto port = emulator->port();
  auto r = raw_http(port, "GET", "/api/v1/app/invocation_cache/status");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body_of(r).at("enabled"), true);
  r = raw_http(port, "PUT", "/api/v1/app/invocation_cache/disable");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "null");
  EXPECT_EQ(body_of(raw_http(port, "GET", "/api/v1/app/invocation_cache/status")).at("enabled"), false);

  EXPECT_EQ(raw_http(port, "GET", "/api/v1/app/logging").body, "20");
  r = raw_http(port, "POST", "/api/v1/app/logging", "10");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "10");
  EXPECT_EQ(raw_http(port, "GET", "/api/v1/app/logging").body, "10");
  r = raw_http(port, "POST", "/api/v1/app/logging", "15");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(body_of(r).at("detail").at(0).at("type"), "enum");
  r = raw_http(port, "POST", "/api/v1/app/logging", "{not json");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(body_of(r).at("detail").at(0).at("type"), "json_invalid");
  EXPECT_EQ(body_of(r).at("detail").at(0).at("loc").at(0), "body");

  r = raw_http(port, "GET", "/api/v1/app/runtime_config");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(body_of(r).at("config").contains("schema_version"));
  EXPECT_EQ(raw_http(port, "GET", "/api/v1/app/app_deps").status, 200);
  EXPECT_EQ(raw_http(port, "GET", "/api/v1/app/config").status, 200);
}

TEST(EmulatorCore, SingleUserAuth) {
  auto emulator = start();
  ASSERT_TRUE(emulator);
  const auto port = emulator->port();
  auto r = raw_http(port, "GET", "/api/v1/auth/status");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(
      r.body,
      R"({"setup_required":false,"multiuser_enabled":false,"strict_password_checking":false,"admin_email":null})");
  r = raw_http(port, "POST", "/api/v1/auth/login", R"({"email":"a@b.c","password":"pw"})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(detail_of(r).rfind("Multiuser mode is disabled.", 0), 0u) << r.body;
  r = raw_http(port, "POST", "/api/v1/auth/setup", R"({"email":"a@b.c","display_name":"A","password":"pw"})");
  EXPECT_EQ(r.status, 403);
  // Admin routes need no token in single-user mode: everyone is the system admin.
  EXPECT_EQ(raw_http(port, "GET", "/api/v1/app/runtime_config").status, 200);
  r = raw_http(port, "PUT", "/api/v1/app/invocation_cache/enable");
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.header("x-refreshed-token"));
}

TEST(EmulatorCore, MultiUserAuth) {
  auto emulator = start(multiuser_options());
  ASSERT_TRUE(emulator);
  const auto port = emulator->port();

  auto r = raw_http(port, "GET", "/api/v1/auth/status");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body_of(r).at("multiuser_enabled"), true);
  EXPECT_EQ(body_of(r).at("setup_required"), false);
  // /version stays public.
  EXPECT_EQ(raw_http(port, "GET", "/api/v1/app/version").status, 200);

  // Login: a 3-part JWT whose payload names the user.
  r = raw_http(port, "POST", "/api/v1/auth/login", R"({"email":"admin@example.com","password":"admin-pw"})");
  ASSERT_EQ(r.status, 200) << r.body;
  const Json login_body = body_of(r);
  EXPECT_EQ(login_body.at("expires_in"), 86400);
  EXPECT_EQ(login_body.at("user").at("email"), "admin@example.com");
  EXPECT_EQ(login_body.at("user").at("is_admin"), true);
  const std::string admin_token = login_body.at("token").get<std::string>();
  const auto dot1 = admin_token.find('.');
  const auto dot2 = admin_token.find('.', dot1 + 1);
  ASSERT_NE(dot2, std::string::npos);
  EXPECT_EQ(admin_token.find('.', dot2 + 1), std::string::npos);
  const auto payload = ivk::emu::base64url_decode(admin_token.substr(dot1 + 1, dot2 - dot1 - 1));
  ASSERT_TRUE(payload);
  const Json claims = Json::parse(*payload);
  EXPECT_EQ(claims.at("email"), "admin@example.com");
  EXPECT_EQ(claims.at("is_admin"), true);
  EXPECT_EQ(claims.at("remember_me"), false);
  EXPECT_TRUE(claims.at("exp").is_number_integer());
  EXPECT_TRUE(claims.contains("user_id"));
  EXPECT_TRUE(claims.contains("token_epoch"));

  r = raw_http(port, "POST", "/api/v1/auth/login",
               R"({"email":"admin@example.com","password":"nope","remember_me":true})");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(detail_of(r), "Incorrect email or password");
  r = raw_http(port, "POST", "/api/v1/auth/login", R"({"email":"nobody@example.com","password":"x"})");
  EXPECT_EQ(r.status, 401);
  r = raw_http(port, "POST", "/api/v1/auth/login", R"({"email":"gone@example.com","password":"gone-pw"})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(detail_of(r), "User account is disabled");
  r = raw_http(port, "POST", "/api/v1/auth/login", R"({"email":"admin@example.com"})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(body_of(r).at("detail").at(0).at("loc"), Json::array({"body", "password"}));
  EXPECT_EQ(body_of(r).at("detail").at(0).at("msg"), "Field required");

  // CurrentUserOrDefault wording on ordinary routes.
  r = raw_http(port, "GET", "/api/v1/app/app_deps");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(detail_of(r), "Authentication required");
  r = raw_http(port, "GET", "/api/v1/app/app_deps", {}, bearer("not.a.token"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(detail_of(r), "Invalid or expired token");
  r = raw_http(port, "GET", "/api/v1/app/app_deps", {}, bearer(admin_token + "x"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(raw_http(port, "GET", "/api/v1/app/app_deps", {}, bearer(admin_token)).status, 200);

  // A regular user on an admin route.
  const std::string user_token = login(port, "user@example.com", "user-pw");
  r = raw_http(port, "GET", "/api/v1/app/runtime_config", {}, bearer(user_token));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(detail_of(r), "Admin privileges required");
  EXPECT_EQ(raw_http(port, "GET", "/api/v1/app/runtime_config", {}, bearer(admin_token)).status, 200);

  // CurrentUser wording (and WWW-Authenticate) on the auth routes.
  r = raw_http(port, "GET", "/api/v1/auth/me");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(detail_of(r), "Missing authentication credentials");
  EXPECT_EQ(r.header("www-authenticate").value_or(""), "Bearer");
  r = raw_http(port, "GET", "/api/v1/auth/me", {}, bearer("x.y.z"));
  EXPECT_EQ(detail_of(r), "Invalid or expired authentication token");
  r = raw_http(port, "GET", "/api/v1/auth/me", {}, bearer(user_token));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body_of(r).at("email"), "user@example.com");
  r = raw_http(port, "GET", "/api/v1/auth/users", {}, bearer(user_token));
  EXPECT_EQ(r.status, 403);
  r = raw_http(port, "GET", "/api/v1/auth/users", {}, bearer(admin_token));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body_of(r).size(), 3u);

  // Sliding expiry: a successful mutating request with a token gets a fresh one.
  r = raw_http(port, "PUT", "/api/v1/app/invocation_cache/disable", {}, bearer(admin_token));
  EXPECT_EQ(r.status, 200);
  const auto refreshed = r.header("x-refreshed-token");
  ASSERT_TRUE(refreshed);
  EXPECT_EQ(raw_http(port, "GET", "/api/v1/auth/me", {}, bearer(*refreshed)).status, 200);
  // Not on failures, reads, or login/logout.
  r = raw_http(port, "PUT", "/api/v1/app/invocation_cache/disable", {}, bearer(user_token));
  EXPECT_EQ(r.status, 403);
  EXPECT_FALSE(r.header("x-refreshed-token"));
  EXPECT_FALSE(
      raw_http(port, "GET", "/api/v1/app/app_deps", {}, bearer(admin_token)).header("x-refreshed-token"));
  r = raw_http(port, "POST", "/api/v1/auth/logout", {}, bearer(admin_token));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"success":true})");
  EXPECT_FALSE(r.header("x-refreshed-token"));

  // Setup is refused once an admin exists.
  r = raw_http(port, "POST", "/api/v1/auth/setup", R"({"email":"x@y.z","display_name":"X","password":"pw"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(detail_of(r), "Administrator account already configured");
}

TEST(EmulatorCore, SetupCreatesTheFirstAdmin) {
  ivk::EmulatorOptions options;
  options.multiuser = true;
  auto emulator = start(options);
  ASSERT_TRUE(emulator);
  const auto port = emulator->port();
  EXPECT_EQ(body_of(raw_http(port, "GET", "/api/v1/auth/status")).at("setup_required"), true);
  auto r =
      raw_http(port, "POST", "/api/v1/auth/setup", R"({"email":"a@b.c","display_name":"A","password":"pw"})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r).at("user").at("is_admin"), true);
  const Json status = body_of(raw_http(port, "GET", "/api/v1/auth/status"));
  EXPECT_EQ(status.at("setup_required"), false);
  EXPECT_EQ(status.at("admin_email"), "a@b.c");
  EXPECT_FALSE(login(port, "a@b.c", "pw").empty());
}

TEST(EmulatorCore, ConcurrentRequests) {
  ivk::EmulatorOptions options;
  options.threads = 4;
  auto emulator = start(options);
  ASSERT_TRUE(emulator);
  const auto port = emulator->port();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  constexpr int kThreads = 8;
  constexpr int kEach = 40;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const auto r = (i + t) % 2 == 0 ? raw_http(port, "GET", "/api/v1/app/version")
                                        : raw_http(port, "POST", "/api/v1/app/logging", "20");
        if (r.status == 200) ++ok;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * kEach);
}

TEST(EmulatorCore, StopIsIdempotentAndFreesThePort) {
  auto emulator = start();
  ASSERT_TRUE(emulator);
  const auto port = emulator->port();
  EXPECT_EQ(raw_http(port, "GET", "/api/v1/app/version").status, 200);
  emulator->stop();
  emulator->stop();
  EXPECT_EQ(raw_http(port, "GET", "/api/v1/app/version").status, 0);
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acceptor(ioc);
  const boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(boost::asio::socket_base::reuse_address(true));
  boost::system::error_code ec;
  acceptor.bind(endpoint, ec);
  EXPECT_FALSE(ec) << ec.message();
  emulator.reset();  // the destructor's stop() is a no-op now
}

TEST(EmulatorCore, WaitReturnsAfterRequestStop) {
  auto emulator = start();
  ASSERT_TRUE(emulator);
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    emulator->request_stop();
  });
  emulator->wait();
  stopper.join();
  EXPECT_EQ(raw_http(emulator->port(), "GET", "/api/v1/app/version").status, 0);
}

TEST(EmulatorCore, NamedDataDirIsCreatedAndKept) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "ivk-emucore-test-data";
  std::filesystem::remove_all(dir);
  {
    ivk::EmulatorOptions options;
    options.data_dir = dir;
    auto emulator = start(options);
    ASSERT_TRUE(emulator);
    EXPECT_TRUE(std::filesystem::is_directory(dir));
  }
  EXPECT_TRUE(std::filesystem::is_directory(dir));  // a directory the caller named is kept
  std::filesystem::remove_all(dir);
}

TEST(EmulatorCore, BindFailureIsAnError) {
  auto first = start();
  ASSERT_TRUE(first);
  ivk::EmulatorOptions options;
  options.port = first->port();
  auto second = ivk::Emulator::start(options);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ivk::ErrorCode::io);
}

// The HTTP layer alone: body limit, a throwing handler, keep-alive.
TEST(EmulatorHttpServer, SurvivesBadInput) {
  ivk::emu::HttpServerOptions options;
  options.body_limit = 1024;
  auto server = ivk::emu::HttpServer::start(options, [](ivk::emu::Request& req) -> ivk::emu::Response {
    if (req.path == "/throw") throw std::runtime_error("boom");
    Json echo = Json::object();
    echo["method"] = req.method;
    echo["path"] = req.path;
    Json query = Json::array();
    for (const auto& [k, v] : req.query) query.push_back(Json::array({k, v}));
    echo["query"] = query;
    echo["x-test"] = req.header("x-test").value_or("");
    echo["body_size"] = req.body.size();
    return ivk::emu::Response::json(200, echo.dump());
  });
  ASSERT_TRUE(server) << server.error().describe();
  const auto port = (*server)->port();

  auto r = raw_http(port, "POST", "/a%20b/c?x=1&y=a+b%21&x=2&flag", "hello", {{"X-Test", "yes"}});
  ASSERT_EQ(r.status, 200) << r.error;
  const Json echo = Json::parse(r.body);
  EXPECT_EQ(echo.at("path"), "/a b/c");
  EXPECT_EQ(echo.at("query").dump(), R"([["x","1"],["y","a b!"],["x","2"],["flag",""]])");
  EXPECT_EQ(echo.at("x-test"), "yes");
  EXPECT_EQ(echo.at("body_size"), 5);

  r = raw_http(port, "GET", "/throw");
  EXPECT_EQ(r.status, 500);

  r = raw_http(port, "POST", "/big", std::string(4096, 'x'));
  EXPECT_TRUE(r.status == 413 || r.status == 0) << r.status;  // 0: the server closed while we sent
  EXPECT_EQ(raw_http(port, "GET", "/still-alive").status, 200);
  (*server)->stop();
}

TEST(EmulatorCore, RawConnections) {
  auto emulator = start();
  ASSERT_TRUE(emulator);
  const auto port = emulator->port();
  // Two pipelined requests on one keep-alive connection get two answers.
  const std::string get = "GET /api/v1/app/version HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string out = raw_exchange(port, get + get, std::chrono::milliseconds(500));
  EXPECT_EQ(count_of(out, "HTTP/1.1 200 OK"), 2u) << out;
  // curl's "Expect: 100-continue" gets the go-ahead before the body is sent.
  const std::string body = R"({"email":"a@b.c","password":"pw"})";
  out = raw_exchange(port,
                     "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Expect: 100-continue\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n",
                     std::chrono::milliseconds(500), body);
  EXPECT_EQ(out.rfind("HTTP/1.1 100 Continue", 0), 0u) << out;
  EXPECT_NE(out.find("HTTP/1.1 403"), std::string::npos) << out;
  // Garbage is answered 400 (or dropped), and the server keeps serving.
  out = raw_exchange(port, "\x01\x02 NOT HTTP\r\n\r\n");
  EXPECT_TRUE(out.empty() || out.rfind("HTTP/1.1 400", 0) == 0) << out;
  out = raw_exchange(port, "GET /api/v1/app/version HTTP/1.1\r\nContent-Length: -5\r\n\r\n");
  EXPECT_TRUE(out.empty() || out.rfind("HTTP/1.1 400", 0) == 0) << out;
  // A client that disappears mid-body.
  raw_exchange(port, "POST /api/v1/app/logging HTTP/1.1\r\nContent-Length: 100\r\n\r\n12",
               std::chrono::milliseconds(10));
  // Bodies that are not what a route expects.
  for (const std::string& bad : {std::string("\xff\xfe"), std::string("[[[[[[[["), std::string(100000, '['),
                                 std::string("\"\xc3\x28\""), std::string("1e999999")}) {
    const auto r = raw_http(port, "POST", "/api/v1/auth/login", bad);
    EXPECT_TRUE(r.status == 422 || r.status == 403) << r.status << " " << r.body;
  }
  EXPECT_EQ(raw_http(port, "GET", "/api/v1/app/version").status, 200);
}

TEST(EmulatorHttpServer, SplitTarget) {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
  ivk::emu::split_target("/p%2Fq?a=%ZZ&b=%4", path, query);
  EXPECT_EQ(path, "/p/q");
  ASSERT_EQ(query.size(), 2u);
  EXPECT_EQ(query[0].second, "%ZZ");
  EXPECT_EQ(query[1].second, "%4");
  ivk::emu::split_target("", path, query);
  EXPECT_EQ(path, "/");
  ivk::emu::split_target("http://host:1/x?y", path, query);
  EXPECT_EQ(path, "/x");
}

}  // namespace
