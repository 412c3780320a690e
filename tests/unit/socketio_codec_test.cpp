// The Engine.IO v4 / Socket.IO v5 codec: exact wire strings both ways, and a refusal (never a crash)
// for anything malformed.
#include "events/socketio_codec.h"

#include <gtest/gtest.h>

#include <random>

namespace {

using ivk::ErrorCode;
namespace eio = ivk::detail::eio;
namespace sio = ivk::detail::sio;

// A real shape of an InvokeAI 6.x invocation_progress payload (spec §8.3), with a preview image.
const std::string kProgressPayload =
    R"({"timestamp":1724224813,"queue_id":"default","item_id":229,"batch_id":"0f0ce9c8-1d2b-4c5e-9f00-)"
    R"(1a2b3c4d5e6f","origin":"workflows","destination":"gallery","user_id":"system","session_id":)"
    R"("7676b0ac-153f-4373-932f-0d2196e367ad","invocation":{"id":"b8400875-a1ac-44ac-b2e6-e16e1f680dbe",)"
    R"("type":"denoise_latents","is_intermediate":true,"use_cache":true,"steps":30,"cfg_scale":7.5,)"
    R"("denoising_start":0.0,"denoising_end":1.0},"invocation_source_id":"denoise:Xy12",)"
    R"("message":"Denoising","percentage":0.3333333333333333,"image":{"width":96,"height":128,)"
    R"("dataURL":"data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD\/2wBDAAgGBgcGBQg="}})";

// ------------------------------------------------------------------------------------------------
// Engine.IO
// ------------------------------------------------------------------------------------------------

TEST(EngineIoCodec, EncodesTextPackets) {
  EXPECT_EQ(eio::encode_text(eio::PacketType::message, "2[\"x\"]"), "42[\"x\"]");
  EXPECT_EQ(eio::encode_text(eio::PacketType::ping), "2");
  EXPECT_EQ(eio::encode_text(eio::PacketType::pong, "probe"), eio::kProbePong);
  EXPECT_EQ(eio::encode_text(eio::PacketType::ping, "probe"), eio::kProbePing);
  EXPECT_EQ(eio::encode_text(eio::PacketType::upgrade), eio::kUpgrade);
  EXPECT_EQ(eio::encode_text(eio::PacketType::noop), eio::kNoop);
  EXPECT_EQ(eio::encode_text(eio::PacketType::close), eio::kClose);
  EXPECT_EQ(eio::kProbePing, "2probe");
  EXPECT_EQ(eio::kProbePong, "3probe");
  EXPECT_EQ(eio::kUpgrade, "5");
  EXPECT_EQ(eio::to_string(eio::PacketType::noop), "noop");
}

TEST(EngineIoCodec, DecodesTextPackets) {
  auto ping = eio::decode_text("2probe");
  ASSERT_TRUE(ping.has_value()) << ping.error().message;
  EXPECT_EQ(ping->type, eio::PacketType::ping);
  EXPECT_EQ(ping->data, "probe");
  EXPECT_FALSE(ping->binary);
  auto message = eio::decode_text("42[\"x\",{}]");
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(*message, (eio::Packet{eio::PacketType::message, false, "2[\"x\",{}]"}));
  auto noop = eio::decode_text("6");
  ASSERT_TRUE(noop.has_value());
  EXPECT_EQ(noop->type, eio::PacketType::noop);
  EXPECT_EQ(noop->data, "");

  auto empty = eio::decode_text("");
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, ErrorCode::parse_error);
  EXPECT_EQ(empty.error().message, "empty Engine.IO packet (expected a type digit 0-6) in \"\"");
  auto seven = eio::decode_text("7hello");
  ASSERT_FALSE(seven.has_value());
  EXPECT_EQ(seven.error().code, ErrorCode::parse_error);
  EXPECT_EQ(seven.error().message, "Engine.IO packet does not start with a type digit 0-6 in \"7hello\"");
  // Non-printable bytes are shown escaped, so error messages stay one readable line.
  auto binary = eio::decode_text(std::string("\x01\xff\n", 3));
  ASSERT_FALSE(binary.has_value());
  EXPECT_NE(binary.error().message.find("\"\\x01\\xff\\x0a\""), std::string::npos) << binary.error().message;
}

