#include "prune/prune.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <set>

#include "base/atomic_file.h"
#include "json/value.h"
#include "prune/dir_prune.h"
#include "prune/keep.h"
#include "prune/registry_prune.h"
#include "prune/sigstore_tag.h"
#include "signature/config_map.h"
#include "store/memory_store.h"
#include "store/oci_dir_store.h"
#include "testing/image_builder.h"
#include "testing/temp_dir.h"

namespace mk::prune {
namespace {

Reference Ref(const std::string& s) { return Reference::Parse(s).value(); }

std::string SigTag(const Digest& d) { return "sha256-" + std::string(d.hex()) + ".sig"; }

// The tags of a MemoryStore, as the test tagged them (MemoryStore has no
// listing, as the Store interface has none).
class FakeLister : public Lister {
 public:
  std::map<std::string, std::vector<std::string>> tags;
  std::vector<std::string> repositories;
  bool fail = false;
  Result<std::vector<std::string>> Repositories() override { return repositories; }
  Result<std::vector<std::string>> Tags(const std::string& repo) override {
    if (fail) return Unavailable("tags of " + repo + ": HTTP 503");
    auto it = tags.find(repo);
    if (it == tags.end()) return NotFound("no repository " + repo);
    return it->second;
  }
};

TEST(KeepList, ReadsDigestsAndLocationsOfMappingRecordsOnly) {
  const std::string d1 = "sha256:" + std::string(64, '1'), d2 = "sha256:" + std::string(64, '2');
  const std::string d3 = "sha256:" + std::string(64, '3');
  std::string text = "{\"kind\":\"image\",\"source\":\"q.io/a/b@" + d1 + "\",\"dest\":\"m.io/r/x:t1\",\"digest\":\"" +
                     d1 + "\",\"status\":\"copied\"}\n" + "\n{\"kind\":\"skipped\",\"digest\":\"" + d2 + "\"}\n" +
                     "{\"kind\":\"image\",\"dest\":\"m.io/r/y:t\",\"digest\":\"" + d3 +
                     "\",\"error\":\"copy failed\",\"status\":\"failed\"}\n" + "{\"source\":\"dir:/media:q.io/a/b@" +
                     d2 + "\"}\n";
  auto keep = ReadKeepList(text);
  ASSERT_TRUE(keep.ok()) << keep.status().message();
  EXPECT_EQ(keep->records, 4u);
  EXPECT_EQ(keep->naming, 3u);
  // The skipped record names nothing; the failed copy keeps its digest.
  EXPECT_EQ(keep->digests,
            (std::set<Digest>{Digest::Parse(d1).value(), Digest::Parse(d2).value(), Digest::Parse(d3).value()}));
  ASSERT_EQ(keep->images.size(), 3u);
  EXPECT_EQ(keep->images[0].location.name, "m.io/r/x:t1");
  EXPECT_EQ(keep->images[0].digest->str(), d1);
  EXPECT_EQ(keep->images[1].location.name, "q.io/a/b@" + d1);
  EXPECT_FALSE(keep->images[1].digest);
  EXPECT_EQ(keep->images[2].location.dir, "/media");
}

TEST(KeepList, KeepsAPrunedCatalogByItsDestAndPrunedDigest) {
  const std::string src = "sha256:" + std::string(64, '4');
  const std::string pruned = "sha256:" + std::string(64, '5');
  auto keep = ReadKeepList("{\"kind\":\"catalog\",\"source\":\"q.io/ops/index@" + src + "\",\"digest\":\"" + src +
                           "\",\"dest\":\"m.io/ops/index:v1\",\"pruned_digest\":\"" + pruned +
                           "\"}\n{\"kind\":\"catalog\",\"source\":\"q.io/ops/other@" + src + "\",\"digest\":\"" + src +
                           "\"}\n");
  ASSERT_TRUE(keep.ok()) << keep.status().message();
  EXPECT_EQ(keep->naming, 1u);  // a catalog that was not written names nothing in a mirror
  EXPECT_EQ(keep->digests, (std::set<Digest>{Digest::Parse(pruned).value()}));
  ASSERT_EQ(keep->images.size(), 1u);
  EXPECT_EQ(keep->images[0].location.name, "m.io/ops/index:v1");
  EXPECT_EQ(keep->images[0].digest->str(), pruned);
  EXPECT_FALSE(ReadKeepList("{\"kind\":\"catalog\",\"dest\":\"m.io/i:v1\",\"pruned_digest\":\"sha256:12\"}").ok());
}

TEST(KeepList, RefusesWhatItCannotReadWhole) {
  EXPECT_EQ(ReadKeepList("{\"dest\":\"m.io/r:t\"}\nnot json\n").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ReadKeepList("{\"kind\":\"image\",\"dest\":\"m.io/r:t\",\"digest\":\"sha256:12\"}").status().code(),
            Code::kInvalidArgument);
  auto misspelled = ReadKeepList("{\"kind\":\"image\",\"dst\":\"m.io/r:t\"}");
  EXPECT_EQ(misspelled.status().code(), Code::kInvalidArgument);
  EXPECT_NE(misspelled.status().message().find("line 1"), std::string::npos);
  auto none = ReadKeepList("{\"kind\":\"prune\",\"digest\":\"sha256:" + std::string(64, 'a') + "\"}\n");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->naming, 0u);
}

TEST(SignedDigest, OnlyCosignTags) {
  Digest d = Digest::Sha256Of("x");
  EXPECT_EQ(SignedDigest(SigTag(d)), d);
  EXPECT_FALSE(SignedDigest("sha256-abc.sig"));
  EXPECT_FALSE(SignedDigest("4.3.0-x86_64"));
  EXPECT_FALSE(SignedDigest("sha256-" + std::string(d.hex()) + ".att"));
}

TEST(RegistryTarget, RepositoryOrNamespace) {
  auto t = ParseRegistryTarget("m.io:5000/ocp4/openshift4");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->prefix);
  EXPECT_TRUE(t->Covers("ocp4/openshift4"));
  EXPECT_FALSE(t->Covers("ocp4/openshift4/x"));
  auto ns = ParseRegistryTarget("m.io:5000/ocp4/");
  ASSERT_TRUE(ns.ok());
  EXPECT_TRUE(ns->prefix);
  EXPECT_TRUE(ns->Covers("ocp4/openshift4"));
  EXPECT_FALSE(ns->Covers("ocp4"));
  EXPECT_FALSE(ns->Covers("ocp44/x"));
  EXPECT_FALSE(ParseRegistryTarget("m.io:5000").ok());
  EXPECT_FALSE(ParseRegistryTarget("m.io:5000/ocp4:tag").ok());
}

