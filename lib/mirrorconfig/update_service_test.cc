#include "mirrorconfig/update_service.h"

#include <gtest/gtest.h>

namespace mk::mirrorconfig {
namespace {

json::Value Rec(const std::string& text) { return *json::Value::Parse(text); }

const std::string kDigest = "sha256:" + std::string(64, 'a');

TEST(UpdateService, ReleasesRepositoryWithoutTagAndGraphImageByDigest) {
  UpdateServiceInput in;
  EXPECT_TRUE(*in.AddRecord(Rec(R"({"kind":"release","dest":"mirror.example.com:5000/ocp4/release:4.3.0-x86_64"})")));
  EXPECT_TRUE(*in.AddRecord(Rec(R"({"kind":"release","dest":"mirror.example.com:5000/ocp4/release:4.3.1-x86_64"})")));
  EXPECT_FALSE(*in.AddRecord(Rec(R"({"kind":"image","dest":"mirror.example.com:5000/ocp4/c:x"})")));
  EXPECT_TRUE(*in.AddRecord(
      Rec(R"({"kind":"graph-image","dest":"mirror.example.com:5000/ocp4/graph:latest","digest":")" + kDigest + "\"}")));
  auto yaml = RenderUpdateService(in, kDefaultUpdateServiceName);
  ASSERT_TRUE(yaml.ok()) << yaml.status().message();
  EXPECT_EQ(*yaml,
            "apiVersion: updateservice.operator.openshift.io/v1\n"
            "kind: UpdateService\n"
            "metadata:\n"
            "  name: service\n"
            "  namespace: openshift-update-service\n"
            "spec:\n"
            "  replicas: 2\n"
            "  releases: mirror.example.com:5000/ocp4/release\n"
            "  graphDataImage: mirror.example.com:5000/ocp4/graph@" +
                kDigest + "\n");
}

TEST(UpdateService, RefusesMissingOrAmbiguousInputAndDirectories) {
  UpdateServiceInput in;
  EXPECT_EQ(RenderUpdateService(in, "service").status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(in.AddRecord(Rec(R"({"kind":"release","dest":"dir:/m:quay.io/a/b:1"})")).ok());
  EXPECT_FALSE(in.AddRecord(Rec(R"({"kind":"graph-image","dest":"m.example.com/g:1"})")).ok());
  ASSERT_TRUE(in.AddRecord(Rec(R"({"kind":"release","dest":"m.example.com/a:1"})")).ok());
  ASSERT_TRUE(in.AddRecord(Rec(R"({"kind":"release","dest":"m.example.com/b:1"})")).ok());
  ASSERT_TRUE(
      in.AddRecord(Rec(R"({"kind":"graph-image","dest":"m.example.com/g:1","digest":")" + kDigest + "\"}")).ok());
  auto two = RenderUpdateService(in, "service");
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.status().message().find("m.example.com/b"), std::string::npos);
}

}  // namespace
}  // namespace mk::mirrorconfig
