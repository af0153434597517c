#include "base/subprocess.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>

namespace mk::base {
namespace {

using std::chrono::milliseconds;

TEST(RunCapture, PassesInputAndReturnsOutputAndStatus) {
  auto r = RunCapture("/bin/sh", {"sh", "-c", "tr a-z A-Z; exit 3"}, "hello", 1024, milliseconds(5000));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->out, "HELLO");
  EXPECT_EQ(r->status, 3);
}

TEST(RunCapture, ReportsTheSignalThatKilledTheChild) {
  auto r = RunCapture("/bin/sh", {"sh", "-c", "kill -9 $$"}, "", 1024, milliseconds(5000));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 128 + 9);
}

TEST(RunCapture, RefusesTooMuchOutput) {
  auto r = RunCapture("/bin/sh", {"sh", "-c", "head -c 100000 /dev/zero"}, "", 1000, milliseconds(5000));
  EXPECT_FALSE(r.ok());
}

TEST(RunCapture, KillsAChildThatTakesTooLong) {
  auto start = std::chrono::steady_clock::now();
  auto r = RunCapture("/bin/sh", {"sh", "-c", "exec sleep 30"}, "", 1024, milliseconds(200));
  EXPECT_FALSE(r.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(RunCapture, AMissingProgramIsAnError) {
  auto r = RunCapture("/nonexistent/helper", {"helper"}, "", 1024, milliseconds(1000));
  EXPECT_FALSE(r.ok());
}

TEST(Child, StreamsBothWaysAndIsReapedWhenDropped) {
  auto child = Child::Spawn("/bin/cat", {"cat"});
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  ASSERT_TRUE(child->WriteAll("ping\n").ok());
  char buf[16] = {};
  ASSERT_EQ(read(child->stdout_fd(), buf, 5), 5);
  EXPECT_EQ(std::string(buf, 5), "ping\n");
  pid_t pid = child->pid();
  { Child dropped = std::move(*child); }
  EXPECT_NE(kill(pid, 0), 0);  // gone and reaped
}

TEST(Child, WritingToAnExitedChildIsAnError) {
  signal(SIGPIPE, SIG_IGN);  // as base/signals.h sets it in every tool
  auto child = Child::Spawn("/bin/true", {"true"});
  ASSERT_TRUE(child.ok());
  usleep(100000);
  std::string big(1 << 20, 'x');
  EXPECT_FALSE(child->WriteAll(big).ok());
  auto st = child->Wait();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(*st, 0);
}

}  // namespace
}  // namespace mk::base
