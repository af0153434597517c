#include <gtest/gtest.h>

#include "archive/tar.h"
#include "oci/media_types.h"
#include "release/release_contents.h"
#include "release/release_plan.h"
#include "release/release_reader.h"
#include "release/stored_layer.h"
#include "store/memory_store.h"
#include "testing/image_builder.h"

namespace mk::release {
namespace {

std::string Digest64(char c) { return "sha256:" + std::string(64, c); }

std::string ImageReferences(const std::vector<std::pair<std::string, std::string>>& tags) {
  std::string out =
      R"({"kind":"ImageStream","apiVersion":"image.openshift.io/v1","metadata":{"name":"4.3.0"},"spec":{"tags":[)";
  for (size_t i = 0; i < tags.size(); ++i)
    out += std::string(i ? "," : "") + R"({"name":")" + tags[i].first + R"(","from":{"kind":"DockerImage","name":")" +
           tags[i].second + R"("}})";
  return out + "]}}";
}

TEST(ReleaseContents, ParsesImageReferences) {
  auto c = ParseImageReferences(
      ImageReferences({{"cli", "quay.io/openshift-release-dev/ocp-v4.0-art-dev@" + Digest64('1')},
                       {"installer", "quay.io/openshift-release-dev/ocp-v4.0-art-dev@" + Digest64('2')}}));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->name, "4.3.0");
  ASSERT_EQ(c->components.size(), 2u);
  EXPECT_EQ(c->components[1].name, "installer");
  EXPECT_EQ(c->components[1].source.String(), "quay.io/openshift-release-dev/ocp-v4.0-art-dev@" + Digest64('2'));
  ASSERT_TRUE(
      ParseReleaseMetadata(R"({"kind":"cincinnati-metadata-v0","version":"4.3.0","previous":["4.2.16"]})", *c).ok());
  EXPECT_EQ(c->version(), "4.3.0");
  EXPECT_EQ(c->previous.size(), 1u);
}

TEST(ReleaseContents, RefusesWhatOcRefuses) {
  auto tag = ParseImageReferences(ImageReferences({{"cli", "quay.io/a/b:latest"}}));
  ASSERT_FALSE(tag.ok());
  EXPECT_NE(tag.status().message().find("not pinned by digest"), std::string::npos);
  EXPECT_FALSE(ParseImageReferences(
                   ImageReferences({{"cli", "quay.io/a/b@" + Digest64('1')}, {"cli", "quay.io/a/b@" + Digest64('2')}}))
                   .ok());
  EXPECT_FALSE(ParseImageReferences(R"({"kind":"Pod"})").ok());
  EXPECT_FALSE(ParseImageReferences(ImageReferences({})).ok());
  auto kind = ParseImageReferences(
      R"({"kind":"ImageStream","spec":{"tags":[{"name":"a","from":{"kind":"ImageStreamTag","name":"x:y"}}]}})");
  EXPECT_NE(kind.status().message().find("DockerImage"), std::string::npos);
}

class ReleaseImageTest : public ::testing::Test {
 protected:
  const Reference repo_ = Reference::Parse("mem.test/ocp/release").value();
  store::MemoryStore store_{"mem.test"};

  // Builds a release image whose last layer holds files.
  oci::Manifest Build(const std::vector<std::pair<std::string, std::string>>& files,
                      const std::string& arch = "amd64") {
    auto base = fixtures::PutBlob(store_, "ocp/release", fixtures::MakeTarGz({{"usr/bin/cvo", "binary"}}));
    auto top = fixtures::PutBlob(store_, "ocp/release", fixtures::MakeTarGz(files));
    return fixtures::MakeImage(store_, "ocp/release", fixtures::ConfigJson(arch, "4.3.0"), {base, top});
  }
};

TEST_F(ReleaseImageTest, ReadsReleaseManifestsFromLayers) {
  std::string refs = ImageReferences({{"cli", "quay.io/o/art@" + Digest64('1')}});
  oci::Manifest m = Build({{"release-manifests/0000_00_a.yaml", "kind: X\n"},
                           {"./release-manifests/image-references", refs},
                           {"release-manifests/release-metadata", R"({"version":"4.3.0","previous":[]})"}});
  (void)store_.PutManifest(repo_.WithTag("4.3.0-x86_64"), m);
  auto r = ReadRelease(store_, repo_.WithTag("4.3.0-x86_64"), "amd64");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->arch, "x86_64");
  EXPECT_EQ(r->label_version, "4.3.0");
  EXPECT_EQ(r->pinned.String(), "mem.test/ocp/release@" + m.digest.str());
  ASSERT_EQ(r->contents.components.size(), 1u);

  PlanOptions plan;
  plan.to = Reference::Parse("mirror.example.com:5000/ocp4/openshift4").value();
  auto records = PlanRecords(*r, plan);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ(*(*records)[0].GetString("dest"), "mirror.example.com:5000/ocp4/openshift4:4.3.0-x86_64");
  EXPECT_EQ(*(*records)[1].GetString("dest"), "mirror.example.com:5000/ocp4/openshift4:4.3.0-x86_64-cli");
  EXPECT_EQ(*(*records)[1].GetString("source"), "quay.io/o/art@" + Digest64('1'));
  plan.to_release_image = Reference::Parse("mirror.example.com:5000/ocp4/release:custom").value();
  EXPECT_EQ(*(*PlanRecords(*r, plan))[0].GetString("dest"), "mirror.example.com:5000/ocp4/release:custom");
  EXPECT_FALSE((*PlanRecords(*r, PlanOptions{}))[1].Find("dest"));
}

