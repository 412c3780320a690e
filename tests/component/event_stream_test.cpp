// EventStream against a real python-socketio server (tests/support/socketio_peer.py, the library
// InvokeAI serves its events with): handshake over both transports, subscriptions, exact event
// payloads, dedupe, auth, rejection, reconnects, dead-server detection and close() during trouble.
// Skipped when Debian's /usr/bin/python3 lacks socketio or aiohttp.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "ivk/emulator.h"
#include "ivk/events/event_stream.h"
#include "support/child_process.h"
#include "support/raw_http.h"
#include "support/scripted_server.h"
#include "support/socketio_peer.h"

namespace {

using namespace std::chrono_literals;
using ivk::ErrorCode;
using ivk::EventStream;
using ivk::EventStreamOptions;
using ivk::EventTransport;
using ivk::ServerEvent;
using ivk::StreamState;
using ivk::test::python_socketio_available;
using ivk::test::Recorder;
using ivk::test::SocketIoPeer;
using ivk::test::wait_for;

class EventStreamPeerTest : public ::testing::TestWithParam<EventTransport> {
 protected:
  void SetUp() override {
    if (!python_socketio_available()) GTEST_SKIP() << "/usr/bin/python3 lacks socketio or aiohttp";
    ASSERT_TRUE(peer_.start()) << "socketio_peer.py did not start";
  }

  EventStreamOptions options() const {
    EventStreamOptions o;
    o.transport = GetParam();
    o.reconnect_delay_min = 50ms;
    o.reconnect_delay_max = 400ms;
    return o;
  }

  std::unique_ptr<EventStream> connect(EventStreamOptions o) {
    auto stream = EventStream::connect(peer_.url(), std::move(o));
    EXPECT_TRUE(stream.has_value()) << (stream ? "" : stream.error().describe());
    if (!stream) return nullptr;
    auto s = std::move(*stream);
    s->subscribe([this](const ServerEvent& e) { rec_.on_event(e); });
    s->on_state([this](StreamState st, const ivk::Error* why) { rec_.on_state(st, why); });
    return s;
  }

  EventTransport expected_transport() const {
    return GetParam() == EventTransport::polling ? EventTransport::polling : EventTransport::websocket;
  }

  SocketIoPeer peer_;
  Recorder rec_;
};

TEST_P(EventStreamPeerTest, ConnectsAndSubscribesTheDefaultQueue) {
  auto stream = connect(options());
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->state(), StreamState::connected);
  EXPECT_EQ(stream->active_transport(), expected_transport());
  ASSERT_TRUE(wait_for([&] { return peer_.subscribe_count() == 1; }));
  const auto st = peer_.state();
  ASSERT_EQ(st["rooms"].size(), 1u);
  EXPECT_EQ(st["rooms"].begin().value(), nlohmann::json::array({"default"}));
  EXPECT_TRUE(st["auths"][0].is_null()) << "anonymous connect sends no auth payload";
}

TEST_P(EventStreamPeerTest, DeliversEventsOfSubscribedRoomsWithExactPayload) {
  auto o = options();
  o.queue_ids = {"default", "second"};
  auto stream = connect(o);
  ASSERT_TRUE(stream);
  ASSERT_TRUE(wait_for([&] { return peer_.subscribe_count() == 2; }));
  const std::string payload =
      R"({"timestamp":1724224813,"queue_id":"default","item_id":229,"status":"completed","ratio":0.5,"error_type":null,"nested":{"a":[1,2,{"b":"c\"d"}]}})";
  peer_.emit("not_for_us", R"({"x":1})", "elsewhere");
  peer_.emit("queue_item_status_changed", payload, "default");
  peer_.emit("queue_cleared", R"({"queue_id":"second"})", "second");
  ASSERT_TRUE(wait_for([&] { return rec_.count("queue_cleared") == 1; }));
  const auto events = rec_.snapshot();
  ASSERT_EQ(events.size(), 2u) << "only the subscribed rooms' events, in order";
  EXPECT_EQ(events[0].name, "queue_item_status_changed");
  EXPECT_EQ(events[0].payload_json, payload);
  EXPECT_FALSE(events[0].replaces_previous);
  EXPECT_EQ(events[1].payload_json, R"({"queue_id":"second"})");
  EXPECT_EQ(stream->events_received(), 2u);
}