TEST(EngineIoCodec, ErrorExcerptsAreShort) {
  const std::string junk = "9" + std::string(5000, 'x');
  auto r = eio::decode_text(junk);
  ASSERT_FALSE(r.has_value());
  EXPECT_LT(r.error().message.size(), 120u);
  EXPECT_NE(r.error().message.find("xxx...\""), std::string::npos) << r.error().message;
}

TEST(EngineIoCodec, BinaryFrameIsABinaryMessage) {
  const std::string bytes("\x00\x01\x02", 3);
  const eio::Packet p = eio::decode_binary_frame(bytes);
  EXPECT_EQ(p.type, eio::PacketType::message);
  EXPECT_TRUE(p.binary);
  EXPECT_EQ(p.data, bytes);
}

TEST(EngineIoCodec, PollingPayloadJoinsAndSplitsRecords) {
  const std::vector<eio::Packet> packets{
      {eio::PacketType::message, false, "hello"},
      {eio::PacketType::message, false, "world"},
      {eio::PacketType::message, true, std::string("\x01\x02\x03\x04", 4)},
      {eio::PacketType::ping, false, ""},
  };
  const std::string body = eio::encode_payload(packets);
  EXPECT_EQ(body,
            "4hello\x1e"
            "4world\x1e"
            "bAQIDBA==\x1e"
            "2");
  auto back = eio::decode_payload(body);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(*back, packets);

  auto one = eio::decode_payload("0{\"sid\":\"a\"}");
  ASSERT_TRUE(one.has_value());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->front().type, eio::PacketType::open);
  EXPECT_EQ(eio::encode_payload({}), "");
}

TEST(EngineIoCodec, PollingPayloadRefusesMalformedBodies) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"", "empty Engine.IO polling payload"},
      {"4a\x1e\x1e"
       "4b",
       "empty record in Engine.IO polling payload (packet 1)"},
      {"4a\x1e", "empty record in Engine.IO polling payload (packet 1)"},
      {"\x1e"
       "4a",
       "empty record in Engine.IO polling payload (packet 0)"},
      {"4a\x1e"
       "9b",
       "Engine.IO packet does not start with a type digit 0-6 in \"9b\""},
      {"b!!!!", "binary record 0 of Engine.IO polling payload: invalid base64 character"},
      {"bAQI", "binary record 0 of Engine.IO polling payload: "},
      {"bAQIDB", "base64 length is not a multiple of 4"},
  };
  for (const auto& [body, expected] : cases) {
    auto r = eio::decode_payload(body);
    ASSERT_FALSE(r.has_value()) << body;
    EXPECT_EQ(r.error().code, ErrorCode::parse_error);
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
  }
  // "AQI" is 3 characters: not a multiple of 4 either.
  EXPECT_FALSE(eio::decode_payload("bAQI").has_value());
}

TEST(EngineIoCodec, Base64MatchesRfc4648) {
  const std::vector<std::pair<std::string, std::string>> vectors{
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
      {std::string("\xff\xfe", 2), "//4="},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(eio::base64_encode(plain), encoded);
    auto back = eio::base64_decode(encoded);
    ASSERT_TRUE(back.has_value()) << encoded;
    EXPECT_EQ(*back, plain);
  }
  for (const char* bad : {"Zg=", "Z===", "Zg==Zg==", "Zm9v!A==", "=AAA", "Zm=v", "Zm 9"}) {
    auto r = eio::base64_decode(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::parse_error);
  }
}

TEST(EngineIoCodec, OpenHandshakeRoundTrips) {
  const std::string wire =
      R"({"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,)"
      R"("maxPayload":1000000})";
  auto open = eio::parse_open(wire);
  ASSERT_TRUE(open.has_value()) << open.error().message;
  EXPECT_EQ(open->sid, "lv_VI97HAXpY6yYWAAAC");
  EXPECT_EQ(open->upgrades, std::vector<std::string>{"websocket"});
  EXPECT_EQ(open->ping_interval_ms, 25000);
  EXPECT_EQ(open->ping_timeout_ms, 20000);
  EXPECT_EQ(open->max_payload, 1000000);
  EXPECT_EQ(eio::open_json(*open), wire);

  eio::OpenHandshake server;
  server.sid = "abc";
  server.ping_interval_ms = 300;
  server.ping_timeout_ms = 200;
  server.max_payload = 5;
  EXPECT_EQ(eio::open_json(server),
            R"({"sid":"abc","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":5})");

  // maxPayload is optional; key order and whitespace do not matter.
  auto older =
      eio::parse_open(R"( { "pingTimeout": 5000, "pingInterval": 1000, "upgrades": [], "sid": "s" } )");
  ASSERT_TRUE(older.has_value()) << older.error().message;
  EXPECT_EQ(older->max_payload, 1000000);
  EXPECT_TRUE(older->upgrades.empty());
}

