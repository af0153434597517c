#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "base/base64.h"
#include "json/value.h"
#include "signature/claim.h"
#include "signature/config_map.h"
#include "signature/fetch.h"
#include "signature/runner.h"

namespace mk::signature {
namespace {

const std::string kHex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kDigest = "sha256:" + kHex;

std::string ClaimJson(const std::string& digest, const std::string& extra = "") {
  return R"({"critical":{"identity":{"docker-reference":"quay.io/openshift-release-dev/ocp-release:4.16.0-x86_64"},)"
         R"("image":{"docker-manifest-digest":")" +
         digest + R"("},"type":"atomic container signature")" + extra + R"(},"optional":{"creator":"test"}})";
}

TEST(Claim, AcceptsTheReleaseDigest) {
  auto c = CheckClaim(ClaimJson(kDigest), kDigest);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->digest, kDigest);
  EXPECT_EQ(c->docker_reference, "quay.io/openshift-release-dev/ocp-release:4.16.0-x86_64");
}

TEST(Claim, RefusesAnotherDigest) {
  auto c = CheckClaim(ClaimJson("sha256:" + std::string(64, 'f')), kDigest);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kPermissionDenied);
  EXPECT_NE(c.status().message().find("not for " + kDigest), std::string::npos);
}

TEST(Claim, RefusesUnknownCriticalFieldsAndWrongType) {
  EXPECT_EQ(CheckClaim(ClaimJson(kDigest, R"(,"surprise":1)"), kDigest).status().code(), Code::kInvalidArgument);
  std::string wrong = ClaimJson(kDigest);
  wrong.replace(wrong.find("atomic"), 6, "simple");
  EXPECT_EQ(CheckClaim(wrong, kDigest).status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(CheckClaim("not json", kDigest).ok());
  std::string anonymous = R"({"critical":{"identity":{"docker-reference":""},"image":{"docker-manifest-digest":")" +
                          kDigest + R"("},"type":"atomic container signature"}})";
  EXPECT_EQ(CheckClaim(anonymous, kDigest).status().code(), Code::kInvalidArgument);
}

TEST(ConfigMap, NamesKeysAndExactBytes) {
  std::string binary("\x00\xff\x01 signed", 10);
  auto parsed = json::Value::Parse(ConfigMapJson(kHex, {binary, "two"}));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->GetString("apiVersion"), "v1");
  EXPECT_EQ(parsed->GetString("kind"), "ConfigMap");
  const json::Value* meta = parsed->Find("metadata");
  ASSERT_NE(meta, nullptr);
  EXPECT_EQ(meta->GetString("name"), "sha256-" + kHex);
  EXPECT_EQ(meta->GetString("namespace"), "openshift-config-managed");
  EXPECT_EQ(meta->Find("labels")->GetString("release.openshift.io/verification-signatures"), "");
  const json::Value* data = parsed->Find("binaryData");
  ASSERT_EQ(data->size(), 2u);
  EXPECT_EQ(*Base64Decode(*data->GetString("sha256-" + kHex + "-1")), binary);
  EXPECT_EQ(*Base64Decode(*data->GetString("sha256-" + kHex + "-2")), "two");
  EXPECT_EQ(ConfigMapFileName(kHex), "signature-sha256-0123456789abcdef.json");
}

TEST(ConfigMap, Sha256HexRefusesOtherDigests) {
  EXPECT_TRUE(Sha256Hex(kDigest).ok());
  EXPECT_FALSE(Sha256Hex("sha512:" + kHex).ok());
  EXPECT_FALSE(Sha256Hex("sha256:" + kHex.substr(1)).ok());
  EXPECT_FALSE(Sha256Hex("sha256:../" + kHex.substr(3)).ok());
}

class SignatureDir : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mk-sig-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { (void)std::system(("rm -rf '" + dir_ + "'").c_str()); }
  std::string dir_;
};

// No network: local stores only; a transport that must not be called.
class NoWire : public http::Transport {
 public:
  Result<http::Response> Do(const http::Request& r, const http::BodySink&) override {
    return Unavailable("unexpected request to " + r.url);
  }
};

TEST_F(SignatureDir, FetchesFromADirectoryStoreUntilTheFirstGap) {
  std::string sigs = dir_ + "/store/sha256=" + kHex;
  ASSERT_TRUE(MakeDirectories(sigs).ok());
  ASSERT_TRUE(WriteFileAtomic(sigs + "/signature-1", "one").ok());
  ASSERT_TRUE(WriteFileAtomic(sigs + "/signature-2", "two").ok());
  ASSERT_TRUE(WriteFileAtomic(sigs + "/signature-4", "four").ok());
  NoWire wire;
  auto got = FetchFromStore(wire, "dir:" + dir_ + "/store", kHex, {});
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, (std::vector<std::string>{"one", "two"}));
  auto file = FetchFromStore(wire, "file://" + dir_ + "/store/", kHex, {});
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->size(), 2u);
  EXPECT_EQ(FetchFromStore(wire, "dir:" + dir_ + "/store", std::string(64, 'e'), {}).status().code(), Code::kNotFound);
  EXPECT_EQ(FetchFromStore(wire, "dir:" + dir_ + "/nothing", kHex, {}).status().code(), Code::kInvalidArgument);
}

