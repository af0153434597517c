#include "store/oci_dir_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <thread>

#include "base/atomic_file.h"
#include "base/unique_fd.h"
#include "json/value.h"
#include "store/blob_stream.h"
#include "store/location.h"
#include "store/memory_store.h"
#include "testing/image_builder.h"
#include "testing/temp_dir.h"

namespace mk::store {
namespace {

class DirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    root_ = tmp_.path();
    auto d = OciDirStore::Open(root_ + "/mirror", true);
    ASSERT_TRUE(d.ok()) << d.status().message();
    dir_ = std::move(d).value();
  }
  static Reference Ref(const std::string& s) { return Reference::Parse(s).value(); }

  fixtures::ScopedTempDir tmp_;
  std::string root_;
  std::unique_ptr<OciDirStore> dir_;
};

TEST_F(DirTest, OpeningForWritingRemovesOnlyOrphanedTemporaries) {
  // A killed blob-copy leaves its temporaries; a re-run removes those it
  // cannot resume (index.json) and keeps a blob's for the next writer of
  // that blob. The temporary of a writer still at work (here, held in this
  // process) stays.
  const std::string blobs = root_ + "/mirror/blobs/sha256/";
  ASSERT_TRUE(WriteFileAtomic(blobs + "." + std::string(64, 'a') + ".tmp-Orphan", "partial").ok());
  ASSERT_TRUE(WriteFileAtomic(root_ + "/mirror/.index.json.tmp-Orphan", "{").ok());
  auto live = AtomicFile::Create(blobs + std::string(64, 'b'), 0644);
  ASSERT_TRUE(live.ok());
  auto again = OciDirStore::Open(root_ + "/mirror", true);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(::access((blobs + "." + std::string(64, 'a') + ".tmp-Orphan").c_str(), F_OK), 0);
  EXPECT_NE(::access((root_ + "/mirror/.index.json.tmp-Orphan").c_str(), F_OK), 0);
  EXPECT_EQ(::access(live->temp_path().c_str(), F_OK), 0);
  // Not adopted by the time the store closes: removed then.
  (*again).reset();
  EXPECT_NE(::access((blobs + "." + std::string(64, 'a') + ".tmp-Orphan").c_str(), F_OK), 0);
  EXPECT_EQ(::access(live->temp_path().c_str(), F_OK), 0);
  // Opening to read changes nothing.
  ASSERT_TRUE(WriteFileAtomic(root_ + "/mirror/.x.tmp-Orphan", "partial").ok());
  ASSERT_TRUE(OciDirStore::Open(root_ + "/mirror", false).ok());
  EXPECT_EQ(::access((root_ + "/mirror/.x.tmp-Orphan").c_str(), F_OK), 0);
}

std::vector<std::string> ListNames(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (struct dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
    ::closedir(d);
  }
  return names;
}

// Writes blob into the directory in a child process that kills itself
// (SIGKILL: no destructor runs) once kill_after bytes are written.
void WriteAndDie(const std::string& dir, MemoryStore& src, const oci::Descriptor& blob, uint64_t kill_after) {
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto store = OciDirStore::Open(dir, true);
    if (!store.ok()) ::_exit(3);
    uint64_t sent = 0;
    Reference repo = Reference::Parse("src.test/art").value();
    (void)(*store)->PullBlob(
        repo, blob,
        [&](uint64_t offset, const BlobSink& sink) {
          return src.FetchBlobFrom(repo, blob, offset, [&](const char* d, size_t n) -> Status {
            MK_RETURN_IF_ERROR(sink(d, n));
            if ((sent += n) >= kill_after) ::kill(::getpid(), SIGKILL);
            return Status::Ok();
          });
        },
        nullptr);
    ::_exit(4);  // not reached: the blob is longer than kill_after
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
}

