#include "http/backoff.h"

#include <algorithm>

namespace mk::http {

Backoff::Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap, uint64_t seed)
    : base_(std::max(base, std::chrono::milliseconds(0))),
      cap_(std::max(cap, std::chrono::milliseconds(0))),
      rng_(seed) {}

std::chrono::milliseconds Backoff::Ceiling(int retry) const {
  // Doubling stops at the cap, never overflows.
  int64_t ceiling = base_.count();
  for (int i = 0; i < retry && ceiling < cap_.count(); ++i) ceiling *= 2;
  return std::chrono::milliseconds(std::min(ceiling, static_cast<int64_t>(cap_.count())));
}

std::chrono::milliseconds Backoff::Delay(int retry) {
  int64_t ceiling = Ceiling(retry).count();
  std::uniform_int_distribution<int64_t> pick(0, ceiling);
  std::lock_guard<std::mutex> lock(mu_);
  return std::chrono::milliseconds(pick(rng_));
}

}  // namespace mk::http
