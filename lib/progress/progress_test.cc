#include <gtest/gtest.h>
#include <stdio.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "progress/format.h"
#include "progress/reporter.h"

namespace mk::progress {
namespace {

using namespace std::chrono_literals;

TEST(ProgressFormat, HumanBytes) {
  EXPECT_EQ(HumanBytes(0), "0 B");
  EXPECT_EQ(HumanBytes(1023), "1023 B");
  EXPECT_EQ(HumanBytes(1024), "1.00 KiB");
  EXPECT_EQ(HumanBytes(1536), "1.50 KiB");
  EXPECT_EQ(HumanBytes(12900000), "12.3 MiB");
  EXPECT_EQ(HumanBytes(512ull << 20), "512 MiB");
  EXPECT_EQ(HumanBytes(3ull << 30), "3.00 GiB");
  EXPECT_EQ(HumanBytes(5ull << 50), "5.00 PiB");
  EXPECT_EQ(HumanBytes(5000ull << 50), "5000 PiB");  // no unit past PiB
}

TEST(ProgressFormat, Durations) {
  EXPECT_EQ(HumanDuration(0s), "0s");
  EXPECT_EQ(HumanDuration(59s), "59s");
  EXPECT_EQ(HumanDuration(185s), "3m05s");
  EXPECT_EQ(HumanDuration(2h + 4min + 59s), "2h04m");
  EXPECT_EQ(HumanDuration(-3s), "0s");
}

TEST(ProgressFormat, RateWaitsForASecond) {
  EXPECT_FALSE(Rate(1 << 20, 999ms).has_value());
  EXPECT_DOUBLE_EQ(*Rate(10 << 20, 2000ms), 5.0 * (1 << 20));
}

TEST(ProgressFormat, EtaFromThePaceOfImages) {
  Snapshot s{40, 0, 0, 0};
  EXPECT_FALSE(Eta(s, 10s).has_value());  // nothing done yet: no pace
  s.images_done = 10;
  EXPECT_EQ(*Eta(s, 20s), 60s);  // 2 s an image, 30 to go
  s.images_done = 40;
  EXPECT_FALSE(Eta(s, 80s).has_value());  // all done
}

TEST(ProgressFormat, Line) {
  Snapshot s{40, 12, 1, 3ull << 30};
  EXPECT_EQ(FormatLine(s, 30s), "12/40 images (1 failed), 3.00 GiB, 102 MiB/s, ETA 1m10s");
  EXPECT_EQ(FormatLine(Snapshot{3, 0, 0, 0}, 0ms), "0/3 images, 0 B");
}

TEST(ProgressFormat, Modes) {
  EXPECT_EQ(*ParseMode("plain"), Mode::kPlain);
  EXPECT_EQ(*ParseMode("none"), Mode::kNone);
  EXPECT_FALSE(ParseMode("yes").ok());
  EXPECT_FALSE(ParseMode("").ok());
  EXPECT_FALSE(ParseMode("TTY").ok());
  EXPECT_EQ(Decide(Mode::kAuto, true), Mode::kTty);
  EXPECT_EQ(Decide(Mode::kAuto, false), Mode::kNone);
  EXPECT_EQ(Decide(Mode::kPlain, true), Mode::kPlain);
}

// Collects what a Reporter writes.
class Capture {
 public:
  Capture() { file_ = open_memstream(&buf_, &size_); }
  ~Capture() {
    std::fclose(file_);
    std::free(buf_);
  }
  FILE* file() { return file_; }
  std::string text() {
    std::fflush(file_);
    return std::string(buf_, size_);
  }

 private:
  char* buf_ = nullptr;
  size_t size_ = 0;
  FILE* file_;
};

TEST(ProgressReporter, PlainWritesALineEveryIntervalAndALastOne) {
  Counters c;
  auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
  auto now = t0;
  Capture out;
  Reporter::Options o;
  o.mode = Mode::kPlain;
  o.tool = "blob-copy";
  o.clock = [&now] { return now; };
  o.thread = false;
  Reporter r(c, out.file(), o);
  for (int i = 0; i < 4; ++i) c.Queued();
  EXPECT_FALSE(r.Tick(t0 + 4s));  // not yet
  c.Finished(true);
  c.Copied(10 << 20);
  EXPECT_TRUE(r.Tick(t0 + 5s));
  EXPECT_FALSE(r.Tick(t0 + 9s));  // 5 s after the last line, not the start
  c.Finished(false);
  EXPECT_TRUE(r.Tick(t0 + 10s));
  now = t0 + 12s;
  r.Stop();
  r.Stop();  // idempotent
  EXPECT_EQ(out.text(),
            "blob-copy: 1/4 images, 10.0 MiB, 2.00 MiB/s, ETA 15s\n"
            "blob-copy: 2/4 images (1 failed), 10.0 MiB, 1.00 MiB/s, ETA 10s\n"
            "blob-copy: 2/4 images (1 failed), 10.0 MiB, 853 KiB/s, ETA 12s in 12s\n");
}

TEST(ProgressReporter, TtyRedrawsInPlaceAndClearsAtTheEnd) {
  Counters c;
  Capture out;
  Reporter::Options o;
  o.mode = Mode::kTty;
  o.thread = false;
  Reporter r(c, out.file(), o);
  EXPECT_TRUE(r.live());
  c.Queued();
  EXPECT_TRUE(r.Tick(std::chrono::steady_clock::now()));
  r.Stop();
  EXPECT_EQ(out.text(), "\r\033[K0/1 images, 0 B\r\033[K");
}

TEST(ProgressReporter, NoneWritesNothingAndTheThreadStopsPromptly) {
  Counters c;
  Capture none_out;
  Reporter::Options o;
  o.mode = Mode::kNone;
  { Reporter r(c, none_out.file(), o); }
  EXPECT_EQ(none_out.text(), "");
  // A real thread with a long interval: destruction does not wait it out.
  Capture out;
  o.mode = Mode::kPlain;
  o.plain_interval = 3600s;
  auto start = std::chrono::steady_clock::now();
  {
    Reporter r(c, out.file(), o);
    EXPECT_FALSE(r.live());
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_NE(out.text().find("0/0 images"), std::string::npos);
}

TEST(ProgressReporter, TheThreadDrawsOnItsOwn) {
  Counters c;
  c.Queued();
  Capture out;
  Reporter::Options o;
  o.mode = Mode::kTty;
  o.tty_interval = 10ms;
  Reporter r(c, out.file(), o);
  std::this_thread::sleep_for(200ms);  // some 20 ticks
  r.Stop();
  EXPECT_NE(out.text().find("0/1 images"), std::string::npos);
}

}  // namespace
}  // namespace mk::progress
