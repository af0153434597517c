#include "layout/inventory.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "auth/auth_file.h"
#include "base/atomic_file.h"
#include "http/client.h"
#include "layout/volumes.h"
#include "store/blob_stream.h"
#include "store/memory_store.h"
#include "testing/image_builder.h"
#include "testing/temp_dir.h"

namespace mk::layout {
namespace {

const Reference kSrc = Reference::Parse("mem.test/art").value();

// A "base" directory holding one image, and a "full" one holding it and a
// second image that shares its base layer: the z-stream case.
class DeltaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    root_ = tmp_.path();
    auto shared = fixtures::PutBlob(mem_, "art", fixtures::RandomBytes(40000, 1));
    for (unsigned i = 0; i < 2; ++i)
      images_.push_back(
          fixtures::MakeImage(mem_, "art", fixtures::ConfigJson(i ? "arm64" : "amd64"),
                              {shared, fixtures::PutBlob(mem_, "art", fixtures::RandomBytes(30000, 10 + i))}));
    base_ = Open("base");
    full_ = Open("full");
    Put(*base_, "q.io/a/one:1", images_[0]);
    Put(*full_, "q.io/a/one:1", images_[0]);
    Put(*full_, "q.io/a/two:1", images_[1]);
  }

  std::unique_ptr<store::OciDirStore> Open(const std::string& name) {
    return std::move(store::OciDirStore::Open(root_ + "/" + name, true)).value();
  }

  void Put(store::OciDirStore& dir, const std::string& name, const oci::Manifest& m) {
    for (const auto& d : {m.config, m.layers[0], m.layers[1]})
      if (!*dir.HasBlob(kSrc, d)) {
        ASSERT_TRUE(store::CopyBlob(mem_, kSrc, dir, kSrc, d).ok());
      }
    ASSERT_TRUE(dir.PutManifest(Reference::Parse(name).value(), m, store::ManifestRole::kTop).ok());
  }

  Inventory Have(store::OciDirStore& dir) {
    HaveSummary summary;
    auto inv = DirectoryInventory(dir, summary, [](const std::string&) {});
    EXPECT_TRUE(inv.ok());
    return inv.ok() ? *inv : Inventory{};
  }

  std::vector<std::string> Pack(const Inventory* exclude, std::vector<json::Value>* records = nullptr) {
    std::vector<std::string> paths;
    PackOptions o{1 << 20, root_ + (exclude ? "/delta" : "/all"), "mirror", exclude};
    Status s = PackDirectory(*full_, o, [&](const json::Value& v) {
      paths.push_back(*v.GetString("path"));
      if (records) records->push_back(v);
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return paths;
  }

  fixtures::ScopedTempDir tmp_;
  std::string root_;
  store::MemoryStore mem_{"src"};
  std::vector<oci::Manifest> images_;
  std::unique_ptr<store::OciDirStore> base_, full_;
};

TEST(InventoryText, RoundTripsSortedManifestsFirst) {
  Inventory inv;
  inv.blobs.insert(Digest::Sha256Of("b2"));
  inv.blobs.insert(Digest::Sha256Of("b1"));
  inv.manifests.insert(Digest::Sha256Of("m"));
  std::string text = FormatInventory(inv, "dir:/x");
  EXPECT_EQ(text.rfind(std::string(kInventoryHeader) + "\n", 0), 0u);
  EXPECT_NE(text.find("m " + Digest::Sha256Of("m").str() + "\n"), std::string::npos);
  EXPECT_LT(text.find("m sha256:"), text.find("b sha256:"));
  auto back = ParseInventory(text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->manifests, inv.manifests);
  EXPECT_EQ(back->blobs, inv.blobs);
  // CRLF (a file that went through a Windows editor) reads the same.
  std::string crlf;
  for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  EXPECT_EQ(ParseInventory(crlf)->blobs, inv.blobs);
}

TEST(InventoryText, RefusesWhatIsNotAnInventory) {
  EXPECT_EQ(ParseInventory("").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseInventory("b " + Digest::Sha256Of("x").str() + "\n").status().code(), Code::kInvalidArgument);
  auto bad = ParseInventory(std::string(kInventoryHeader) + "\nb sha256:abc\n");
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos);
  EXPECT_FALSE(ParseInventory(std::string(kInventoryHeader) + "\nx " + Digest::Sha256Of("x").str() + "\n").ok());
  // Comments and blank lines are fine.
  EXPECT_TRUE(ParseInventory(std::string(kInventoryHeader) + "\n# note\n\n").ok());
}

TEST(InventoryText, WrittenAtomicallyAndReadBack) {
  fixtures::ScopedTempDir tmp;
  Inventory inv;
  inv.blobs.insert(Digest::Sha256Of("x"));
  std::string path = tmp.path() + "/inv.txt";
  ASSERT_TRUE(WriteInventory(path, inv, "dir:/x").ok());
  auto back = ReadInventory(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->blobs, inv.blobs);
  EXPECT_EQ(ReadInventory(tmp.path() + "/none").status().code(), Code::kNotFound);
}

TEST_F(DeltaTest, HaveListsManifestsAndPresentBlobsWithoutHashing) {
  Inventory inv = Have(*base_);
  EXPECT_EQ(inv.manifests, std::set<Digest>{images_[0].digest});
  EXPECT_EQ(inv.blobs,
            (std::set<Digest>{images_[0].config.digest, images_[0].layers[0].digest, images_[0].layers[1].digest}));
  // A blob of another size is not had (a delta brings it again); one whose
  // content changed but not its size still is: verify is the proof.
  std::string path = base_->BlobPath(images_[0].layers[1].digest);
  ASSERT_EQ(::truncate(path.c_str(), 10), 0);
  HaveSummary summary;
  std::vector<std::string> problems;
  auto again = DirectoryInventory(*base_, summary, [&](const std::string& p) { problems.push_back(p); });
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->blobs.count(images_[0].layers[1].digest), 0u);
  EXPECT_EQ(summary.blobs_wrong_size, 1);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find(path), std::string::npos);
}

