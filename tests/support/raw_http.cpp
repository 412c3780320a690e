#include "support/raw_http.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <exception>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace ivk::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::optional<std::string> RawResponse::header(std::string_view lowercase_name) const {
  for (const auto& [k, v] : headers)
    if (k == lowercase_name) return v;
  return std::nullopt;
}

RawResponse raw_http(std::uint16_t port, std::string method, std::string target, std::string body,
                     std::vector<std::pair<std::string, std::string>> headers) {
  RawResponse out;
  try {
    // A hung server must fail the test, not hang the run: every step is asynchronous under one
    // 30 s expiry. (SO_RCVTIMEO does not work here: Asio's synchronous reads poll without a timeout.)
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(30));
    beast::error_code ec;
    auto run = [&](const char* step) {
      ioc.restart();
      ioc.run();
      if (ec) throw std::runtime_error(std::string(step) + ": " + ec.message());
    };
    stream.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                         [&](beast::error_code e) { ec = e; });
    run("connect");

    http::request<http::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    req.set(http::field::user_agent, "ivk-tests");
    bool has_content_type = false;
    for (const auto& [k, v] : headers) {
      req.set(k, v);
      std::string lk = k;
      std::transform(lk.begin(), lk.end(), lk.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lk == "content-type") has_content_type = true;
    }
    if (!body.empty() && !has_content_type) req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
    http::async_write(stream, req, [&](beast::error_code e, std::size_t) { ec = e; });
    run("write");

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256ull * 1024 * 1024);
    if (method == "HEAD") parser.skip(true);
    http::async_read(stream, buffer, parser, [&](beast::error_code e, std::size_t) { ec = e; });
    run("read");
    auto res = parser.release();
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      out.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    out.body = std::move(res.body());
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  } catch (const std::exception& e) {
    out.status = 0;
    out.error = e.what();
  }
  return out;
}

}  // namespace ivk::test
