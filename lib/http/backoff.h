// Backoff: capped exponential backoff with full jitter (the delay before
// retry k is uniform in [0, min(cap, base * 2^k)]), so that workers that
// failed together do not retry together. The random source is seeded by the
// caller: tests pass a fixed seed and get the same delays every run.
// Thread-safe (one Backoff serves every worker of a Client).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>

namespace mk::http {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap, uint64_t seed);

  // The upper bound for retry k (0 for the first retry): min(cap, base * 2^k).
  std::chrono::milliseconds Ceiling(int retry) const;
  // A delay for retry k, uniform in [0, Ceiling(k)].
  std::chrono::milliseconds Delay(int retry);

 private:
  const std::chrono::milliseconds base_, cap_;
  std::mutex mu_;
  std::mt19937_64 rng_;
};

}  // namespace mk::http