TEST_F(DeltaTest, DeltaCarriesManifestsAndMissingBlobsAndCompletesTheBase) {
  Inventory inv = Have(*base_);
  std::vector<json::Value> records;
  auto delta = Pack(&inv, &records);
  ASSERT_EQ(delta.size(), 1u);
  // Only the second image's own config and layer travel, besides manifests.
  EXPECT_EQ(*records[0].GetInt("blobs"), 4);  // 2 manifests + config + unique layer

  auto s = UnpackVolumes(delta, *base_, [](const json::Value&) {});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->delta);
  EXPECT_TRUE(s->ok());
  EXPECT_EQ(s->verify.images_ok, 2);
  EXPECT_EQ(base_->List()->size(), 2u);
}

TEST_F(DeltaTest, DeltaIntoADirectoryWithoutItsBaseIsRefusedBeforeWriting) {
  Inventory inv = Have(*base_);
  auto delta = Pack(&inv);
  auto empty = Open("empty");
  std::vector<json::Value> records;
  auto s = UnpackVolumes(delta, *empty, [&](const json::Value& v) { records.push_back(v); });
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->ok());
  // The base: image one's config and both layers (the shared one too).
  EXPECT_EQ(s->base_missing.size(), 3u);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].GetString("status"), "missing");
  EXPECT_TRUE(empty->List()->empty());
  struct stat st;
  EXPECT_NE(::stat((root_ + "/empty/blobs/sha256/" + std::string(images_[1].layers[1].digest.hex())).c_str(), &st), 0);
}

