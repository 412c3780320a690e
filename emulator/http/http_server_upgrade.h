#pragma once
// Beast-level glue between the HTTP server and a WebSocket server: the connection a WebSocket upgrade
// request hands over. Private to the emulator, and only for the files that speak Beast (the HTTP
// server and the Socket.IO WebSocket transport); everything else includes http_server.h.
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/http_server.h"

namespace ivk::emu {

struct WebSocketUpgrade {
  boost::beast::tcp_stream stream;  // its executor is the connection's strand
  boost::beast::http::request<boost::beast::http::string_body>
      request;  // for websocket::stream::async_accept
};

}  // namespace ivk::emu