TEST_F(SignatureDir, RefusesAnOversizedSignature) {
  std::string sigs = dir_ + "/store/sha256=" + kHex;
  ASSERT_TRUE(MakeDirectories(sigs).ok());
  ASSERT_TRUE(WriteFileAtomic(sigs + "/signature-1", std::string(kMaxSignatureBytes + 1, 'x')).ok());
  NoWire wire;
  EXPECT_EQ(FetchFromStore(wire, "dir:" + dir_ + "/store", kHex, {}).status().code(), Code::kInvalidArgument);
}

TEST(Fetch, CheckStoreNamesTheBadOne) {
  EXPECT_TRUE(CheckStore("https://mirror.example/sigs").ok());
  EXPECT_TRUE(CheckStore("file:///srv/sigs").ok());
  EXPECT_TRUE(CheckStore("dir:sigs").ok());
  Status s = CheckStore("ftp://x/y");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("ftp://x/y"), std::string::npos);
}

// A scripted store: 200 for signature-1, 404 after; or a transport failure.
class ScriptedStore : public http::Transport {
 public:
  bool down = false;
  std::vector<std::string> urls;
  Result<http::Response> Do(const http::Request& r, const http::BodySink&) override {
    urls.push_back(r.url);
    if (down) return Unavailable("connection refused: " + r.url);
    http::Response resp;
    resp.status = r.url.size() >= 12 && r.url.compare(r.url.size() - 12, 12, "/signature-1") == 0 ? 200 : 404;
    if (resp.status == 200) resp.body = "sig";
    return resp;
  }
};

TEST_F(SignatureDir, RunnerWritesUnverifiedAndPassesOthersThrough) {
  ScriptedStore wire;
  RunOptions options;
  options.stores = {"https://sigs.example/release"};
  options.to_dir = dir_ + "/out";
  Runner runner(wire, options);
  records::InputLine other;
  other.text = R"({"kind":"image","name":"x"}  )";
  other.record = *json::Value::Parse(other.text);
  auto passed = runner.Process(other);
  ASSERT_EQ(passed.out.size(), 1u);
  EXPECT_EQ(passed.out[0], other.text);

  records::InputLine broken;
  broken.line = 2;
  broken.text = "not json";
  broken.problem = InvalidArgument("line 2: not JSON");
  auto refused = runner.Process(broken);
  ASSERT_EQ(refused.out.size(), 1u);
  EXPECT_EQ(json::Value::Parse(refused.out[0])->GetString("kind"), "error");
  EXPECT_EQ(refused.failures.Exit(), records::kExitFailed);

  records::InputLine release;
  release.text = R"({"kind":"release","name":"4.16.0","digest":")" + kDigest + R"("})";
  release.record = *json::Value::Parse(release.text);
  auto r = runner.Process(release);
  EXPECT_FALSE(r.failures.any());
  ASSERT_EQ(r.out.size(), 2u);
  EXPECT_EQ(r.out[0], release.text);
  auto rec = *json::Value::Parse(r.out[1]);
  EXPECT_EQ(rec.GetString("kind"), "signature");
  EXPECT_EQ(rec.GetInt("count"), 1);
  EXPECT_FALSE(rec.Find("verified")->as_bool());
  EXPECT_EQ(wire.urls.front(), "https://sigs.example/release/sha256=" + kHex + "/signature-1");
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/out/signature-sha256-0123456789abcdef.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST_F(SignatureDir, RunnerReportsAnUnreachableStoreAsTransient) {
  ScriptedStore wire;
  wire.down = true;
  RunOptions options;
  options.stores = {"https://sigs.example/release"};
  options.to_dir = dir_;
  Runner runner(wire, options);
  records::InputLine release;
  release.text = R"({"kind":"release","digest":")" + kDigest + R"("})";
  release.record = *json::Value::Parse(release.text);
  auto r = runner.Process(release);
  EXPECT_EQ(r.failures.Exit(), records::kExitTransient);
  ASSERT_EQ(r.out.size(), 2u);
  EXPECT_EQ(json::Value::Parse(r.out[1])->GetString("kind"), "error");
}

}  // namespace
}  // namespace mk::signature
