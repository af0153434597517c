// Progress of a long copy, for people: on stderr, never on stdout (stdout
// is records only). Ninja's model: a live line redrawn in place on a
// terminal; elsewhere (a CI log) a plain line now and then.
//
// --progress=WHEN: tty (a live line, redrawn with \r at most 4 times a
// second), plain (one line every 5 s and a last one at the end), none, or
// auto (the default): tty when stderr is a terminal, else none. Not plain:
// in a pipeline, and above all under GNU parallel (many copies at once),
// periodic lines from every process would bury the messages that matter;
// a CI job that wants them says --progress=plain.
//
// The copy (copy/, a module this one may not include, nor it this one)
// reports through callbacks that the tool points at a Counters; a Reporter
// thread reads the counters and draws. Counters is lock-free and safe from
// any thread; a Reporter owns its thread (joined by Stop or the destructor)
// and must not outlive its Counters or its FILE.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "progress/format.h"

namespace mk::progress {

struct Counters {
  std::atomic<uint64_t> images_total{0};  // queued so far (grows while input is read)
  std::atomic<uint64_t> images_done{0};   // finished, failed ones included
  std::atomic<uint64_t> images_failed{0};
  std::atomic<uint64_t> bytes{0};  // blob bytes copied so far

  void Queued() { images_total.fetch_add(1, std::memory_order_relaxed); }
  void Finished(bool ok) {
    if (!ok) images_failed.fetch_add(1, std::memory_order_relaxed);
    images_done.fetch_add(1, std::memory_order_relaxed);
  }
  void Copied(uint64_t n) { bytes.fetch_add(n, std::memory_order_relaxed); }
};

Snapshot Read(const Counters& c);

class Reporter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  struct Options {
    Mode mode = Mode::kNone;  // kTty, kPlain or kNone (Decide first)
    std::string tool;         // prefix of plain lines: "blob-copy: ..."
    std::chrono::milliseconds tty_interval{250};
    std::chrono::milliseconds plain_interval{5000};
    Clock clock;         // empty: steady_clock (a seam for tests)
    bool thread = true;  // false: the caller calls Tick (tests)
  };
  Reporter(const Counters& counters, FILE* out, Options options);
  ~Reporter();
  Reporter(const Reporter&) = delete;
  Reporter& operator=(const Reporter&) = delete;

  // Whether a live line may be on the terminal: other writers to stderr
  // clear it first ("\r\033[K" in the same write as their message).
  bool live() const { return options_.mode == Mode::kTty; }
  // Draws when one is due at now (tty: every tick; plain: once per
  // plain_interval). Returns whether it wrote.
  bool Tick(std::chrono::steady_clock::time_point now);
  // Stops the thread; tty: clears the line; plain: writes the last line.
  // Idempotent.
  void Stop();

 private:
  void Run();
  std::chrono::steady_clock::time_point Now() const;

  const Counters& counters_;
  FILE* out_;
  Options options_;
  std::chrono::steady_clock::time_point start_, last_plain_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace mk::progress
