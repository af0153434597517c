#include "oci/manifest.h"

#include <gtest/gtest.h>

#include "base/base64.h"
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

// base64url without padding, as JWS writes it.
std::string B64Url(std::string_view s) {
  std::string b = Base64Encode(s);
  while (!b.empty() && b.back() == '=') b.pop_back();
  for (char& c : b) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return b;
}

// A schema 1 payload as docker wrote them (3-space indent), newest first.
std::string Schema1Payload() {
  return "{\n   \"schemaVersion\": 1,\n   \"name\": \"lib/app\",\n   \"tag\": \"v1\",\n"
         "   \"architecture\": \"amd64\",\n   \"fsLayers\": [\n      {\"blobSum\": \"" +
         kD2 + "\"},\n      {\"blobSum\": \"" + kD1 +
         "\"}\n   ],\n   \"history\": [\n      {\"v1Compatibility\": \"{\\\"id\\\":\\\"b\\\"}\"},\n"
         "      {\"v1Compatibility\": \"{\\\"id\\\":\\\"a\\\"}\"}\n   ]\n}";
}

// libtrust's pretty JWS: the payload up to its last member, the signatures
// member, then the payload's tail ("\n}") — formatLength and formatTail in
// the protected header say how to cut the signatures out again.
std::string Sign(const std::string& payload, const std::string& time) {
  size_t close = payload.find_last_not_of(" \n\t\r");
  size_t last = payload.find_last_not_of(" \n\t\r", close - 1);
  size_t length = last + 1;
  std::string tail = payload.substr(length);
  std::string protected_header = B64Url("{\"formatLength\":" + std::to_string(length) + ",\"formatTail\":\"" +
                                        B64Url(tail) + "\",\"time\":\"" + time + "\"}");
  return payload.substr(0, length) + ",\n   \"signatures\": [\n      {\"header\": {\"alg\": \"ES256\"}, " +
         "\"signature\": \"c2ln\", \"protected\": \"" + protected_header + "\"}\n   ]" + tail;
}

TEST(Manifest, Schema1UnsignedListsFsLayersNewestFirst) {
  std::string raw = Schema1Payload();
  auto m = Manifest::Parse(raw, "application/json");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_TRUE(m->is_schema1());
  EXPECT_FALSE(m->is_index());
  EXPECT_EQ(m->media_type, kDockerSchema1);
  EXPECT_EQ(m->digest, Digest::Sha256Of(raw));
  EXPECT_EQ(m->raw, raw);
  EXPECT_TRUE(m->config.digest.empty());
  ASSERT_EQ(m->layers.size(), 2u);
  EXPECT_EQ(m->layers[0].digest.str(), kD2);
  EXPECT_EQ(m->layers[1].digest.str(), kD1);
  EXPECT_EQ(m->layers[0].media_type, kDockerSchema1Layer);
}

TEST(Manifest, SignedSchema1DigestIsThePayloadsAsRegistriesSayIt) {
  std::string payload = Schema1Payload();
  // docker-registry signs anew on every GET: the bytes differ, the digest not.
  std::string a = Sign(payload, "2020-01-01T00:00:00Z"), b = Sign(payload, "2021-02-02T00:00:00Z");
  ASSERT_NE(a, b);
  auto ma = Manifest::Parse(a, std::string(kDockerSchema1Signed));
  auto mb = Manifest::Parse(b, "");
  ASSERT_TRUE(ma.ok()) << ma.status().message();
  ASSERT_TRUE(mb.ok()) << mb.status().message();
  EXPECT_EQ(ma->media_type, kDockerSchema1Signed);
  EXPECT_EQ(mb->media_type, kDockerSchema1Signed);
  EXPECT_EQ(ma->digest, Digest::Sha256Of(payload));
  EXPECT_EQ(mb->digest, ma->digest);
  EXPECT_NE(ma->digest, Digest::Sha256Of(a));
  EXPECT_EQ(ma->raw, a);
  EXPECT_EQ(ma->layers.size(), 2u);
}

TEST(Manifest, Schema1BrokenSignaturesAndShapesAreRefused) {
  std::string payload = Schema1Payload();
  std::string signed_raw = Sign(payload, "t");
  // A formatLength beyond the document.
  std::string bad = payload.substr(0, payload.size() - 2) + ",\"signatures\":[{\"protected\":\"" +
                    B64Url("{\"formatLength\":99999,\"formatTail\":\"fQ\"}") + "\"}]}";
  EXPECT_EQ(Manifest::Parse(bad, "").status().code(), Code::kInvalidArgument);
  // No format fields at all.
  std::string bare = payload.substr(0, payload.size() - 2) + ",\"signatures\":[{\"protected\":\"" +
                     B64Url("{\"time\":\"x\"}") + "\"}]}";
  EXPECT_NE(Manifest::Parse(bare, "").status().message().find("formatLength"), std::string::npos);
  // History and fsLayers must pair up; fsLayers must be there.
  auto s1 = Manifest::Parse(R"({"schemaVersion":1,"name":"a","fsLayers":[]})", "");
  EXPECT_EQ(s1.status().code(), Code::kInvalidArgument);
  EXPECT_NE(s1.status().message().find("schema 1"), std::string::npos);
  auto unpaired =
      Manifest::Parse("{\"schemaVersion\":1,\"fsLayers\":[{\"blobSum\":\"" + kD1 + "\"}],\"history\":[]}", "");
  EXPECT_NE(unpaired.status().message().find("differ in length"), std::string::npos);
  auto bad_sum = Manifest::Parse(
      R"({"schemaVersion":1,"fsLayers":[{"blobSum":"md5:x"}],"history":[{"v1Compatibility":"{}"}]})", "");
  EXPECT_FALSE(bad_sum.ok());
}

TEST(Manifest, RefusesBrokenDescriptors) {
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
  EXPECT_TRUE(IsForeignLayer(kDockerForeignLayer));
  EXPECT_FALSE(IsForeignLayer("application/vnd.oci.image.layer.v1.tar+gzip"));
  EXPECT_FALSE(IsManifest(kDockerSchema1));
}

TEST(MediaTypes, AcceptHeaderAsksForSchema1Last) {
  std::string accept = ManifestAcceptHeader();
  size_t s1 = accept.find(kDockerSchema1Signed);
  ASSERT_NE(s1, std::string::npos);
  EXPECT_NE(accept.find(kDockerSchema1), std::string::npos);
  EXPECT_LT(accept.find(kDockerManifest), s1);
  EXPECT_LT(accept.find(kOciManifest), s1);
}

}  // namespace
}  // namespace mk::oci