TEST(EngineIoCodec, OpenHandshakeRefusesMalformedJson) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"", "Engine.IO open packet is not JSON"},
      {R"({"sid":"a","upgrades":[],"pingInterval":1)", "Engine.IO open packet is not JSON"},
      {"[1]", "is not a JSON object"},
      {R"({"upgrades":[],"pingInterval":1,"pingTimeout":1})", "no non-empty string \"sid\""},
      {R"({"sid":7,"upgrades":[],"pingInterval":1,"pingTimeout":1})", "no non-empty string \"sid\""},
      {R"({"sid":"","upgrades":[],"pingInterval":1,"pingTimeout":1})", "no non-empty string \"sid\""},
      {R"({"sid":"a","upgrades":"websocket","pingInterval":1,"pingTimeout":1})", "no \"upgrades\" array"},
      {R"({"sid":"a","upgrades":[1],"pingInterval":1,"pingTimeout":1})", "\"upgrades\" holds a non-string"},
      {R"({"sid":"a","upgrades":[],"pingTimeout":1})", "has no \"pingInterval\""},
      {R"({"sid":"a","upgrades":[],"pingInterval":-1,"pingTimeout":1})",
       "\"pingInterval\" is not an integer"},
      {R"({"sid":"a","upgrades":[],"pingInterval":2.5,"pingTimeout":1})",
       "\"pingInterval\" is not an integer"},
      {R"({"sid":"a","upgrades":[],"pingInterval":"1","pingTimeout":1})",
       "\"pingInterval\" is not an integer"},
      {R"({"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":99999999999})",
       "\"pingTimeout\" is not an integer in 0..2147483647"},
      {R"({"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":1,"maxPayload":-5})", "\"maxPayload\""},
      {R"({"sid":"a","upgrades":[],"pingInterval":123456789012345678901234567890,"pingTimeout":1})", "not"},
  };
  for (const auto& [json, expected] : cases) {
    auto r = eio::parse_open(json);
    ASSERT_FALSE(r.has_value()) << json;
    EXPECT_EQ(r.error().code, ErrorCode::parse_error);
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
  }
}

// ------------------------------------------------------------------------------------------------
// Socket.IO
// ------------------------------------------------------------------------------------------------

TEST(SocketIoCodec, EncodesFramesExactly) {
  EXPECT_EQ(sio::encode_event("subscribe_queue", {R"({"queue_id":"default"})"}),
            R"(42["subscribe_queue",{"queue_id":"default"}])");
  EXPECT_EQ(sio::encode_event("subscribe_bulk_download", {R"({"bulk_download_id":"default"})"}),
            R"(42["subscribe_bulk_download",{"bulk_download_id":"default"}])");
  EXPECT_EQ(sio::encode_event("x", {}, 13), R"(4213["x"])");
  EXPECT_EQ(sio::encode_event("x", {"1", "[2]", "null"}, 0, "/admin"), R"(42/admin,0["x",1,[2],null])");
  EXPECT_EQ(sio::encode_event("say \"hi\"\n", {}), R"(42["say \"hi\"\n"])");
  EXPECT_EQ(sio::encode_ack(13, {"true"}), "4313[true]");
  EXPECT_EQ(sio::encode_ack(7, {}), "437[]");
  EXPECT_EQ(sio::encode_ack(7, {"1", "2"}, "/admin"), "43/admin,7[1,2]");
  EXPECT_EQ(sio::encode_connect(), "40");
  EXPECT_EQ(sio::encode_connect("/", R"({"token":"eyJhbGciOi.x.y"})"), R"(40{"token":"eyJhbGciOi.x.y"})");
  EXPECT_EQ(sio::encode_connect("/admin"), "40/admin,");
  EXPECT_EQ(sio::encode_connect("/admin", R"({"token":"t"})"), R"(40/admin,{"token":"t"})");
  EXPECT_EQ(sio::encode_connect_reply("Oj4JjzJxLNyfpsBhAAAB"), R"(40{"sid":"Oj4JjzJxLNyfpsBhAAAB"})");
  EXPECT_EQ(sio::encode_connect_error("Connection rejected by server"),
            R"(44{"message":"Connection rejected by server"})");
  EXPECT_EQ(sio::encode_disconnect(), "41");
  EXPECT_EQ(sio::encode_disconnect("/admin"), "41/admin,");

  sio::Packet binary;
  binary.type = sio::PacketType::binary_event;
  binary.attachments = 1;
  binary.data = R"(["img",{"_placeholder":true,"num":0}])";
  EXPECT_EQ(sio::encode(binary), R"(51-["img",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(sio::to_string(sio::PacketType::connect_error), "CONNECT_ERROR");
}

