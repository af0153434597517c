// A hostile OCI layout directory (issue 11, "Integrity"): index.json naming
// digests that would climb out of blobs/, blob files that are links out of
// the layout or FIFOs, manifests over the cap or naming themselves. Reading
// must refuse each with an error naming the culprit, never follow a path
// outside the layout, never block.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "base/atomic_file.h"
#include "layout/verify.h"
#include "layout/volumes.h"
#include "oci/media_types.h"
#include "store/oci_dir_store.h"
#include "testing/temp_dir.h"

namespace mk::layout {
namespace {

using store::OciDirStore;

std::string Has(const Status& s, const std::string& want) {
  return s.message().find(want) != std::string::npos ? "" : "\"" + want + "\" not in: " + s.message();
}

class HostileDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    dir_ = tmp_.path() + "/layout";
    auto d = OciDirStore::Open(dir_, true);
    ASSERT_TRUE(d.ok()) << d.status().message();
    store_ = std::move(d).value();
  }
  static Reference Ref(const std::string& s) { return Reference::Parse(s).value(); }

  // Writes bytes under the digest of name_bytes (its own by default).
  Digest PutFile(const std::string& bytes, const std::string& name_bytes = "") {
    Digest d = Digest::Sha256Of(name_bytes.empty() ? bytes : name_bytes);
    EXPECT_TRUE(WriteFileAtomic(store_->BlobPath(d), bytes).ok());
    return d;
  }
  static std::string Desc(std::string_view media_type, const std::string& digest, size_t size,
                          const std::string& name = "") {
    std::string out = R"({"mediaType":")" + std::string(media_type) + R"(","digest":")" + digest + R"(","size":)" +
                      std::to_string(size);
    if (!name.empty()) out += R"(,"annotations":{"org.opencontainers.image.ref.name":")" + name + "\"}";
    return out + "}";
  }
  void WriteIndex(const std::string& entries) {
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/index.json", R"({"schemaVersion":2,"manifests":[)" + entries + "]}").ok());
  }
  // A small image: config, one layer, manifest; named in index.json.
  struct Image {
    Digest config, layer, manifest;
    std::string raw;
  };
  Image PutImage(const std::string& name) {
    Image img;
    img.config = PutFile("{}");
    img.layer = PutFile("layer bytes");
    img.raw = R"({"schemaVersion":2,"mediaType":")" + std::string(oci::kOciManifest) + R"(","config":)" +
              Desc(oci::kOciConfig, img.config.str(), 2) + R"(,"layers":[)" +
              Desc(oci::kOciLayerGzip, img.layer.str(), 11) + "]}";
    img.manifest = PutFile(img.raw);
    WriteIndex(Desc(oci::kOciManifest, img.manifest.str(), img.raw.size(), name));
    return img;
  }
  Status Fetch(const Digest& d, int64_t size) {
    oci::Descriptor desc;
    desc.digest = d;
    desc.size = size;
    return store_->FetchBlob(Ref("x.test/r"), desc, [](const char*, size_t) { return Status::Ok(); });
  }

  fixtures::ScopedTempDir tmp_;
  std::string dir_;
  std::unique_ptr<OciDirStore> store_;
};

TEST_F(HostileDirTest, IndexNamingATraversalDigestIsRefusedNamingIt) {
  // A file that would be read if the digest were joined as it is.
  ASSERT_TRUE(WriteFileAtomic(tmp_.path() + "/secret", "not for you").ok());
  for (const std::string& bad :
       std::vector<std::string>{"sha256:../../../secret", "sha256:" + std::string(64, 'a') + "/../../../secret",
                                "../../secret", "sha512:..", "sha256:"}) {
    WriteIndex(Desc(oci::kOciManifest, bad, 11, "x.test/r:t"));
    auto m = store_->GetManifest(Ref("x.test/r:t"));
    ASSERT_FALSE(m.ok()) << bad;
    EXPECT_EQ(Has(m.status(), "index.json"), "") << bad;
    EXPECT_EQ(Has(m.status(), "digest"), "") << bad;
    EXPECT_EQ(m.status().message().find("not for you"), std::string::npos);
    auto list = store_->List();
    EXPECT_FALSE(list.ok()) << bad;
  }
}