// Two z-streams in one repository: release 1 has image A, the list J (children
// D1, and C1 which release 2's list I shares) and a signature of A; release 2
// has B (also tagged by release 1: a shared component), I (C1, C2) and a
// signature of B.
class RegistryPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    using fixtures::MakeImage;
    using fixtures::PutBlob;
    auto image = [&](const std::string& name) {
      return MakeImage(store_, kRepo, fixtures::ConfigJson("amd64", name),
                       {PutBlob(store_, kRepo, "layer of " + name), PutBlob(store_, kRepo, "shared base")});
    };
    a_ = image("a");
    b_ = image("b");
    c1_ = image("c1");
    c2_ = image("c2");
    d1_ = image("d1");
    s_ = image("signature of b");
    t_ = image("signature of a");
    i_ = fixtures::MakeIndex(store_, kRepo, {{c1_, "amd64"}, {c2_, "arm64"}});
    j_ = fixtures::MakeIndex(store_, kRepo, {{c1_, "amd64"}, {d1_, "arm64"}});
    Tag("1-a", a_);
    Tag("1-b", b_);
    Tag("2-b", b_);
    Tag("1-j", j_);
    Tag("2-i", i_);
    Tag(SigTag(b_.digest), s_);
    Tag(SigTag(a_.digest), t_);
  }
  void Tag(const std::string& tag, const oci::Manifest& m) {
    ASSERT_TRUE(store_.PutManifest(Ref(std::string("mem.test/") + kRepo + ":" + tag), m).ok());
    lister_.tags[kRepo].push_back(tag);
  }
  KeepList Keep(const std::string& records) {
    auto keep = ReadKeepList(records);
    EXPECT_TRUE(keep.ok()) << keep.status().message();
    return keep.ok() ? *keep : KeepList{};
  }
  std::string Release2() const {
    return "{\"kind\":\"image\",\"dest\":\"mem.test/mirror/ocp:2-b\",\"digest\":\"" + b_.digest.str() + "\"}\n" +
           "{\"kind\":\"image\",\"dest\":\"mem.test/mirror/ocp:2-i\"}\n";
  }

  static constexpr const char* kRepo = "mirror/ocp";
  store::MemoryStore store_{"mirror"};
  FakeLister lister_;
  RegistryTarget target_ = ParseRegistryTarget("mem.test/mirror/ocp").value();
  oci::Manifest a_, b_, c1_, c2_, d1_, s_, t_, i_, j_;
};