TEST(SocketIoCodec, DecodesEventsVerbatim) {
  const std::string frame = "42[\"invocation_progress\"," + kProgressPayload + "]";
  auto e = sio::decode_event_message(frame);
  ASSERT_TRUE(e.has_value()) << e.error().message;
  EXPECT_EQ(e->name, "invocation_progress");
  EXPECT_EQ(e->nsp, "/");
  EXPECT_FALSE(e->ack_id.has_value());
  ASSERT_EQ(e->args.size(), 1u);
  EXPECT_EQ(e->args[0], kProgressPayload);  // byte-identical: "0.0", "\/" and 16-digit doubles kept

  // The two-step path gives the same result.
  auto p = sio::decode_message(frame);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->type, sio::PacketType::event);
  EXPECT_EQ(p->data, frame.substr(2));
  auto e2 = sio::decode_event(*p);
  ASSERT_TRUE(e2.has_value());
  EXPECT_EQ(*e2, *e);

  // Whitespace inside and between arguments is kept as sent; only the separators are dropped.
  auto spaced = sio::decode_event_message("42[ \"x\" , {\"a\": 1.50} ,\n[ ] ,\"s,]\" ]");
  ASSERT_TRUE(spaced.has_value()) << spaced.error().message;
  EXPECT_EQ(spaced->name, "x");
  EXPECT_EQ(spaced->args, (std::vector<std::string>{"{\"a\": 1.50}", "[ ]", "\"s,]\""}));

  auto escaped = sio::decode_event_message(R"(42["a\"b\u00e9"])");
  ASSERT_TRUE(escaped.has_value()) << escaped.error().message;
  EXPECT_EQ(escaped->name, "a\"b\xC3\xA9");
  EXPECT_TRUE(escaped->args.empty());

  auto acked = sio::decode_event_message(R"(42/admin,13["ping",1])");
  ASSERT_TRUE(acked.has_value()) << acked.error().message;
  EXPECT_EQ(acked->nsp, "/admin");
  EXPECT_EQ(acked->ack_id, 13u);
  EXPECT_EQ(acked->args, std::vector<std::string>{"1"});

  // Encoding what was decoded gives the frame back.
  EXPECT_EQ(sio::encode_event(e->name, e->args, e->ack_id, e->nsp), frame);
  EXPECT_EQ(sio::encode_event(acked->name, acked->args, acked->ack_id, acked->nsp),
            R"(42/admin,13["ping",1])");
}