TEST_F(HostileDirTest, ABlobThatIsALinkOutOfTheLayoutIsNotRead) {
  Image img = PutImage("x.test/r:t");
  // The link leads to the very bytes the digest names, outside the layout:
  // only the link itself is wrong, and it is refused all the same.
  std::string outside = tmp_.path() + "/outside";
  ASSERT_TRUE(WriteFileAtomic(outside, "layer bytes").ok());
  std::string path = store_->BlobPath(img.layer);
  ASSERT_EQ(::unlink(path.c_str()), 0);
  ASSERT_EQ(::symlink(outside.c_str(), path.c_str()), 0);
  Status s = Fetch(img.layer, 11);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_EQ(Has(s, path), "");
  EXPECT_EQ(Has(s, "symbolic link"), "");
  // Not counted as present: a writer replaces the link with the blob.
  oci::Descriptor d{std::string(oci::kOciLayerGzip), img.layer, 11, {}, {}, {}};
  auto have = store_->HasBlob(Ref("x.test/r"), d);
  ASSERT_TRUE(have.ok());
  EXPECT_FALSE(*have);
  // A manifest behind a link is refused as well.
  std::string mpath = store_->BlobPath(img.manifest);
  std::string moved = tmp_.path() + "/manifest";
  ASSERT_EQ(::rename(mpath.c_str(), moved.c_str()), 0);
  ASSERT_EQ(::symlink(moved.c_str(), mpath.c_str()), 0);
  auto m = store_->GetManifest(Ref("x.test/r:t"));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(Has(m.status(), "symbolic link"), "");
  auto head = store_->ManifestHead(Ref("x.test/r:t"));
  ASSERT_TRUE(head.ok());
  EXPECT_FALSE(head->has_value());
  // And verify calls the image damaged and both files corrupt.
  std::vector<std::string> records;
  auto summary =
      layout::VerifyDirectory(*store_, false, [&](const json::Value& v) { records.push_back(v.Serialize()); });
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_EQ(summary->images_ok, 0);
  EXPECT_EQ(summary->images_damaged, 1);
}

TEST_F(HostileDirTest, PackNeverCopiesALinkedBlobIntoAVolume) {
  Image img = PutImage("x.test/r:t");
  // Outside bytes under the layer's name: a canary, so a volume holding
  // them would show.
  const std::string outside = tmp_.path() + "/outside";
  ASSERT_TRUE(WriteFileAtomic(outside, "CANARY-pack-outside").ok());
  const std::string path = store_->BlobPath(img.layer);
  ASSERT_EQ(::unlink(path.c_str()), 0);
  ASSERT_EQ(::symlink(outside.c_str(), path.c_str()), 0);
  PackOptions o;
  o.max_bytes = 1 << 20;
  o.out_dir = tmp_.path() + "/volumes";
  Status s = PackDirectory(*store_, o, [](const json::Value&) {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(Has(s, path), "");
  // Nothing in the output folder holds the outside bytes.
  std::string all;
  if (DIR* d = ::opendir(o.out_dir.c_str())) {
    while (struct dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') {
        auto text = ReadFileLimited(o.out_dir + "/" + e->d_name, 8 << 20);
        if (text.ok()) all += *text;
      }
    ::closedir(d);
  }
  EXPECT_EQ(all.find("CANARY-pack-outside"), std::string::npos);
}

// Runs body in a child process; false when it did not finish within
// seconds (the child is then killed): a read that blocks fails the test
// instead of hanging it.
bool FinishesWithin(int seconds, const std::function<void()>& body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    body();
    ::_exit(0);
  }
  for (int i = 0; i < seconds * 20; ++i) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return false;
}

TEST_F(HostileDirTest, AFifoUnderABlobNameIsRefusedWithoutBlocking) {
  Image img = PutImage("x.test/r:t");
  for (const Digest& d : {img.manifest, img.layer}) {
    std::string path = store_->BlobPath(d);
    ASSERT_EQ(::unlink(path.c_str()), 0);
    ASSERT_EQ(::mkfifo(path.c_str(), 0644), 0);
  }
  EXPECT_TRUE(FinishesWithin(10, [&] {
    auto m = store_->GetManifest(Ref("x.test/r:t"));
    Status s = Fetch(img.layer, 11);
    bool ok = !m.ok() && Has(m.status(), "not a regular file").empty() && !s.ok() &&
              Has(s, store_->BlobPath(img.layer)).empty();
    ::_exit(ok ? 0 : 1);
  }));
}

TEST_F(HostileDirTest, AFifoForIndexJsonOrOciLayoutIsRefusedWithoutBlocking) {
  for (const std::string name : {"index.json", "oci-layout"}) {
    const std::string path = dir_ + "/" + name;
    ::unlink(path.c_str());
    ASSERT_EQ(::mkfifo(path.c_str(), 0644), 0);
    EXPECT_TRUE(FinishesWithin(10, [&] {
      bool ok = false;
      if (name == "index.json") {
        auto list = store_->List();
        ok = !list.ok() && Has(list.status(), path + " is not a regular file").empty();
      } else {
        auto open = OciDirStore::Open(dir_, false);
        ok = !open.ok() && Has(open.status(), path).empty();
      }
      ::_exit(ok ? 0 : 1);
    })) << name;
    ASSERT_EQ(::unlink(path.c_str()), 0);
  }
}

TEST_F(HostileDirTest, AnIndexJsonPastTheManifestCapStillNamesItsImages) {
  // The 4 MiB cap is a registry's, for manifests; index.json grows with the
  // images a mirror holds, and 20,000 of them (about 5.5 MiB) is a big
  // operator catalog, not an attack.
  Image img = PutImage("");
  std::string entries;
  const int kImages = 20000;
  for (int i = 0; i < kImages; ++i)
    entries += std::string(i ? "," : "") + Desc(oci::kOciManifest, img.manifest.str(), img.raw.size(),
                                                "registry.example.com:5000/olm/operator-" + std::to_string(i) +
                                                    "-bundle@sha256:" + std::string(64, 'a' + i % 6));
  WriteIndex(entries);
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/index.json").c_str(), &st), 0);
  ASSERT_GT(static_cast<size_t>(st.st_size), oci::kMaxManifestBytes);
  auto list = store_->List();
  ASSERT_TRUE(list.ok()) << list.status().message();
  EXPECT_EQ(list->size(), static_cast<size_t>(kImages));
  // And one more can be named (the index is rewritten whole).
  oci::Descriptor d{std::string(oci::kOciManifest), img.manifest, static_cast<int64_t>(img.raw.size()), {}, {}, {}};
  ASSERT_TRUE(store_->Name("registry.example.com:5000/olm/one-more:1", d).ok());
  EXPECT_EQ(store_->List()->size(), static_cast<size_t>(kImages + 1));
}

TEST_F(HostileDirTest, AManifestOverTheCapIsRefusedBeforeItIsHeld) {
  std::string big = R"({"schemaVersion":2,"manifests":[],"pad":")" + std::string(oci::kMaxManifestBytes, ' ') + "\"}";
  Digest d = PutFile(big);
  WriteIndex(Desc(oci::kOciIndex, d.str(), big.size(), "x.test/r:big"));
  auto m = store_->GetManifest(Ref("x.test/r:big"));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(Has(m.status(), "4 MiB"), "");
  EXPECT_EQ(Has(m.status(), std::string(d.hex())), "");
}

