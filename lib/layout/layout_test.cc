#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "base/atomic_file.h"
#include "layout/verify.h"
#include "layout/volumes.h"
#include "store/blob_stream.h"
#include "store/memory_store.h"
#include "testing/image_builder.h"
#include "testing/temp_dir.h"

namespace mk::layout {
namespace {

class LayoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    root_ = tmp_.path();
    dir_ = std::move(store::OciDirStore::Open(root_ + "/m", true)).value();
    // Three images sharing a base layer, one of them a two-platform index.
    store::MemoryStore mem("src");
    auto base = fixtures::PutBlob(mem, "art", fixtures::RandomBytes(40000, 1));
    std::vector<oci::Manifest> images;
    for (unsigned i = 0; i < 3; ++i)
      images.push_back(
          fixtures::MakeImage(mem, "art", fixtures::ConfigJson(i == 2 ? "arm64" : "amd64"),
                              {base, fixtures::PutBlob(mem, "art", fixtures::RandomBytes(30000, 10 + i))}));
    auto index = fixtures::MakeIndex(mem, "art", {{images[1], "amd64"}, {images[2], "arm64"}});
    const Reference src = Reference::Parse("mem.test/art").value();
    for (const auto& m : images)
      for (const auto& d : {m.config, m.layers[0], m.layers[1]})
        if (!*dir_->HasBlob(src, d)) {
          ASSERT_TRUE(store::CopyBlob(mem, src, *dir_, src, d).ok());
        }
    auto put = [&](const std::string& name, const oci::Manifest& m, store::ManifestRole role) {
      ASSERT_TRUE(dir_->PutManifest(Reference::Parse(name).value(), m, role).ok());
    };
    put("q.io/a/one:1", images[0], store::ManifestRole::kTop);
    put("q.io/a/x@" + images[1].digest.str(), images[1], store::ManifestRole::kChild);
    put("q.io/a/x@" + images[2].digest.str(), images[2], store::ManifestRole::kChild);
    put("q.io/a/multi:1", index, store::ManifestRole::kTop);
    unique_layer_ = images[0].layers[1].digest;
  }

  Result<VerifySummary> Verify(std::vector<json::Value>* records = nullptr, bool prune = false) {
    return VerifyDirectory(*dir_, prune, [&](const json::Value& v) {
      if (records) records->push_back(v);
    });
  }

  fixtures::ScopedTempDir tmp_;
  std::string root_;
  std::unique_ptr<store::OciDirStore> dir_;
  Digest unique_layer_;
};

TEST_F(LayoutTest, CleanDirectoryVerifies) {
  auto s = Verify();
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->ok());
  EXPECT_EQ(s->images_ok, 2);
  // 2 configs (two images share the amd64 one), 4 layers (one shared),
  // 3 image manifests and the index: each hashed once.
  EXPECT_EQ(s->blobs_checked, 10);
}

TEST_F(LayoutTest, CorruptAndMissingBlobsAreReported) {
  std::string path = dir_->BlobPath(unique_layer_);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x5a');
  }
  std::vector<json::Value> records;
  auto s = Verify(&records);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->ok());
  EXPECT_EQ(s->images_damaged, 1);
  EXPECT_EQ(s->blobs_corrupt, 1);
  bool named = false;
  for (const auto& r : records)
    if (r.GetString("status") == "damaged" && r.GetString("name") == "q.io/a/one:1") named = true;
  EXPECT_TRUE(named);
  ASSERT_EQ(::unlink(path.c_str()), 0);
  s = Verify();
  EXPECT_EQ(s->blobs_missing, 1);
}

TEST_F(LayoutTest, TemporaryFilesListedAndPruned) {
  std::ofstream(root_ + "/m/blobs/sha256/.deadbeef.tmp-abcdef") << "partial";
  std::vector<json::Value> records;
  auto s = Verify(&records);
  EXPECT_TRUE(s->ok());  // leftovers are not damage
  EXPECT_EQ(s->temp_files, 1);
  s = Verify(nullptr, true);
  EXPECT_NE(::access((root_ + "/m/blobs/sha256/.deadbeef.tmp-abcdef").c_str(), F_OK), 0);
}

TEST_F(LayoutTest, PruneLeavesTheTemporariesOfLiveWriters) {
  // Another writer filling the directory now holds its temporary; prune
  // must not pull it from under it. A dot file that is no temporary is a
  // stray, not a temp.
  auto live = AtomicFile::Create(root_ + "/m/blobs/sha256/" + std::string(64, 'e'), 0644);
  ASSERT_TRUE(live.ok());
  std::ofstream(root_ + "/m/blobs/sha256/.deadbeef.tmp-abcdef") << "partial";
  std::ofstream(root_ + "/m/blobs/sha256/.DS_Store") << "x";
  std::vector<json::Value> records;
  auto s = Verify(&records, true);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->temp_files, 2);
  EXPECT_EQ(s->stray_files, 1);
  int removed = 0, left = 0;
  for (const auto& r : records)
    if (r.GetString("kind") == "temp") (r.GetString("status") == "removed" ? removed : left)++;
  EXPECT_EQ(removed, 1);
  EXPECT_EQ(left, 1);
  EXPECT_EQ(::access(live->temp_path().c_str(), F_OK), 0);
  EXPECT_NE(::access((root_ + "/m/blobs/sha256/.deadbeef.tmp-abcdef").c_str(), F_OK), 0);
}

TEST_F(LayoutTest, PackAndUnpackRoundTrip) {
  std::vector<json::Value> volumes;
  PackOptions o{100 * 1024, root_ + "/vols", "mirror"};
  ASSERT_TRUE(PackDirectory(*dir_, o, [&](const json::Value& v) { volumes.push_back(v); }).ok());
  ASSERT_GE(volumes.size(), 2u);
  std::vector<std::string> paths;
  for (const auto& v : volumes) {
    struct stat st;
    ASSERT_EQ(::stat(v.GetString("path")->c_str(), &st), 0);
    EXPECT_LE(static_cast<uint64_t>(st.st_size), o.max_bytes);
    EXPECT_EQ(static_cast<int64_t>(st.st_size), *v.GetInt("bytes"));
    paths.push_back(*v.GetString("path"));
  }
  auto back = std::move(store::OciDirStore::Open(root_ + "/back", true)).value();
  auto s = UnpackVolumes(paths, *back, [](const json::Value&) {});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->ok());
  EXPECT_EQ(s->verify.images_ok, 2);
  EXPECT_EQ(back->List()->size(), 2u);

  auto partial = std::move(store::OciDirStore::Open(root_ + "/partial", true)).value();
  paths.pop_back();
  auto p = UnpackVolumes(paths, *partial, [](const json::Value&) {});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->volumes_missing, 1);
  EXPECT_FALSE(p->ok());  // what the missing volume held leaves an image damaged
  // The last volume alone, later, completes the directory.
  auto rest = UnpackVolumes({*volumes.back().GetString("path")}, *partial, [](const json::Value&) {});
  ASSERT_TRUE(rest.ok());
  EXPECT_TRUE(rest->ok());
  EXPECT_EQ(rest->verify.images_ok, 2);
}

TEST_F(LayoutTest, BlobTooLargeForVolumeIsRefused) {
  PackOptions o{20 * 1024, root_ + "/vols", "mirror"};
  Status s = PackDirectory(*dir_, o, [](const json::Value&) {});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("does not fit"), std::string::npos);
}

}  // namespace
}  // namespace mk::layout