TEST(SocketIoCodec, DecodesEveryPacketType) {
  auto connect = sio::decode("0");
  ASSERT_TRUE(connect.has_value());
  EXPECT_EQ(*connect, (sio::Packet{sio::PacketType::connect, "/", std::nullopt, 0, ""}));

  auto auth = sio::decode(R"(0{"token":"abc"})");
  ASSERT_TRUE(auth.has_value());
  EXPECT_EQ(auth->data, R"({"token":"abc"})");

  for (const char* text : {"0/admin,", "0/admin"}) {
    auto admin = sio::decode(text);
    ASSERT_TRUE(admin.has_value()) << text;
    EXPECT_EQ(admin->nsp, "/admin");
    EXPECT_EQ(admin->data, "");
  }

  auto reply = sio::decode(R"(0{"sid":"Oj4JjzJxLNyfpsBhAAAB"})");
  ASSERT_TRUE(reply.has_value());
  auto sid = sio::parse_connect_reply(*reply);
  ASSERT_TRUE(sid.has_value()) << sid.error().message;
  EXPECT_EQ(*sid, "Oj4JjzJxLNyfpsBhAAAB");

  auto disconnect = sio::decode("1/admin,");
  ASSERT_TRUE(disconnect.has_value());
  EXPECT_EQ(disconnect->type, sio::PacketType::disconnect);
  EXPECT_EQ(disconnect->nsp, "/admin");

  auto ack = sio::decode("313[true,{\"a\":1}]");
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->type, sio::PacketType::ack);
  EXPECT_EQ(ack->ack_id, 13u);
  auto ack_args = sio::decode_ack_args(*ack);
  ASSERT_TRUE(ack_args.has_value());
  EXPECT_EQ(*ack_args, (std::vector<std::string>{"true", "{\"a\":1}"}));

  auto refused = sio::decode_message(R"(44{"message":"Connection rejected by server"})");
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->type, sio::PacketType::connect_error);
  auto why = sio::parse_connect_error(*refused);
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(*why, "Connection rejected by server");
  auto old_style = sio::decode(R"(4"Not authorized")");
  ASSERT_TRUE(old_style.has_value());
  EXPECT_EQ(sio::parse_connect_error(*old_style).value(), "Not authorized");

  // Wrong packet type for a typed decoder: parse_error naming both types.
  auto not_reply = sio::parse_connect_reply(*ack);
  ASSERT_FALSE(not_reply.has_value());
  EXPECT_EQ(not_reply.error().code, ErrorCode::parse_error);
  EXPECT_EQ(not_reply.error().message,
            R"(expected a Socket.IO CONNECT packet, got Socket.IO ACK in "313[true,{"a":1}]")");
  auto no_sid = sio::parse_connect_reply(*connect);
  ASSERT_FALSE(no_sid.has_value());
  EXPECT_EQ(no_sid.error().code, ErrorCode::parse_error);
  EXPECT_FALSE(sio::decode_event(*ack).has_value());
  EXPECT_FALSE(sio::parse_connect_error(*reply).has_value());

  // Encode gives the canonical text back.
  for (const char* text :
       {"0", "0/admin,", R"(0{"token":"abc"})", "1", "1/admin,", R"(2["x"])", R"(213["x",1])",
        R"(2/admin,13["x"])", "313[]", R"(4{"message":"m"})", R"(51-["x",{"_placeholder":true,"num":0}])",
        R"(62-/admin,9[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])"}) {
    auto p = sio::decode(text);
    ASSERT_TRUE(p.has_value()) << text << ": " << p.error().message;
    EXPECT_EQ(sio::encode(*p), text);
  }
}

TEST(SocketIoCodec, BinaryPacketsReportAttachmentsAndAreRefusedCleanly) {
  auto p = sio::decode_message(R"(451-["preview",{"_placeholder":true,"num":0}])");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->type, sio::PacketType::binary_event);
  EXPECT_EQ(p->attachments, 1u);
  EXPECT_FALSE(p->ack_id.has_value());
  auto e = sio::decode_event(*p);
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().code, ErrorCode::unsupported);
  EXPECT_EQ(
      e.error().message,
      "Socket.IO BINARY_EVENT with 1 binary attachment(s) is not supported: ivk handles JSON-only EVENT "
      "packets");
  EXPECT_EQ(sio::decode_event_message(R"(451-["preview",{"_placeholder":true,"num":0}])").error().code,
            ErrorCode::unsupported);

  auto ack = sio::decode(R"(62-/admin,9[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
  ASSERT_TRUE(ack.has_value()) << ack.error().message;
  EXPECT_EQ(ack->type, sio::PacketType::binary_ack);
  EXPECT_EQ(ack->attachments, 2u);
  EXPECT_EQ(ack->nsp, "/admin");
  EXPECT_EQ(ack->ack_id, 9u);
  EXPECT_EQ(sio::decode_ack_args(*ack).error().code, ErrorCode::unsupported);
}

