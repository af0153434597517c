#include "catalog/fbc_reader.h"

#include <gtest/gtest.h>

#include "catalog/image_content.h"

namespace mk::catalog {
namespace {

constexpr char kEtcd[] = R"({
    "schema": "olm.package",
    "name": "etcd",
    "defaultChannel": "alpha"
}
{
    "schema": "olm.channel",
    "name": "alpha",
    "package": "etcd",
    "entries": [
        {"name": "etcd.v0.9.0"},
        {"name": "etcd.v0.9.2", "replaces": "etcd.v0.9.0", "skips": ["etcd.v0.9.1"], "skipRange": ">=0.9.0 <0.9.2"}
    ]
}
{
    "schema": "olm.bundle",
    "name": "etcd.v0.9.2",
    "package": "etcd",
    "image": "quay.io/coreos/etcd-bundle@sha256:2222222222222222222222222222222222222222222222222222222222222222",
    "properties": [
        {"type": "olm.gvk", "value": {"group": "etcd.database.coreos.com", "kind": "EtcdCluster", "version": "v1beta2"}},
        {"type": "olm.package", "value": {"packageName": "etcd", "version": "0.9.2"}}
    ],
    "relatedImages": [
        {"name": "operator", "image": "quay.io/coreos/etcd-operator@sha256:3333333333333333333333333333333333333333333333333333333333333333"},
        {"image": "quay.io/coreos/etcd:v3.4"}
    ]
}
{"schema": "olm.deprecations", "package": "etcd", "entries": [{"reference": {"schema": "olm.package"}, "message": "old"}]}
{"schema": "vendor.example.other", "anything": [1, 2]}
)";

constexpr char kEtcdOld[] = R"(---
schema: olm.bundle
name: etcd.v0.9.0
package: etcd
image: quay.io/coreos/etcd-bundle:v0.9.0
properties:
- type: olm.package
  value:
    packageName: etcd
    version: 0.9.0
)";

Status AddFile(FbcBuilder& b, const std::string& path, std::string_view content) {
  return ParseConfigFile(path, content, [&](const std::string& p, const json::Value& doc) -> Result<archive::Visit> {
    MK_RETURN_IF_ERROR(b.Add(p, doc));
    return archive::Visit::kContinue;
  });
}

TEST(FbcBuilder, BuildsTheModel) {
  FbcBuilder b;
  ASSERT_TRUE(AddFile(b, "configs/etcd/catalog.json", kEtcd).ok());
  ASSERT_TRUE(AddFile(b, "configs/etcd/old.yaml", kEtcdOld).ok());
  auto c = std::move(b).Finish();
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->packages.size(), 1u);
  EXPECT_EQ(c->packages[0].default_channel, "alpha");
  ASSERT_EQ(c->channels.size(), 1u);
  ASSERT_EQ(c->channels[0].entries.size(), 2u);
  const ChannelEntry& e = c->channels[0].entries[1];
  EXPECT_EQ(e.replaces, "etcd.v0.9.0");
  EXPECT_EQ(e.skips, std::vector<std::string>{"etcd.v0.9.1"});
  EXPECT_EQ(e.skip_range, ">=0.9.0 <0.9.2");
  ASSERT_EQ(c->bundles.size(), 2u);
  EXPECT_EQ(c->bundles[0].name, "etcd.v0.9.0");  // sorted by name, whatever the file order
  EXPECT_EQ(c->bundles[0].version, "0.9.0");
  EXPECT_EQ(c->bundles[1].version, "0.9.2");
  ASSERT_EQ(c->bundles[1].related_images.size(), 2u);
  EXPECT_EQ(c->bundles[1].related_images[0].name, "operator");
  EXPECT_EQ(c->bundles[1].related_images[1].image, "quay.io/coreos/etcd:v3.4");
}

TEST(FbcBuilder, MalformedDocumentsNameTheFile) {
  struct Case {
    const char* doc;
    const char* message;
  } cases[] = {
      {R"({"schema":"olm.bundle","package":"etcd"})", "configs/etcd/catalog.json: olm.bundle without name"},
      {R"({"schema":"olm.bundle","name":"b","package":7})",
       "configs/etcd/catalog.json: olm.bundle 'b': package is not a string"},
      {R"({"schema":"olm.package","name":""})", "configs/etcd/catalog.json: olm.package with an empty name"},
      {R"({"schema":"olm.channel","name":"alpha","package":"etcd","entries":{}})",
       "configs/etcd/catalog.json: olm.channel 'alpha': entries is not an array"},
      {R"({"schema":"olm.channel","name":"alpha","package":"etcd","entries":[{"replaces":"x"}]})",
       "configs/etcd/catalog.json: olm.channel 'alpha': entries[0] without name"},
      {R"({"schema":"olm.channel","name":"alpha","package":"etcd","entries":[{"name":"a","skips":"x"}]})",
       "configs/etcd/catalog.json: olm.channel 'alpha': entries[0].skips is not an array"},
      {R"({"schema":"olm.bundle","name":"b","package":"p","relatedImages":[{"name":"x"}]})",
       "configs/etcd/catalog.json: olm.bundle 'b': relatedImages[0] without image"},
      {R"({"schema":"olm.bundle","name":"b","package":"p","properties":[{"type":"olm.package","value":{"version":1}}]})",
       "configs/etcd/catalog.json: olm.bundle 'b': properties[0].value.version is not a string"},
  };
  for (const auto& c : cases) {
    FbcBuilder b;
    Status s = AddFile(b, "configs/etcd/catalog.json", c.doc);
    ASSERT_FALSE(s.ok()) << c.doc;
    EXPECT_EQ(s.message(), c.message);
  }
}

TEST(FbcBuilder, DuplicatesAreErrors) {
  FbcBuilder b;
  ASSERT_TRUE(AddFile(b, "configs/a.json", kEtcd).ok());
  ASSERT_TRUE(AddFile(b, "configs/b.json", R"({"schema":"olm.package","name":"etcd"})").ok());
  auto c = std::move(b).Finish();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "package 'etcd' is defined more than once");
}

}  // namespace
}  // namespace mk::catalog
