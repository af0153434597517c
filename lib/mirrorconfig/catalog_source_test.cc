#include "mirrorconfig/catalog_source.h"

#include <gtest/gtest.h>

namespace mk::mirrorconfig {
namespace {

json::Value Rec(const std::string& text) { return *json::Value::Parse(text); }

const std::string kDigest = "sha256:" + std::string(64, 'b');

TEST(CatalogSource, OnePerCatalogByDigestInOpenshiftMarketplace) {
  CatalogSourceInput in;
  EXPECT_TRUE(*in.AddRecord(Rec(
      R"({"kind":"catalog","name":"redhat-operator-index","source":"registry.redhat.io/redhat/redhat-operator-index@sha256:)" +
      std::string(64, 'a') + R"(","dest":"mirror.example.com:5000/olm/redhat-operator-index:v4.14","pruned_digest":")" +
      kDigest + "\"}")));
  EXPECT_FALSE(*in.AddRecord(Rec(R"({"kind":"image","dest":"mirror.example.com:5000/a@)" + kDigest + "\"}")));
  // A listing that wrote no catalog: nothing for a CatalogSource.
  EXPECT_FALSE(*in.AddRecord(Rec(R"({"kind":"catalog","name":"x","source":"q.io/a/x@)" + kDigest + "\"}")));
  auto yaml = RenderCatalogSources(in);
  ASSERT_TRUE(yaml.ok()) << yaml.status().message();
  EXPECT_EQ(*yaml,
            "apiVersion: operators.coreos.com/v1alpha1\n"
            "kind: CatalogSource\n"
            "metadata:\n"
            "  name: redhat-operator-index\n"
            "  namespace: openshift-marketplace\n"
            "spec:\n"
            "  sourceType: grpc\n"
            "  image: mirror.example.com:5000/olm/redhat-operator-index@" +
                kDigest +
                "\n"
                "  displayName: \"redhat-operator-index (mirrored)\"\n"
                "  publisher: mirrorkit\n");
}

TEST(CatalogSource, SeveralCatalogsAreSeveralDocumentsWithUniqueNames) {
  CatalogSourceInput in;
  const std::string d2 = "sha256:" + std::string(64, 'c');
  ASSERT_TRUE(*in.AddRecord(Rec(
      R"({"kind":"catalog","name":"Index_A","dest":"m.example.com/a/index:1","pruned_digest":")" + kDigest + "\"}")));
  ASSERT_TRUE(*in.AddRecord(
      Rec(R"({"kind":"catalog","name":"index-a","dest":"m.example.com/b/index:1","pruned_digest":")" + d2 + "\"}")));
  auto yaml = RenderCatalogSources(in);
  ASSERT_TRUE(yaml.ok()) << yaml.status().message();
  EXPECT_NE(yaml->find("name: index-a\n"), std::string::npos);
  EXPECT_NE(yaml->find("name: index-a-2\n"), std::string::npos);
  EXPECT_NE(yaml->find("\n---\napiVersion"), std::string::npos);
}

TEST(CatalogSource, RefusesTagsDirectoriesAndNothing) {
  CatalogSourceInput in;
  EXPECT_EQ(RenderCatalogSources(in).status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(in.AddRecord(Rec(R"({"kind":"catalog","source":"q.io/a/x","dest":"m.example.com/a/x:1"})")).ok());
  auto dir =
      in.AddRecord(Rec(R"({"kind":"catalog","dest":"dir:/media/m:q.io/a/x:1","pruned_digest":")" + kDigest + "\"}"));
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.status().message().find("dir:/media/m"), std::string::npos);
}

TEST(CatalogSource, NamesAreDns1123Labels) {
  EXPECT_EQ(CatalogSourceName("Redhat_Operator.Index"), "redhat-operator-index");
  EXPECT_EQ(CatalogSourceName("--x--"), "x");
  EXPECT_EQ(CatalogSourceName("___"), "catalog");
  EXPECT_EQ(CatalogSourceName(std::string(100, 'a')).size(), 63u);
  EXPECT_EQ(CatalogSourceName(std::string(62, 'a') + "-b"), std::string(62, 'a'));
}

}  // namespace
}  // namespace mk::mirrorconfig
