#pragma once
// Where the emulator's services send their Socket.IO events: the event name and its JSON payload.
// Emulator::start connects it to the Socket.IO server, which routes each event to its room.
// Private to the emulator.
#include <functional>
#include <string>

namespace ivk::emu {

using EventSink = std::function<void(const std::string& event, const std::string& payload_json)>;

}  // namespace ivk::emu