TEST_F(RegistryPlanTest, DeletesWhatOnlyTheOldReleaseNamesAndKeepsSharedAndSignedContent) {
  auto plan = PlanRegistry(store_, lister_, target_, Keep(Release2()), /*jobs=*/4);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  std::map<std::string, const Deletion*> by_digest;
  for (const auto& d : plan->deletions) by_digest[d.ref.digest()->str()] = &d;
  // A, its signature, the old list J and its child D1 only: C1 is a child of
  // the kept list I, B is kept though release 1 tagged it too.
  EXPECT_EQ(by_digest.size(), 4u);
  ASSERT_TRUE(by_digest.count(a_.digest.str()));
  EXPECT_EQ(by_digest[a_.digest.str()]->tags, std::vector<std::string>{"1-a"});
  ASSERT_TRUE(by_digest.count(t_.digest.str()));
  EXPECT_EQ(by_digest[t_.digest.str()]->reason, "signature of an image not kept");
  ASSERT_TRUE(by_digest.count(j_.digest.str()));
  ASSERT_TRUE(by_digest.count(d1_.digest.str()));
  EXPECT_TRUE(by_digest[d1_.digest.str()]->tags.empty());
  EXPECT_FALSE(by_digest.count(c1_.digest.str()));
  EXPECT_FALSE(by_digest.count(b_.digest.str()));
  EXPECT_FALSE(by_digest.count(s_.digest.str()));
  // The list goes before the child it takes along.
  size_t j_at = 0, d1_at = 0;
  for (size_t k = 0; k < plan->deletions.size(); ++k) {
    if (plan->deletions[k].ref.digest() == j_.digest) j_at = k;
    if (plan->deletions[k].ref.digest() == d1_.digest) d1_at = k;
  }
  EXPECT_LT(j_at, d1_at);
  EXPECT_EQ(plan->tags, 7);
  EXPECT_EQ(plan->tags_kept, 4);  // 1-b, 2-b, 2-i, the signature of B
  EXPECT_EQ(plan->images_kept, 3);
}

TEST_F(RegistryPlanTest, AKeptDigestNamedOnlyByDigestKeepsItWhereverItIs) {
  // A record of another mirror (dest elsewhere) still keeps its digest here.
  std::string records =
      Release2() + "{\"kind\":\"image\",\"dest\":\"other.io/x:1\",\"digest\":\"" + j_.digest.str() + "\"}\n";
  auto plan = PlanRegistry(store_, lister_, target_, Keep(records));
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  for (const auto& d : plan->deletions) {
    EXPECT_NE(*d.ref.digest(), j_.digest);
    EXPECT_NE(*d.ref.digest(), d1_.digest);
  }
  EXPECT_EQ(plan->deletions.size(), 2u);  // A and its signature
}

TEST_F(RegistryPlanTest, RefusesOnAMissingKeptImageOrAnUnreadableMirror) {
  auto missing = PlanRegistry(store_, lister_, target_, Keep(Release2() + "{\"dest\":\"mem.test/mirror/ocp:3-x\"}\n"));
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_NE(missing.status().message().find("3-x"), std::string::npos);
  std::string gone_digest = "{\"dest\":\"mem.test/mirror/ocp@sha256:" + std::string(64, 'e') + "\"}\n";
  EXPECT_EQ(PlanRegistry(store_, lister_, target_, Keep(Release2() + gone_digest)).status().code(), Code::kNotFound);
  // Records for another mirror only: nothing here is kept, so nothing goes.
  auto elsewhere = PlanRegistry(store_, lister_, target_, Keep("{\"dest\":\"other.io/x:1\"}\n"));
  EXPECT_EQ(elsewhere.status().code(), Code::kInvalidArgument);
  lister_.fail = true;
  EXPECT_EQ(PlanRegistry(store_, lister_, target_, Keep(Release2())).status().code(), Code::kUnavailable);
}

