// The emulator's Socket.IO server (spec §8) over real sockets: a raw Beast WebSocket client and raw
// HTTP long-polling, checking concrete Engine.IO / Socket.IO frames. Independent of ivk's own Socket.IO
// client, so a misunderstanding shared by both sides cannot hide here.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "ivk/emulator.h"
#include "support/raw_http.h"

namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Json = nlohmann::ordered_json;
using ivk::test::raw_http;

constexpr auto kReadTimeout = std::chrono::seconds(10);

// A blocking WebSocket client with a timeout on every operation (async ops driven by run()).
class WsClient {
 public:
  // Handshake on target; returns the HTTP status of the handshake response (101 on success).
  int connect(std::uint16_t port, const std::string& target, const std::string& bearer = {}) {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).expires_after(kReadTimeout);
    beast::get_lowest_layer(ws_).socket().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                                                  ec);
    if (ec) return 0;
    if (!bearer.empty())
      ws_.set_option(websocket::stream_base::decorator([bearer](websocket::request_type& req) {
        req.set(beast::http::field::authorization, "Bearer " + bearer);
      }));
    websocket::response_type res;
    ws_.async_handshake(res, "127.0.0.1:" + std::to_string(port), target,
                        [&ec](beast::error_code e) { ec = e; });
    run();
    return static_cast<int>(res.result_int());
  }

  // The next text frame, or nullopt when the connection ends (or the read times out).
  std::optional<std::string> read(std::chrono::steady_clock::duration timeout = kReadTimeout) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    beast::get_lowest_layer(ws_).expires_after(timeout);
    ws_.async_read(buffer, [&ec](beast::error_code e, std::size_t) { ec = e; });
    run();
    last_error_ = ec;
    if (ec) return std::nullopt;
    return beast::buffers_to_string(buffer.data());
  }

  // The next frame that is not a ping, answering pings with pongs (a live client's heartbeat).
  std::optional<std::string> read_skipping_pings() {
    for (;;) {
      auto frame = read();
      if (!frame || *frame != "2") return frame;
      write("3");
    }
  }

  void write(const std::string& text) {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).expires_after(kReadTimeout);
    ws_.text(true);
    ws_.async_write(net::buffer(text), [&ec](beast::error_code e, std::size_t) { ec = e; });
    run();
    EXPECT_FALSE(ec) << ec.message();
  }

  [[nodiscard]] beast::error_code last_error() const { return last_error_; }

 private:
  void run() {
    ioc_.restart();
    ioc_.run();
  }

  net::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_{ioc_};
  beast::error_code last_error_;
};

const std::string kWsTarget = "/ws/socket.io/?EIO=4&transport=websocket";
const std::string kPollTarget = "/ws/socket.io/?EIO=4&transport=polling";

std::unique_ptr<ivk::Emulator> start(ivk::EmulatorOptions options = {}) {
  auto started = ivk::Emulator::start(std::move(options));
  if (!started) {
    ADD_FAILURE() << started.error().describe();
    return nullptr;
  }
  return std::move(*started);
}

// prompt -> l2i: two nodes, quick to execute.
std::string small_batch() {
  const Json graph = Json::parse(R"({"id": "g1", "nodes": {
    "noise": {"id": "noise", "type": "noise", "seed": 7, "width": 64, "height": 48},
    "denoise": {"id": "denoise", "type": "denoise_latents", "steps": 2},
    "out": {"id": "out", "type": "l2i", "is_intermediate": false}},
   "edges": [
    {"source": {"node_id": "noise", "field": "noise"}, "destination": {"node_id": "denoise", "field": "noise"}},
    {"source": {"node_id": "denoise", "field": "latents"}, "destination": {"node_id": "out", "field": "latents"}}]})");
  const Json batch{{"graph", graph}, {"runs", 1}, {"origin", "tests"}, {"destination", "gallery"}};
  return Json{{"prepend", false}, {"batch", batch}}.dump();
}

