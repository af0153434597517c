// A schema 1 image reaches the copier only by mistake: it must refuse it,
// pointing at the conversion (mutate/manifest_rewrite.h), and copy nothing.
#include <gtest/gtest.h>

#include "auth/auth_file.h"
#include "copy/image_copier.h"
#include "http/client.h"
#include "json/value.h"
#include "store/memory_store.h"

namespace mk::copy {
namespace {

TEST(Schema1Copy, CopierRefusesSchema1NamingTheConversion) {
  auth::AuthStore auth;
  http::Client client{http::ClientOptions{}};
  store::StoreResolver resolver(client, auth, {});
  auto src_store = std::make_unique<store::MemoryStore>("src.test");
  auto dst_store = std::make_unique<store::MemoryStore>("dst.test");
  store::MemoryStore* src = src_store.get();
  store::MemoryStore* dst = dst_store.get();
  resolver.Register("src.test", std::move(src_store));
  resolver.Register("dst.test", std::move(dst_store));

  const std::string layer = "layer bytes";
  const Digest layer_digest = Digest::Sha256Of(layer);
  src->PutRawBlob("app", layer_digest, layer);
  src->PutRawBlob("app", Digest(), "");  // MemoryStore wants a config blob; schema 1 has none
  std::string raw =
      "{\"schemaVersion\":1,\"name\":\"app\",\"tag\":\"v1\",\"architecture\":\"amd64\",\"fsLayers\":[{"
      "\"blobSum\":\"" +
      layer_digest.str() + "\"}],\"history\":[{\"v1Compatibility\":\"{}\"}]}";
  auto m = oci::Manifest::Parse(raw, "");
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_TRUE(m->is_schema1());
  Reference source = Reference::Parse("src.test/app:v1").value();
  ASSERT_TRUE(src->PutManifest(source, *m).ok());

  copy::BlobLedger ledger;
  copy::ImageCopier copier(resolver, ledger);
  auto out = copier.Copy(source, Reference::Parse("dst.test/mirror/app:v1").value());
  ASSERT_EQ(out.status().code(), Code::kUnsupported);
  EXPECT_EQ(out.status().message(),
            "src.test/app:v1 is a Docker schema 1 image; convert it with manifest-rewrite --convert docker");
  EXPECT_EQ(dst->pushes(), 0);
  EXPECT_FALSE(dst->ManifestDigest(Reference::Parse("dst.test/mirror/app:v1").value())->has_value());
}

}  // namespace
}  // namespace mk::copy
