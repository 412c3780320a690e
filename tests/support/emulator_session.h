#pragma once
// An in-process emulator on a free port and a ServerSession talking to it: the start of most
// component tests of the client APIs.
#include <gtest/gtest.h>

#include <memory>
#include <utility>

#include "ivk/emulator.h"
#include "ivk/transport/server_session.h"

namespace ivk::test {

struct EmulatorSession {
  std::unique_ptr<Emulator> emulator;
  std::unique_ptr<ServerSession> session;  // null when the emulator did not start (the test has failed)
};

inline EmulatorSession start_emulator_session(EmulatorOptions options = {}) {
  EmulatorSession out;
  auto emulator = Emulator::start(std::move(options));
  if (!emulator) {
    ADD_FAILURE() << "the emulator did not start: " << emulator.error().describe();
    return out;
  }
  out.emulator = std::move(*emulator);
  auto url = ServerUrl::parse(out.emulator->url());
  if (!url) {
    ADD_FAILURE() << url.error().describe();
    return out;
  }
  ServerConfig config;
  config.url = *url;
  out.session = std::make_unique<ServerSession>(config);
  return out;
}

}  // namespace ivk::test
