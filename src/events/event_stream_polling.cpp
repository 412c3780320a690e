// Engine.IO over HTTP long-polling (the fallback when a proxy refuses the WebSocket upgrade): a GET
// that the server holds open until it has packets (at the latest the next ping), and a POST per batch
// of packets we send. Two libcurl transports: the GETs' one is cancelled by the stop flag, so close()
// does not wait for a long poll to end; the POSTs' one is not, so a final disconnect still goes out.
#include <string>
#include <utility>

#include "events/event_stream_transport.h"
#include "ivk/transport/http.h"

namespace ivk::detail {

std::string polling_url(const ServerUrl& url) {
  return url.origin() + url.socket_path() + "/?EIO=4&transport=polling";
}

namespace {

class PollingTransport final : public EngineTransport {
 public:
  explicit PollingTransport(TransportConfig config)
      : config_(std::move(config)), base_(polling_url(config_.url)) {
    TransportOptions get_options;
    get_options.verify_tls = config_.verify_tls;
    get_options.request_timeout = std::chrono::milliseconds(0);  // every request sets its own
    get_options.stall_timeout = std::chrono::milliseconds(0);    // a long poll is silent by design
    const std::atomic<bool>* stop = config_.stop;
    get_options.cancelled = [stop] { return stop->load(); };
    get_ = make_curl_transport(get_options);
    TransportOptions post_options = get_options;
    post_options.cancelled = nullptr;
    post_ = make_curl_transport(post_options);
  }

  Result<eio::OpenHandshake> open(Clock::time_point deadline) override {
    auto answer = exchange(*get_, "GET", base_, {}, deadline);
    if (!answer) return tl::unexpected(answer.error());
    auto packets = eio::decode_payload(answer->body);
    if (!packets || packets->empty())
      return fail_here(ErrorCode::transport, "the polling handshake did not return Engine.IO packets");
    const eio::Packet& head = packets->front();
    auto handshake = open_handshake_from(head);
    if (!handshake) return fail_here(ErrorCode::transport, handshake.error().message);
    for (std::size_t i = 1; i < packets->size(); ++i) pending_.push_back(std::move((*packets)[i]));
    session_url_ = base_ + "&sid=" + url_encode_query_value(handshake->sid);
    return handshake;
  }

  Result<std::vector<eio::Packet>> receive(Clock::time_point deadline) override {
    if (!pending_.empty()) return std::exchange(pending_, {});
    if (session_url_.empty()) return fail_here(ErrorCode::transport, "the polling session is not open");
    if (config_.stop->load()) return std::vector<eio::Packet>{};
    auto answer = exchange(*get_, "GET", session_url_, {}, deadline);
    if (!answer) {
      // A poll that ran out of time or was cancelled by close() is not a lost session.
      if (answer.error().code == ErrorCode::timeout || answer.error().code == ErrorCode::cancelled)
        return std::vector<eio::Packet>{};
      return tl::unexpected(answer.error());
    }
    auto packets = eio::decode_payload(answer->body);
    if (!packets) return fail_here(ErrorCode::transport, "bad polling payload: " + packets.error().message);
    return std::move(*packets);
  }

  Status send(const std::vector<std::string>& packets, Clock::time_point deadline) override {
    if (session_url_.empty()) return fail_here(ErrorCode::transport, "the polling session is not open");
    if (packets.empty()) return {};
    std::string body;
    for (const auto& p : packets) {
      if (!body.empty()) body += eio::kRecordSeparator;
      body += p;
    }
    auto answer = exchange(*post_, "POST", session_url_, std::move(body), deadline);
    if (!answer) return tl::unexpected(answer.error());
    return {};
  }

  void shutdown(Clock::time_point deadline) override {
    if (!session_url_.empty()) (void)send({std::string(eio::kClose)}, deadline);
    session_url_.clear();
  }

  void wake() override {}  // the GET transport polls the stop flag itself

  [[nodiscard]] EventTransport kind() const override { return EventTransport::polling; }
  [[nodiscard]] std::string where() const override { return base_; }

 private:
  tl::unexpected<Error> fail_here(ErrorCode code, std::string message) const {
    return tl::unexpected(make_error(code, std::move(message), where()));
  }

  // One request; a non-2xx answer becomes auth (401/403) or http, naming the socket URL.
  Result<HttpResponse> exchange(HttpTransport& transport, const char* method, const std::string& url,
                                std::string body, Clock::time_point deadline) {
    HttpRequest request;
    request.method = method;
    request.url = url;
    request.body = std::move(body);
    request.timeout = remaining(deadline);
    if (request.method == "POST") request.headers.push_back({"Content-Type", "text/plain;charset=UTF-8"});
    if (config_.token) request.headers.push_back({"Authorization", "Bearer " + *config_.token});
    auto attempt = transport.send(request);
    if (!attempt) {
      Error e = attempt.error().error;
      e.where = where();
      return tl::unexpected(e);
    }
    const int status = attempt->status;
    if (status >= 200 && status < 300) return std::move(*attempt);
    ErrorCode code = (status == 401 || status == 403) ? ErrorCode::auth : ErrorCode::http;
    auto e =
        make_error(code,
                   "the server answered the Engine.IO polling request with HTTP " + std::to_string(status) +
                       (session_url_.empty() ? std::string() : " (the session has ended)"),
                   where());
    e.http_status = status;
    e.detail = attempt->body.substr(0, 200);
    return tl::unexpected(e);
  }

  TransportConfig config_;
  std::string base_;
  std::string session_url_;  // base_ + "&sid=..." once open
  std::vector<eio::Packet> pending_;
  std::unique_ptr<HttpTransport> get_;
  std::unique_ptr<HttpTransport> post_;
};

}  // namespace

std::unique_ptr<EngineTransport> make_polling_transport(TransportConfig config) {
  return std::make_unique<PollingTransport>(std::move(config));
}

}  // namespace ivk::detail
