// HTTP/1.1 framing for the fault proxy (see http_framing.h). Lenient where leniency cannot lose
// bytes: unknown headers are ignored, and a head the proxy cannot read makes it a plain TCP pipe.
#include "support/http_framing.h"

#include <algorithm>
#include <charconv>

namespace ivk::test {

namespace {

constexpr std::size_t kMaxHead = 64 * 1024;
constexpr std::size_t kMaxChunkLine = 4096;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool ends_with_ignoring_case(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && equals_ignoring_case(s.substr(s.size() - suffix.size()), suffix);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits off the first line (without its CRLF) from `rest`.
std::string_view next_line(std::string_view& rest) {
  const auto end = rest.find("\r\n");
  const std::string_view line = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 2);
  return line;
}

// Reads the header lines after the first line into `head`; false when a length is unreadable.
bool read_headers(std::string_view rest, MessageHead& head) {
  while (!rest.empty()) {
    const std::string_view line = next_line(rest);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (equals_ignoring_case(name, "Content-Length")) {
      std::uint64_t n = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size()) return false;
      head.content_length = n;
    } else if (equals_ignoring_case(name, "Transfer-Encoding")) {
      head.chunked = ends_with_ignoring_case(value, "chunked");
    } else if (equals_ignoring_case(name, "Upgrade")) {
      head.upgrade = true;
    }
  }
  return true;
}

// The head's bytes (blank line included), or a state saying why there is none yet.
HeadParse find_head(std::string_view data, std::string_view& head_text) {
  HeadParse out;
  const auto end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    out.state = data.size() > kMaxHead ? HeadState::malformed : HeadState::incomplete;
    return out;
  }
  out.head.size = end + 4;
  head_text = data.substr(0, end + 2);  // each line keeps its CRLF; the blank line is dropped
  out.state = HeadState::complete;
  return out;
}

}  // namespace

std::string MessageHead::path() const { return target.substr(0, target.find('?')); }

HeadParse parse_request_head(std::string_view data) {
  std::string_view rest;
  HeadParse out = find_head(data, rest);
  if (out.state != HeadState::complete) return out;
  // "METHOD SP target SP HTTP/x.y"
  const std::string_view line = next_line(rest);
  const auto sp1 = line.find(' ');
  const auto sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1 || !line.substr(sp2 + 1).starts_with("HTTP/") ||
      !read_headers(rest, out.head)) {
    out.state = HeadState::malformed;
    return out;
  }
  out.head.method = std::string(line.substr(0, sp1));
  out.head.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  return out;
}

HeadParse parse_response_head(std::string_view data) {
  std::string_view rest;
  HeadParse out = find_head(data, rest);
  if (out.state != HeadState::complete) return out;
  // "HTTP/x.y SP 3DIGIT SP reason"
  const std::string_view line = next_line(rest);
  int status = 0;
  const bool ok = line.starts_with("HTTP/") && line.size() >= 12 && line[8] == ' ' &&
                  std::from_chars(line.data() + 9, line.data() + 12, status).ptr == line.data() + 12;
  if (!ok || !read_headers(rest, out.head)) {
    out.state = HeadState::malformed;
    return out;
  }
  out.head.status = status;
  return out;
}

BodyFramer::BodyFramer(Kind kind, std::uint64_t length) : kind_(kind), remaining_(length) {
  done_ = kind == Kind::none || (kind == Kind::fixed && length == 0);
}

BodyFramer BodyFramer::for_request(const MessageHead& head) {
  if (head.chunked) return BodyFramer(Kind::chunked);
  if (head.content_length) return BodyFramer(Kind::fixed, *head.content_length);
  return BodyFramer(Kind::none);  // a request without a length has no body (RFC 9112 §6.3)
}

BodyFramer BodyFramer::for_response(const MessageHead& head, bool answers_head_request) {
  if (answers_head_request || head.status < 200 || head.status == 204 || head.status == 304)
    return BodyFramer(Kind::none);
  if (head.chunked) return BodyFramer(Kind::chunked);
  if (head.content_length) return BodyFramer(Kind::fixed, *head.content_length);
  return BodyFramer(Kind::until_close);
}

std::size_t BodyFramer::consume(std::string_view data) {
  if (done_ || malformed_) return 0;
  switch (kind_) {
    case Kind::none: return 0;
    case Kind::until_close: return data.size();
    case Kind::fixed: {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, data.size()));
      remaining_ -= n;
      done_ = remaining_ == 0;
      return n;
    }
    case Kind::chunked: break;
  }
  // chunk = size [; ext] CRLF data CRLF; last-chunk = "0" CRLF; then trailer lines and a blank line.
  std::size_t used = 0;
  while (used < data.size() && !done_) {
    const std::string_view rest = data.substr(used);
    switch (chunk_state_) {
      case ChunkState::size_line: {
        const auto eol = rest.find("\r\n");
        if (eol == std::string_view::npos) {
          malformed_ = rest.size() > kMaxChunkLine;
          return used;
        }
        const std::string_view digits = trim(rest.substr(0, std::min(eol, rest.find(';'))));
        std::uint64_t size = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
          malformed_ = true;
          return used;
        }
        used += eol + 2;
        remaining_ = size;
        chunk_state_ = size == 0 ? ChunkState::trailers : ChunkState::data;
        break;
      }
      case ChunkState::data: {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, rest.size()));
        used += n;
        remaining_ -= n;
        if (remaining_ == 0) {
          chunk_state_ = ChunkState::data_end;
          remaining_ = 2;  // the CRLF after the chunk's data
        }
        break;
      }
      case ChunkState::data_end: {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, rest.size()));
        used += n;
        remaining_ -= n;
        if (remaining_ == 0) chunk_state_ = ChunkState::size_line;
        break;
      }
      case ChunkState::trailers: {
        const auto eol = rest.find("\r\n");
        if (eol == std::string_view::npos) {
          malformed_ = rest.size() > kMaxChunkLine;
          return used;
        }
        used += eol + 2;
        done_ = eol == 0;  // the blank line ends the message
        break;
      }
    }
  }
  return used;
}

}  // namespace ivk::test
