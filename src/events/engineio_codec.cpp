// Engine.IO v4 packets, polling payload framing and the open handshake.
#include <simdjson.h>

#include <limits>

#include "events/codec_support.h"
#include "events/socketio_codec.h"
#include "ivk/json_text.h"

namespace ivk::detail::eio {
namespace dom = simdjson::dom;

std::string_view to_string(PacketType type) noexcept {
  switch (type) {
    case PacketType::open: return "open";
    case PacketType::close: return "close";
    case PacketType::ping: return "ping";
    case PacketType::pong: return "pong";
    case PacketType::message: return "message";
    case PacketType::upgrade: return "upgrade";
    case PacketType::noop: return "noop";
  }
  return "unknown";
}

std::string encode_text(PacketType type, std::string_view data) {
  std::string out;
  out.reserve(data.size() + 1);
  out += static_cast<char>('0' + static_cast<int>(type));
  out += data;
  return out;
}

Result<Packet> decode_text(std::string_view frame) {
  if (frame.empty()) return detail::parse_fail("empty Engine.IO packet (expected a type digit 0-6)", frame);
  const char c = frame.front();
  if (c < '0' || c > '6')
    return detail::parse_fail("Engine.IO packet does not start with a type digit 0-6", frame);
  Packet p;
  p.type = static_cast<PacketType>(c - '0');
  p.data.assign(frame.substr(1));
  return p;
}

Packet decode_binary_frame(std::string_view bytes) {
  Packet p;
  p.type = PacketType::message;
  p.binary = true;
  p.data.assign(bytes);
  return p;
}

std::string encode_payload(const std::vector<Packet>& packets) {
  std::string out;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    if (i > 0) out += kRecordSeparator;
    const Packet& p = packets[i];
    if (p.binary) {
      // v4 drops the type digit for binary records: 'b' alone says "a binary message".
      out += 'b';
      out += base64_encode(p.data);
    } else {
      out += encode_text(p.type, p.data);
    }
  }
  return out;
}

Result<std::vector<Packet>> decode_payload(std::string_view body) {
  if (body.empty()) return detail::parse_fail("empty Engine.IO polling payload", body);
  std::vector<Packet> packets;
  std::size_t start = 0;
  while (true) {
    const std::size_t sep = body.find(kRecordSeparator, start);
    const std::string_view record =
        body.substr(start, sep == std::string_view::npos ? std::string_view::npos : sep - start);
    if (record.empty())
      return detail::parse_fail(
          "empty record in Engine.IO polling payload (packet " + std::to_string(packets.size()) + ")",
          body.substr(start == 0 ? 0 : start - 1));
    if (record.front() == 'b') {
      auto bytes = base64_decode(record.substr(1));
      if (!bytes)
        return detail::parse_fail("binary record " + std::to_string(packets.size()) +
                                      " of Engine.IO polling payload: " + bytes.error().message,
                                  record);
      Packet p;
      p.binary = true;
      p.data = std::move(*bytes);
      packets.push_back(std::move(p));
    } else {
      auto p = decode_text(record);
      if (!p) return tl::unexpected(std::move(p.error()));
      packets.push_back(std::move(*p));
    }
    if (sep == std::string_view::npos) break;
    start = sep + 1;
  }
  return packets;
}

namespace {

// A required or optional integer member in [0, max]; rejects doubles, negatives and huge values.
Result<std::int64_t> integer_member(dom::object o, std::string_view key, std::int64_t max,
                                    std::string_view json, std::optional<std::int64_t> fallback) {
  dom::element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) {
    if (fallback) return *fallback;
    return detail::parse_fail("Engine.IO open packet has no \"" + std::string(key) + "\"", json);
  }
  std::int64_t v = 0;
  if (e.get_int64().get(v) != simdjson::SUCCESS || v < 0 || v > max)
    return detail::parse_fail(
        "Engine.IO open packet: \"" + std::string(key) + "\" is not an integer in 0.." + std::to_string(max),
        json);
  return v;
}

}  // namespace

Result<OpenHandshake> parse_open(std::string_view json) {
  dom::parser parser;
  dom::element doc;
  if (auto err = parser.parse(json.data(), json.size()).get(doc); err != simdjson::SUCCESS)
    return detail::parse_fail(
        std::string("Engine.IO open packet is not JSON (") + simdjson::error_message(err) + ")", json);
  dom::object o;
  if (doc.get_object().get(o) != simdjson::SUCCESS)
    return detail::parse_fail("Engine.IO open packet is not a JSON object", json);
  OpenHandshake open;
  std::string_view sid;
  if (o.at_key("sid").get_string().get(sid) != simdjson::SUCCESS || sid.empty())
    return detail::parse_fail("Engine.IO open packet has no non-empty string \"sid\"", json);
  open.sid.assign(sid);
  dom::array upgrades;
  if (o.at_key("upgrades").get_array().get(upgrades) != simdjson::SUCCESS)
    return detail::parse_fail("Engine.IO open packet has no \"upgrades\" array", json);
  for (dom::element u : upgrades) {
    std::string_view name;
    if (u.get_string().get(name) != simdjson::SUCCESS)
      return detail::parse_fail("Engine.IO open packet: \"upgrades\" holds a non-string", json);
    open.upgrades.emplace_back(name);
  }
  // Timers are milliseconds handed to timer APIs that take 32-bit values in places; 2^31-1 ms is 24 days.
  constexpr std::int64_t kMaxMs = std::numeric_limits<std::int32_t>::max();
  auto interval = integer_member(o, "pingInterval", kMaxMs, json, std::nullopt);
  if (!interval) return tl::unexpected(std::move(interval.error()));
  auto timeout = integer_member(o, "pingTimeout", kMaxMs, json, std::nullopt);
  if (!timeout) return tl::unexpected(std::move(timeout.error()));
  auto max_payload =
      integer_member(o, "maxPayload", std::numeric_limits<std::int64_t>::max(), json, open.max_payload);
  if (!max_payload) return tl::unexpected(std::move(max_payload.error()));
  open.ping_interval_ms = *interval;
  open.ping_timeout_ms = *timeout;
  open.max_payload = *max_payload;
  return open;
}

std::string open_json(const OpenHandshake& open) {
  JsonBuilder b;
  b.begin_object().key("sid").string(open.sid).key("upgrades").begin_array();
  for (const auto& u : open.upgrades) b.string(u);
  b.end_array()
      .key("pingInterval")
      .integer(open.ping_interval_ms)
      .key("pingTimeout")
      .integer(open.ping_timeout_ms)
      .key("maxPayload")
      .integer(open.max_payload);
  b.end_object();
  return b.str();
}

}  // namespace ivk::detail::eio
