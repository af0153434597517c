#include "mirrorconfig/mirror_set.h"

#include <gtest/gtest.h>

#include "mirrorconfig/cluster_config.h"

namespace mk::mirrorconfig {
namespace {

const std::string kD = "@sha256:" + std::string(64, 'a');

json::Value Rec(const std::string& source, const std::string& dest) {
  json::Value v = json::Value::Object();
  v.Set("source", json::Value::String(source));
  v.Set("dest", json::Value::String(dest));
  return v;
}

TEST(MirrorSet, GroupsSortsAndDedupes) {
  MirrorSet set;
  ASSERT_TRUE(*set.AddRecord(
      Rec("quay.io/openshift-release-dev/ocp-v4.0-art-dev" + kD, "m.io:5000/ocp4/openshift4:4.3.0-x86_64-cli")));
  ASSERT_TRUE(*set.AddRecord(
      Rec("quay.io/openshift-release-dev/ocp-v4.0-art-dev" + kD, "m.io:5000/ocp4/openshift4:4.3.0-x86_64-etcd")));
  ASSERT_TRUE(
      *set.AddRecord(Rec("quay.io/openshift-release-dev/ocp-release" + kD, "m.io:5000/ocp4/openshift4:4.3.0-x86_64")));
  ASSERT_TRUE(
      *set.AddRecord(Rec("quay.io/openshift-release-dev/ocp-release" + kD, "backup.io/ocp4/openshift4:4.3.0-x86_64")));
  EXPECT_EQ(*RenderImageContentSources(set),
            "imageContentSources:\n"
            "- mirrors:\n  - backup.io/ocp4/openshift4\n  - m.io:5000/ocp4/openshift4\n"
            "  source: quay.io/openshift-release-dev/ocp-release\n"
            "- mirrors:\n  - m.io:5000/ocp4/openshift4\n"
            "  source: quay.io/openshift-release-dev/ocp-v4.0-art-dev\n");
}

TEST(MirrorSet, SkipsRecordsWithoutMappingAndRefusesFailedOnes) {
  MirrorSet set;
  json::Value no_dest = json::Value::Object();
  no_dest.Set("source", json::Value::String("quay.io/a/b:1"));
  EXPECT_FALSE(*set.AddRecord(no_dest));
  json::Value failed = Rec("quay.io/a/b:1", "m.io/a/b:1");
  failed.Set("error", json::Value::String("HTTP 500"));
  EXPECT_FALSE(set.AddRecord(failed).ok());
  EXPECT_FALSE(set.AddRecord(Rec("Bad//ref", "m.io/a")).ok());
  EXPECT_TRUE(set.empty());
}

TEST(MirrorSet, DirectorySourcesCountAsTheirOriginalNames) {
  MirrorSet set;
  EXPECT_FALSE(*set.AddRecord(Rec("quay.io/a/b:1", "dir:/media/usb:quay.io/a/b:1")));  // a dir is no mirror
  EXPECT_TRUE(*set.AddRecord(Rec("dir:/media/usb:quay.io/o/rel:4.3.0", "m.io/ocp4/x:4.3.0")));
  EXPECT_FALSE(set.AddRecord(Rec("dir:/media/usb:4.3.0", "m.io/ocp4/x:4.3.0")).ok());
  json::Value with_origin = Rec("dir:/media/usb:4.3.0", "m.io/ocp4/x:4.3.0");
  with_origin.Set("origin", json::Value::String("quay.io/o/other:4.3.0"));
  EXPECT_TRUE(*set.AddRecord(with_origin));
  EXPECT_EQ(set.groups().size(), 2u);
  EXPECT_TRUE(set.groups().count("quay.io/o/other"));
}

TEST(MirrorSet, MappingsByTagKeepTheTag) {
  MirrorSet set;
  ASSERT_TRUE(*set.AddRecord(Rec("registry.redhat.io/rhscl/ruby-26-rhel7:latest", "m.io/rhscl/ruby-26-rhel7:latest")));
  ASSERT_TRUE(*set.AddRecord(Rec("quay.io/o/rel:4.3.0", "m.io/ocp4/x:4.3.0-x86_64")));  // tag renamed
  ASSERT_TRUE(*set.AddRecord(Rec("quay.io/o/art" + kD, "m.io/ocp4/x:4.3.0-cli")));      // by digest
  EXPECT_EQ(set.groups().size(), 3u);
  ASSERT_EQ(set.tag_groups().size(), 1u);
  EXPECT_EQ(set.tag_groups().begin()->first, "registry.redhat.io/rhscl/ruby-26-rhel7");
  EXPECT_EQ(set.tag_groups().begin()->second, std::set<std::string>{"m.io/rhscl/ruby-26-rhel7"});
}

// A sigstore signature (release-list --signatures) lives in repositories
// its image's record maps already; by tag it must not make a tag mirror.
TEST(MirrorSet, SigstoreRecordsAddNothing) {
  MirrorSet set;
  json::Value sig = Rec("quay.io/o/art:sha256-" + std::string(64, 'a') + ".sig",
                        "m.io/ocp4/x:sha256-" + std::string(64, 'a') + ".sig");
  sig.Set("kind", json::Value::String("sigstore"));
  auto added = set.AddRecord(sig);
  ASSERT_TRUE(added.ok()) << added.status().message();
  EXPECT_FALSE(*added);
  EXPECT_TRUE(set.empty());
}

}  // namespace
}  // namespace mk::mirrorconfig
