#pragma once
// The python-socketio server of the EventStream tests (socketio_peer.py, the library InvokeAI serves
// its events with), its control routes, and a thread-safe recorder of what handlers saw.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ivk/events/event_stream.h"
#include "ivk/transport/server_url.h"
#include "support/child_process.h"
#include "support/raw_http.h"

namespace ivk::test {

using ivk::ServerEvent;
using ivk::StreamState;

inline constexpr const char* kPython = "/usr/bin/python3";

inline bool python_socketio_available() {
  static const bool available =
      std::system("/usr/bin/python3 -c 'import socketio, aiohttp' >/dev/null 2>&1") ==
      0;  // NOLINT(cert-env33-c)
  return available;
}

template <class Pred>
bool wait_for(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// The python-socketio server and its control routes.
class SocketIoPeer {
 public:
  // With cert and key (PEM files), the peer also serves https/wss on tls_port().
  bool start(const std::string& cert = {}, const std::string& key = {}) {
    std::vector<std::string> argv{kPython, std::string(IVK_SOURCE_DIR) + "/tests/support/socketio_peer.py"};
    if (!cert.empty()) argv.insert(argv.end(), {"--tls", cert, key});
    child_ = ChildProcess::spawn(argv);
    if (!child_) return false;
    auto line = child_->read_line(std::chrono::seconds(20));
    if (!cert.empty()) {
      if (!line || line->rfind("TLSPORT ", 0) != 0) return false;
      tls_port_ = static_cast<std::uint16_t>(std::stoi(line->substr(8)));
      line = child_->read_line(std::chrono::seconds(20));
    }
    if (!line || line->rfind("PORT ", 0) != 0) return false;
    port_ = static_cast<std::uint16_t>(std::stoi(line->substr(5)));
    return true;
  }

  [[nodiscard]] ivk::ServerUrl url() const {
    return *ivk::ServerUrl::parse("http://127.0.0.1:" + std::to_string(port_));
  }
  [[nodiscard]] std::uint16_t tls_port() const { return tls_port_; }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  ChildProcess& process() { return *child_; }

  nlohmann::json state() {
    auto r = raw_http(port_, "GET", "/control/state");
    if (r.status != 200) return nlohmann::json::object();
    return nlohmann::json::parse(r.body, nullptr, false);
  }
  // payload_json is inserted verbatim; python-socketio re-serialises it compactly (same bytes for
  // compact ASCII JSON).
  void emit(const std::string& event, const std::string& payload_json, const std::string& room = "default",
            int count = 1) {
    post("/control/emit", R"({"event":")" + event + R"(","payload":)" + payload_json + R"(,"room":")" + room +
                              R"(","count":)" + std::to_string(count) + "}");
  }
  void disconnect_all(const std::string& level) {
    post("/control/disconnect", R"({"level":")" + level + R"("})");
  }
  void set_reject(bool reject) {
    post("/control/mode", std::string(R"({"reject":)") + (reject ? "true" : "false") + "}");
  }

  int subscribe_count() { return state().value("subscribe_count", 0); }

 private:
  void post(const std::string& target, const std::string& body) {
    auto r = raw_http(port_, "POST", target, body);
    EXPECT_EQ(r.status, 200) << target << ": " << r.error << r.body;
  }

  std::unique_ptr<ChildProcess> child_;
  std::uint16_t port_ = 0;
  std::uint16_t tls_port_ = 0;
};

// Thread-safe record of what the handlers saw.
struct Recorder {
  std::mutex mutex;
  std::vector<ServerEvent> events;
  std::vector<std::pair<StreamState, std::string>> states;  // state, error message ("" without one)

  void on_event(const ServerEvent& e) {
    std::lock_guard lock(mutex);
    events.push_back(e);
  }
  void on_state(StreamState s, const ivk::Error* why) {
    std::lock_guard lock(mutex);
    states.emplace_back(s, why ? why->message : std::string());
  }
  std::size_t count(const std::string& name) {
    std::lock_guard lock(mutex);
    std::size_t n = 0;
    for (const auto& e : events)
      if (e.name == name) ++n;
    return n;
  }
  bool saw_state(StreamState s) {
    std::lock_guard lock(mutex);
    for (const auto& [st, why] : states)
      if (st == s) return true;
    return false;
  }
  std::vector<ServerEvent> snapshot() {
    std::lock_guard lock(mutex);
    return events;
  }
};

}  // namespace ivk::test
