// A hostile registry as the source of a copy (issue 11, "Integrity"): the
// registry is a function of the test (testing/fake_transport.h) that
// answers with oversized manifests, indexes nested without end, descriptors
// naming impossible digests or sizes, and wrong bytes. Each copy must fail
// with an error naming the culprit, and the destination must hold nothing
// of it: a mismatch is never stored under a digest, no top manifest is
// written over missing children.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "auth/auth_file.h"
#include "copy/image_copier.h"
#include "oci/media_types.h"
#include "store/memory_store.h"
#include "store/resolver.h"
#include "testing/fake_transport.h"
#include "testing/image_builder.h"

namespace mk::copy {
namespace {

using fixtures::FakeTransport;

std::string Has(const Status& s, const std::string& want) {
  return s.message().find(want) != std::string::npos ? "" : "\"" + want + "\" not in: " + s.message();
}

// https://src.test: serves the manifests and blobs a test puts in the
// maps, by digest or tag, with the media type the document names.
class HostileSourceTest : public ::testing::Test {
 protected:
  HostileSourceTest() : server_([this](const http::Request& r) { return Answer(r); }), resolver_(server_, auth_, {}) {
    auto d = std::make_unique<store::MemoryStore>("dst.test");
    dst_ = d.get();
    resolver_.Register("dst.test", std::move(d));
  }

  http::Response Answer(const http::Request& r) {
    const std::string base = "https://src.test/v2/art/";
    if (r.url == "https://src.test/v2/") return FakeTransport::Reply(200);
    if (r.url.rfind(base + "manifests/", 0) == 0) {
      auto it = manifests_.find(r.url.substr(base.size() + 10));
      if (it == manifests_.end()) return FakeTransport::Reply(404);
      if (r.method == "HEAD") return FakeTransport::Reply(200, {{"Content-Type", std::string(oci::kOciManifest)}});
      return FakeTransport::Reply(200, {{"Content-Type", std::string(oci::kOciIndex)}}, it->second);
    }
    if (r.url.rfind(base + "blobs/", 0) == 0) {
      auto it = blobs_.find(r.url.substr(base.size() + 6));
      if (it == blobs_.end()) return FakeTransport::Reply(404);
      return FakeTransport::Reply(200, {}, it->second);
    }
    return FakeTransport::Reply(404);
  }

  // Serves raw under its digest (and under tag when given); its digest.
  std::string Serve(const std::string& raw, const std::string& tag = "") {
    std::string digest = Digest::Sha256Of(raw).str();
    manifests_[digest] = raw;
    if (!tag.empty()) manifests_[tag] = raw;
    return digest;
  }
  std::string Blob(const std::string& bytes) {
    std::string digest = Digest::Sha256Of(bytes).str();
    blobs_[digest] = bytes;
    return digest;
  }
  static std::string Desc(const std::string& media_type, const std::string& digest, const std::string& size) {
    return R"({"mediaType":")" + media_type + R"(","digest":")" + digest + R"(","size":)" + size + "}";
  }
  std::string Image(const std::string& config_digest, const std::string& config_size,
                    const std::string& layer_digest = "", const std::string& layer_size = "0") {
    std::string raw = R"({"schemaVersion":2,"mediaType":")" + std::string(oci::kOciManifest) + R"(","config":)" +
                      Desc(std::string(oci::kOciConfig), config_digest, config_size) + R"(,"layers":[)";
    if (!layer_digest.empty()) raw += Desc(std::string(oci::kOciLayer), layer_digest, layer_size);
    return raw + "]}";
  }
  std::string Index(const std::string& child_raw) {
    return R"({"schemaVersion":2,"mediaType":")" + std::string(oci::kOciIndex) + R"(","manifests":[)" +
           Desc(child_raw.find("\"manifests\"") != std::string::npos ? std::string(oci::kOciIndex)
                                                                     : std::string(oci::kOciManifest),
                Digest::Sha256Of(child_raw).str(), std::to_string(child_raw.size())) +
           "]}";
  }

  Result<CopyOutcome> CopyTag(const std::string& tag) {
    ImageCopier copier(resolver_, ledger_);
    return copier.Copy(Reference::Parse("src.test/art:" + tag).value(),
                       Reference::Parse("dst.test/mirror/art:" + tag).value());
  }
  // The destination holds no manifest under the tag.
  bool NothingAt(const std::string& tag) {
    auto m = dst_->GetManifest(Reference::Parse("dst.test/mirror/art:" + tag).value());
    return !m.ok();
  }

