#include "base/subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>

extern char** environ;

namespace mk::base {
namespace {

Status Errno(const std::string& what) { return IoError(what + ": " + strerror(errno)); }

int DecodeWaitStatus(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return 255;
}

}  // namespace

Result<Child> Child::Spawn(const std::string& path, const std::vector<std::string>& argv) {
  int in_pipe[2], out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0) return Errno("pipe");
  UniqueFd in_r(in_pipe[0]), in_w(in_pipe[1]);
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Errno("pipe");
  UniqueFd out_r(out_pipe[0]), out_w(out_pipe[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // dup2 clears close-on-exec on the copies the child keeps as 0 and 1.
  posix_spawn_file_actions_adddup2(&actions, in_r.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, out_w.get(), 1);
  // The child starts with default signal dispositions (we ignore SIGPIPE;
  // a helper writing to a closed pipe should die as it would in a shell).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, path.c_str(), &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return IoError("cannot run " + path + ": " + strerror(rc));

  Child child;
  child.pid_ = pid;
  child.name_ = path;
  child.in_ = std::move(in_w);
  child.out_ = std::move(out_r);
  return child;
}

Child::Child(Child&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), name_(std::move(o.name_)), in_(std::move(o.in_)), out_(std::move(o.out_)) {}

Child& Child::operator=(Child&& o) noexcept {
  if (this != &o) {
    Reap();
    pid_ = std::exchange(o.pid_, -1);
    name_ = std::move(o.name_);
    in_ = std::move(o.in_);
    out_ = std::move(o.out_);
  }
  return *this;
}

Child::~Child() { Reap(); }

void Child::Reap() {
  in_.Reset();
  out_.Reset();
  if (pid_ <= 0) return;
  int st;
  if (waitpid(pid_, &st, WNOHANG) == 0) {
    // SIGTERM, two seconds to go, then SIGKILL: a helper that ignores the
    // first never keeps us waiting.
    kill(pid_, SIGTERM);
    bool gone = false;
    for (int i = 0; i < 200 && !gone; ++i) {
      gone = waitpid(pid_, &st, WNOHANG) != 0;
      if (!gone) usleep(10000);
    }
    if (!gone) {
      kill(pid_, SIGKILL);
      while (waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
      }
    }
  }
  pid_ = -1;
}

Status Child::WriteAll(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(in_.get(), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("writing to " + name_);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Result<int> Child::Wait() {
  in_.Reset();
  if (pid_ <= 0) return Internal("no child to wait for");
  int st = 0;
  while (waitpid(pid_, &st, 0) < 0) {
    if (errno != EINTR) return Errno("waiting for " + name_);
  }
  pid_ = -1;
  out_.Reset();
  return DecodeWaitStatus(st);
}

Result<CaptureResult> RunCapture(const std::string& path, const std::vector<std::string>& argv, std::string_view input,
                                 size_t max_output, std::chrono::milliseconds timeout) {
  MK_ASSIGN_OR_RETURN(Child child, Child::Spawn(path, argv));
  // Small inputs only (a server URL): the pipe buffer holds them, so the
  // write cannot block on a child that does not read before it writes.
  Status written = child.WriteAll(input);
  child.CloseStdin();
  (void)written;  // a child that exits without reading its input is judged by its status

  CaptureResult result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return Unavailable(path + " did not finish within " + std::to_string(timeout.count() / 1000) + " s");
    }
    pollfd p{child.stdout_fd(), POLLIN, 0};
    int rc = poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0) {
      if (errno == EINTR) continue;
      return Errno("waiting for " + path);
    }
    if (rc == 0) continue;  // the deadline check above ends it
    ssize_t n = ::read(child.stdout_fd(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("reading from " + path);
    }
    if (n == 0) break;
    if (result.out.size() + static_cast<size_t>(n) > max_output) {
      return InvalidArgument(path + " wrote more than " + std::to_string(max_output) + " bytes");
    }
    result.out.append(buf, static_cast<size_t>(n));
  }
  // Output ended; the child should be exiting. Bounded by the same deadline.
  for (;;) {
    int st = 0;
    pid_t r = waitpid(child.pid(), &st, WNOHANG);
    if (r == child.pid()) {
      child.Forget();
      result.status = DecodeWaitStatus(st);
      return result;
    }
    if (r < 0 && errno != EINTR) return Errno("waiting for " + path);
    if (std::chrono::steady_clock::now() >= deadline) {
      return Unavailable(path + " did not finish within " + std::to_string(timeout.count() / 1000) + " s");
    }
    usleep(2000);
  }
}

}  // namespace mk::base
