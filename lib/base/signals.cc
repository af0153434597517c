#include "base/signals.h"

#include <csignal>

#include <atomic>

namespace mk {
namespace {
std::atomic<bool> g_interrupted{false};

extern "C" void OnSignal(int) { g_interrupted.store(true); }
}  // namespace

void InstallSignalHandlers() {
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

bool Interrupted() { return g_interrupted.load(std::memory_order_relaxed); }
void SetInterrupted() { g_interrupted.store(true); }

}  // namespace mk