  FakeTransport server_;
  auth::AuthStore auth_;
  store::StoreResolver resolver_;
  store::MemoryStore* dst_;
  BlobLedger ledger_;
  std::map<std::string, std::string> manifests_, blobs_;
};

TEST_F(HostileSourceTest, AManifestOverFourMiBIsRefused) {
  std::string config = Blob("{}");
  std::string raw = Image(config, "2");
  raw.insert(raw.size() - 1, R"(,"annotations":{"pad":")" + std::string(oci::kMaxManifestBytes, 'x') + "\"}");
  Serve(raw, "big");
  auto out = CopyTag("big");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(Has(out.status(), "4 MiB"), "");
  EXPECT_TRUE(NothingAt("big"));
}

TEST_F(HostileSourceTest, IndexesNestedWithoutEndStopAtTheCapNamingTheManifest) {
  std::string config = Blob("{}");
  std::string raw = Image(config, "2");
  std::vector<std::string> chain = {raw};
  for (int i = 0; i < oci::kMaxIndexDepth + 2; ++i) chain.push_back(Index(chain.back()));
  for (const auto& m : chain) Serve(m);
  Serve(chain.back(), "deep");
  auto out = CopyTag("deep");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Has(out.status(), "nested deeper than 4"), "");
  // The culprit: the index one level past the cap.
  EXPECT_EQ(Has(out.status(), Digest::Sha256Of(chain[chain.size() - 1 - oci::kMaxIndexDepth - 1]).str()), "");
  EXPECT_TRUE(NothingAt("deep"));
  // At the cap it is copied whole.
  Serve(chain[oci::kMaxIndexDepth], "ok");
  auto fine = CopyTag("ok");
  EXPECT_TRUE(fine.ok()) << fine.status().message();
}

TEST_F(HostileSourceTest, DescriptorsWithImpossibleDigestsOrSizesAreRefusedNamingThem) {
  std::string config = Blob("{}");
  const std::map<std::string, std::pair<std::string, std::string>> cases = {
      {"traversal", {"sha256:../../../../etc/passwd", "invalid digest"}},
      {"algorithm", {"md5:d41d8cd98f00b204e9800998ecf8427e", "unsupported digest algorithm"}},
      {"short", {"sha256:abc", "invalid digest"}},
      {"upper", {"sha256:" + std::string(64, 'A'), "invalid digest"}},
      {"slash", {"sha256/" + std::string(64, 'a'), "no algorithm"}},
  };
  for (const auto& [tag, c] : cases) {
    Serve(Image(config, "2", c.first, "10"), tag);
    auto out = CopyTag(tag);
    ASSERT_FALSE(out.ok()) << tag;
    EXPECT_EQ(Has(out.status(), c.second), "") << tag;
    EXPECT_TRUE(NothingAt(tag)) << tag;
  }
  for (const std::string size : {"-1", "\"10\"", "1.5", "null"}) {
    Serve(Image(config, size), "size");
    auto out = CopyTag("size");
    ASSERT_FALSE(out.ok()) << size;
    EXPECT_EQ(Has(out.status(), config), "") << size;
    EXPECT_TRUE(NothingAt("size")) << size;
  }
  // Numbers no int64 holds: the document is refused as it is parsed.
  for (const std::string size : {"1e400", "99999999999999999999", "-99999999999999999999"}) {
    Serve(Image(config, size), "size");
    auto out = CopyTag("size");
    ASSERT_FALSE(out.ok()) << size;
    EXPECT_EQ(Has(out.status(), "src.test/art:size"), "") << size;
    EXPECT_TRUE(NothingAt("size")) << size;
  }
  // A size no disk holds: refused when the bytes disagree, never allocated.
  Serve(Image(config, std::to_string(int64_t{1} << 62)), "huge");
  auto out = CopyTag("huge");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(Has(out.status(), config), "");
  EXPECT_TRUE(NothingAt("huge"));
}

TEST_F(HostileSourceTest, WrongBytesAreNeverStoredUnderTheDigest) {
  std::string config = Blob("{}");
  std::string layer = Blob("the real layer");
  blobs_[layer] = "something else";  // the registry lies
  Serve(Image(config, "2", layer, "14"), "lies");
  auto out = CopyTag("lies");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Code::kDataLoss);
  EXPECT_EQ(Has(out.status(), layer), "");
  oci::Descriptor d;
  d.digest = Digest::Parse(layer).value();
  d.size = 14;
  auto have = dst_->HasBlob(Reference::Parse("dst.test/mirror/art").value(), d);
  EXPECT_TRUE(have.ok() && !*have);
  EXPECT_TRUE(NothingAt("lies"));
}

TEST_F(HostileSourceTest, AManifestThatIsNotAnObjectOrNotJsonIsAnError) {
  for (const std::string& raw : std::vector<std::string>{"[]", "\"x\"", "{\"schemaVersion\":2,", "{\"a\":\"\xff\"}",
                                                         std::string(100000, '[') + std::string(100000, ']')}) {
    Serve(raw, "odd");
    auto out = CopyTag("odd");
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(Has(out.status(), "src.test/art"), "") << raw.substr(0, 20);
    EXPECT_TRUE(NothingAt("odd"));
  }
}

}  // namespace
}  // namespace mk::copy
