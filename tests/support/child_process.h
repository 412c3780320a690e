#pragma once
// A child process for tests that need a real peer (e.g. a python-socketio server): spawned with
// posix_spawn, its stdin and stdout on pipes. Closing stdin asks it to exit (the peers we run watch
// for that); the destructor then waits briefly and kills it if needed, so a failing test never leaves
// a process behind.
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ivk::test {

class ChildProcess {
 public:
  // argv[0] is the program path (no PATH search). nullptr when it cannot be started.
  static std::unique_ptr<ChildProcess> spawn(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next line of the child's stdout (without the newline), or nullopt on EOF or timeout.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);

  // Pauses / resumes the child (SIGSTOP / SIGCONT): a server that stops answering without closing.
  void pause();
  void resume();
  // Closes stdin, waits up to `grace` for the child to exit, then SIGKILLs it. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));

  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  ChildProcess() = default;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string buffered_;
  bool exited_ = false;
};

}  // namespace ivk::test
