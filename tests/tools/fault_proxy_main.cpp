// ivk-fault-proxy: the test suite's fault-injecting loopback proxy (support/tcp_proxy.h) as a
// program, for tests that drive ivk as a separate process. Faults are switched by text commands on a
// loopback control port (support/fault_proxy_control.h). It stops by itself after --max-seconds so a
// test that dies never leaves it behind.
//
//   ivk-fault-proxy --upstream PORT [--port P] [--port-file F] [--control-port P]
//                   [--control-port-file F] [--max-seconds N]
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "support/fault_proxy_control.h"
#include "support/tcp_proxy.h"

namespace {

constexpr std::string_view kUsage =
    "usage: ivk-fault-proxy --upstream PORT [--port P] [--port-file F] [--control-port P]\n"
    "                       [--control-port-file F] [--max-seconds N]\n"
    "Forwards 127.0.0.1:P (0 or absent: a free port) to 127.0.0.1:PORT, injecting the faults asked for\n"
    "on the control port, one command a line (cut, stall on|off, drop-response METHOD PATH_PART [COUNT],\n"
    "trickle BYTES_PER_SECOND, fail-gets PROBABILITY SEED, upstream PORT, clear, stats, shutdown).\n"
    "The port files receive the port numbers once listening. Stops after N seconds (default 600).\n";

struct Options {
  std::uint16_t upstream = 0;
  std::uint16_t port = 0;
  std::uint16_t control_port = 0;
  std::string port_file;
  std::string control_port_file;
  long max_seconds = 600;
};

template <class Number>
bool parse_number(std::string_view text, Number& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::optional<Options> parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (i + 1 >= argc) {
      std::cerr << "ivk-fault-proxy: " << flag << " needs a value\n" << kUsage;
      return std::nullopt;
    }
    const std::string_view value = argv[++i];
    bool ok = true;
    if (flag == "--upstream")
      ok = parse_number(value, o.upstream) && o.upstream != 0;
    else if (flag == "--port")
      ok = parse_number(value, o.port);
    else if (flag == "--control-port")
      ok = parse_number(value, o.control_port);
    else if (flag == "--port-file")
      o.port_file = std::string(value);
    else if (flag == "--control-port-file")
      o.control_port_file = std::string(value);
    else if (flag == "--max-seconds")
      ok = parse_number(value, o.max_seconds) && o.max_seconds > 0;
    else {
      std::cerr << "ivk-fault-proxy: unknown option " << flag << "\n" << kUsage;
      return std::nullopt;
    }
    if (!ok) {
      std::cerr << "ivk-fault-proxy: " << flag << " " << value << " is not a valid value\n";
      return std::nullopt;
    }
  }
  if (o.upstream == 0) {
    std::cerr << "ivk-fault-proxy: --upstream PORT is required\n" << kUsage;
    return std::nullopt;
  }
  return o;
}

// Written whole under a temporary name, then renamed: a test polling for the file never reads half.
bool write_port_file(const std::string& path, std::uint16_t port) {
  if (path.empty()) return true;
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << "\n";
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  return !ec;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse_options(argc, argv);
  if (!options) return 2;
  try {
    ivk::test::TcpProxy proxy(options->upstream, options->port);
    ivk::test::ProxyControlServer control(proxy, options->control_port);
    if (!write_port_file(options->port_file, proxy.port()) ||
        !write_port_file(options->control_port_file, control.port())) {
      std::cerr << "ivk-fault-proxy: cannot write the port files\n";
      return 1;
    }
    std::cout << "ivk-fault-proxy: 127.0.0.1:" << proxy.port() << " -> 127.0.0.1:" << options->upstream
              << ", control on 127.0.0.1:" << control.port() << std::endl;
    control.wait_for_shutdown(std::chrono::seconds(options->max_seconds));
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "ivk-fault-proxy: " << e.what() << "\n";
    return 1;
  }
}
