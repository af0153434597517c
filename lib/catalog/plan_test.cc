// The catalog plan and the pruned catalog over a MemoryStore: records in
// order, images deduplicated, tags resolved, a tag that does not resolve an
// error record in its place; the pruned image read back.
#include "catalog/plan.h"

#include <gtest/gtest.h>

#include "auth/auth_file.h"
#include "catalog/prune.h"
#include "http/client.h"
#include "store/memory_store.h"
#include "testing/image_builder.h"

namespace mk::catalog {
namespace {

const std::string kA = std::string(64, 'a');
const std::string kB = std::string(64, 'b');
const std::string kOp = std::string(64, 'c');

std::string Bundle(const std::string& pkg, const std::string& related) {
  return R"({"schema":"olm.bundle","name":")" + pkg + R"(.v1","package":")" + pkg + R"(","image":"mem.test/x/)" + pkg +
         "-bundle@sha256:" + (pkg == "a" ? kA : kB) +
         R"(","properties":[{"type":"olm.package","value":{"packageName":")" + pkg +
         R"(","version":"1.0.0"}}],"relatedImages":[)" + related + "]}\n";
}

std::string Package(const std::string& pkg, const std::string& related) {
  return R"({"schema":"olm.package","name":")" + pkg + R"(","defaultChannel":"stable"})" + "\n" +
         R"({"schema":"olm.channel","name":"stable","package":")" + pkg + R"(","entries":[{"name":")" + pkg +
         R"(.v1"}]})" + "\n" + Bundle(pkg, related);
}

class CatalogPlan : public ::testing::Test {
 protected:
  CatalogPlan() : client_(http::ClientOptions{}), resolver_(client_, auth_, {}) {
    auto owned = std::make_unique<store::MemoryStore>("mem.test");
    mem_ = owned.get();
    resolver_.Register("mem.test", std::move(owned));
    // The operand both packages name by tag, and the catalog.
    auto l = fixtures::PutBlob(*mem_, "x/shared", fixtures::MakeTarGz({{"shared", "1"}}));
    shared_ = fixtures::MakeImage(*mem_, "x/shared", fixtures::ConfigJson("amd64"), {l});
    EXPECT_TRUE(mem_->PutManifest(*Reference::Parse("mem.test/x/shared:v1"), shared_).ok());
    const std::string op = R"({"name":"op","image":"mem.test/x/op@sha256:)" + kOp + R"("})";
    const std::string shared = R"({"name":"shared","image":"mem.test/x/shared:v1"})";
    const std::string missing = R"({"name":"gone","image":"mem.test/x/gone:v9"})";
    auto base = fixtures::PutBlob(*mem_, "x/index", fixtures::MakeTarGz({{"bin/opm", "elf"}}));
    auto configs = fixtures::PutBlob(
        *mem_, "x/index",
        fixtures::MakeTarGz({{"configs/a/catalog.json", Package("a", op + "," + shared + "," + missing)},
                             {"configs/b/catalog.json", Package("b", shared + "," + op)},
                             {"tmp/cache/a.json", "{}"}}));
    catalog_ = fixtures::MakeImage(
        *mem_, "x/index",
        R"({"architecture":"amd64","os":"linux","config":{"Cmd":["serve","/configs","--cache-dir=/tmp/cache"],)"
        R"("Labels":{"operators.operatorframework.io.index.configs.v1":"/configs"}},"rootfs":{"type":"layers",)"
        R"("diff_ids":[]},"history":[{"created_by":"a"},{"created_by":"b"}]})",
        {base, configs});
    EXPECT_TRUE(mem_->PutManifest(*Reference::Parse("mem.test/x/index:v1"), catalog_).ok());
  }

  std::vector<json::Value> Records(const CatalogListing& l) {
    std::vector<json::Value> out;
    l.WriteRecords([&](const json::Value& v) {
      out.push_back(v);
      return true;
    });
    return out;
  }

  auth::AuthStore auth_;
  http::Client client_;
  store::StoreResolver resolver_;
  store::MemoryStore* mem_ = nullptr;
  oci::Manifest shared_, catalog_;
};

TEST_F(CatalogPlan, EveryImageOnceByDigestTagsResolvedFailuresInPlace) {
  ListOptions options;
  options.to = *Reference::ParseRepository("mirror.test/m");
  auto listing = ListCatalog(resolver_, *store::Location::Parse("mem.test/x/index:v1"), options);
  ASSERT_TRUE(listing.ok()) << listing.status().message();
  auto recs = Records(*listing);
  // catalog, a's bundle, op, shared, the error for gone, b's bundle.
  ASSERT_EQ(recs.size(), 6u);
  EXPECT_EQ(recs[0].GetString("kind"), "catalog");
  EXPECT_EQ(recs[0].GetString("digest"), catalog_.digest.str());
  EXPECT_EQ(recs[0].GetInt("bundles"), 2);
  EXPECT_EQ(recs[0].GetInt("images"), 4);
  EXPECT_EQ(recs[1].GetString("role"), "bundle");
  EXPECT_EQ(recs[1].GetString("dest"), "mirror.test/m/x/a-bundle@sha256:" + kA);
  EXPECT_EQ(recs[2].GetString("name"), "op");
  EXPECT_EQ(recs[2].Find("packages")->Serialize(), R"(["a","b"])");
  EXPECT_EQ(recs[3].GetString("source"), "mem.test/x/shared@" + shared_.digest.str());
  EXPECT_EQ(recs[3].GetString("digest"), shared_.digest.str());
  EXPECT_EQ(recs[4].GetString("kind"), "error");
  EXPECT_NE(recs[4].GetString("error")->find("mem.test/x/gone:v9"), std::string::npos);
  EXPECT_EQ(recs[5].GetString("name"), "b.v1");
  EXPECT_EQ(listing->failed, 1);
  EXPECT_EQ(listing->failures.Exit(), 1);
}

TEST_F(CatalogPlan, PrunedCatalogReadsBackAsTheSelection) {
  ListOptions options;
  options.selectors = {*PackageSelector::Parse("b")};
  auto listing = ListCatalog(resolver_, *store::Location::Parse("mem.test/x/index:v1"), options);
  ASSERT_TRUE(listing.ok()) << listing.status().message();
  EXPECT_EQ(listing->failed, 0);  // a's missing tag is not selected
  auto pruned = WritePrunedCatalog(resolver_, *listing, *store::Location::Parse("mem.test/y/pruned:v1"));
  ASSERT_TRUE(pruned.ok()) << pruned.status().message();
  EXPECT_EQ(pruned->dest, "mem.test/y/pruned:v1");
  EXPECT_EQ(pruned->documents, 3u);
  auto m = mem_->GetManifest(*Reference::Parse("mem.test/y/pruned:v1"));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->digest, pruned->digest);
  ASSERT_EQ(m->layers.size(), 3u);
  EXPECT_EQ(m->layers[0].digest, catalog_.layers[0].digest);
  EXPECT_EQ(m->layers[1].digest, catalog_.layers[1].digest);

  auto back = ListCatalog(resolver_, *store::Location::Parse("mem.test/y/pruned:v1"), {});
  ASSERT_TRUE(back.ok()) << back.status().message();
  auto recs = Records(*back);
  ASSERT_EQ(recs.size(), 4u);  // catalog, b's bundle, shared, op
  EXPECT_EQ(recs[0].GetInt("packages"), 1);
  EXPECT_EQ(recs[1].GetString("name"), "b.v1");
  EXPECT_EQ(back->image.config.labels.count(kConfigsLabel), 1u);
}

}  // namespace
}  // namespace mk::catalog