// The [name, payload] of a "42[...]" frame; {"", null} for anything else.
std::pair<std::string, Json> event_of(const std::string& frame) {
  if (frame.rfind("42", 0) != 0) return {"", nullptr};
  const Json array = Json::parse(frame.substr(2), nullptr, false);
  if (!array.is_array() || array.empty() || !array[0].is_string()) return {"", nullptr};
  return {array[0].get<std::string>(), array.size() > 1 ? array[1] : Json()};
}

// Opens a WebSocket session and connects the Socket.IO socket; returns the Socket.IO sid.
std::string open_and_connect(WsClient& ws, std::uint16_t port, const std::string& connect = "40") {
  EXPECT_EQ(ws.connect(port, kWsTarget), 101);
  auto open = ws.read();
  EXPECT_TRUE(open && open->rfind("0{", 0) == 0) << open.value_or("<none>");
  ws.write(connect);
  auto reply = ws.read_skipping_pings();
  if (!reply || reply->rfind("40{", 0) != 0) {
    ADD_FAILURE() << "CONNECT reply: " << reply.value_or("<none>");
    return {};
  }
  return Json::parse(reply->substr(2)).at("sid").get<std::string>();
}

TEST(EmulatorSocketIo, WebSocketHandshakeAndConnect) {
  auto emulator = start();
  ASSERT_TRUE(emulator);
  WsClient ws;
  ASSERT_EQ(ws.connect(emulator->port(), kWsTarget), 101);
  auto open = ws.read();
  ASSERT_TRUE(open);
  ASSERT_EQ(open->front(), '0');
  const Json handshake = Json::parse(open->substr(1));
  ASSERT_TRUE(handshake.at("sid").is_string());
  EXPECT_FALSE(handshake["sid"].get<std::string>().empty());
  EXPECT_EQ(handshake.at("upgrades"), Json::array());
  EXPECT_EQ(handshake.at("pingInterval"), 25000);
  EXPECT_EQ(handshake.at("pingTimeout"), 20000);
  EXPECT_EQ(handshake.at("maxPayload"), 1000000);
  // Keys in the order python-engineio sends them.
  EXPECT_EQ(open->substr(0, 8), "0{\"sid\":");

  ws.write("40");
  auto reply = ws.read();
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->substr(0, 9), "40{\"sid\":");
  const auto socket_sid = Json::parse(reply->substr(2)).at("sid").get<std::string>();
  EXPECT_FALSE(socket_sid.empty());
  EXPECT_NE(socket_sid, handshake["sid"].get<std::string>());

  // Other namespaces are refused; acked room events get an empty ack; a payload without the key is
  // ignored (no ack either, as the real handler raises).
  ws.write("40/admin,");
  EXPECT_EQ(ws.read().value_or(""), R"(44/admin,{"message":"Unable to connect"})");
  ws.write(R"(427["subscribe_queue",{"queue_id":"default"}])");
  EXPECT_EQ(ws.read().value_or(""), "437[]");
  ws.write(R"(428["subscribe_queue",{"nope":1}])");
  ws.write(R"(429["unsubscribe_queue",{"queue_id":"default"}])");
  EXPECT_EQ(ws.read().value_or(""), "439[]");
}