TEST_P(EventStreamPeerTest, DropsDuplicateInvocationEventsAndPrefersTheCopyWithAnImage) {
  auto stream = connect(options());
  ASSERT_TRUE(stream);
  ASSERT_TRUE(wait_for([&] { return peer_.subscribe_count() == 1; }));
  const std::string base =
      R"({"timestamp":1,"queue_id":"default","item_id":7,"invocation":{"id":"n1","type":"denoise_latents"},"message":"Denoising","percentage":0.25,"image":)";
  peer_.emit("invocation_progress", base + "null}");  // the admin-room copy, first
  peer_.emit("invocation_progress",
             base + R"({"width":8,"height":8,"dataURL":"data:image/jpeg;base64,AA=="}})");
  peer_.emit("invocation_progress", base + "null}");  // a third copy adds nothing
  peer_.emit("invocation_complete", R"({"timestamp":1,"item_id":7,"invocation":{"id":"n1"},"result":{}})",
             "default", 2);
  ASSERT_TRUE(wait_for([&] { return rec_.count("invocation_complete") == 1; }));
  ASSERT_TRUE(wait_for([&] { return stream->events_received() == 5u; }));
  const auto events = rec_.snapshot();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_FALSE(events[0].replaces_previous);
  EXPECT_TRUE(events[1].replaces_previous);
  EXPECT_NE(events[1].payload_json.find("dataURL"), std::string::npos);
  EXPECT_EQ(stream->events_dropped_as_duplicates(), 2u);
}

TEST_P(EventStreamPeerTest, ReconnectsAndResubscribesAfterServerDisconnect) {
  for (const std::string level : {"socketio", "engineio"}) {
    SCOPED_TRACE(level);
    Recorder fresh;
    auto stream = connect(options());
    ASSERT_TRUE(stream);
    ASSERT_TRUE(wait_for([&] { return peer_.state()["connected"].size() == 1; }));
    const int before = peer_.subscribe_count();
    peer_.disconnect_all(level);
    ASSERT_TRUE(wait_for([&] { return stream->reconnect_count() == 1u; }));
    EXPECT_EQ(stream->state(), StreamState::connected);
    EXPECT_TRUE(rec_.saw_state(StreamState::reconnecting));
    EXPECT_TRUE(rec_.saw_state(StreamState::connected));
    ASSERT_TRUE(wait_for([&] { return peer_.subscribe_count() == before + 1; }));
    peer_.emit("queue_cleared", R"({"queue_id":"default"})");
    ASSERT_TRUE(wait_for([&] { return rec_.count("queue_cleared") >= 1; }));
    stream->close();
    EXPECT_EQ(stream->state(), StreamState::closed);
    EXPECT_TRUE(rec_.saw_state(StreamState::closed));
    ASSERT_TRUE(wait_for([&] { return peer_.state()["connected"].empty(); })) << "close() disconnects";
    std::lock_guard lock(rec_.mutex);
    rec_.events.clear();
    rec_.states.clear();
  }
}

TEST_P(EventStreamPeerTest, SendsTheTokenAsAuthPayloadAndBearerHeader) {
  auto o = options();
  int calls = 0;
  o.token = [&calls]() -> std::optional<std::string> { return "tok-" + std::to_string(++calls); };
  auto stream = connect(o);
  ASSERT_TRUE(stream);
  auto st = peer_.state();
  ASSERT_EQ(st["auths"].size(), 1u);
  EXPECT_EQ(st["auths"][0], nlohmann::json({{"token", "tok-1"}}));
  EXPECT_EQ(st["authorization"][0], "Bearer tok-1");
  // A reconnect asks for the token again (it may have been refreshed).
  peer_.disconnect_all("socketio");
  ASSERT_TRUE(wait_for([&] { return stream->reconnect_count() == 1u; }));
  st = peer_.state();
  ASSERT_EQ(st["auths"].size(), 2u);
  EXPECT_EQ(st["auths"][1], nlohmann::json({{"token", "tok-2"}}));
}

TEST_P(EventStreamPeerTest, RejectedConnectFailsWithAuth) {
  peer_.set_reject(true);
  auto stream = EventStream::connect(peer_.url(), options());
  ASSERT_FALSE(stream);
  EXPECT_EQ(stream.error().code, ErrorCode::auth) << stream.error().describe();
  EXPECT_EQ(stream.error().message, "Connection rejected by server");
  EXPECT_NE(stream.error().where.find("/ws/socket.io"), std::string::npos);
}

