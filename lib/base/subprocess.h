// Subprocess: runs a helper program (a credential helper, a storage plugin)
// with pipes to its stdin and stdout; its stderr is ours (a helper's
// diagnostics reach the user as they would from a shell). No shell is
// involved: the program is an absolute path or found on PATH by the caller,
// and its arguments are passed as they are.
//
// Child owns the process: destroying a child that was not waited for closes
// its pipes, sends SIGTERM, and reaps it (never a zombie, never a process
// left behind). Every pipe is close-on-exec, so one child never holds
// another's pipe open. SIGPIPE is ignored process-wide (base/signals.h):
// writing to a child that exited is an error value, not a signal. Not
// thread-safe: one thread drives a child at a time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"

namespace mk::base {

class Child {
 public:
  // argv[0] is the program's name as it sees it; path is what runs.
  static Result<Child> Spawn(const std::string& path, const std::vector<std::string>& argv);

  Child() = default;
  Child(Child&& o) noexcept;
  Child& operator=(Child&& o) noexcept;
  ~Child();

  pid_t pid() const { return pid_; }
  int stdin_fd() const { return in_.get(); }
  int stdout_fd() const { return out_.get(); }
  // Ends the child's input (it sees EOF).
  void CloseStdin() { in_.Reset(); }

  // Writes all of data to the child's stdin.
  Status WriteAll(std::string_view data);
  // Waits for the child to exit: its exit status, or 128 + the signal that
  // killed it (as a shell reports it).
  Result<int> Wait();
  // The caller reaped the process itself (waitpid): nothing left to reap.
  void Forget() { pid_ = -1; }

 private:
  void Reap();

  pid_t pid_ = -1;
  std::string name_;
  UniqueFd in_;
  UniqueFd out_;
};

struct CaptureResult {
  int status = 0;   // as Child::Wait
  std::string out;  // the child's stdout
};

// Runs path with argv, writes input to its stdin and closes it, reads its
// stdout (at most max_output bytes: more is an error, the child is killed)
// and waits, killing it when it takes longer than timeout. For small
// request/response helpers (docker-credential-*).
Result<CaptureResult> RunCapture(const std::string& path, const std::vector<std::string>& argv, std::string_view input,
                                 size_t max_output, std::chrono::milliseconds timeout);

}  // namespace mk::base
