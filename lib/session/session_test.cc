#include "session/session.h"

#include <gtest/gtest.h>

#include "base/atomic_file.h"
#include "oci/image_config.h"
#include "testing/image_builder.h"
#include "testing/temp_dir.h"

namespace mk::session {
namespace {

TEST(Session, BadCaFileIsAUsageError) {
  Options o;
  o.ca_file = "/nonexistent/ca.pem";
  auto s = Session::Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kInvalidArgument);
  EXPECT_NE(s.status().message().find("/nonexistent/ca.pem"), std::string::npos);
}

TEST(Session, MalformedCredentialsAreBadInputNotUsage) {
  fixtures::ScopedTempDir tmp;
  const std::string path = tmp.path() + "/auth.json";
  ASSERT_TRUE(
      WriteFileAtomic(path, R"({"auths":{"r.example":{"auth":"bm90LWEtcGFpcg=="}}, "secret-canary")", 0600).ok());
  Options o;
  o.registry_config = path;
  auto s = Session::Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kDataLoss);
  EXPECT_EQ(s.status().message().find("bm90LWEtcGFpcg"), std::string::npos) << "never a secret in a message";
}

TEST(Session, ReleaseArgumentGrammar) {
  EXPECT_TRUE(ParseReleaseArg("quay.io/openshift-release-dev/ocp-release:4.3.0-x86_64").ok());
  auto dir = ParseReleaseArg("dir:/media/usb/mirror:4.3.0*");
  ASSERT_TRUE(dir.ok());
  EXPECT_TRUE(dir->is_dir());
  EXPECT_EQ(dir->name, "4.3.0*");
  auto bad = ParseReleaseArg("Quay.io/UPPER:tag");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
}

class ReadReleaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options o;
    o.registry_config = tmp_.path() + "/none.json";
    ASSERT_TRUE(WriteFileAtomic(o.registry_config, R"({"auths":{}})", 0600).ok());
    auto s = Session::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().message();
    session_ = std::move(*s);
    auto mem = std::make_unique<store::MemoryStore>("mem.test");
    store_ = mem.get();
    session_->stores->Register("mem.test", std::move(mem));
  }
  oci::Manifest Build(const std::string& arch, char component = 'a') {
    std::string refs = R"({"kind":"ImageStream","apiVersion":"image.openshift.io/v1","metadata":{"name":"4.3.0"},)"
                       R"("spec":{"tags":[{"name":"cli","from":{"kind":"DockerImage","name":"quay.io/o/c@sha256:)" +
                       std::string(64, component) + R"("}}]}})";
    auto layer =
        fixtures::PutBlob(*store_, "ocp/release", fixtures::MakeTarGz({{"release-manifests/image-references", refs}}));
    return fixtures::MakeImage(*store_, "ocp/release", fixtures::ConfigJson(arch, "4.3.0"), {layer});
  }
  fixtures::ScopedTempDir tmp_;
  std::unique_ptr<Session> session_;
  store::MemoryStore* store_ = nullptr;
};

TEST_F(ReadReleaseTest, ReadsThroughTheSessionsStores) {
  oci::Manifest m = Build("arm64");
  auto loc = ParseReleaseArg("mem.test/ocp/release@" + m.digest.str());
  ASSERT_TRUE(loc.ok());
  auto image = ReadReleaseAt(*session_, *loc, "aarch64");
  ASSERT_TRUE(image.ok()) << image.status().message();
  EXPECT_EQ(image->go_arch, "arm64");
}

TEST_F(ReadReleaseTest, ExplicitArchASingleArchReleaseLacksIsRefused) {
  oci::Manifest m = Build("amd64");
  auto loc = ParseReleaseArg("mem.test/ocp/release@" + m.digest.str());
  auto image = ReadReleaseAt(*session_, *loc, "s390x");
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), Code::kNotFound);
  EXPECT_NE(image.status().message().find("not s390x"), std::string::npos) << image.status().message();
}

TEST_F(ReadReleaseTest, AListIsPlannedWholeUnlessAnArchIsNamed) {
  oci::Manifest amd = Build("amd64", 'a');
  oci::Manifest arm = Build("arm64", 'b');
  oci::Manifest index = fixtures::MakeIndex(*store_, "ocp/release", {{amd, "amd64"}, {arm, "arm64"}});
  auto loc = ParseReleaseArg("mem.test/ocp/release@" + index.digest.str());
  ASSERT_TRUE(loc.ok());
  for (const char* arch : {"", "multi"}) {
    auto whole = ReadReleaseAt(*session_, *loc, arch);
    ASSERT_TRUE(whole.ok()) << whole.status().message();
    EXPECT_EQ(whole->arch, "multi");
    EXPECT_EQ(whole->digest(), index.digest);
  }
  for (const char* arch : {"arm64", "aarch64"}) {
    auto child = ReadReleaseAt(*session_, *loc, arch);
    ASSERT_TRUE(child.ok()) << child.status().message();
    EXPECT_EQ(child->arch, "aarch64");
    EXPECT_EQ(child->digest(), arm.digest);
    EXPECT_EQ(child->contents.components[0].source.digest()->str(), "sha256:" + std::string(64, 'b'));
  }
  auto missing = ReadReleaseAt(*session_, *loc, "s390x");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
}

TEST_F(ReadReleaseTest, MultiOnASingleArchReleaseIsRefused) {
  oci::Manifest m = Build("amd64");
  auto loc = ParseReleaseArg("mem.test/ocp/release@" + m.digest.str());
  auto image = ReadReleaseAt(*session_, *loc, "multi");
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), Code::kInvalidArgument);
  EXPECT_NE(image.status().message().find("not a manifest list"), std::string::npos) << image.status().message();
  EXPECT_EQ(image.status().message().find('\n'), std::string::npos) << "one line";
}

TEST_F(ReadReleaseTest, ForArchResolvesAListButRemembersItsDigest) {
  oci::Manifest amd = Build("amd64", 'a');
  oci::Manifest arm = Build("arm64", 'b');
  oci::Manifest index = fixtures::MakeIndex(*store_, "ocp/release", {{amd, "amd64"}, {arm, "arm64"}});
  auto loc = ParseReleaseArg("mem.test/ocp/release@" + index.digest.str());
  auto arm_view = ReadReleaseForArch(*session_, *loc, "arm64");
  ASSERT_TRUE(arm_view.ok()) << arm_view.status().message();
  EXPECT_FALSE(arm_view->multi);
  EXPECT_TRUE(arm_view->from_list);
  EXPECT_EQ(arm_view->go_arch, "arm64");
  EXPECT_EQ(arm_view->manifest.digest, arm.digest);
  EXPECT_EQ(arm_view->top_digest, index.digest) << "what an installer is pinned to";
  auto host = ReadReleaseForArch(*session_, *loc, "");
  ASSERT_TRUE(host.ok()) << host.status().message();
  EXPECT_EQ(host->go_arch, oci::HostGoArch() == "arm64" ? "arm64" : "amd64");
  EXPECT_EQ(ReadReleaseForArch(*session_, *loc, "multi").status().code(), Code::kInvalidArgument);
  // A single-arch release with no --arch is read as it is, whatever this machine is.
  oci::Manifest s390 = Build("s390x");
  auto single = ParseReleaseArg("mem.test/ocp/release@" + s390.digest.str());
  auto read = ReadReleaseForArch(*session_, *single, "");
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->go_arch, "s390x");
  EXPECT_FALSE(read->from_list);
}

}  // namespace
}  // namespace mk::session