TEST_P(EventStreamPeerTest, NoticesASilentServerAndReconnectsWhenItIsBack) {
  auto stream = connect(options());
  ASSERT_TRUE(stream);
  peer_.process().pause();  // TCP stays up, pings stop: only the heartbeat timeout can tell
  ASSERT_TRUE(wait_for([&] { return rec_.saw_state(StreamState::reconnecting); }, 15s));
  peer_.process().resume();
  ASSERT_TRUE(wait_for([&] { return stream->reconnect_count() >= 1u; }, 20s));
  peer_.emit("queue_cleared", R"({"queue_id":"default"})");
  ASSERT_TRUE(wait_for([&] { return rec_.count("queue_cleared") == 1; }));
}

TEST_P(EventStreamPeerTest, CloseDuringReconnectReturnsPromptly) {
  auto o = options();
  o.reconnect_delay_min = 100ms;
  o.reconnect_delay_max = 100ms;
  auto stream = connect(o);
  ASSERT_TRUE(stream);
  peer_.process().stop();  // the server is gone: every attempt fails (connection refused)
  ASSERT_TRUE(wait_for([&] { return rec_.saw_state(StreamState::reconnecting); }));
  std::this_thread::sleep_for(300ms);
  const auto t0 = std::chrono::steady_clock::now();
  stream->close();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);  // generous: it must merely not hang
  EXPECT_EQ(stream->state(), StreamState::closed);
  stream->close();  // idempotent
}

TEST_P(EventStreamPeerTest, GivesUpAfterMaxReconnectAttempts) {
  auto o = options();
  o.max_reconnect_attempts = 2;
  auto stream = connect(o);
  ASSERT_TRUE(stream);
  peer_.process().stop();
  ASSERT_TRUE(wait_for([&] { return stream->state() == StreamState::closed; }));
  std::lock_guard lock(rec_.mutex);
  ASSERT_FALSE(rec_.states.empty());
  EXPECT_EQ(rec_.states.back().first, StreamState::closed);
  EXPECT_FALSE(rec_.states.back().second.empty()) << "closed after giving up carries the last error";
}

TEST_P(EventStreamPeerTest, HandlersCannotBreakTheStreamAndUnsubscribeIsFinal) {
  auto stream = connect(options());
  ASSERT_TRUE(stream);
  ASSERT_TRUE(wait_for([&] { return peer_.subscribe_count() == 1; }));
  std::atomic<int> thrower_calls{0};
  std::atomic<int> late_calls{0};
  stream->subscribe([&](const ServerEvent&) {
    ++thrower_calls;
    throw std::runtime_error("handler bug");
  });
  EventStream::Subscription self = 0;
  self = stream->subscribe([&](const ServerEvent&) {
    ++late_calls;
    stream->unsubscribe(self);  // from inside a handler: no deadlock, no further calls
  });
  peer_.emit("queue_cleared", R"({"queue_id":"default","n":1})");
  peer_.emit("queue_cleared", R"({"queue_id":"default","n":2})");
  ASSERT_TRUE(wait_for([&] { return rec_.count("queue_cleared") == 2; }));
  EXPECT_EQ(thrower_calls.load(), 2);
  EXPECT_EQ(late_calls.load(), 1);
  EXPECT_EQ(stream->state(), StreamState::connected);
}

std::string transport_name(const ::testing::TestParamInfo<EventTransport>& param) {
  return std::string(ivk::to_string(param.param));
}

INSTANTIATE_TEST_SUITE_P(EventStream, EventStreamPeerTest,
                         ::testing::Values(EventTransport::automatic, EventTransport::polling),
                         transport_name);

TEST(EventStream, ClosedPortFailsWithATransportErrorNotATimeout) {
  const auto port = ivk::test::unused_port();
  const auto url = *ivk::ServerUrl::parse("http://127.0.0.1:" + std::to_string(port));
  for (auto transport : {EventTransport::automatic, EventTransport::polling}) {
    EventStreamOptions o;
    o.transport = transport;
    o.connect_timeout = 30s;
    auto stream = EventStream::connect(url, o);
    ASSERT_FALSE(stream);
    EXPECT_EQ(stream.error().code, ErrorCode::transport) << stream.error().describe();
    EXPECT_NE(stream.error().where.find(std::to_string(port)), std::string::npos);
  }
}

TEST(EventStream, RejectsBadOptions) {
  EventStreamOptions o;
  o.connect_timeout = 0ms;
  auto stream = EventStream::connect(ivk::ServerUrl(), o);
  ASSERT_FALSE(stream);
  EXPECT_EQ(stream.error().code, ErrorCode::invalid_argument);
}

