// RetryPolicy: when a transient failure is tried again, and how long to wait
// first — one object per run, owned by the Client, shared by every worker.
//
// It holds what must be global to be honest: the retry budget (retries
// across the whole run; once spent, a transient failure is final), the
// deadline (after it no attempt starts and transfers in flight are cut),
// and, per origin (scheme://host:port), a "not before" time: when a server
// answers 429/503 with Retry-After, every worker's next request to that
// origin waits until then, not only the one that was told. Delays are capped
// exponential backoff with full jitter (backoff.h); a Retry-After is
// honoured up to max_retry_after, and a server asking for more ends the
// request with a message saying how long it asked for.
//
// The same policy serves retries above HTTP (a blob copy started over after
// a 503 on its upload): callers ask AfterFailure and sleep with Sleep.
//
// Thread-safe. The clock (the seam tests use to run hours in microseconds)
// must outlive the policy.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "base/status.h"
#include "http/backoff.h"

namespace mk::http {

class RetryClock {
 public:
  virtual ~RetryClock() = default;
  virtual std::chrono::steady_clock::time_point Now() = 0;
  virtual void SleepFor(std::chrono::milliseconds d) = 0;
  // steady_clock and this_thread::sleep_for.
  static RetryClock& Real();
};

struct RetryOptions {
  int retries = 4;   // attempts beyond the first, per request (or per blob copy)
  int budget = 200;  // retries in the whole run, across all workers
  // How long the run may take, from the policy's construction; none: no limit.
  std::optional<std::chrono::milliseconds> deadline;
  std::chrono::milliseconds base{200};               // backoff ceiling of the first retry
  std::chrono::milliseconds cap{30000};              // backoff ceiling never grows past this
  std::chrono::milliseconds max_retry_after{60000};  // a longer Retry-After ends the request
  uint64_t seed = 0;                                 // 0: from std::random_device
};

class RetryPolicy {
 public:
  explicit RetryPolicy(RetryOptions options, RetryClock& clock = RetryClock::Real());
  RetryPolicy(const RetryPolicy&) = delete;
  RetryPolicy& operator=(const RetryPolicy&) = delete;

  const RetryOptions& options() const { return options_; }

  struct Decision {
    bool retry = false;
    std::chrono::milliseconds delay{0};  // to wait before the next attempt
    std::string reason;                  // why not, for the error: "retry budget of 200 spent"
  };
  // After a transient failure of a request to origin that has been retried
  // retries_done times already: whether to try again and after how long.
  // Takes one retry from the budget when the answer is yes. A Retry-After
  // the server sent is honoured (the delay is at least that, never less than
  // the backoff) and also holds back every other request to that origin.
  // max_retries < 0: options().retries.
  Decision AfterFailure(const std::string& origin, int retries_done,
                        std::optional<std::chrono::milliseconds> retry_after = std::nullopt, int max_retries = -1);

  // Before an attempt to origin: waits until the origin's "not before" time.
  // kUnavailable "deadline exceeded" once the deadline is past (or would be
  // by then); kCancelled when interrupted. what names the request.
  Status BeforeAttempt(const std::string& origin, const std::string& what);
  // Whether any origin has asked for a wait yet: until one has, an attempt
  // needs no origin (callers skip working it out on every request).
  bool AnyWaits() const { return any_waits_.load(std::memory_order_acquire); }

  // Sleeps for d in short slices, ending early on an interrupt (kCancelled)
  // or at the deadline (kUnavailable "deadline exceeded").
  Status Sleep(std::chrono::milliseconds d, const std::string& what);

  bool DeadlinePassed();
  // Time until the deadline (0 when past); nullopt without a deadline.
  std::optional<std::chrono::milliseconds> TimeLeft();
  // "deadline exceeded (--deadline 90s)", the same words everywhere.
  std::string DeadlineMessage() const;

  int retries_used() const { return used_.load(); }

  // Whether an error already carries a reason retrying stopped (the notes
  // the Client appends: attempts, budget, deadline, a long Retry-After), so
  // that a retry one level up does not multiply the attempts below it.
  static bool GaveUp(const Status& s);

 private:
  RetryOptions options_;
  RetryClock& clock_;
  Backoff backoff_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::atomic<int> used_{0};
  std::mutex mu_;
  std::map<std::string, std::chrono::steady_clock::time_point> not_before_;
  std::atomic<bool> any_waits_{false};
};

// "90s", "30m", "2h", "1h30m", "500ms" (a bare number is seconds) as
// milliseconds; kInvalidArgument for anything else, zero, or more than 30 days.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
// Milliseconds as "2s", "1m30s", "250ms", for messages.
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace mk::http