TEST(SocketIoCodec, RefusesMalformedPacketsWithAReason) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"", "empty Socket.IO packet (expected a type digit 0-6) in \"\""},
      {"7", "Socket.IO packet does not start with a type digit 0-6 in \"7\""},
      {"x[]", "Socket.IO packet does not start with a type digit 0-6 in \"x[]\""},
      {"2", "Socket.IO EVENT has no JSON data in \"2\""},
      {"2  ", "Socket.IO EVENT has no JSON data"},
      {R"(2{"a":1})", "Socket.IO EVENT data is not a JSON array in \"2{\"a\":1}\""},
      {"2[]", "Socket.IO EVENT data is an empty array (no event name)"},
      {"2[1]", "Socket.IO EVENT name (first array item) is not a string in \"2[1]\""},
      {"2[null,{}]", "Socket.IO EVENT name (first array item) is not a string"},
      {R"(2["x")", "Socket.IO EVENT data is not valid JSON ("},
      {R"(2["x",{"a":)", "Socket.IO EVENT data is not valid JSON ("},
      {R"(2["x"]])", "Socket.IO EVENT data is not valid JSON ("},
      {R"(2["x",1e999])", "Socket.IO EVENT data is not valid JSON ("},
      {R"(2["x",123456789012345678901234567890])", "Socket.IO EVENT data is not valid JSON ("},
      {R"(29007199254740992["x"])", "Socket.IO EVENT ack id is larger than 2^53-1"},
      {R"(2999999999999999999999999999999["x"])", "Socket.IO EVENT ack id is larger than 2^53-1"},
      {"3[1]", "Socket.IO ACK has no ack id in \"3[1]\""},
      {"31", "Socket.IO ACK has no JSON data"},
      {R"(31{"a":1})", "Socket.IO ACK data is not a JSON array"},
      {"1{}", "Socket.IO DISCONNECT carries unexpected data"},
      {"0[1]", "Socket.IO CONNECT data is not a JSON object"},
      {"0\"tok\"", "Socket.IO CONNECT data is not a JSON object"},
      {"01{}", "Socket.IO CONNECT cannot carry an ack id"},
      {"4", "Socket.IO CONNECT_ERROR has no JSON data"},
      {"4[1]", "Socket.IO CONNECT_ERROR data is neither a JSON object nor a string"},
      {R"(5["x"])", "Socket.IO BINARY_EVENT lacks the \"<count>-\" attachment prefix"},
      {R"(51["x"])", "Socket.IO BINARY_EVENT lacks the \"<count>-\" attachment prefix"},
      {R"(5-["x"])", "Socket.IO BINARY_EVENT lacks the \"<count>-\" attachment prefix"},
      {R"(599999999999-["x"])", "Socket.IO BINARY_EVENT attachment count is larger than 1000"},
      {R"(61-[1])", "Socket.IO BINARY_ACK has no ack id"},
      {"2/admin", "Socket.IO EVENT has no JSON data"},
      {std::string("2[\"\xff\"]"), "Socket.IO EVENT data is not valid JSON ("},
  };
  for (const auto& [text, expected] : cases) {
    auto r = sio::decode(text);
    ASSERT_FALSE(r.has_value()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::parse_error) << text;
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << text << " -> " << r.error().message;
  }
  // The same rules apply through the one-step event decoder, and frames must be Engine.IO messages.
  EXPECT_EQ(sio::decode_event_message("42[1]").error().code, ErrorCode::parse_error);
  EXPECT_EQ(sio::decode_event_message("4").error().code, ErrorCode::parse_error);
  EXPECT_EQ(sio::decode_event_message("2probe").error().message,
            "expected an Engine.IO message packet (\"4...\") in \"2probe\"");
  EXPECT_EQ(sio::decode_message("").error().code, ErrorCode::parse_error);
  EXPECT_EQ(sio::decode_event_message(R"(41)").error().message,
            "expected a Socket.IO EVENT packet, got Socket.IO DISCONNECT in \"1\"");
}

TEST(SocketIoCodec, HandBuiltPacketsAreCheckedByTypedDecoders) {
  sio::Packet p;  // not from decode(): the typed decoders still validate
  p.type = sio::PacketType::event;
  p.data = "[1,2";
  EXPECT_EQ(sio::decode_event(p).error().code, ErrorCode::parse_error);
  p.data = R"({"a":1})";
  EXPECT_EQ(sio::decode_event(p).error().code, ErrorCode::parse_error);
  p.type = sio::PacketType::ack;
  EXPECT_EQ(sio::decode_ack_args(p).error().code, ErrorCode::parse_error);
  p.type = sio::PacketType::connect_error;
  p.data = "{}";
  EXPECT_EQ(sio::parse_connect_error(p).error().message,
            "Socket.IO CONNECT_ERROR has no string \"message\" in \"4{}\"");
}

// ------------------------------------------------------------------------------------------------
// Fuzz-style: decoders never crash and refuse only with parse_error (unsupported for binary events).
// ------------------------------------------------------------------------------------------------

