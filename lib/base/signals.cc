#include "base/signals.h"

#include <atomic>
#include <csignal>

namespace mk {
namespace {
std::atomic<bool> g_interrupted{false};
std::atomic<InterruptProbe> g_probe{nullptr};

extern "C" void OnSignal(int) { g_interrupted.store(true); }
}  // namespace

void InstallSignalHandlers() {
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  // Past a file-size limit (ulimit -f) the default action kills the process
  // with a core and no word of which file; ignored, write() fails with EFBIG
  // and the writer's error names the path like any other write error.
  std::signal(SIGXFSZ, SIG_IGN);
}

bool Interrupted() {
  if (InterruptProbe probe = g_probe.load(std::memory_order_relaxed); probe && probe()) g_interrupted.store(true);
  return g_interrupted.load(std::memory_order_relaxed);
}
void SetInterrupted() { g_interrupted.store(true); }

void SetInterruptProbeForTest(InterruptProbe probe) { g_probe.store(probe); }
void ResetInterruptedForTest() {
  g_probe.store(nullptr);
  g_interrupted.store(false);
}

}  // namespace mk