TEST_F(ReleaseImageTest, ManifestListResolvesToArchitecture) {
  std::string refs = ImageReferences({{"cli", "quay.io/o/art@" + Digest64('1')}});
  oci::Manifest amd = Build({{"release-manifests/image-references", refs}}, "amd64");
  oci::Manifest arm = Build({{"release-manifests/image-references", refs}}, "arm64");
  oci::Manifest index = fixtures::MakeIndex(store_, "ocp/release", {{amd, "amd64"}, {arm, "arm64"}});
  auto r = ReadRelease(store_, repo_.WithDigest(index.digest), "arm64");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->arch, "aarch64");
  EXPECT_EQ(r->manifest.digest, arm.digest);
  // A child asked for is a single-arch release that remembers its list.
  EXPECT_FALSE(r->multi);
  EXPECT_TRUE(r->from_list);
  EXPECT_EQ(r->list_digest, index.digest);
  EXPECT_EQ(r->digest(), arm.digest);
  EXPECT_EQ(r->pinned.String(), "mem.test/ocp/release@" + arm.digest.str());
  auto missing = ReadRelease(store_, repo_.WithDigest(index.digest), "s390x");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_NE(missing.status().message().find("linux/amd64"), std::string::npos);
}

TEST_F(ReleaseImageTest, ManifestListIsKeptWholeByDefault) {
  // Each child names its own components, so the test sees which was read.
  oci::Manifest arm = Build(
      {{"release-manifests/image-references", ImageReferences({{"cli", "quay.io/o/art@" + Digest64('2')}})}}, "arm64");
  oci::Manifest amd = Build(
      {{"release-manifests/image-references", ImageReferences({{"cli", "quay.io/o/art@" + Digest64('1')}})}}, "amd64");
  oci::Manifest index = fixtures::MakeIndex(store_, "ocp/release", {{arm, "arm64"}, {amd, "amd64"}});
  for (const char* arch : {"", "multi"}) {
    auto r = ReadRelease(store_, repo_.WithDigest(index.digest), arch);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_TRUE(r->multi);
    EXPECT_TRUE(r->from_list);
    EXPECT_EQ(r->arch, "multi");
    EXPECT_EQ(r->list_digest, index.digest);
    EXPECT_EQ(r->list_media_type, oci::kOciIndex);
    EXPECT_EQ(r->manifest.digest, amd.digest) << "image-references comes from linux/amd64, not the first child";
    EXPECT_EQ(r->pinned.String(), "mem.test/ocp/release@" + index.digest.str());
    ASSERT_EQ(r->contents.components.size(), 1u);
    EXPECT_EQ(r->contents.components[0].source.digest()->str(), Digest64('1'));
  }

  auto r = ReadRelease(store_, repo_.WithTag("4.3.0-multi"), "");
  ASSERT_FALSE(r.ok()) << "not tagged yet";
  ASSERT_TRUE(store_.PutManifest(repo_.WithTag("4.3.0-multi"), index).ok());
  r = ReadRelease(store_, repo_.WithTag("4.3.0-multi"), "");
  ASSERT_TRUE(r.ok()) << r.status().message();
  PlanOptions plan;
  plan.to = Reference::Parse("mirror.example.com:5000/ocp4/openshift4").value();
  auto records = PlanRecords(*r, plan);
  ASSERT_TRUE(records.ok()) << records.status().message();
  ASSERT_EQ(records->size(), 2u);
  const json::Value& rel = (*records)[0];
  EXPECT_EQ(*rel.GetString("arch"), "multi");
  EXPECT_EQ(*rel.GetString("digest"), index.digest.str());
  EXPECT_EQ(*rel.GetString("source"), "mem.test/ocp/release@" + index.digest.str());
  EXPECT_EQ(*rel.GetString("dest"), "mirror.example.com:5000/ocp4/openshift4:4.3.0-multi");
  EXPECT_EQ(*(*records)[1].GetString("dest"), "mirror.example.com:5000/ocp4/openshift4:4.3.0-multi-cli");
  EXPECT_EQ(*(*records)[1].GetString("source"), "quay.io/o/art@" + Digest64('1'));

  // --to-dir keeps the list under the name it was asked by.
  PlanOptions dir;
  dir.to_dir = "/media/usb";
  auto in_dir = PlanRecords(*r, dir);
  ASSERT_TRUE(in_dir.ok());
  EXPECT_EQ(*(*in_dir)[0].GetString("dest"), "dir:/media/usb:mem.test/ocp/release:4.3.0-multi");
  EXPECT_EQ(*(*in_dir)[0].GetString("digest"), index.digest.str());
}

