#pragma once
// The Engine.IO v4 / Socket.IO v5 wire codec: text in, values out, and back. No sockets, no threads:
// the client's WebSocket/polling session and the emulator's server both sit on top of it, so the
// framing rules live in one place and are tested without a network.
//
// Layering on the wire (what InvokeAI's python-socketio server speaks, EIO=4 on /ws/socket.io):
//   WebSocket text frame / one polling record   = Engine.IO packet:  <type digit><data>
//   Engine.IO "message" (type 4) data            = Socket.IO packet:  <type>[<n>-][<nsp>,][<ack id>][JSON]
// so the event `42["subscribe_queue",{"queue_id":"default"}]` is Engine.IO message "4" carrying the
// Socket.IO EVENT "2[...]".
//
// Every decoder returns ivk::Result; malformed bytes give ErrorCode::parse_error with a message naming
// the rule that was broken and a short excerpt of the input. Nothing here throws or prints.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ivk/error.h"

namespace ivk::detail {

// ---------------------------------------------------------------------------------------------
// Engine.IO v4
// ---------------------------------------------------------------------------------------------
namespace eio {

enum class PacketType : std::uint8_t {
  open = 0,     // server -> client, first packet: the handshake JSON (OpenHandshake)
  close = 1,    // either side: the session ends
  ping = 2,     // server -> client heartbeat (v4 reversed v3's direction); "2probe" during upgrade
  pong = 3,     // client -> server answer; "3probe" during upgrade
  message = 4,  // carries a Socket.IO packet (or raw bytes when binary)
  upgrade = 5,  // client -> server over the new WebSocket: switch transports now
  noop = 6,     // server -> polling client: releases a pending GET during an upgrade
};

// "open", "message", ...; "unknown" for values outside the enum.
std::string_view to_string(PacketType type) noexcept;

struct Packet {
  PacketType type = PacketType::message;
  // True for a binary message: `data` then holds raw bytes (a WebSocket binary frame, or the
  // base64-decoded body of a polling record starting with 'b'). Only messages can be binary.
  bool binary = false;
  // Everything after the type digit, verbatim (for binary messages: the raw bytes).
  std::string data;

  friend bool operator==(const Packet&, const Packet&) = default;
};

// Fixed packets of the heartbeat and of the polling -> WebSocket upgrade:
//   client: sends kProbePing over the new WebSocket; server answers kProbePong;
//   client: sends kUpgrade; the server then answers a pending polling GET with kNoop.
inline constexpr std::string_view kPing = "2";
inline constexpr std::string_view kPong = "3";
inline constexpr std::string_view kProbePing = "2probe";
inline constexpr std::string_view kProbePong = "3probe";
inline constexpr std::string_view kUpgrade = "5";
inline constexpr std::string_view kNoop = "6";
inline constexpr std::string_view kClose = "1";

// The record separator between packets of a polling payload (ASCII RS).
inline constexpr char kRecordSeparator = '\x1e';

// Text form of one packet, for a WebSocket text frame: the type digit followed by data.
// encode_text(PacketType::message, "2[\"x\"]") == "42[\"x\"]".
std::string encode_text(PacketType type, std::string_view data = {});

// Decodes a WebSocket text frame (or one polling record that is not base64 binary).
// parse_error when the frame is empty or does not start with a type digit 0..6.
Result<Packet> decode_text(std::string_view frame);

// A WebSocket binary frame is a binary message whose data is the frame's bytes; nothing can fail.
Packet decode_binary_frame(std::string_view bytes);

// Polling payloads (HTTP long-polling bodies): packets joined by kRecordSeparator. Text packets are
// written as by encode_text; binary messages as 'b' followed by the standard base64 of the bytes.
std::string encode_payload(const std::vector<Packet>& packets);

// Splits a polling body into packets. parse_error on an empty body, an empty record ("4a\x1e\x1e4b"),
// a bad type digit, or invalid base64 after 'b'.
Result<std::vector<Packet>> decode_payload(std::string_view body);

// The JSON object of the open packet ("0{...}"). Durations are milliseconds, as on the wire.
struct OpenHandshake {
  std::string sid;
  std::vector<std::string> upgrades;  // e.g. {"websocket"} when starting on polling; empty on websocket
  std::int64_t ping_interval_ms = 25000;
  std::int64_t ping_timeout_ms = 20000;
  std::int64_t max_payload = 1000000;  // bytes per polling payload the server accepts

