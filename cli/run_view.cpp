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

std::string progress_line(const RunCounts& c) {
  std::string line = "[" + std::to_string(c.finished()) + "/" + std::to_string(c.total) + "] " +
                     std::to_string(c.done) + " done";
  if (c.failed > 0) line += ", " + std::to_string(c.failed) + " failed";
  if (c.canceled > 0) line += ", " + std::to_string(c.canceled) + " canceled";
  line += " | " + std::to_string(c.running) + " running, " + std::to_string(c.pending) + " queued, " +
          std::to_string(c.waiting) + " waiting";
  if (c.collecting > 0) line += ", " + std::to_string(c.collecting) + " downloading";
  if (c.current_item) {
    line += " | item " + std::to_string(*c.current_item);
    if (!c.current_node_type.empty()) line += ": " + c.current_node_type;
    if (c.step_fraction)
      line += " " + std::to_string(static_cast<int>(std::lround(*c.step_fraction * 100))) + "%";
  }
  if (c.items_per_second > 0) {
    char rate[32];
    std::snprintf(rate, sizeof rate, " | %.1f items/s", c.items_per_second);
    line += rate;
  }
  if (c.eta_seconds && c.finished() < c.total) line += " | ETA " + format_duration(*c.eta_seconds);
  if (!c.live_events) line += " | polling";
  return line;
}

RunStatusLine::RunStatusLine() : enabled_(::isatty(STDERR_FILENO) == 1) {}

RunStatusLine::~RunStatusLine() { finish(); }

void RunStatusLine::update(const RunCounts& counts) {
  if (!enabled_) return;
  std::string line = progress_line(counts);
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