TEST_F(HostileDirTest, AManifestNamingItselfOrBytesUnderAnotherNameAreCorrupt) {
  // An index cannot hold its own digest (that would need a sha256 fixed
  // point): the file named D that lists D as its child is, by
  // construction, bytes that do not hash to D.
  Digest self = Digest::Sha256Of("placeholder");
  std::string raw = R"({"schemaVersion":2,"mediaType":")" + std::string(oci::kOciIndex) + R"(","manifests":[)" +
                    Desc(oci::kOciIndex, self.str(), 100) + "]}";
  PutFile(raw, "placeholder");
  WriteIndex(Desc(oci::kOciIndex, self.str(), raw.size(), "x.test/r:loop"));
  auto m = store_->GetManifest(Ref("x.test/r:loop"));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), Code::kDataLoss);
  EXPECT_EQ(Has(m.status(), self.str()), "");
  std::vector<std::string> records;
  auto summary =
      layout::VerifyDirectory(*store_, false, [&](const json::Value& v) { records.push_back(v.Serialize()); });
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->images_damaged, 1);
}

TEST_F(HostileDirTest, VerifyCallsAnIndexChainPastTheCapDamagedNamingTheManifest) {
  Image img = PutImage("");
  std::string child = img.raw;
  std::string child_type(oci::kOciManifest);
  std::vector<Digest> chain = {img.manifest};
  for (int i = 0; i < oci::kMaxIndexDepth + 1; ++i) {
    std::string raw = R"({"schemaVersion":2,"mediaType":")" + std::string(oci::kOciIndex) + R"(","manifests":[)" +
                      Desc(child_type, Digest::Sha256Of(child).str(), child.size()) + "]}";
    chain.push_back(PutFile(raw));
    child = raw;
    child_type = std::string(oci::kOciIndex);
  }
  WriteIndex(Desc(oci::kOciIndex, chain.back().str(), child.size(), "x.test/r:deep"));
  std::vector<std::string> records;
  auto summary =
      layout::VerifyDirectory(*store_, false, [&](const json::Value& v) { records.push_back(v.Serialize()); });
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_EQ(summary->images_ok, 0);
  EXPECT_EQ(summary->images_damaged, 1);
  bool named = false;
  for (const auto& r : records)
    if (r.find("\"damaged\"") != std::string::npos && r.find(chain[0].str()) != std::string::npos) named = true;
  EXPECT_TRUE(named) << "the manifest past the cap is named";
}

}  // namespace
}  // namespace mk::layout
