#include "signature/config_map_check.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "base/atomic_file.h"
#include "signature/config_map.h"

namespace mk::signature {
namespace {

const std::string kHex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

class ConfigMapCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mk-cmcheck-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { (void)std::system(("rm -rf '" + dir_ + "'").c_str()); }
  Result<std::vector<ConfigMapFileCheck>> Check(bool present = true) {
    return CheckConfigMapFiles(dir_, [&](const std::string& d) { return present && d == "sha256:" + kHex; });
  }
  std::string dir_;
};

// What oci-dir unpack takes from a volume: the names pack carries, and
// only a sound ConfigMap for the release its name names.
TEST(ConfigMapPath, NamesAndBytesUnpackTakes) {
  const std::string name = ConfigMapFileName(kHex);
  EXPECT_TRUE(IsConfigMapPath(name));
  EXPECT_TRUE(IsConfigMapPath("config/" + name));
  EXPECT_FALSE(IsConfigMapPath("other/" + name));
  EXPECT_FALSE(IsConfigMapPath("index.json"));
  EXPECT_FALSE(IsConfigMapPath("signature-sha256-0123.json"));
  const std::string good = ConfigMapJson(kHex, {"sig"});
  EXPECT_TRUE(CheckConfigMapBytes(name, good).ok());
  EXPECT_TRUE(CheckConfigMapBytes("config/" + name, good).ok());
  const std::string other(64, 'f');
  Status misnamed = CheckConfigMapBytes(ConfigMapFileName(other), good);
  EXPECT_EQ(misnamed.code(), Code::kDataLoss);
  EXPECT_NE(misnamed.message().find("its name does not match"), std::string::npos);
  EXPECT_EQ(CheckConfigMapBytes(name, good.substr(0, good.size() / 2)).code(), Code::kDataLoss);
}

TEST(ParseConfigMap, IsTheInverseOfConfigMapJson) {
  const std::vector<std::string> sigs = {std::string("\x89\x01\x02sig-one", 10), "sig-two"};
  auto parsed = ParseConfigMap(ConfigMapJson(kHex, sigs));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->hex, kHex);
  EXPECT_EQ(parsed->signatures, sigs);
}

TEST(ParseConfigMap, NamesWhatIsWrong) {
  std::string good = ConfigMapJson(kHex, {"a", "b"});
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  EXPECT_EQ(ParseConfigMap("{").status().code(), Code::kDataLoss);
  EXPECT_NE(ParseConfigMap(replace("openshift-config-managed", "default")).status().message().find("namespace"),
            std::string::npos);
  EXPECT_NE(ParseConfigMap(replace(kHex + "-2", kHex + "-3")).status().message().find(kHex + "-2"), std::string::npos);
  EXPECT_NE(ParseConfigMap(replace("verification-signatures", "other")).status().message().find("label"),
            std::string::npos);
  EXPECT_FALSE(ParseConfigMap(replace("\"sha256-" + kHex + "\"", "\"sha256-../x\"")).ok());
}

TEST_F(ConfigMapCheck, ASoundFileOfAPresentReleaseIsOk) {
  ASSERT_TRUE(WriteConfigMap(dir_, kHex, {"one", "two"}).ok());
  auto checks = Check();
  ASSERT_TRUE(checks.ok());
  ASSERT_EQ(checks->size(), 1u);
  EXPECT_TRUE((*checks)[0].status.ok()) << (*checks)[0].status.message();
  EXPECT_EQ((*checks)[0].count, 2);
  EXPECT_EQ((*checks)[0].digest, "sha256:" + kHex);
}

TEST_F(ConfigMapCheck, AReleaseMissingFromTheLayoutIsReported) {
  ASSERT_TRUE(WriteConfigMap(dir_ + "/config", kHex, {"one"}).ok());
  auto checks = Check(false);
  ASSERT_TRUE(checks.ok());
  ASSERT_EQ(checks->size(), 1u);
  EXPECT_EQ((*checks)[0].status.code(), Code::kNotFound);
}

TEST_F(ConfigMapCheck, ATruncatedOrMisnamedFileIsDamaged) {
  std::string text = ConfigMapJson(kHex, {"one"});
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/" + ConfigMapFileName(kHex), text.substr(0, text.size() / 2), 0640).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/signature-sha256-ffffffffffffffff.json", text, 0640).ok());
  auto checks = Check();
  ASSERT_TRUE(checks.ok());
  ASSERT_EQ(checks->size(), 2u);
  EXPECT_EQ((*checks)[0].status.code(), Code::kDataLoss);
  EXPECT_EQ((*checks)[1].status.code(), Code::kDataLoss);
  EXPECT_NE((*checks)[1].status.message().find("name"), std::string::npos);
}

}  // namespace
}  // namespace mk::signature
