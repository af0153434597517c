#include "base/file_lock.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include "base/atomic_file.h"
#include "base/signals.h"
#include "base/strings.h"
#include "testing/temp_dir.h"

namespace mk {
namespace {

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

TEST(FileLock, ExcludesAnotherHolderOfTheSamePathUntilReleased) {
  fixtures::ScopedTempDir tmp;
  {
    auto held = FileLock::Exclusive(tmp.path());
    ASSERT_TRUE(held.ok()) << held.status().message();
    auto other = FileLock::TryExclusive(tmp.path());
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(other->has_value());
  }
  auto after = FileLock::TryExclusive(tmp.path());
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->has_value());
  EXPECT_EQ(FileLock::Exclusive(tmp.path() + "/missing").status().code(), Code::kNotFound);
  EXPECT_EQ(DirectoryOf("a/b/c"), "a/b");
  EXPECT_EQ(DirectoryOf("c"), ".");
  EXPECT_EQ(DirectoryOf("/c"), "/");
}

TEST(FileLock, ReplaceFileLockedLosesNoUpdate) {
  // Every thread appends its lines by read-modify-write of one file that is
  // replaced by rename each time; without the directory lock, updates
  // written from a stale read are lost.
  fixtures::ScopedTempDir tmp;
  const std::string path = tmp.path() + "/list";
  const int kThreads = 6, kEach = 15;
  std::vector<std::thread> threads;
  std::vector<Status> results(kThreads * kEach);
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i)
        results[t * kEach + i] = ReplaceFileLocked(path, 0600, [&]() -> Result<std::string> {
          auto old = ReadFileLimited(path, 1 << 20);
          std::string text = old.ok() ? *old : "";
          std::this_thread::yield();
          return text + std::to_string(t) + "-" + std::to_string(i) + "\n";
        });
    });
  for (auto& th : threads) th.join();
  for (const auto& s : results) ASSERT_TRUE(s.ok()) << s.message();
  auto text = ReadFileLimited(path, 1 << 20);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(Split(*text, '\n').size(), static_cast<size_t>(kThreads * kEach + 1));  // + the empty tail
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(FileLock, ReplaceFileLockedKeepsTheFileWhenProduceFails) {
  fixtures::ScopedTempDir tmp;
  const std::string path = tmp.path() + "/f";
  ASSERT_TRUE(WriteFileAtomic(path, "old").ok());
  Status s = ReplaceFileLocked(path, 0600, []() -> Result<std::string> { return InvalidArgument("bad input"); });
  EXPECT_EQ(s.message(), "bad input");
  EXPECT_EQ(*ReadFileLimited(path, 100), "old");
}

TEST(StaleTemps, LiveWritersSurviveOrphansGo) {
  fixtures::ScopedTempDir tmp;
  const std::string dir = tmp.path();

  // A live writer in this process: its temporary is locked.
  auto live = AtomicFile::Create(dir + "/live", 0644);
  ASSERT_TRUE(live.ok());
  ASSERT_TRUE(live->Write("in progress").ok());

  // An orphan written without any lock (an older version, a crash).
  const std::string plain = dir + "/.blob.tmp-abc123";
  ASSERT_TRUE(WriteFileAtomic(plain, "partial").ok());

  // An orphan of a writer killed with SIGKILL mid-write.
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto f = AtomicFile::Create(dir + "/killed", 0644);
    if (f.ok()) (void)f->Write("half");
    ::raise(SIGKILL);
    ::_exit(0);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wstatus));

  // Not temporaries: stay whatever their lock.
  ASSERT_TRUE(WriteFileAtomic(dir + "/.hidden", "x").ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/final", "x").ok());

  auto removed = RemoveStaleTemps(dir);
  ASSERT_TRUE(removed.ok()) << removed.status().message();
  EXPECT_EQ(*removed, 2);
  EXPECT_FALSE(Exists(plain));
  EXPECT_TRUE(Exists(live->temp_path()));
  EXPECT_TRUE(Exists(dir + "/.hidden"));
  EXPECT_TRUE(Exists(dir + "/final"));
  ASSERT_TRUE(live->Commit().ok());
  EXPECT_EQ(*ReadFileLimited(dir + "/live", 100), "in progress");
  // Nothing but the four final files is left.
  auto again = RemoveStaleTemps(dir);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

TEST(StaleTemps, GlobSelectsByFinalName) {
  fixtures::ScopedTempDir tmp;
  ASSERT_TRUE(WriteFileAtomic(tmp.path() + "/.oc.tmp-aaaaaa", "x").ok());
  ASSERT_TRUE(WriteFileAtomic(tmp.path() + "/.openshift-install.tmp-bbbbbb", "x").ok());
  auto removed = RemoveStaleTemps(tmp.path(), "openshift-install");
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1);
  EXPECT_TRUE(Exists(tmp.path() + "/.oc.tmp-aaaaaa"));
  EXPECT_TRUE(IsTempName(".abc.tmp-XyZ123"));
  EXPECT_FALSE(IsTempName("abc.tmp-XyZ123"));
  EXPECT_FALSE(IsTempName(".abc.tmp-"));
  EXPECT_FALSE(IsTempName(".hidden"));
  EXPECT_EQ(*RemoveStaleTemps(tmp.path() + "/missing"), 0);
}

TEST(StaleTemps, CleanerAndWritersRaceWithoutLosingAFile) {
  // Writers create and commit while a cleaner sweeps the directory over and
  // over: no commit may fail and no committed file may be missing.
  fixtures::ScopedTempDir tmp;
  std::atomic<bool> stop{false};
  std::thread cleaner([&] {
    for (int i = 0; i < 100000 && !stop.load(); ++i) (void)RemoveStaleTemps(tmp.path());
  });
  std::vector<Status> results;
  for (int i = 0; i < 300; ++i) results.push_back(WriteFileAtomic(tmp.path() + "/f" + std::to_string(i), "data"));
  stop.store(true);
  cleaner.join();
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].message();
    EXPECT_TRUE(Exists(tmp.path() + "/f" + std::to_string(i)));
  }
}

TEST(FileLock, WaitingForALockIsInterruptible) {
  // flock is woken by a signal only without SA_RESTART; the flag decides.
  fixtures::ScopedTempDir tmp;
  auto held = FileLock::Exclusive(tmp.path());
  ASSERT_TRUE(held.ok());
  InstallSignalHandlers();
  Result<FileLock> waiter = Internal("not run");
  std::atomic<bool> done{false};
  std::thread t([&] {
    waiter = FileLock::Exclusive(tmp.path());
    done.store(true);
  });
  // Signal the waiting thread until it gives up (bounded).
  for (int i = 0; i < 300 && !done.load(); ++i) {
    ::usleep(10000);
    SetInterrupted();
    ::pthread_kill(t.native_handle(), SIGINT);
  }
  t.join();
  ResetInterruptedForTest();
  std::signal(SIGINT, SIG_DFL);
  EXPECT_EQ(waiter.status().code(), Code::kCancelled);
}

}  // namespace
}  // namespace mk
