#include "http/retry_policy.h"

#include <algorithm>
#include <random>
#include <thread>

#include "base/signals.h"

namespace mk::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class RealClock : public RetryClock {
 public:
  steady_clock::time_point Now() override { return steady_clock::now(); }
  void SleepFor(milliseconds d) override { std::this_thread::sleep_for(d); }
};

uint64_t SeedOf(uint64_t seed) {
  if (seed != 0) return seed;
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

// Rounded up, so that "asked to wait 61 s" never reads "60 s".
int64_t Seconds(milliseconds d) { return (d.count() + 999) / 1000; }

}  // namespace

RetryClock& RetryClock::Real() {
  static RealClock clock;
  return clock;
}

RetryPolicy::RetryPolicy(RetryOptions options, RetryClock& clock)
    : options_(std::move(options)), clock_(clock), backoff_(options_.base, options_.cap, SeedOf(options_.seed)) {
  if (options_.deadline) deadline_ = clock_.Now() + *options_.deadline;
}

bool RetryPolicy::DeadlinePassed() { return deadline_ && clock_.Now() >= *deadline_; }

std::optional<milliseconds> RetryPolicy::TimeLeft() {
  if (!deadline_) return std::nullopt;
  auto left = std::chrono::duration_cast<milliseconds>(*deadline_ - clock_.Now());
  return std::max(left, milliseconds(0));
}

std::string RetryPolicy::DeadlineMessage() const {
  return "deadline exceeded (--deadline " + FormatDuration(options_.deadline.value_or(milliseconds(0))) + ")";
}

RetryPolicy::Decision RetryPolicy::AfterFailure(const std::string& origin, int retries_done,
                                                std::optional<milliseconds> retry_after, int max_retries) {
  Decision d;
  if (max_retries < 0) max_retries = options_.retries;
  if (DeadlinePassed()) {
    d.reason = DeadlineMessage();
    return d;
  }
  if (retries_done >= max_retries) {
    d.reason = "gave up after " + std::to_string(retries_done + 1) + " attempt" + (retries_done == 0 ? "" : "s");
    return d;
  }
  if (retry_after && *retry_after > options_.max_retry_after) {
    d.reason = "the server asked to wait " + std::to_string(Seconds(*retry_after)) + " s, more than the " +
               std::to_string(Seconds(options_.max_retry_after)) + " s we wait";
    return d;
  }
  // A Retry-After is the earliest the server wants us back, not a promise
  // it is ready then: "0", or a date already past, still gets the backoff.
  d.delay = backoff_.Delay(retries_done);
  if (retry_after) d.delay = std::max(d.delay, *retry_after);
  if (auto left = TimeLeft(); left && d.delay >= *left) {
    d.reason = DeadlineMessage() + " before the next attempt could start";
    return d;
  }
  // The budget is taken last: only a retry that will happen spends it.
  int used = used_.load();
  do {
    if (used >= options_.budget) {
      d.reason = "retry budget of " + std::to_string(options_.budget) + " spent";
      return d;
    }
  } while (!used_.compare_exchange_weak(used, used + 1));
  if (retry_after) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& nb = not_before_[origin];
    nb = std::max(nb, clock_.Now() + *retry_after);
    any_waits_.store(true, std::memory_order_release);
  }
  d.retry = true;
  return d;
}

bool RetryPolicy::GaveUp(const Status& s) {
  const std::string& m = s.message();
  for (const char* note : {"(gave up after ", "(retry budget of ", "deadline exceeded", "(the server asked to wait "})
    if (m.find(note) != std::string::npos) return true;
  return false;
}

Status RetryPolicy::BeforeAttempt(const std::string& origin, const std::string& what) {
  steady_clock::time_point until;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = not_before_.find(origin);
    if (it != not_before_.end()) until = it->second;
  }
  auto now = clock_.Now();
  if (until > now) {
    if (deadline_ && until >= *deadline_) return Unavailable(what + ": " + DeadlineMessage());
    MK_RETURN_IF_ERROR(Sleep(std::chrono::duration_cast<milliseconds>(until - now) + milliseconds(1), what));
  }
  if (DeadlinePassed()) return Unavailable(what + ": " + DeadlineMessage());
  return Status::Ok();
}

Status RetryPolicy::Sleep(milliseconds d, const std::string& what) {
  const auto end = clock_.Now() + d;
  // Slices short enough that Ctrl-C and the deadline are felt at once; the
  // bound keeps the loop finite whatever the clock does.
  for (int i = 0; i < 10'000'000; ++i) {
    if (Interrupted()) return Cancelled("interrupted");
    auto now = clock_.Now();
    if (deadline_ && now >= *deadline_) return Unavailable(what + ": " + DeadlineMessage());
    if (now >= end) return Status::Ok();
    auto step = std::min(std::chrono::duration_cast<milliseconds>(end - now), milliseconds(50));
    if (deadline_) step = std::min(step, std::chrono::duration_cast<milliseconds>(*deadline_ - now) + milliseconds(1));
    clock_.SleepFor(std::max(step, milliseconds(1)));
  }
  return Status::Ok();
}

Result<milliseconds> ParseDuration(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument("invalid duration '" + std::string(text.substr(0, 40)) +
                           "' (use e.g. 90s, 30m, 2h, 1h30m, 500ms)");
  };
  if (text.empty()) return bad();
  int64_t total = 0;
  std::string_view s = text;
  bool bare = s.find_first_not_of("0123456789") == std::string_view::npos;
  for (int parts = 0; !s.empty(); ++parts) {
    if (parts >= 4) return bad();
    size_t i = 0;
    int64_t n = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      n = n * 10 + (s[i] - '0');
      if (n > 100'000'000'000LL) return bad();
    }
    if (i == 0) return bad();
    s.remove_prefix(i);
    int64_t unit = 1000;
    if (bare) {
    } else if (s.substr(0, 2) == "ms") {
      unit = 1, s.remove_prefix(2);
    } else if (!s.empty() && (s[0] == 's' || s[0] == 'm' || s[0] == 'h' || s[0] == 'd')) {
      unit = s[0] == 's' ? 1000 : s[0] == 'm' ? 60'000 : s[0] == 'h' ? 3'600'000 : 86'400'000;
      s.remove_prefix(1);
    } else {
      return bad();
    }
    total += n * unit;
    if (total > 30LL * 86'400'000) return InvalidArgument("duration '" + std::string(text) + "' is more than 30 days");
  }
  if (total <= 0) return InvalidArgument("duration '" + std::string(text) + "' must be more than zero");
  return milliseconds(total);
}

std::string FormatDuration(milliseconds d) {
  int64_t ms = d.count();
  if (ms % 1000 != 0) return std::to_string(ms) + "ms";
  int64_t s = ms / 1000;
  std::string out;
  if (s >= 3600) out += std::to_string(s / 3600) + "h", s %= 3600;
  if (s >= 60) out += std::to_string(s / 60) + "m", s %= 60;
  if (s > 0 || out.empty()) out += std::to_string(s) + "s";
  return out;
}

}  // namespace mk::http