// A restricted side that keeps only the mirror registry: the base comes
// from a repository of it (--base-from), checked before anything is written
// and verified as it is fetched.
TEST_F(DeltaTest, BaseFromTheMirrorCompletesAnEmptyDirectory) {
  Inventory inv = Have(*base_);
  auto delta = Pack(&inv);
  store::MemoryStore elsewhere("elsewhere");  // a repository without the base
  const Reference nothing = Reference::Parse("mem.test/none").value();

  auto refused = Open("refused");
  std::vector<json::Value> records;
  auto r = UnpackVolumes(delta, *refused, [&](const json::Value& v) { records.push_back(v); }, {{&elsewhere, nothing}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->base_missing.size(), 3u);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_NE(records[0].GetString("error")->find("nor in mem.test/none"), std::string::npos);
  EXPECT_TRUE(refused->List()->empty());

  auto stage = Open("stage");
  auto s = UnpackVolumes(delta, *stage, [](const json::Value&) {}, {{&elsewhere, nothing}, {&mem_, kSrc}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->ok());
  EXPECT_EQ(s->base_fetched, 3);
  EXPECT_EQ(s->base_bytes,
            static_cast<uint64_t>(images_[0].config.size + images_[0].layers[0].size + images_[0].layers[1].size));
  EXPECT_EQ(s->verify.images_ok, 2);
  EXPECT_EQ(stage->List()->size(), 2u);

  // Wrong bytes in the registry under a base digest: an error, nothing named.
  store::MemoryStore spoiled("spoiled");
  for (const auto& d : {images_[0].config, images_[0].layers[0], images_[0].layers[1]})
    spoiled.PutRawBlob("art", d.digest, std::string(static_cast<size_t>(d.size), 'x'));
  auto bad = Open("bad");
  auto b = UnpackVolumes(delta, *bad, [](const json::Value&) {}, {{&spoiled, kSrc}});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), Code::kDataLoss) << b.status().message();
  EXPECT_NE(b.status().message().find("the delta's base blob"), std::string::npos);
  EXPECT_TRUE(bad->List()->empty());
}

// Side files (release signatures, in oci-dir) ride in every volume and are
// written only when the policy takes their name and content.
TEST_F(DeltaTest, SideFilesTravelInEveryVolumeAndAreTakenOnlyWhenSound) {
  PackOptions o{64 << 10, root_ + "/side", "mirror", nullptr, {{"sig-a.json", "good"}, {"config/sig-b.json", "bad"}}};
  std::vector<std::string> paths;
  ASSERT_TRUE(PackDirectory(*full_, o, [&](const json::Value& v) { paths.push_back(*v.GetString("path")); }).ok());
  ASSERT_GT(paths.size(), 1u);
  SideFilePolicy policy{[](const std::string& p) { return p.find("sig-") != std::string::npos; },
                        [](const std::string&, const std::string& bytes) {
                          return bytes == "good" ? Status::Ok() : DataLoss("not a good one");
                        }};
  auto back = Open("back");
  std::vector<json::Value> records;
  auto s = UnpackVolumes(
      paths, *back, [&](const json::Value& v) { records.push_back(v); }, {}, &policy);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->side_files_written, 1);
  EXPECT_EQ(s->verify.images_ok, 2);
  EXPECT_EQ(ReadFileLimited(root_ + "/back/sig-a.json", 100).value(), "good");
  struct stat st;
  ASSERT_EQ(::stat((root_ + "/back/sig-a.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_NE(::stat((root_ + "/back/config/sig-b.json").c_str(), &st), 0);
  // The unsound one is refused in every volume that carries it (all).
  EXPECT_EQ(s->entries_refused, static_cast<int>(paths.size()));
  ASSERT_FALSE(records.empty());
  EXPECT_NE(records[0].GetString("error")->find("not a good one"), std::string::npos);

  // Without a policy they are unexpected entries.
  auto plain = Open("plain");
  auto p = UnpackVolumes(paths, *plain, [](const json::Value&) {});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->side_files_written, 0);
  EXPECT_EQ(p->entries_refused, 2 * static_cast<int>(paths.size()));
  EXPECT_NE(::stat((root_ + "/plain/sig-a.json").c_str(), &st), 0);
}

TEST_F(DeltaTest, AnImageWithABlobMissingIsNeverNamed) {
  // A full set with its second volume held back names only what is whole.
  std::vector<std::string> paths;
  PackOptions o{100 * 1024, root_ + "/small", "mirror"};
  ASSERT_TRUE(PackDirectory(*full_, o, [&](const json::Value& v) { paths.push_back(*v.GetString("path")); }).ok());
  ASSERT_GE(paths.size(), 2u);
  auto part = Open("part");
  std::vector<json::Value> records;
  auto s = UnpackVolumes({paths[0]}, *part, [&](const json::Value& v) { records.push_back(v); });
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->ok());
  EXPECT_GE(s->images_incomplete, 1);
  EXPECT_EQ(static_cast<int>(part->List()->size()), 2 - s->images_incomplete);
  int damaged = 0;
  for (const auto& r : records)
    if (r.GetString("kind") == "image" && r.GetString("status") == "damaged") ++damaged;
  EXPECT_EQ(damaged, s->images_incomplete);
}