TEST(EmulatorSocketIo, QueueEventsReachSubscribersInOrder) {
  auto emulator = start();
  ASSERT_TRUE(emulator);
  WsClient subscribed;
  WsClient bystander;  // connected, never subscribes
  ASSERT_FALSE(open_and_connect(subscribed, emulator->port()).empty());
  ASSERT_FALSE(open_and_connect(bystander, emulator->port()).empty());
  subscribed.write(R"(421["subscribe_queue",{"queue_id":"default"}])");
  ASSERT_EQ(subscribed.read_skipping_pings().value_or(""), "431[]");

  auto r = raw_http(emulator->port(), "POST", "/api/v1/queue/default/enqueue_batch", small_batch());
  ASSERT_EQ(r.status, 200) << r.body;
  const auto item_id = Json::parse(r.body).at("item_ids").at(0).get<std::int64_t>();

  std::vector<std::pair<std::string, Json>> events;
  while (true) {
    auto frame = subscribed.read_skipping_pings();
    ASSERT_TRUE(frame) << "connection ended after " << events.size() << " events";
    events.push_back(event_of(*frame));
    ASSERT_FALSE(events.back().first.empty()) << *frame;
    if (events.back().first == "queue_item_status_changed" &&
        events.back().second.value("status", "") != "in_progress")
      break;
  }
  std::vector<std::string> names;
  for (const auto& e : events)
    if (e.first != "invocation_progress") names.push_back(e.first);
  const std::vector<std::string> expected = {
      "batch_enqueued",      "queue_item_status_changed", "invocation_started",
      "invocation_complete", "invocation_started",        "invocation_complete",
      "invocation_started",  "invocation_complete",       "queue_item_status_changed"};
  EXPECT_EQ(names, expected);
  ASSERT_GE(events.size(), expected.size());
  EXPECT_EQ(events[0].second.at("queue_id"), "default");
  EXPECT_EQ(events[0].second.at("enqueued"), 1);
  EXPECT_TRUE(events[0].second.at("timestamp").is_number_integer());
  EXPECT_EQ(events[1].second.at("status"), "in_progress");
  EXPECT_EQ(events[1].second.at("item_id"), item_id);
  EXPECT_EQ(events[2].second.at("invocation_source_id"), "noise");
  EXPECT_EQ(events.back().second.at("status"), "completed");
  EXPECT_EQ(events.back().second.at("item_id"), item_id);
  EXPECT_EQ(events.back().second.at("queue_id"), "default");

  // The bystander got none of it: everything before the ack of its own request is queue-free.
  bystander.write(R"(425["subscribe_bulk_download",{"bulk_download_id":"default"}])");
  for (;;) {
    auto frame = bystander.read_skipping_pings();
    ASSERT_TRUE(frame);
    if (*frame == "435[]") break;
    ADD_FAILURE() << "unsubscribed socket received " << *frame;
  }
}

// POST /images/download announces its archive to the bulk download room only (spec §8).
TEST(EmulatorSocketIo, BulkDownloadEventsReachTheirRoomOnly) {
  auto emulator = start();
  ASSERT_TRUE(emulator);
  WsClient downloads;
  WsClient queue_only;
  ASSERT_FALSE(open_and_connect(downloads, emulator->port()).empty());
  ASSERT_FALSE(open_and_connect(queue_only, emulator->port()).empty());
  downloads.write(R"(421["subscribe_bulk_download",{"bulk_download_id":"default"}])");
  ASSERT_EQ(downloads.read_skipping_pings().value_or(""), "431[]");
  queue_only.write(R"(421["subscribe_queue",{"queue_id":"default"}])");
  ASSERT_EQ(queue_only.read_skipping_pings().value_or(""), "431[]");

  auto r = raw_http(emulator->port(), "POST", "/api/v1/images/download", R"({"image_names":["gone.png"]})");
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string name = Json::parse(r.body).at("bulk_download_item_name").get<std::string>();
  ASSERT_EQ(name.size(), 36u + 4u);
  for (const char* expected : {"bulk_download_started", "bulk_download_complete"}) {
    auto frame = downloads.read_skipping_pings();
    ASSERT_TRUE(frame);
    const auto [event, payload] = event_of(*frame);
    EXPECT_EQ(event, expected) << *frame;
    EXPECT_EQ(payload.at("bulk_download_id"), "default");
    EXPECT_EQ(payload.at("bulk_download_item_name"), name);
    EXPECT_EQ(payload.at("bulk_download_item_id"), name.substr(0, 36));
    EXPECT_TRUE(payload.at("timestamp").is_number_integer());
  }
  auto zip = raw_http(emulator->port(), "GET", "/api/v1/images/download/" + name);
  EXPECT_EQ(zip.status, 200);
  EXPECT_EQ(zip.body.substr(0, 2), "PK");

  queue_only.write(R"(422["unsubscribe_queue",{"queue_id":"default"}])");
  for (;;) {
    auto frame = queue_only.read_skipping_pings();
    ASSERT_TRUE(frame);
    if (*frame == "432[]") break;
    ADD_FAILURE() << "a socket outside the bulk download room received " << *frame;
  }
}

