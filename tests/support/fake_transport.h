#pragma once
// An HttpTransport for unit tests: no network, a script of attempts answered in order (a 599 once it
// runs out), every request recorded. The script and the record are shared, so a test keeps a handle
// on them after handing the transport to a ServerSession.
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "ivk/transport/http.h"

namespace ivk::test {

class FakeTransport : public HttpTransport {
 public:
  struct Shared {
    std::mutex mutex;
    std::deque<HttpAttempt> script;
    std::vector<HttpRequest> sent;
  };
  explicit FakeTransport(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
  HttpAttempt send(const HttpRequest& request) override {
    std::lock_guard lock(shared_->mutex);
    shared_->sent.push_back(request);
    if (shared_->script.empty()) return answer(599, "fake transport: nothing scripted");
    HttpAttempt next = std::move(shared_->script.front());
    shared_->script.pop_front();
    return next;
  }

  static HttpAttempt answer(int status, std::string body, std::vector<HttpHeader> headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
  }
  static HttpAttempt fault(TransportFailure kind, ErrorCode code = ErrorCode::transport,
                           std::string message = "fake failure") {
    return tl::unexpected(TransportFault{kind, make_error(code, std::move(message), "GET /x")});
  }

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace ivk::test