TEST_F(RegistryPlanTest, ANamespaceTargetCoversTheRepositoriesUnderIt) {
  lister_.repositories = {"mirror/ocp", "mirrorx/other", "elsewhere/y"};
  auto ns = ParseRegistryTarget("mem.test/mirror/").value();
  auto plan = PlanRegistry(store_, lister_, ns, Keep(Release2()));
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->repositories, 1);
  EXPECT_EQ(plan->deletions.size(), 4u);
}

// A layout with release 1's image A and release 2's image B (sharing a
// base layer) and release 2's index I.
class DirPruneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    path_ = tmp_.path() + "/media";
    auto d = store::OciDirStore::Open(path_, true);
    ASSERT_TRUE(d.ok());
    dir_ = std::move(d).value();
    a_ = Put("q.io/o/art:a", "a");
    b_ = Put("q.io/o/art:b", "b");
    c1_ = Image("c1");
    c2_ = Image("c2");
    i_ = fixtures::MakeIndex(mem_, "o", {{c1_, "amd64"}, {c2_, "arm64"}});
    Copy(c1_, store::ManifestRole::kChild);
    Copy(c2_, store::ManifestRole::kChild);
    ASSERT_TRUE(dir_->PutManifest(Ref("q.io/o/list:i"), i_, store::ManifestRole::kTop).ok());
  }
  oci::Manifest Image(const std::string& name) {
    return fixtures::MakeImage(
        mem_, "o", fixtures::ConfigJson("amd64", name),
        {fixtures::PutBlob(mem_, "o", "layer of " + name), fixtures::PutBlob(mem_, "o", "base")});
  }
  void Copy(const oci::Manifest& m, store::ManifestRole role, const std::string& name = "") {
    std::vector<oci::Descriptor> blobs = m.layers;
    blobs.push_back(m.config);
    for (const auto& blob : blobs) {
      std::string bytes;
      ASSERT_TRUE(mem_.FetchBlob(Ref("mem.test/o"), blob,
                                 [&](const char* p, size_t n) {
                                   bytes.append(p, n);
                                   return Status::Ok();
                                 })
                      .ok());
      size_t at = 0;
      ASSERT_TRUE(dir_->PushBlob(Ref("q.io/o/x"), blob,
                                 [&](char* out, size_t n) -> Result<size_t> {
                                   size_t k = std::min(n, bytes.size() - at);
                                   std::copy(bytes.data() + at, bytes.data() + at + k, out);
                                   at += k;
                                   return k;
                                 })
                      .ok());
    }
    Reference ref = name.empty() ? Ref("q.io/o/art@" + m.digest.str()) : Ref(name);
    ASSERT_TRUE(dir_->PutManifest(ref, m, role).ok());
  }
  oci::Manifest Put(const std::string& name, const std::string& label) {
    oci::Manifest m = Image(label);
    Copy(m, store::ManifestRole::kTop, name);
    return m;
  }
  bool Has(const Digest& d) { return ::access(dir_->BlobPath(d).c_str(), F_OK) == 0; }
  std::string Keep2() const {
    return "{\"kind\":\"image\",\"dest\":\"dir:" + path_ + ":q.io/o/art:b\"}\n" +
           "{\"kind\":\"image\",\"dest\":\"dir:" + path_ + "/:q.io/o/list:i\",\"digest\":\"" + i_.digest.str() +
           "\"}\n";
  }

  fixtures::ScopedTempDir tmp_;
  std::string path_;
  std::unique_ptr<store::OciDirStore> dir_;
  store::MemoryStore mem_{"src"};
  oci::Manifest a_, b_, c1_, c2_, i_;
};