TEST(EmulatorSocketIo, LongPollingSession) {
  auto emulator = start();
  ASSERT_TRUE(emulator);
  const auto port = emulator->port();
  auto open = raw_http(port, "GET", kPollTarget);
  ASSERT_EQ(open.status, 200) << open.body;
  ASSERT_EQ(open.body.front(), '0');
  const Json handshake = Json::parse(open.body.substr(1));
  EXPECT_EQ(handshake.at("upgrades"), Json::parse(R"(["websocket"])"));
  const std::string sid = handshake.at("sid").get<std::string>();
  const std::string target = kPollTarget + "&sid=" + sid;

  auto post = raw_http(port, "POST", target, "40", {{"Content-Type", "text/plain;charset=UTF-8"}});
  EXPECT_EQ(post.status, 200);
  EXPECT_EQ(post.body, "ok");
  auto reply = raw_http(port, "GET", target);
  ASSERT_EQ(reply.status, 200);
  ASSERT_EQ(reply.body.substr(0, 9), "40{\"sid\":") << reply.body;

  // Two packets in one POST (record separator), and the ack comes back on the next GET.
  post = raw_http(port, "POST", target,
                  "3\x1e"
                  R"(423["subscribe_queue",{"queue_id":"default"}])",
                  {{"Content-Type", "text/plain;charset=UTF-8"}});
  EXPECT_EQ(post.status, 200);
  EXPECT_EQ(raw_http(port, "GET", target).body, "433[]");

  // A parked GET is released by the next packet: here a queue event.
  std::thread enqueue([port] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(raw_http(port, "POST", "/api/v1/queue/default/enqueue_batch", small_batch()).status, 200);
  });
  auto events = raw_http(port, "GET", target);
  enqueue.join();
  ASSERT_EQ(events.status, 200);
  EXPECT_EQ(events.body.substr(0, 19), R"(42["batch_enqueued")") << events.body;

  // Errors, as engine.io words them.
  auto unknown = raw_http(port, "GET", kPollTarget + "&sid=nope");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.body, R"({"code":1,"message":"Session ID unknown"})");
  auto bad_eio = raw_http(port, "GET", "/ws/socket.io/?EIO=3&transport=polling");
  EXPECT_EQ(bad_eio.status, 400);
  EXPECT_EQ(bad_eio.body, R"({"code":5,"message":"Unsupported protocol version"})");
  EXPECT_EQ(raw_http(port, "GET", "/ws/socket.io?EIO=4&transport=carrier-pigeon").status, 400);
  WsClient ws;
  EXPECT_EQ(ws.connect(port, kWsTarget + "&sid=nope"), 400);

  // The client's close ends the session.
  EXPECT_EQ(raw_http(port, "POST", target, "1").status, 200);
  EXPECT_EQ(raw_http(port, "GET", target).status, 400);
}