void expect_clean(const ivk::Error& error, const std::string& input, bool unsupported_ok = false) {
  const bool ok =
      error.code == ErrorCode::parse_error || (unsupported_ok && error.code == ErrorCode::unsupported);
  EXPECT_TRUE(ok) << "code " << ivk::to_string(error.code) << " for input of " << input.size()
                  << " bytes: " << error.message;
  EXPECT_FALSE(error.message.empty());
}

// Runs every decoder on `input`, as an Engine.IO frame and as Socket.IO text.
void decode_everything(const std::string& input) {
  if (auto r = eio::decode_text(input); !r) expect_clean(r.error(), input);
  if (auto r = eio::decode_payload(input); !r) expect_clean(r.error(), input);
  if (auto r = eio::parse_open(input); !r) expect_clean(r.error(), input);
  if (auto r = eio::base64_decode(input); !r) expect_clean(r.error(), input);
  if (auto r = sio::decode_event_message(input); !r) expect_clean(r.error(), input, true);
  auto p = sio::decode(input);
  if (!p) {
    expect_clean(p.error(), input);
    return;
  }
  // A decoded packet re-encodes to text that decodes to the same packet.
  auto again = sio::decode(sio::encode(*p));
  EXPECT_TRUE(again.has_value()) << sio::encode(*p);
  if (again) {
    EXPECT_EQ(*again, *p);
  }
  if (auto r = sio::decode_event(*p); !r) expect_clean(r.error(), input, true);
  if (auto r = sio::decode_ack_args(*p); !r) expect_clean(r.error(), input, true);
  if (auto r = sio::parse_connect_reply(*p); !r) expect_clean(r.error(), input);
  if (auto r = sio::parse_connect_error(*p); !r) expect_clean(r.error(), input);
}

const std::vector<std::string>& valid_samples() {
  static const std::vector<std::string> samples{
      "42[\"invocation_progress\"," + kProgressPayload + "]",
      R"(4213/admin,["x",{"a":[1,2,{"b":null}]},"s\"t"])",
      R"(40{"sid":"Oj4JjzJxLNyfpsBhAAAB"})",
      R"(0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})",
      R"(44{"message":"Connection rejected by server"})",
      R"(451-["preview",{"_placeholder":true,"num":0}])",
      R"(462-/admin,9[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])",
      "4hello\x1e"
      "4world\x1e"
      "bAQIDBA==\x1e"
      "2",
      "4313[true]",
      "2probe",
  };
  return samples;
}

TEST(SocketIoCodecFuzz, EveryPrefixOfValidPackets) {
  for (const auto& sample : valid_samples()) {
    for (std::size_t n = 0; n <= sample.size(); ++n) {
      const std::string prefix = sample.substr(0, n);
      decode_everything(prefix);
      decode_everything(prefix.size() > 1 ? prefix.substr(1) : prefix);  // without the Engine.IO digit
    }
  }
}

TEST(SocketIoCodecFuzz, RandomBytesAndMutations) {
  std::mt19937 rng(20240611u);  // fixed seed: failures reproduce
  // Mostly protocol characters, so random strings reach deep into the grammar, plus any byte.
  const std::string alphabet = "0123456789[]{}\",:/-_ abtrue\x1e\\=+nul.eE";
  std::uniform_int_distribution<int> coin(0, 9);
  std::uniform_int_distribution<std::size_t> length(0, 48);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<int> any_byte(0, 255);
  for (int round = 0; round < 4000; ++round) {
    std::string s;
    const std::size_t n = length(rng);
    for (std::size_t i = 0; i < n; ++i)
      s += coin(rng) < 8 ? alphabet[pick(rng)] : static_cast<char>(static_cast<unsigned char>(any_byte(rng)));
    decode_everything(s);
  }
  // Single-byte mutations of valid packets: closer to real corruption than random strings.
  for (const auto& sample : valid_samples()) {
    std::uniform_int_distribution<std::size_t> where(0, sample.size() - 1);
    for (int round = 0; round < 300; ++round) {
      std::string s = sample;
      const std::size_t at = where(rng);
      if (coin(rng) < 5)
        s[at] = alphabet[pick(rng)];
      else
        s.erase(at, 1);
      decode_everything(s);
    }
  }
  // Deep nesting is refused, not recursed into.
  decode_everything("42[\"x\"," + std::string(5000, '[') + std::string(5000, ']') + "]");
  decode_everything("2" + std::string(100000, '['));
}

}  // namespace
