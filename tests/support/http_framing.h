#pragma once
// Incremental HTTP/1.1 framing for the fault proxy (tcp_proxy.h): where a message head ends, the
// few things it says that matter to a proxy (method and target, status, how the body is delimited),
// and where a body ends in a byte stream that arrives in pieces. Nothing is rewritten: the proxy
// forwards the bytes exactly as they came, so chunked answers pass through intact.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ivk::test {

struct MessageHead {
  std::size_t size = 0;  // bytes of the head, up to and including the blank line
  std::string method;    // requests: "POST"
  std::string target;    // requests: "/api/v1/queue/default/enqueue_batch?x=1"
  int status = 0;        // responses: 200
  std::optional<std::uint64_t> content_length;
  bool chunked = false;  // Transfer-Encoding ends in "chunked"
  bool upgrade = false;  // an Upgrade header (a WebSocket handshake)

  // The target without its query: "/api/v1/queue/default/enqueue_batch".
  [[nodiscard]] std::string path() const;
};

enum class HeadState { incomplete, complete, malformed };

struct HeadParse {
  HeadState state = HeadState::incomplete;
  MessageHead head;
};

// The head at the start of `data`. Incomplete until the blank line has arrived; malformed when the
// first line is not a request (or status) line, or the head grows past 64 KiB without ending.
HeadParse parse_request_head(std::string_view data);
HeadParse parse_response_head(std::string_view data);

// Where one message body ends. Feed it the bytes that follow the head, in pieces as they arrive:
// consume() says how many leading bytes belong to the body; the rest belong to the next message.
class BodyFramer {
 public:
  enum class Kind { none, fixed, chunked, until_close };

  static BodyFramer for_request(const MessageHead& head);
  // A response to HEAD, a 1xx, 204 or 304 has no body whatever its headers say (RFC 9112 §6.3).
  static BodyFramer for_response(const MessageHead& head, bool answers_head_request);

  // Leading bytes of `data` that belong to the body. A chunk-size line or trailer split across
  // pieces is left unconsumed until it is complete, so callers keep the rest and call again.
  std::size_t consume(std::string_view data);
  [[nodiscard]] bool done() const noexcept { return done_; }
  [[nodiscard]] bool malformed() const noexcept { return malformed_; }
  [[nodiscard]] Kind kind() const noexcept { return kind_; }

 private:
  enum class ChunkState { size_line, data, data_end, trailers };
  explicit BodyFramer(Kind kind, std::uint64_t length = 0);

  Kind kind_;
  std::uint64_t remaining_ = 0;  // fixed: body bytes left; chunked: bytes left of this chunk (or its CRLF)
  ChunkState chunk_state_ = ChunkState::size_line;
  bool done_ = false;
  bool malformed_ = false;
};

}  // namespace ivk::test
