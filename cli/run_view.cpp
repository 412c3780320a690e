#include "run_view.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace ivk::cli {

std::string format_duration(double seconds) {
  if (!(seconds >= 0)) return "?";
  const long s = std::lround(seconds);
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%lds", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  return buf;
}

std::string progress_line(const RunProgress& p) {
  char head[64];
  std::snprintf(head, sizeof head, "[%zu/%zu] ", p.finished(), p.total);
  std::string line = head;
  line += std::to_string(p.completed) + " ok";
  if (p.failed > 0) line += ", " + std::to_string(p.failed) + " failed";
  if (p.canceled > 0) line += ", " + std::to_string(p.canceled) + " canceled";
  if (p.current_item) {
    line += " | item " + std::to_string(*p.current_item);
    if (!p.current_node_type.empty()) line += ": " + p.current_node_type;
    if (p.step_fraction)
      line += " " + std::to_string(static_cast<int>(std::lround(*p.step_fraction * 100))) + "%";
  }
  if (p.eta_seconds && p.finished() < p.total) line += " | ETA " + format_duration(*p.eta_seconds);
  if (!p.live_events) line += " | polling";
  return line;
}

RunStatusLine::RunStatusLine() : enabled_(::isatty(STDERR_FILENO) == 1) {}

RunStatusLine::~RunStatusLine() { finish(); }

void RunStatusLine::update(const RunProgress& progress) {
  if (!enabled_) return;
  std::string line = progress_line(progress);
  if (line == last_) return;
  last_ = line;
  std::cerr << "\r\033[K" << line << std::flush;
  drawn_ = true;
}

void RunStatusLine::note(const std::string& line) {
  if (drawn_) std::cerr << "\r\033[K";
  std::cerr << line << '\n';
  if (drawn_) std::cerr << last_ << std::flush;
}

void RunStatusLine::finish() {
  if (drawn_) std::cerr << '\n';
  drawn_ = false;
}

}  // namespace ivk::cli
