#include "release/sigstore.h"

#include <gtest/gtest.h>

#include "auth/auth_file.h"
#include "http/client.h"
#include "records/mapping.h"
#include "records/records.h"
#include "store/memory_store.h"
#include "testing/image_builder.h"

namespace mk::release {
namespace {

Digest D(char c) { return Digest::Parse("sha256:" + std::string(64, c)).value(); }

json::Value Parse(const std::string& s) { return json::Value::Parse(s).value(); }

ReleaseImage MultiRelease() {
  ReleaseImage r;
  r.multi = true;
  r.from_list = true;
  r.list_digest = D('a');
  r.list_children = {D('b'), D('c')};
  r.contents.metadata_version = "4.18.1";
  return r;
}

TEST(Sigstore, TagNamesTheDigest) { EXPECT_EQ(SigstoreTag(D('a')), "sha256-" + std::string(64, 'a') + ".sig"); }

TEST(Sigstore, TargetsTheListItsChildrenAndEachComponentInTheirRepositories) {
  std::vector<json::Value> planned = {
      Parse(R"({"kind":"release","name":"4.18.1","source":"quay.io/o/ocp-release@)" + D('a').str() + R"(","digest":")" +
            D('a').str() + R"(","dest":"m.io/ocp4/release:4.18.1-multi"})"),
      Parse(R"({"kind":"image","name":"cli","source":"dir:/media:quay.io/o/art@)" + D('d').str() + R"(","digest":")" +
            D('d').str() + R"(","dest":"dir:/out:quay.io/o/art@)" + D('d').str() + R"("})"),
      Parse(R"({"kind":"image","name":"etcd","source":"quay.io/o/art@)" + D('e').str() + R"(","digest":")" +
            D('e').str() + R"("})"),
      Parse(R"({"kind":"skipped","name":"x"})"),
  };
  auto targets = SignatureTargets(MultiRelease(), planned);
  ASSERT_TRUE(targets.ok()) << targets.status().message();
  ASSERT_EQ(targets->size(), 5u);
  const auto& t = *targets;
  EXPECT_EQ(t[0].signs, D('a'));
  EXPECT_EQ(t[0].source, "quay.io/o/ocp-release:" + SigstoreTag(D('a')));
  EXPECT_EQ(t[0].dest, "m.io/ocp4/release:" + SigstoreTag(D('a')));
  EXPECT_EQ(t[0].name, "4.18.1");
  EXPECT_EQ(t[0].release, "4.18.1");
  EXPECT_EQ(t[1].signs, D('b'));
  EXPECT_EQ(t[1].dest, "m.io/ocp4/release:" + SigstoreTag(D('b')));
  EXPECT_EQ(t[2].signs, D('c'));
  EXPECT_EQ(t[3].name, "cli");
  EXPECT_EQ(t[3].source, "dir:/media:quay.io/o/art:" + SigstoreTag(D('d')));
  EXPECT_EQ(t[3].dest, "dir:/out:quay.io/o/art:" + SigstoreTag(D('d')));
  EXPECT_EQ(t[4].source, "quay.io/o/art:" + SigstoreTag(D('e')));
  EXPECT_EQ(t[4].dest, "");  // a dry listing plans no destination
}

TEST(Sigstore, ASingleArchitectureReleaseHasNoChildTargets) {
  ReleaseImage r = MultiRelease();
  r.multi = false;
  std::vector<json::Value> planned = {Parse(R"({"kind":"release","name":"4.18.1","source":"q.io/o/r@)" + D('b').str() +
                                            R"(","digest":")" + D('b').str() + R"("})")};
  auto targets = SignatureTargets(r, planned);
  ASSERT_TRUE(targets.ok());
  EXPECT_EQ(targets->size(), 1u);
}

TEST(Sigstore, FoundIsAMappingRecordMissingIsSkipped) {
  auth::AuthStore auth;
  http::Client client{http::ClientOptions{}};
  store::StoreResolver resolver(client, auth, {});
  auto owned = std::make_unique<store::MemoryStore>("mem.test");
  store::MemoryStore* src = owned.get();
  resolver.Register("mem.test", std::move(owned));
  oci::Manifest sig = fixtures::MakeImage(*src, "o/art", fixtures::ConfigJson("amd64"), {});
  ASSERT_TRUE(src->PutManifest(Reference::Parse("mem.test/o/art:" + SigstoreTag(D('d'))).value(), sig).ok());

  std::vector<SignatureTarget> targets;
  for (char c : {'d', 'e', 'f', 'd'}) {
    SignatureTarget t;
    t.name = std::string(1, c);
    t.release = "4.18.1";
    t.signs = D(c);
    t.source = "mem.test/o/art:" + SigstoreTag(D(c));
    t.dest = "m.io/ocp4/art:" + SigstoreTag(D(c));
    targets.push_back(t);
  }
  int failed = -1;
  Code worst = Code::kInternal;
  auto out = PlanSignatures(resolver, targets, 3, &failed, &worst);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(worst, Code::kOk);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].GetString("kind"), records::kSigstore);
  EXPECT_EQ(out[0].GetString("digest"), sig.digest.str());
  EXPECT_EQ(out[0].GetString("signs"), D('d').str());
  EXPECT_EQ(out[0].GetString("dest"), targets[0].dest);
  EXPECT_EQ(records::Classify(out[0]), records::Role::kMapping);
  EXPECT_TRUE(records::CheckMapping(out[0]).ok()) << records::CheckMapping(out[0]).error;
  EXPECT_EQ(out[1].GetString("kind"), records::kSkipped);
  EXPECT_EQ(out[1].GetString("signs"), D('e').str());
  EXPECT_EQ(records::Classify(out[1]), records::Role::kPassThrough);
  EXPECT_EQ(out[3].GetString("kind"), records::kSigstore);  // order kept
}

TEST(Sigstore, AFailedLookupIsAnErrorRecordNamingTheSource) {
  auth::AuthStore auth;
  http::Client client{http::ClientOptions{}};
  store::StoreResolver resolver(client, auth, {});
  SignatureTarget t;
  t.name = "cli";
  t.signs = D('d');
  t.source = "Bad//ref:" + SigstoreTag(D('d'));
  int failed = 0;
  Code worst = Code::kOk;
  auto out = PlanSignatures(resolver, {t}, 4, &failed, &worst);
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(worst, Code::kInvalidArgument);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].GetString("kind"), records::kError);
  EXPECT_EQ(out[0].GetString("field"), "source");
  EXPECT_NE(out[0].GetString("error").value_or("").find("Bad//ref"), std::string::npos);
}

}  // namespace
}  // namespace mk::release