  friend bool operator==(const OpenHandshake&, const OpenHandshake&) = default;
};

// Parses the open packet's data (the JSON after the '0'). "sid" (non-empty string), "upgrades" (array of
// strings), "pingInterval" and "pingTimeout" (non-negative integers below 2^31, in ms) are required;
// "maxPayload" is optional (older python-engineio releases omitted it) and keeps its default when absent.
Result<OpenHandshake> parse_open(std::string_view json);

// The open packet's JSON, keys in the order servers send them:
// {"sid":"..","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}
std::string open_json(const OpenHandshake& open);

// Standard base64 (RFC 4648, with padding), as used by binary polling records.
std::string base64_encode(std::string_view bytes);
// parse_error on characters outside the alphabet, a length that is not a multiple of 4, or misplaced '='.
Result<std::string> base64_decode(std::string_view text);

}  // namespace eio

// ---------------------------------------------------------------------------------------------
// Socket.IO v5 (the data of Engine.IO message packets)
// ---------------------------------------------------------------------------------------------
namespace sio {

enum class PacketType : std::uint8_t {
  connect = 0,        // client: "0" or "0{auth}"; server reply: "0{\"sid\":\"..\"}"
  disconnect = 1,     // either side, no data
  event = 2,          // "2[\"name\",arg...]", optionally with an ack id: "213[\"name\"]"
  ack = 3,            // "313[arg...]": the reply to the event with ack id 13
  connect_error = 4,  // server refuses a CONNECT: "4{\"message\":\"..\"}"
  binary_event = 5,   // "51-[\"name\",{\"_placeholder\":true,\"num\":0}]" + attachments
  binary_ack = 6,     // "61-13[...]" + attachments
};

// "CONNECT", "EVENT", ... (the names the protocol documents use); "UNKNOWN" outside the enum.
std::string_view to_string(PacketType type) noexcept;

// Largest ack id accepted: 2^53 - 1, the largest integer a JavaScript peer keeps exactly.
inline constexpr std::uint64_t kMaxAckId = 9007199254740991ULL;
// Largest attachment count accepted in a binary packet; larger counts are treated as malformed.
inline constexpr std::size_t kMaxAttachments = 1000;

struct Packet {
  PacketType type = PacketType::event;
  std::string nsp = "/";                // namespace; "/" (the default) is omitted on the wire
  std::optional<std::uint64_t> ack_id;  // present on events that want an ack and on acks
  std::size_t attachments = 0;          // binary packets only: number of binary frames that follow
  // The JSON data verbatim (whitespace and number spelling untouched); empty when the packet has none.
  std::string data;

  friend bool operator==(const Packet&, const Packet&) = default;
};

// The Socket.IO packet text of p (without the Engine.IO "4"). Does not validate: encoding a packet that
// decode() would refuse (e.g. an EVENT whose data is not an array) gives text a peer will refuse.
std::string encode(const Packet& p);

// Decodes the data of an Engine.IO message. Checks the grammar and the shape of the data for the type:
// CONNECT: none or an object; DISCONNECT: none; EVENT/BINARY_EVENT: an array whose first item is a
// string (the event name); ACK/BINARY_ACK: an array and an ack id; CONNECT_ERROR: an object or a string.
// Binary packets decode (so the caller can report the attachment count) but decode_event refuses them.
Result<Packet> decode(std::string_view text);

// Both layers at once: decodes a full Engine.IO text frame that must be a message ("42[...]").
// parse_error when the frame is another Engine.IO packet type; use eio::decode_text to dispatch first
// when pings and closes can arrive on the same stream.
Result<Packet> decode_message(std::string_view frame);

// An EVENT, taken apart: the name unescaped, each argument's JSON text verbatim.
struct Event {
  std::string nsp = "/";
  std::string name;
  std::vector<std::string> args;  // JSON texts, byte-identical to the wire (no reformatting)
  std::optional<std::uint64_t> ack_id;

  friend bool operator==(const Event&, const Event&) = default;
};

// The event in an EVENT packet. parse_error when p is not an EVENT or its data is malformed;
// unsupported for BINARY_EVENT (ivk does not reassemble binary attachments; the message gives the count).
Result<Event> decode_event(const Packet& p);

// decode_message + decode_event: the common path for a received "42[...]" frame.
Result<Event> decode_event_message(std::string_view frame);

// The items of an ACK's data array, verbatim. parse_error when p is not an ACK; unsupported for BINARY_ACK.
Result<std::vector<std::string>> decode_ack_args(const Packet& p);

// The session id of the server's CONNECT reply "0{\"sid\":\"...\"}". parse_error when p is not a CONNECT
// or has no string "sid".
Result<std::string> parse_connect_reply(const Packet& p);

// The refusal message of a CONNECT_ERROR: the "message" member of the object form, or the string itself
// (the form older servers used). parse_error when p is not a CONNECT_ERROR.
Result<std::string> parse_connect_error(const Packet& p);

// Encoders for whole Engine.IO text frames (the "4" included): what goes into a WebSocket text frame
// or a polling record. `*_json` arguments are JSON texts inserted verbatim; pass valid JSON.
//   encode_connect()                              == "40"
//   encode_connect("/", R"({"token":"t"})")       == "40{\"token\":\"t\"}"
//   encode_connect("/admin")                      == "40/admin,"
//   encode_connect_reply("abc")                   == "40{\"sid\":\"abc\"}"
//   encode_connect_error("Connection rejected")   == "44{\"message\":\"Connection rejected\"}"
//   encode_disconnect()                           == "41"
//   encode_event("subscribe_queue", {R"({"queue_id":"default"})"})
//                                                 == "42[\"subscribe_queue\",{\"queue_id\":\"default\"}]"
//   encode_event("x", {}, 13)                     == "4213[\"x\"]"
//   encode_ack(13, {"true"})                      == "4313[true]"
std::string encode_connect(std::string_view nsp = "/", std::string_view auth_json = {});
std::string encode_connect_reply(std::string_view sid, std::string_view nsp = "/");
std::string encode_connect_error(std::string_view message, std::string_view nsp = "/");
std::string encode_disconnect(std::string_view nsp = "/");
std::string encode_event(std::string_view name, const std::vector<std::string>& args_json,
                         std::optional<std::uint64_t> ack_id = std::nullopt, std::string_view nsp = "/");
std::string encode_ack(std::uint64_t ack_id, const std::vector<std::string>& args_json,
                       std::string_view nsp = "/");

}  // namespace sio
}  // namespace ivk::detail