ivk::test::ScriptedResponse scripted(int status, std::string body, std::chrono::milliseconds delay = 0ms) {
  ivk::test::ScriptedResponse r;
  r.status = status;
  r.body = std::move(body);
  r.delay = delay;
  return r;
}

// A server (or proxy) that answers the WebSocket upgrade with 400: automatic falls back to polling.
// Scripted, so the exact request sequence is visible.
TEST(EventStream, AutomaticFallsBackToPollingWhenTheUpgradeIsRefused) {
  ivk::test::ScriptedServer server;
  server.enqueue(scripted(400, "no websockets here"));
  server.enqueue(scripted(200, R"(0{"sid":"s1","upgrades":[],"pingInterval":25000,"pingTimeout":20000})"));
  server.enqueue(scripted(200, "ok"));                // POST 40
  server.enqueue(scripted(200, R"(40{"sid":"x"})"));  // GET: the CONNECT reply
  server.enqueue(scripted(200, "ok"));                // POST subscribe_queue
  server.set_fallback(scripted(200, "6", 20ms));      // later polls: noop
  auto stream = EventStream::connect(*ivk::ServerUrl::parse(server.url()));
  ASSERT_TRUE(stream) << stream.error().describe();
  EXPECT_EQ((*stream)->active_transport(), EventTransport::polling);
  (*stream)->close();
  const auto requests = server.requests();
  ASSERT_GE(requests.size(), 5u);
  EXPECT_EQ(requests[0].target, "/ws/socket.io/?EIO=4&transport=websocket");
  EXPECT_EQ(requests[1].target, "/ws/socket.io/?EIO=4&transport=polling");
  EXPECT_EQ(requests[2].body, "40");
  EXPECT_EQ(requests[2].target, "/ws/socket.io/?EIO=4&transport=polling&sid=s1");
  EXPECT_EQ(requests[4].body, R"(42["subscribe_queue",{"queue_id":"default"}])");
  // close() says goodbye: Socket.IO DISCONNECT, then Engine.IO close.
  EXPECT_EQ(requests[requests.size() - 2].body, "41");
  EXPECT_EQ(requests.back().body, "1");
}

// The in-process emulator as the server: a queue item's events arrive, in the §8.4 order.
TEST(EventStream, ReceivesAQueueItemsEventsFromTheEmulator) {
  ivk::EmulatorOptions options;
  options.ping_interval_ms = 1000;
  options.ping_timeout_ms = 1000;
  auto emulator = ivk::Emulator::start(options);
  ASSERT_TRUE(emulator) << emulator.error().describe();
  const auto url = *ivk::ServerUrl::parse((*emulator)->url());
  const std::string graph = R"({"id":"g1","nodes":{
    "noise":{"id":"noise","type":"noise","seed":7,"width":64,"height":48},
    "denoise":{"id":"denoise","type":"denoise_latents","steps":2},
    "out":{"id":"out","type":"l2i","is_intermediate":false}},
   "edges":[
    {"source":{"node_id":"noise","field":"noise"},"destination":{"node_id":"denoise","field":"noise"}},
    {"source":{"node_id":"denoise","field":"latents"},"destination":{"node_id":"out","field":"latents"}}]})";
  const std::string body = R"({"prepend":false,"batch":{"graph":)" + graph +
                           R"(,"runs":1,"origin":"tests","destination":"gallery"}})";
  for (auto transport : {EventTransport::websocket, EventTransport::polling}) {
    SCOPED_TRACE(std::string(ivk::to_string(transport)));
    EventStreamOptions o;
    o.transport = transport;
    auto stream = EventStream::connect(url, o);
    ASSERT_TRUE(stream) << stream.error().describe();
    EXPECT_EQ((*stream)->active_transport(), transport);
    Recorder rec;
    (*stream)->subscribe([&rec](const ServerEvent& e) { rec.on_event(e); });
    auto r = ivk::test::raw_http((*emulator)->port(), "POST", "/api/v1/queue/default/enqueue_batch", body);
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_TRUE(wait_for([&] {
      for (const auto& e : rec.snapshot())
        if (e.name == "queue_item_status_changed" &&
            nlohmann::json::parse(e.payload_json, nullptr, false).value("status", "") == "completed")
          return true;
      return false;
    })) << "no completed status event";
    const auto events = rec.snapshot();
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.front().name, "batch_enqueued");
    EXPECT_GE(rec.count("invocation_started"), 3u);
    EXPECT_GE(rec.count("invocation_complete"), 3u);
    (*stream)->close();
  }
}

}  // namespace