TEST_F(DirTest, AKilledWriteIsResumedFromItsWholeMegabytes) {
  MemoryStore src("src.test");
  const uint64_t kMiB = 1 << 20;
  oci::Descriptor blob = fixtures::PutBlob(src, "art", fixtures::RandomBytes(5 * kMiB + 1234, 7));
  WriteAndDie(root_ + "/mirror", src, blob, 3 * kMiB + kMiB / 2);
  ASSERT_FALSE(dir_->HasBlob(Ref("x/y"), blob).value());

  auto reopened = OciDirStore::Open(root_ + "/mirror", true);
  ASSERT_TRUE(reopened.ok());
  const uint64_t before = src.bytes_fetched();
  uint64_t resumed = 0;
  Status s = CopyBlob(src, Ref("src.test/art"), **reopened, Ref("x/y"), blob, 1 << 20, &resumed);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(resumed, 3 * kMiB);  // the torn half MiB is fetched again
  EXPECT_EQ(src.bytes_fetched() - before, static_cast<uint64_t>(blob.size) - 3 * kMiB);
  EXPECT_TRUE(FetchVerified(**reopened, Ref("x/y"), blob, [](const char*, size_t) { return Status::Ok(); }).ok());
  // Nothing left behind.
  int temps = 0;
  for (const auto& name : ListNames(root_ + "/mirror/blobs/sha256")) temps += IsTempName(name) ? 1 : 0;
  EXPECT_EQ(temps, 0);
}

// A source that cannot start at an offset (a registry that ignores Range).
class NoRangeStore : public MemoryStore {
 public:
  NoRangeStore() : MemoryStore("norange.test") {}
  Status FetchBlobFrom(const Reference& repo, const oci::Descriptor& blob, uint64_t offset,
                       const BlobSink& sink) override {
    if (offset > 0) return Unavailable("GET blob: server did not resume at byte " + std::to_string(offset));
    return MemoryStore::FetchBlobFrom(repo, blob, 0, sink);
  }
};

TEST_F(DirTest, ASourceThatWillNotResumeIsFetchedWhole) {
  NoRangeStore src;
  const uint64_t kMiB = 1 << 20;
  oci::Descriptor blob = fixtures::PutBlob(src, "art", fixtures::RandomBytes(3 * kMiB, 9));
  WriteAndDie(root_ + "/mirror", src, blob, 2 * kMiB);
  auto reopened = OciDirStore::Open(root_ + "/mirror", true);
  ASSERT_TRUE(reopened.ok());
  const uint64_t before = src.bytes_fetched();
  uint64_t resumed = 99;
  Status s = CopyBlob(src, Ref("src.test/art"), **reopened, Ref("x/y"), blob, 1 << 20, &resumed);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(resumed, 0u);
  EXPECT_EQ(src.bytes_fetched() - before, static_cast<uint64_t>(blob.size));
  EXPECT_TRUE(FetchVerified(**reopened, Ref("x/y"), blob, [](const char*, size_t) { return Status::Ok(); }).ok());
}

TEST_F(DirTest, ABadPartialIsFetchedAgainFromTheStart) {
  MemoryStore src("src.test");
  const uint64_t kMiB = 1 << 20;
  oci::Descriptor blob = fixtures::PutBlob(src, "art", fixtures::RandomBytes(3 * kMiB, 8));
  WriteAndDie(root_ + "/mirror", src, blob, 2 * kMiB);
  // A power cut's garbage in the kept bytes.
  std::string temp;
  for (const auto& name : ListNames(root_ + "/mirror/blobs/sha256"))
    if (IsTempName(name)) temp = root_ + "/mirror/blobs/sha256/" + name;
  ASSERT_FALSE(temp.empty());
  {
    UniqueFd fd(::open(temp.c_str(), O_WRONLY));
    ASSERT_TRUE(fd.valid());
    ASSERT_EQ(::pwrite(fd.get(), "garbage", 7, 1000), 7);
  }
  auto reopened = OciDirStore::Open(root_ + "/mirror", true);
  ASSERT_TRUE(reopened.ok());
  uint64_t resumed = 99;
  Status s = CopyBlob(src, Ref("src.test/art"), **reopened, Ref("x/y"), blob, 1 << 20, &resumed);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(resumed, 0u);
  EXPECT_TRUE(FetchVerified(**reopened, Ref("x/y"), blob, [](const char*, size_t) { return Status::Ok(); }).ok());
}