TEST_F(DeltaTest, PackRefusesADeltaItsDirectoryCannotComplete) {
  // The full directory lost a blob the inventory does not list either.
  ASSERT_EQ(::unlink(full_->BlobPath(images_[1].layers[1].digest).c_str()), 0);
  Inventory inv = Have(*base_);
  PackOptions o{1 << 20, root_ + "/delta", "mirror", &inv};
  Status s = PackDirectory(*full_, o, [](const json::Value&) {});
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_NE(s.message().find(images_[1].layers[1].digest.str()), std::string::npos);
}

TEST(InventoryRecords, PinsDestsByDigestSkipsFailedCopiesAndNamesBadLines) {
  const std::string d = Digest::Sha256Of("m").str();
  std::string text = "{\"kind\":\"image\",\"dest\":\"r.io/a/b:1\",\"digest\":\"" + d + "\",\"status\":\"copied\"}\n" +
                     "{\"kind\":\"image\",\"dest\":\"r.io/a/c:1\",\"status\":\"failed\"}\n" + "not json\n" +
                     "{\"kind\":\"image\",\"dest\":\"dir:/m:x\"}\n" + "{\"kind\":\"error\",\"error\":\"x\"}\n" +
                     "{\"kind\":\"image\",\"dest\":\"r.io/a/b:2\",\"digest\":\"" + d + "\",\"status\":\"present\"}\n" +
                     "{\"kind\":\"release\",\"dest\":\"r.io/a/rel:4\"}\n";
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fds[1]);
  json::LineReader reader(fds[0]);
  std::vector<size_t> lines;
  auto refs = ImagesFromRecords(reader, [&](size_t line, const Status&) { lines.push_back(line); });
  ::close(fds[0]);
  ASSERT_TRUE(refs.ok());
  // b:1 and b:2 pin the same manifest: one image.
  ASSERT_EQ(refs->size(), 2u);
  EXPECT_EQ((*refs)[0].String(), "r.io/a/b@" + d);
  EXPECT_EQ((*refs)[1].String(), "r.io/a/rel:4");
  EXPECT_EQ(lines, (std::vector<size_t>{3, 4}));
}

TEST(InventoryRegistry, ListsManifestsChildrenAndBlobsAndLeavesOutWhatCannotBeRead) {
  auth::AuthStore auth;
  http::Client client{http::ClientOptions{}};
  store::StoreResolver resolver(client, auth, {});
  auto owned = std::make_unique<store::MemoryStore>("mem.test");
  store::MemoryStore& mem = *owned;
  resolver.Register("mem.test", std::move(owned));
  auto layer = fixtures::PutBlob(mem, "art", fixtures::RandomBytes(1000, 1));
  auto a = fixtures::MakeImage(mem, "art", fixtures::ConfigJson("amd64"), {layer});
  auto b = fixtures::MakeImage(mem, "art", fixtures::ConfigJson("arm64"), {layer});
  auto index = fixtures::MakeIndex(mem, "art", {{a, "amd64"}, {b, "arm64"}});
  const Reference repo = Reference::Parse("mem.test/art").value();
  std::vector<std::string> failed;
  Inventory inv = RegistryInventory(resolver, {repo.WithDigest(index.digest), repo.WithDigest(Digest::Sha256Of("no"))},
                                    [&](const Reference& r, const Status&) { failed.push_back(r.String()); });
  EXPECT_EQ(inv.manifests, (std::set<Digest>{index.digest, a.digest, b.digest}));
  EXPECT_EQ(inv.blobs, (std::set<Digest>{a.config.digest, b.config.digest, layer.digest}));
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NE(failed[0].find(Digest::Sha256Of("no").str()), std::string::npos);
}

}  // namespace
}  // namespace mk::layout
