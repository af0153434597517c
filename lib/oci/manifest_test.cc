#include "oci/manifest.h"

#include <gtest/gtest.h>

#include "oci/image_config.h"
#include "oci/media_types.h"

namespace mk::oci {
namespace {

const std::string kD1 = "sha256:" + std::string(64, '1');
const std::string kD2 = "sha256:" + std::string(64, '2');

TEST(Manifest, DockerSchema2KeepsRawBytes) {
  std::string raw = "{ \"schemaVersion\": 2, \"mediaType\": \"" + std::string(kDockerManifest) +
                    "\", \"config\": {\"mediaType\": \"" + std::string(kDockerConfig) +
                    "\", \"size\": 7, \"digest\": \"" + kD1 +
                    "\"}, \"layers\": [{\"mediaType\": \"x\", \"size\": 9, \"digest\": \"" + kD2 + "\"}] }\n";
  auto m = Manifest::Parse(raw, "text/plain");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->raw, raw);
  EXPECT_EQ(m->digest, Digest::Sha256Of(raw));
  EXPECT_EQ(m->media_type, kDockerManifest);
  EXPECT_FALSE(m->is_index());
  EXPECT_EQ(m->config.size, 7);
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].digest.str(), kD2);
}

TEST(Manifest, IndexTypeFromContentTypeWhenDocumentIsSilent) {
  std::string raw = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + std::string(kOciManifest) +
                    "\",\"size\":3,\"digest\":\"" + kD1 +
                    "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}";
  auto m = Manifest::Parse(raw, std::string(kOciIndex) + "; charset=utf-8");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_TRUE(m->is_index());
  ASSERT_EQ(m->manifests.size(), 1u);
  EXPECT_EQ(m->manifests[0].platform->String(), "linux/arm64/v8");
  // With neither, the shape decides.
  EXPECT_TRUE(Manifest::Parse(raw, "")->is_index());
}

TEST(Manifest, RefusesSchema1AndBrokenDescriptors) {
  auto s1 = Manifest::Parse(R"({"schemaVersion":1,"name":"a","fsLayers":[]})", "");
  EXPECT_EQ(s1.status().code(), Code::kUnsupported);
  EXPECT_NE(s1.status().message().find("schema 1"), std::string::npos);
  auto no_digest = Manifest::Parse(R"({"schemaVersion":2,"config":{"size":1},"layers":[]})", std::string(kOciManifest));
  EXPECT_NE(no_digest.status().message().find("without digest"), std::string::npos);
  auto bad_size =
      Manifest::Parse("{\"schemaVersion\":2,\"config\":{\"size\":-1,\"digest\":\"" + kD1 + "\"},\"layers\":[]}",
                      std::string(kOciManifest));
  EXPECT_FALSE(bad_size.ok());
  EXPECT_FALSE(Manifest::Parse("not json", "").ok());
  EXPECT_EQ(Manifest::Parse(R"({"schemaVersion":2})", "application/weird").status().code(), Code::kUnsupported);
}

TEST(ImageConfig, PlatformLabelsAndArchNames) {
  auto c = ImageConfig::Parse(
      R"({"architecture":"amd64","os":"linux","config":{"Labels":{"io.openshift.release":"4.3.0"}}})");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->platform.architecture, "amd64");
  EXPECT_EQ(c->labels.at("io.openshift.release"), "4.3.0");
  EXPECT_EQ(OpenShiftArch("amd64"), "x86_64");
  EXPECT_EQ(OpenShiftArch("arm64"), "aarch64");
  EXPECT_EQ(OpenShiftArch("s390x"), "s390x");
  EXPECT_EQ(GoArch("x86_64"), "amd64");
  EXPECT_EQ(GoArch("ppc64le"), "ppc64le");
}

TEST(MediaTypes, ForeignLayers) {
  EXPECT_TRUE(IsForeignLayer("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"));
  EXPECT_TRUE(IsForeignLayer("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"));
  EXPECT_FALSE(IsForeignLayer("application/vnd.oci.image.layer.v1.tar+gzip"));
}

}  // namespace
}  // namespace mk::oci