TEST(Location, Grammar) {
  auto r = Location::Parse("quay.io/a/b:1");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->is_dir());
  auto d = Location::Parse("dir:/media/usb/mirror:quay.io:443/a/b@sha256:" + std::string(64, 'a'));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->dir, "/media/usb/mirror");
  EXPECT_EQ(d->name, "quay.io:443/a/b@sha256:" + std::string(64, 'a'));
  EXPECT_EQ(CanonicalName(*d), d->name);
  auto bare = Location::Parse("dir:relative/dir/");
  EXPECT_EQ(bare->dir, "relative/dir");
  EXPECT_TRUE(bare->name.empty());
  EXPECT_EQ(bare->String(), "dir:relative/dir");
  EXPECT_FALSE(Location::Parse("dir:").ok());
  EXPECT_FALSE(Location::Parse("dir::x").ok());
}

TEST_F(DirTest, LayoutFilesAndReopen) {
  auto layout = ReadFileLimited(root_ + "/mirror/oci-layout", 100);
  ASSERT_TRUE(layout.ok());
  EXPECT_NE(layout->find("imageLayoutVersion"), std::string::npos);
  EXPECT_TRUE(OciDirStore::Open(root_ + "/mirror", false).ok());
  EXPECT_EQ(OciDirStore::Open(root_ + "/absent", false).status().code(), Code::kNotFound);
  ASSERT_EQ(::mkdir((root_ + "/plain").c_str(), 0755), 0);
  EXPECT_EQ(OciDirStore::Open(root_ + "/plain", false).status().code(), Code::kNotFound);
}

TEST_F(DirTest, ImagesKeepBytesAndNamesAndShareBlobs) {
  MemoryStore mem("src");
  auto shared = fixtures::PutBlob(mem, "art", fixtures::RandomBytes(5000, 1));
  auto a = fixtures::MakeImage(mem, "art", fixtures::ConfigJson("amd64"), {shared});
  auto b = fixtures::MakeImage(mem, "art", fixtures::ConfigJson("arm64"), {shared});
  const Reference src = Ref("mem.test/art");
  for (const auto& m : {a, b}) {
    for (const auto& d : {m.config, m.layers[0]}) {
      if (!*dir_->HasBlob(src, d)) {
        ASSERT_TRUE(CopyBlob(mem, src, *dir_, src, d).ok());
      }
    }
  }
  ASSERT_TRUE(dir_->PutManifest(Ref("quay.io/o/art@" + a.digest.str()), a, ManifestRole::kTop).ok());
  ASSERT_TRUE(dir_->PutManifest(Ref("quay.io/o/rel:4.3.0-x86_64"), b, ManifestRole::kTop).ok());
  ASSERT_TRUE(dir_->PutManifest(Ref("quay.io/o/art@" + b.digest.str()), b, ManifestRole::kChild).ok());

  auto list = dir_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);  // the child is stored, not named
  EXPECT_EQ((*list)[1].name, "quay.io/o/rel:4.3.0-x86_64");
  EXPECT_EQ(dir_->GetManifest(Ref("quay.io/o/rel:4.3.0-x86_64"))->raw, b.raw);
  EXPECT_EQ(dir_->GetManifest(Ref("quay.io/o/art@" + a.digest.str()))->raw, a.raw);
  EXPECT_EQ(**dir_->ManifestDigest(Ref("quay.io/o/rel:4.3.0-x86_64")), b.digest);
  EXPECT_FALSE(dir_->ManifestDigest(Ref("quay.io/o/rel:other"))->has_value());
  struct stat st;
  EXPECT_EQ(::stat(dir_->BlobPath(shared.digest).c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 1u);
  EXPECT_EQ(dir_->BlobPath(shared.digest).find(':', root_.size()), std::string::npos);  // FAT-safe

  // Retagging replaces the entry instead of adding one.
  ASSERT_TRUE(dir_->PutManifest(Ref("quay.io/o/rel:4.3.0-x86_64"), a, ManifestRole::kTop).ok());
  EXPECT_EQ(dir_->List()->size(), 2u);
  EXPECT_EQ(**dir_->ManifestDigest(Ref("quay.io/o/rel:4.3.0-x86_64")), a.digest);
}

