#include "progress/reporter.h"

namespace mk::progress {

Snapshot Read(const Counters& c) {
  Snapshot s;
  // done before total: a reader never sees more done than queued.
  s.images_done = c.images_done.load(std::memory_order_relaxed);
  s.images_failed = c.images_failed.load(std::memory_order_relaxed);
  s.images_total = c.images_total.load(std::memory_order_relaxed);
  s.bytes = c.bytes.load(std::memory_order_relaxed);
  if (s.images_total < s.images_done) s.images_total = s.images_done;
  return s;
}

Reporter::Reporter(const Counters& counters, FILE* out, Options options)
    : counters_(counters), out_(out), options_(std::move(options)) {
  if (options_.mode == Mode::kAuto) options_.mode = Mode::kNone;  // the caller should have decided
  start_ = last_plain_ = Now();
  if (options_.thread && options_.mode != Mode::kNone) thread_ = std::thread([this] { Run(); });
}

Reporter::~Reporter() { Stop(); }

std::chrono::steady_clock::time_point Reporter::Now() const {
  return options_.clock ? options_.clock() : std::chrono::steady_clock::now();
}

bool Reporter::Tick(std::chrono::steady_clock::time_point now) {
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - start_);
  switch (options_.mode) {
    case Mode::kTty: {
      // One write per redraw, so a message written by another thread
      // (which clears the line in its own single write) is never cut.
      std::string text = "\r\033[K" + FormatLine(Read(counters_), elapsed);
      std::fputs(text.c_str(), out_);
      std::fflush(out_);
      return true;
    }
    case Mode::kPlain: {
      if (now - last_plain_ < options_.plain_interval) return false;
      last_plain_ = now;
      std::string text = options_.tool + ": " + FormatLine(Read(counters_), elapsed) + "\n";
      std::fputs(text.c_str(), out_);
      std::fflush(out_);
      return true;
    }
    default:
      return false;
  }
}

void Reporter::Run() {
  const auto interval = options_.mode == Mode::kTty ? options_.tty_interval : options_.plain_interval;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    // Bounded wait: wakes every interval, and at once when stopped.
    if (cv_.wait_for(lock, interval, [this] { return stopping_; })) break;
    lock.unlock();
    Tick(Now());
    lock.lock();
  }
}

void Reporter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Now() - start_);
  if (options_.mode == Mode::kTty) {
    std::fputs("\r\033[K", out_);
    std::fflush(out_);
  } else if (options_.mode == Mode::kPlain) {
    // The last word, however short the run: a CI log always shows the totals.
    std::string text = options_.tool + ": " + FormatLine(Read(counters_), elapsed) + " in " +
                       HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(elapsed)) + "\n";
    std::fputs(text.c_str(), out_);
    std::fflush(out_);
  }
}

}  // namespace mk::progress
