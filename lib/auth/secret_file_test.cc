#include "auth/secret_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <thread>
#include <vector>

#include "base/atomic_file.h"
#include "testing/temp_dir.h"

namespace mk::auth {
namespace {

const char kSeed[] = R"({"auths":{"quay.io":{"auth":"b3BlbnNoaWZ0OnRva2VuMg==","email":"you@example.com"}}})";

SecretFilesEdit AddTo(const std::string& path, const std::string& registry) {
  SecretFilesEdit r;
  r.input = path;
  r.output = path;
  r.edit.source = path;
  r.edit.add = NewCredential{registry, "mirror", "pw", ""};
  return r;
}

TEST(SecretFile, ConcurrentEditsOfOneFileLoseNoEntry) {
  // Each run reads the file it writes; without the lock, a run that read
  // before another's rename writes back a document without that entry.
  fixtures::ScopedTempDir tmp;
  const std::string path = tmp.path() + "/pull-secret.json";
  ASSERT_TRUE(WriteFileAtomic(path, kSeed, 0600).ok());
  const int kRuns = 16;
  std::vector<std::thread> threads;
  std::vector<Status> results(kRuns);
  for (int i = 0; i < kRuns; ++i)
    threads.emplace_back([&, i] {
      auto r = EditPullSecretFiles(AddTo(path, "mirror" + std::to_string(i) + ".example.com:5000"));
      results[i] = r.ok() ? Status::Ok() : r.status();
    });
  for (auto& t : threads) t.join();
  for (const auto& s : results) ASSERT_TRUE(s.ok()) << s.message();
  auto doc = LoadPullSecret(path, "", 1 << 20);
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  EXPECT_EQ(ListEntries(*doc).size(), static_cast<size_t>(kRuns + 1));
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(SecretFile, OutputIntoNewFoldersMakesThemPrivate) {
  // Whatever the umask lets through, the secret is 0600 and the folders
  // made for it 0700; a folder already there keeps its mode.
  fixtures::ScopedTempDir tmp;
  mode_t old = ::umask(0);
  SecretFilesEdit r;
  r.stdin_text = kSeed;
  r.edit.source = "standard input";
  r.output = tmp.path() + "/home/.docker/config.json";
  auto got = EditPullSecretFiles(r);
  ::umask(old);
  ASSERT_TRUE(got.ok()) << got.status().message();
  struct stat st;
  ASSERT_EQ(::stat(r.output.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  for (const std::string dir : {tmp.path() + "/home", tmp.path() + "/home/.docker"}) {
    ASSERT_EQ(::stat(dir.c_str(), &st), 0) << dir;
    EXPECT_EQ(st.st_mode & 0777, 0700u) << dir;
  }
  ASSERT_EQ(::stat(tmp.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u) << "mkdtemp's own mode, unchanged";
  ::chmod(tmp.path().c_str(), 0755);
  r.output = tmp.path() + "/other.json";
  ASSERT_TRUE(EditPullSecretFiles(r).ok());
  ASSERT_EQ(::stat(tmp.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  // A folder that cannot be made: an error naming it.
  r.output = "/proc/mk-no/x/config.json";
  auto bad = EditPullSecretFiles(r);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("/proc/mk-no"), std::string::npos) << bad.status().message();
}

TEST(SecretFile, StandardInputAndNoOutputWriteNothing) {
  fixtures::ScopedTempDir tmp;
  SecretFilesEdit r;
  r.stdin_text = kSeed;
  r.edit.source = "standard input";
  r.edit.remove = {"quay.io"};
  auto got = EditPullSecretFiles(r);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->text, "{\n  \"auths\": {}\n}\n");
  r.from_files = {tmp.path() + "/missing.json"};
  got = EditPullSecretFiles(r);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("--from-file"), std::string::npos);
}

TEST(SecretFile, AFailedEditLeavesTheOutputAsItWas) {
  fixtures::ScopedTempDir tmp;
  const std::string path = tmp.path() + "/ps.json";
  ASSERT_TRUE(WriteFileAtomic(path, kSeed, 0600).ok());
  SecretFilesEdit r = AddTo(path, "mirror.example.com");
  r.edit.remove = {"absent.example.com"};
  EXPECT_FALSE(EditPullSecretFiles(r).ok());
  EXPECT_EQ(*ReadFileLimited(path, 1 << 20), kSeed);
}

}  // namespace
}  // namespace mk::auth