TEST_F(DirTest, ResolveNameByTagGlobOrFullName) {
  MemoryStore mem("src");
  auto m = fixtures::MakeImage(mem, "art", fixtures::ConfigJson("amd64"), {});
  ASSERT_TRUE(CopyBlob(mem, Ref("mem.test/art"), *dir_, Ref("x.io/y"), m.config).ok());
  ASSERT_TRUE(
      dir_->PutManifest(Ref("quay.io/openshift-release-dev/ocp-release:4.3.0-x86_64"), m, ManifestRole::kTop).ok());
  ASSERT_TRUE(
      dir_->PutManifest(Ref("quay.io/openshift-release-dev/ocp-release:4.3.1-x86_64"), m, ManifestRole::kTop).ok());
  EXPECT_EQ(dir_->ResolveName("4.3.0-x86_64")->tag(), "4.3.0-x86_64");
  EXPECT_EQ(dir_->ResolveName("openshift-release-dev/ocp-release:4.3.1*")->tag(), "4.3.1-x86_64");
  auto ambiguous = dir_->ResolveName("4.3.*");
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_NE(ambiguous.status().message().find("matches 2 images"), std::string::npos);
  EXPECT_EQ(dir_->ResolveName("5.0*").status().code(), Code::kNotFound);
  EXPECT_FALSE(dir_->ResolveName("").ok());  // two images: say which
}

TEST_F(DirTest, PushRefusesWrongBytesAndLeavesNoFile) {
  std::string bytes = fixtures::RandomBytes(3000, 7);
  oci::Descriptor d{"application/octet-stream", Digest::Sha256Of(bytes), 3000, {}, {}, {}};
  std::string tampered = bytes;
  tampered[10] ^= 1;
  size_t off = 0;
  Status s = dir_->PushBlob(Ref("x.io/y"), d, [&](char* out, size_t n) -> Result<size_t> {
    size_t k = std::min(n, tampered.size() - off);
    std::memcpy(out, tampered.data() + off, k);
    off += k;
    return k;
  });
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(::access(dir_->BlobPath(d.digest).c_str(), F_OK), 0);
  // No temporary file is left behind either.
  std::string listing;
  FILE* p = ::popen(("ls -A " + root_ + "/mirror/blobs/sha256").c_str(), "r");
  char buf[256];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) listing.append(buf, n);
  ::pclose(p);
  EXPECT_EQ(listing, "");
}

TEST_F(DirTest, ConcurrentNamingKeepsEveryEntry) {
  MemoryStore mem("src");
  auto m = fixtures::MakeImage(mem, "art", fixtures::ConfigJson("amd64"), {});
  ASSERT_TRUE(CopyBlob(mem, Ref("mem.test/art"), *dir_, Ref("x.io/y"), m.config).ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      // A second store object on the same directory, as another process.
      auto other = OciDirStore::Open(root_ + "/mirror", false);
      ASSERT_TRUE(other.ok());
      for (int i = 0; i < 10; ++i)
        ASSERT_TRUE(
            (*other)
                ->PutManifest(Ref("q.io/a:t" + std::to_string(t) + "-" + std::to_string(i)), m, ManifestRole::kTop)
                .ok());
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(dir_->List()->size(), 40u);
  EXPECT_TRUE(json::Value::Parse(*ReadFileLimited(root_ + "/mirror/index.json", 1 << 20)).ok());
}

}  // namespace
}  // namespace mk::store
