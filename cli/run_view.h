#pragma once
// How `ivk run` shows a run: a status line redrawn in place on a terminal (items done / running /
// queued / waiting / failed, the current node and its step, items per second and the ETA).
#include <string>

#include "ivk/client/run.h"

namespace ivk::cli {

// "[12/100] 11 done, 1 failed | 2 running, 30 queued, 56 waiting | item 45: denoise_latents 40% |
// 3.1 items/s | ETA 1m20s"
std::string progress_line(const RunCounts& counts);

// "1m20s", "45s", "2h03m"
std::string format_duration(double seconds);

class RunStatusLine {
 public:
  RunStatusLine();  // enabled only when stderr is a terminal
  ~RunStatusLine();
  RunStatusLine(const RunStatusLine&) = delete;
  RunStatusLine& operator=(const RunStatusLine&) = delete;
  void update(const RunCounts& counts);
  // Prints a whole line above the status line (a finished item, a warning).
  void note(const std::string& line);
  void finish();

 private:
  bool enabled_;
  bool drawn_ = false;
  std::string last_;
};

}  // namespace ivk::cli