TEST_F(ReleaseImageTest, ListWithoutAmd64IsReadFromItsFirstChild) {
  std::string refs = ImageReferences({{"cli", "quay.io/o/art@" + Digest64('3')}});
  oci::Manifest s390 = Build({{"release-manifests/image-references", refs}}, "s390x");
  oci::Manifest ppc = Build({{"release-manifests/image-references", refs}}, "ppc64le");
  oci::Manifest index = fixtures::MakeIndex(store_, "ocp/release", {{s390, "s390x"}, {ppc, "ppc64le"}});
  auto r = ReadRelease(store_, repo_.WithDigest(index.digest), "");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->manifest.digest, s390.digest);
  EXPECT_EQ(r->arch, "multi");
  EXPECT_EQ(r->digest(), index.digest);
}

TEST_F(ReleaseImageTest, MultiOnASingleArchReleaseIsRefused) {
  std::string refs = ImageReferences({{"cli", "quay.io/o/art@" + Digest64('1')}});
  oci::Manifest m = Build({{"release-manifests/image-references", refs}});
  auto r = ReadRelease(store_, repo_.WithDigest(m.digest), "multi");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("single-architecture"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(m.digest.str()), std::string::npos) << "names the release";
  // The default reads it as it is.
  auto plain = ReadRelease(store_, repo_.WithDigest(m.digest), "");
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_FALSE(plain->multi);
  EXPECT_FALSE(plain->from_list);
  EXPECT_EQ(plain->arch, "x86_64");
  EXPECT_EQ(plain->digest(), m.digest);
}

TEST_F(ReleaseImageTest, NoImageReferencesIsAClearError) {
  oci::Manifest m = Build({{"release-manifests/release-metadata", "{}"}});
  auto r = ReadRelease(store_, repo_.WithDigest(m.digest), "amd64");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("image-references"), std::string::npos);
}

TEST_F(ReleaseImageTest, CorruptLayerIsNotTrustedEvenWhenFileFoundEarly) {
  std::string refs = ImageReferences({{"cli", "quay.io/o/art@" + Digest64('1')}});
  std::string layer =
      fixtures::MakeTarGz({{"release-manifests/image-references", refs},
                           {"release-manifests/release-metadata", "{}"},
                           {"padding", fixtures::RandomBytes(3 << 20, 9)}});  // more than the pipe holds,
  // so the producer cannot finish (and fail) before the entry is seen
  oci::Descriptor d = fixtures::PutBlob(store_, "ocp/release", layer);
  layer[layer.size() - 3] ^= 1;  // damage the gzip trailer, after the files
  store_.PutRawBlob("ocp/release", d.digest, layer);
  int seen = 0;
  Status s = WalkLayerFromStore(store_, repo_, d, [&](const archive::Entry& e, archive::EntryContent&) {
    if (e.path == "release-manifests/image-references") ++seen;
    return Result<archive::Visit>(archive::Visit::kStop);
  });
  EXPECT_EQ(seen, 1) << s.message();
  EXPECT_EQ(s.code(), Code::kDataLoss);
}

TEST(Plan, ComponentTags) {
  EXPECT_EQ(*ComponentTag("4.3.0", "x86_64", "cli"), "4.3.0-x86_64-cli");
  EXPECT_EQ(*ComponentTag("4.3.0", "x86_64", ""), "4.3.0-x86_64");
  EXPECT_FALSE(ComponentTag("4.3.0", "x86_64", std::string(130, 'a')).ok());
}

TEST(LayerPaths, Normalize) {
  EXPECT_EQ(archive::NormalizeEntryPath("./release-manifests//image-references"), "release-manifests/image-references");
  EXPECT_EQ(archive::NormalizeEntryPath("/usr/bin/"), "usr/bin");
  EXPECT_EQ(archive::NormalizeEntryPath("./"), "");
}

}  // namespace
}  // namespace mk::release
