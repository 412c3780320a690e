// Socket.IO v5 packets: <type>[<attachments>-][<namespace>,][<ack id>][<JSON data>].
#include <simdjson.h>

#include "core/ascii_case.h"
#include "events/codec_support.h"
#include "events/socketio_codec.h"
#include "ivk/json_text.h"

namespace ivk::detail::sio {
namespace dom = simdjson::dom;

std::string_view to_string(PacketType type) noexcept {
  switch (type) {
    case PacketType::connect: return "CONNECT";
    case PacketType::disconnect: return "DISCONNECT";
    case PacketType::event: return "EVENT";
    case PacketType::ack: return "ACK";
    case PacketType::connect_error: return "CONNECT_ERROR";
    case PacketType::binary_event: return "BINARY_EVENT";
    case PacketType::binary_ack: return "BINARY_ACK";
  }
  return "UNKNOWN";
}

namespace {

bool is_binary(PacketType t) { return t == PacketType::binary_event || t == PacketType::binary_ack; }

std::string type_name(PacketType t) { return "Socket.IO " + std::string(to_string(t)); }

// Parses `data` as JSON and checks the shape the packet type requires. `whole` is the packet text
// shown in error messages.
Status check_data(PacketType type, std::string_view data, std::string_view whole) {
  const bool has_data = detail::skip_json_space(data, 0) < data.size();
  switch (type) {
    case PacketType::disconnect:
      if (has_data) return detail::parse_fail(type_name(type) + " carries unexpected data", whole);
      return {};
    case PacketType::connect:
      if (!has_data) return {};
      break;
    default:
      if (!has_data) return detail::parse_fail(type_name(type) + " has no JSON data", whole);
  }
  dom::parser parser;
  dom::element doc;
  if (auto err = parser.parse(data.data(), data.size()).get(doc); err != simdjson::SUCCESS)
    return detail::parse_fail(
        type_name(type) + " data is not valid JSON (" + simdjson::error_message(err) + ")", whole);
  switch (type) {
    case PacketType::connect:
      if (!doc.is_object()) return detail::parse_fail(type_name(type) + " data is not a JSON object", whole);
      break;
    case PacketType::connect_error:
      if (!doc.is_object() && !doc.is_string())
        return detail::parse_fail(type_name(type) + " data is neither a JSON object nor a string", whole);
      break;
    case PacketType::event:
    case PacketType::binary_event: {
      dom::array items;
      if (doc.get_array().get(items) != simdjson::SUCCESS)
        return detail::parse_fail(type_name(type) + " data is not a JSON array", whole);
      dom::element first;
      if (items.at(0).get(first) != simdjson::SUCCESS)
        return detail::parse_fail(type_name(type) + " data is an empty array (no event name)", whole);
      if (!first.is_string())
        return detail::parse_fail(type_name(type) + " name (first array item) is not a string", whole);
      break;
    }
    case PacketType::ack:
    case PacketType::binary_ack:
      if (!doc.is_array()) return detail::parse_fail(type_name(type) + " data is not a JSON array", whole);
      break;
    case PacketType::disconnect: break;
  }
  return {};
}

// The grammar without the data check: decode_event_message validates the data once, in decode_event.
Result<Packet> decode_frame(std::string_view text, bool validate_data) {
  if (text.empty()) return detail::parse_fail("empty Socket.IO packet (expected a type digit 0-6)", text);
  const char c = text.front();
  if (c < '0' || c > '6')
    return detail::parse_fail("Socket.IO packet does not start with a type digit 0-6", text);
  Packet p;
  p.type = static_cast<PacketType>(c - '0');
  std::size_t i = 1;
  if (is_binary(p.type)) {
    std::size_t count = 0;
    const std::size_t digits_start = i;
    while (i < text.size() && detail::is_ascii_digit(text[i])) {
      count = count * 10 + static_cast<std::size_t>(text[i] - '0');
      if (count > kMaxAttachments)
        return detail::parse_fail(
            type_name(p.type) + " attachment count is larger than " + std::to_string(kMaxAttachments), text);
      ++i;
    }
    if (i == digits_start || i >= text.size() || text[i] != '-')
      return detail::parse_fail(type_name(p.type) + " lacks the \"<count>-\" attachment prefix", text);
    p.attachments = count;
    ++i;
  }
  if (i < text.size() && text[i] == '/') {
    // The namespace runs to the next ',' (or to the end: JavaScript peers omit the comma when nothing
    // follows, e.g. "1/admin").
    const std::size_t comma = text.find(',', i);
    const std::size_t end = comma == std::string_view::npos ? text.size() : comma;
    p.nsp.assign(text.substr(i, end - i));
    i = comma == std::string_view::npos ? text.size() : comma + 1;
  }
  if (i < text.size() && detail::is_ascii_digit(text[i])) {
    std::uint64_t id = 0;
    while (i < text.size() && detail::is_ascii_digit(text[i])) {
      id = id * 10 + static_cast<std::uint64_t>(text[i] - '0');
      // Checked on every digit, so id never overflows: kMaxAckId * 10 + 9 fits in 64 bits.
      if (id > kMaxAckId)
        return detail::parse_fail(type_name(p.type) + " ack id is larger than 2^53-1", text);
      ++i;
    }
    if (p.type != PacketType::event && p.type != PacketType::ack && !is_binary(p.type))
      return detail::parse_fail(type_name(p.type) + " cannot carry an ack id", text);
    p.ack_id = id;
  }
  if ((p.type == PacketType::ack || p.type == PacketType::binary_ack) && !p.ack_id)
    return detail::parse_fail(type_name(p.type) + " has no ack id", text);
  p.data.assign(text.substr(i));
  if (validate_data) {
    if (auto ok = check_data(p.type, p.data, text); !ok) return tl::unexpected(std::move(ok.error()));
  }
  return p;
}

// The items of a JSON array, verbatim. The caller has validated `array_json` as an array, so a structural
// walk is enough and keeps each item byte-identical (no minify, no number reformatting).
std::vector<std::string> array_items(std::string_view array_json) {
  std::vector<std::string> items;
  std::size_t pos = detail::skip_json_space(array_json, 0);
  if (pos >= array_json.size() || array_json[pos] != '[') return items;
  pos = detail::skip_json_space(array_json, pos + 1);
  while (pos < array_json.size() && array_json[pos] != ']') {
    const std::size_t end = skip_json_value(array_json, pos);
    if (end == std::string_view::npos || end <= pos) break;  // unreachable for validated JSON
    items.emplace_back(array_json.substr(pos, end - pos));
    pos = detail::skip_json_space(array_json, end);
    if (pos < array_json.size() && array_json[pos] == ',') pos = detail::skip_json_space(array_json, pos + 1);
  }
  return items;
}

// Checks p's type for the typed decoders: `binary_twin` is refused as unsupported, anything else as a
// parse_error.
Status expect_type(const Packet& p, PacketType wanted, std::optional<PacketType> binary_twin) {
  if (p.type == wanted) return {};
  if (binary_twin && p.type == *binary_twin)
    return fail(ErrorCode::unsupported, type_name(p.type) + " with " + std::to_string(p.attachments) +
                                            " binary attachment(s) is not supported: ivk handles JSON-only " +
                                            std::string(to_string(wanted)) + " packets");
  return fail(ErrorCode::parse_error, "expected a " + type_name(wanted) + " packet, got " +
                                          type_name(p.type) + " in \"" + detail::excerpt(encode(p)) + "\"");
}

std::string frame(const Packet& p) { return "4" + encode(p); }

// "[first,rest...]" with each item inserted verbatim; an empty `first` is left out (ACK data has no name).
std::string json_array(std::string_view first, const std::vector<std::string>& rest) {
  std::string out = "[";
  out += first;
  for (const auto& a : rest) {
    if (out.size() > 1) out += ',';
    out += a;
  }
  out += ']';
  return out;
}

}  // namespace

std::string encode(const Packet& p) {
  std::string out;
  out.reserve(p.data.size() + p.nsp.size() + 24);
  out += static_cast<char>('0' + static_cast<int>(p.type));
  if (is_binary(p.type)) {
    out += std::to_string(p.attachments);
    out += '-';
  }
  if (!p.nsp.empty() && p.nsp != "/") {
    out += p.nsp;
    out += ',';
  }
  if (p.ack_id) out += std::to_string(*p.ack_id);
  out += p.data;
  return out;
}

Result<Packet> decode(std::string_view text) { return decode_frame(text, true); }

Result<Packet> decode_message(std::string_view frame_text) {
  if (frame_text.empty() || frame_text.front() != '4')
    return detail::parse_fail("expected an Engine.IO message packet (\"4...\")", frame_text);
  return decode(frame_text.substr(1));
}

Result<Event> decode_event(const Packet& p) {
  if (auto ok = expect_type(p, PacketType::event, PacketType::binary_event); !ok)
    return tl::unexpected(std::move(ok.error()));
  dom::parser parser;
  dom::element doc;
  if (auto err = parser.parse(p.data.data(), p.data.size()).get(doc); err != simdjson::SUCCESS)
    return detail::parse_fail(
        std::string("Socket.IO EVENT data is not valid JSON (") + simdjson::error_message(err) + ")", p.data);
  dom::array items;
  if (doc.get_array().get(items) != simdjson::SUCCESS)
    return detail::parse_fail("Socket.IO EVENT data is not a JSON array", p.data);
  std::string_view name;
  dom::element first;
  if (items.at(0).get(first) != simdjson::SUCCESS)
    return detail::parse_fail("Socket.IO EVENT data is an empty array (no event name)", p.data);
  if (first.get_string().get(name) != simdjson::SUCCESS)
    return detail::parse_fail("Socket.IO EVENT name (first array item) is not a string", p.data);
  Event e;
  e.nsp = p.nsp.empty() ? "/" : p.nsp;
  e.name.assign(name);
  e.ack_id = p.ack_id;
  e.args = array_items(p.data);
  e.args.erase(e.args.begin());  // the name
  return e;
}

Result<Event> decode_event_message(std::string_view frame_text) {
  if (frame_text.empty() || frame_text.front() != '4')
    return detail::parse_fail("expected an Engine.IO message packet (\"4...\")", frame_text);
  auto p = decode_frame(frame_text.substr(1), false);
  if (!p) return tl::unexpected(std::move(p.error()));
  return decode_event(*p);
}

Result<std::vector<std::string>> decode_ack_args(const Packet& p) {
  if (auto ok = expect_type(p, PacketType::ack, PacketType::binary_ack); !ok)
    return tl::unexpected(std::move(ok.error()));
  if (auto ok = check_data(p.type, p.data, p.data); !ok) return tl::unexpected(std::move(ok.error()));
  return array_items(p.data);
}

Result<std::string> parse_connect_reply(const Packet& p) {
  if (auto ok = expect_type(p, PacketType::connect, std::nullopt); !ok)
    return tl::unexpected(std::move(ok.error()));
  dom::parser parser;
  dom::element doc;
  std::string_view sid;
  if (parser.parse(p.data.data(), p.data.size()).get(doc) != simdjson::SUCCESS ||
      doc["sid"].get_string().get(sid) != simdjson::SUCCESS || sid.empty())
    return detail::parse_fail("Socket.IO CONNECT reply has no {\"sid\":\"...\"}", encode(p));
  return std::string(sid);
}

Result<std::string> parse_connect_error(const Packet& p) {
  if (auto ok = expect_type(p, PacketType::connect_error, std::nullopt); !ok)
    return tl::unexpected(std::move(ok.error()));
  dom::parser parser;
  dom::element doc;
  std::string_view message;
  if (parser.parse(p.data.data(), p.data.size()).get(doc) != simdjson::SUCCESS)
    return detail::parse_fail("Socket.IO CONNECT_ERROR data is not valid JSON", encode(p));
  if (doc.get_string().get(message) == simdjson::SUCCESS) return std::string(message);
  if (doc.is_object() && doc["message"].get_string().get(message) == simdjson::SUCCESS)
    return std::string(message);
  return detail::parse_fail("Socket.IO CONNECT_ERROR has no string \"message\"", encode(p));
}

std::string encode_connect(std::string_view nsp, std::string_view auth_json) {
  Packet p;
  p.type = PacketType::connect;
  p.nsp.assign(nsp);
  p.data.assign(auth_json);
  return frame(p);
}

std::string encode_connect_reply(std::string_view sid, std::string_view nsp) {
  Packet p;
  p.type = PacketType::connect;
  p.nsp.assign(nsp);
  p.data = "{\"sid\":" + json_quote(sid) + "}";
  return frame(p);
}

std::string encode_connect_error(std::string_view message, std::string_view nsp) {
  Packet p;
  p.type = PacketType::connect_error;
  p.nsp.assign(nsp);
  p.data = "{\"message\":" + json_quote(message) + "}";
  return frame(p);
}

std::string encode_disconnect(std::string_view nsp) {
  Packet p;
  p.type = PacketType::disconnect;
  p.nsp.assign(nsp);
  return frame(p);
}

std::string encode_event(std::string_view name, const std::vector<std::string>& args_json,
                         std::optional<std::uint64_t> ack_id, std::string_view nsp) {
  Packet p;
  p.type = PacketType::event;
  p.nsp.assign(nsp);
  p.ack_id = ack_id;
  p.data = json_array(json_quote(name), args_json);
  return frame(p);
}

std::string encode_ack(std::uint64_t ack_id, const std::vector<std::string>& args_json,
                       std::string_view nsp) {
  Packet p;
  p.type = PacketType::ack;
  p.nsp.assign(nsp);
  p.ack_id = ack_id;
  p.data = json_array({}, args_json);
  return frame(p);
}

}  // namespace ivk::detail::sio