TEST(EmulatorSocketIo, PollingUpgradesToWebSocket) {
  auto emulator = start();
  ASSERT_TRUE(emulator);
  const auto port = emulator->port();
  auto open = raw_http(port, "GET", kPollTarget);
  ASSERT_EQ(open.status, 200);
  const std::string sid = Json::parse(open.body.substr(1)).at("sid").get<std::string>();
  const std::string target = kPollTarget + "&sid=" + sid;
  ASSERT_EQ(raw_http(port, "POST", target, "40").status, 200);
  ASSERT_EQ(raw_http(port, "GET", target).body.substr(0, 3), "40{");

  // A GET parked during the probe is released with a noop.
  std::optional<ivk::test::RawResponse> parked;
  std::thread poller([&] { parked = raw_http(port, "GET", target); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  WsClient ws;
  ASSERT_EQ(ws.connect(port, "/ws/socket.io/?EIO=4&transport=websocket&sid=" + sid), 101);
  ws.write("2probe");
  EXPECT_EQ(ws.read().value_or(""), "3probe");
  poller.join();
  ASSERT_TRUE(parked);
  EXPECT_EQ(parked->body, "6");
  ws.write("5");
  ws.write(R"(421["subscribe_queue",{"queue_id":"default"}])");
  EXPECT_EQ(ws.read_skipping_pings().value_or(""), "431[]");
  // Polling is over for this session.
  EXPECT_EQ(raw_http(port, "GET", target).status, 400);
}

TEST(EmulatorSocketIo, MultiUserNeedsAToken) {
  ivk::EmulatorOptions options;
  options.multiuser = true;
  options.users.push_back({"a@b.c", "pw", "A", true, true});
  auto emulator = start(options);
  ASSERT_TRUE(emulator);
  const auto port = emulator->port();

  WsClient anonymous;
  ASSERT_EQ(anonymous.connect(port, kWsTarget), 101);
  ASSERT_TRUE(anonymous.read());
  anonymous.write("40");
  EXPECT_EQ(anonymous.read().value_or(""), R"(44{"message":"Connection rejected by server"})");
  anonymous.write(R"(40{"token":"not.a.jwt"})");
  EXPECT_EQ(anonymous.read().value_or(""), R"(44{"message":"Connection rejected by server"})");

  auto login = raw_http(port, "POST", "/api/v1/auth/login", R"({"email":"a@b.c","password":"pw"})");
  ASSERT_EQ(login.status, 200) << login.body;
  const auto token = Json::parse(login.body).at("token").get<std::string>();

  WsClient with_auth;
  EXPECT_FALSE(open_and_connect(with_auth, port, R"(40{"token":")" + token + "\"}").empty());

  WsClient with_header;
  ASSERT_EQ(with_header.connect(port, kWsTarget, token), 101);
  ASSERT_TRUE(with_header.read());
  with_header.write("40");
  EXPECT_EQ(with_header.read().value_or("").substr(0, 3), "40{");
}

TEST(EmulatorSocketIo, SilentClientIsDroppedAfterPingTimeout) {
  ivk::EmulatorOptions options;
  options.ping_interval_ms = 100;
  options.ping_timeout_ms = 100;
  auto emulator = start(options);
  ASSERT_TRUE(emulator);
  WsClient ws;
  ASSERT_EQ(ws.connect(emulator->port(), kWsTarget), 101);
  auto open = ws.read();
  ASSERT_TRUE(open);
  const Json handshake = Json::parse(open->substr(1));
  EXPECT_EQ(handshake.at("pingInterval"), 100);
  const std::string sid = handshake.at("sid").get<std::string>();
  EXPECT_EQ(ws.read().value_or(""), "2");
  // No pong: the server closes the WebSocket.
  EXPECT_FALSE(ws.read(std::chrono::seconds(5)));
  EXPECT_EQ(ws.last_error(), websocket::error::closed) << ws.last_error().message();
  EXPECT_EQ(raw_http(emulator->port(), "GET", kPollTarget + "&sid=" + sid).status, 400);

  // A client that answers keeps its session across several intervals.
  WsClient live;
  ASSERT_FALSE(open_and_connect(live, emulator->port()).empty());
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(live.read().value_or(""), "2");
    live.write("3");
  }
}

TEST(EmulatorSocketIo, StopClosesOpenSockets) {
  auto emulator = start();
  ASSERT_TRUE(emulator);
  const auto port = emulator->port();
  WsClient ws;
  ASSERT_FALSE(open_and_connect(ws, port).empty());
  auto open = raw_http(port, "GET", kPollTarget);
  const std::string sid = Json::parse(open.body.substr(1)).at("sid").get<std::string>();
  std::optional<ivk::test::RawResponse> parked;
  std::thread poller([&] { parked = raw_http(port, "GET", kPollTarget + "&sid=" + sid); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  emulator->stop();
  poller.join();
  ASSERT_TRUE(parked);
  EXPECT_EQ(parked->body, "1");  // the close packet
  emulator.reset();              // the I/O threads are gone: nothing is left open
  EXPECT_EQ(ws.read().value_or(""), "1");
  EXPECT_FALSE(ws.read());
}

}  // namespace
