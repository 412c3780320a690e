#pragma once
// How `ivk run` shows a batch: a status line redrawn in place on a terminal (items done/total, the
// current node, its step percentage, the ETA), or one JSON object per line with --json.
#include <string>

#include "ivk/batch_run.h"

namespace ivk::cli {

// "[ 12/100] 11 ok, 1 failed | item 45: denoise_latents 40% | ETA 1m20s"
std::string progress_line(const RunProgress& progress);

// "1m20s", "45s", "2h03m"
std::string format_duration(double seconds);

class RunStatusLine {
 public:
  RunStatusLine();  // enabled only when stderr is a terminal
  ~RunStatusLine();
  RunStatusLine(const RunStatusLine&) = delete;
  RunStatusLine& operator=(const RunStatusLine&) = delete;
  void update(const RunProgress& progress);
  // Prints a whole line above the status line (a finished item, a warning).
  void note(const std::string& line);
  void finish();

 private:
  bool enabled_;
  bool drawn_ = false;
  std::string last_;
};

}  // namespace ivk::cli