TEST_F(DirPruneTest, DryRunPlansAndChangesNothingThenApplyRemovesOnlyWhatNothingKeptReferences) {
  KeepList keep = ReadKeepList(Keep2()).value();
  auto plan = PruneDirectory(path_, keep, false);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->entries.size(), 1u);
  EXPECT_EQ(plan->entries[0].name, "q.io/o/art:a");
  EXPECT_EQ(plan->entries[0].digest, a_.digest);
  // A's manifest, config and own layer; the shared base stays.
  EXPECT_EQ(plan->blobs.size(), 3u);
  EXPECT_EQ(plan->entries_kept, 2);
  EXPECT_TRUE(Has(a_.digest));
  EXPECT_EQ(dir_->List()->size(), 3u);

  auto applied = PruneDirectory(path_, keep, true);
  ASSERT_TRUE(applied.ok()) << applied.status().message();
  auto names = dir_->List();
  ASSERT_TRUE(names.ok());
  ASSERT_EQ(names->size(), 2u);
  EXPECT_EQ((*names)[0].name, "q.io/o/art:b");
  EXPECT_EQ((*names)[1].name, "q.io/o/list:i");
  EXPECT_FALSE(Has(a_.digest));
  EXPECT_FALSE(Has(a_.config.digest));
  EXPECT_FALSE(Has(a_.layers[0].digest));
  EXPECT_TRUE(Has(a_.layers[1].digest));  // the base B shares
  for (const auto* m : {&b_, &c1_, &c2_, &i_}) EXPECT_TRUE(dir_->ReadManifestBlob(m->digest, m->media_type).ok());
  EXPECT_TRUE(Has(c2_.layers[0].digest));  // a layer of the kept index's child
  // Nothing more to do.
  auto again = PruneDirectory(path_, keep, false);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->entries.empty());
  EXPECT_TRUE(again->blobs.empty());
}

TEST_F(DirPruneTest, RefusesWhenAKeptImageIsMissingOrAKeptManifestIsDamaged) {
  auto missing =
      PruneDirectory(path_, ReadKeepList(Keep2() + "{\"dest\":\"dir:" + path_ + ":q.io/o/art:zz\"}").value(), true);
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_TRUE(Has(a_.digest));
  // Records that name nothing in this directory keep nothing: refused.
  auto elsewhere = PruneDirectory(path_, ReadKeepList("{\"dest\":\"dir:/elsewhere:q.io/o/art:b\"}").value(), true);
  EXPECT_EQ(elsewhere.status().code(), Code::kInvalidArgument);
  // A kept child manifest that no longer reads back whole.
  ASSERT_EQ(::unlink(dir_->BlobPath(c2_.digest).c_str()), 0);
  auto damaged = PruneDirectory(path_, ReadKeepList(Keep2()).value(), true);
  EXPECT_FALSE(damaged.ok());
  EXPECT_TRUE(Has(a_.digest));
  EXPECT_EQ(dir_->List()->size(), 3u);
}

TEST_F(DirPruneTest, AnIndexThatDoesNotParseIsAnErrorAndNothingGoes) {
  ASSERT_TRUE(WriteFileAtomic(path_ + "/index.json", "{\"manifests\": [").ok());
  auto plan = PruneDirectory(path_, ReadKeepList(Keep2()).value(), true);
  EXPECT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("index.json"), std::string::npos) << plan.status().message();
  EXPECT_TRUE(Has(a_.digest));
  EXPECT_TRUE(Has(a_.layers[0].digest));
}

TEST_F(DirPruneTest, ReleaseSignatureConfigMapsGoWithTheirRelease) {
  // release-signatures --to-dir puts them beside the layout; oci-dir verify
  // reports one whose release the layout no longer holds.
  auto gone = signature::WriteConfigMap(path_, std::string(a_.digest.hex()), {"sig-a"});
  auto kept = signature::WriteConfigMap(path_ + "/config", std::string(b_.digest.hex()), {"sig-b"});
  ASSERT_TRUE(gone.ok() && kept.ok());
  auto plan = PruneDirectory(path_, ReadKeepList(Keep2()).value(), true);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->signature_files.size(), 1u);
  EXPECT_EQ(plan->signature_files[0], *gone);
  EXPECT_EQ(plan->signature_digests[0], a_.digest);
  EXPECT_NE(::access(gone->c_str(), F_OK), 0);
  EXPECT_EQ(::access(kept->c_str(), F_OK), 0);
}

TEST(PruneRecord, FieldsInOrderEmptyOnesLeftOut) {
  PruneRecord r;
  r.target = "m.io/r";
  r.ref = "m.io/r@sha256:" + std::string(64, 'a');
  r.tags = {"t1"};
  r.digest = "sha256:" + std::string(64, 'a');
  r.action = "would-delete";
  r.reason = "no kept record names it";
  EXPECT_EQ(Record(r).Serialize(),
            "{\"kind\":\"prune\",\"target\":\"m.io/r\",\"ref\":\"m.io/r@sha256:" + std::string(64, 'a') +
                "\",\"tags\":[\"t1\"],\"digest\":\"sha256:" + std::string(64, 'a') +
                "\",\"action\":\"would-delete\",\"reason\":\"no kept record names it\"}");
}

}  // namespace
}  // namespace mk::prune
