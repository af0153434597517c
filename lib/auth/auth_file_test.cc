#include "auth/auth_file.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "base/atomic_file.h"
#include "base/base64.h"

namespace mk::auth {
namespace {

std::string Auth(const std::string& up) { return Base64Encode(up); }

TEST(AuthStore, ReadsEveryCredentialForm) {
  std::string text = R"({"auths":{
    "cloud.openshift.com":{"auth":")" +
                     Auth("ocm:tok") + R"(","email":"a@b.c"},
    "https://index.docker.io/v1/":{"username":"hubuser","password":"hubpass"},
    "mirror.example.com:5000":{"auth":")" +
                     Auth("admin:pa:ss") + R"("},
    "token.example.com":{"identitytoken":"refresh-me"}}})";
  auto store = AuthStore::Parse(text, "pull-secret.json");
  ASSERT_TRUE(store.ok()) << store.status().message();
  auto c = store->Lookup("cloud.openshift.com", "x/y");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->username, "ocm");
  EXPECT_EQ(c->password, "tok");
  EXPECT_EQ(store->Lookup("registry-1.docker.io", "library/busybox")->username, "hubuser");
  EXPECT_EQ(store->Lookup("mirror.example.com:5000", "ocp4/openshift4")->password, "pa:ss");
  EXPECT_FALSE(store->Lookup("mirror.example.com", "ocp4/openshift4").has_value());  // port matters
  EXPECT_EQ(store->Lookup("token.example.com", "")->identity_token, "refresh-me");
  EXPECT_FALSE(store->Lookup("quay.io", "a/b").has_value());
}

TEST(AuthStore, LongestRepositoryPrefixWins) {
  std::string text = R"({"auths":{
    "quay.io":{"auth":")" +
                     Auth("host:1") + R"("},
    "quay.io/org":{"auth":")" +
                     Auth("org:2") + R"("},
    "quay.io/org/repo":{"auth":")" +
                     Auth("repo:3") + R"("}}})";
  auto store = AuthStore::Parse(text, "auth.json");
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(store->Lookup("quay.io", "org/repo")->username, "repo");
  EXPECT_EQ(store->Lookup("quay.io", "org/repo2")->username, "org");  // not a prefix at '/'
  EXPECT_EQ(store->Lookup("quay.io", "org/other/x")->username, "org");
  EXPECT_EQ(store->Lookup("quay.io", "else/x")->username, "host");
}

TEST(AuthStore, ErrorsNameTheEntryButNeverTheSecret) {
  auto bad64 = AuthStore::Parse(R"({"auths":{"r.io":{"auth":"c2VjcmV0$$$"}}})", "f.json");
  ASSERT_FALSE(bad64.ok());
  EXPECT_NE(bad64.status().message().find("auths[\"r.io\"].auth"), std::string::npos);
  EXPECT_EQ(bad64.status().message().find("c2VjcmV0"), std::string::npos);
  auto no_colon = AuthStore::Parse(R"({"auths":{"r.io":{"auth":")" + Auth("secretwithoutcolon") + R"("}}})", "f.json");
  ASSERT_FALSE(no_colon.ok());
  EXPECT_EQ(no_colon.status().message().find("secretwithoutcolon"), std::string::npos);
  EXPECT_FALSE(AuthStore::Parse(R"({"auths":[]})", "f.json").ok());
  EXPECT_FALSE(AuthStore::Parse("{nope", "f.json").ok());
  EXPECT_TRUE(AuthStore::Parse(R"({"credHelpers":{}})", "f.json").ok());
}

// Hostile auth files (issue 11): each a one-line error naming the file,
// and the canary (a password, a token, the base64 of both) never in it.
TEST(AuthStore, HostileFilesAreOneLineErrorsNamingTheFileWithoutTheSecret) {
  const std::string canary = "CANARY-7f3a9c";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {canary + " is not json", "invalid json"},
      {"[\"" + canary + "\"]", "not a JSON object"},
      {R"({"auths":")" + canary + R"("})", "\"auths\" is not an object"},
      {R"({"auths":[")" + canary + R"("]})", "\"auths\" is not an object"},
      {R"({"auths":{"r.io":")" + canary + R"("}})", "auths[\"r.io\"] is not an object"},
      {R"({"auths":{"r.io":{"auth":")" + canary + R"(!!"}}})", "auths[\"r.io\"].auth is not valid base64"},
      {R"({"auths":{"r.io":{"auth":")" + Auth(canary) + R"("}}})", "does not decode to user:password"},
      {R"({"auths":{"r.io":{"auth":12345}}})", "auths[\"r.io\"].auth is not a string"},
      {R"({"auths":{"r.io":{"username":"u","password":[")" + canary + R"("]}}})", ".password is not a string"},
      {R"({"auths":{"r.io":{"identitytoken":{")" + canary + R"(":1}}}})", ".identitytoken is not a string"},
      {R"({"auths":{"r.io":{"auth":")" + Auth("u:" + canary) + R"(",}}})", "invalid json"},
      {std::string("{\"auths\":{\"r.io\":{\"password\":\"\xff") + canary + "\"}}}", "invalid json"},
      {std::string(100000, '[') + canary, "invalid json"},
  };
  for (const auto& [text, want] : cases) {
    auto store = AuthStore::Parse(text, "/x/auth.json");
    ASSERT_FALSE(store.ok()) << text.substr(0, 80);
    const std::string& msg = store.status().message();
    EXPECT_EQ(msg.rfind("/x/auth.json", 0), 0u) << msg;
    EXPECT_NE(msg.find(want), std::string::npos) << msg;
    EXPECT_EQ(msg.find(canary), std::string::npos) << msg;
    EXPECT_EQ(msg.find(Auth(canary)), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  // null is "not given", as docker writes it.
  EXPECT_TRUE(AuthStore::Parse(R"({"auths":{"r.io":{"auth":null,"username":"u","password":"p"}}})", "f").ok());
}

TEST(AuthStore, AHugeFileIsRefusedNamingIt) {
  char tmpl[] = "/tmp/mk-auth-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string path = std::string(tmpl) + "/auth.json";
  const std::string canary = "CANARY-huge";
  std::string text = R"({"auths":{"r.io":{"auth":")" + Auth("u:" + canary) + R"("}},"pad":")";
  text += std::string((16 << 20) + 10, ' ') + "\"}";
  ASSERT_TRUE(WriteFileAtomic(path, text, 0600).ok());
  auto store = AuthStore::Load(path);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find(path), std::string::npos) << store.status().message();
  EXPECT_NE(store.status().message().find("too large"), std::string::npos) << store.status().message();
  EXPECT_EQ(store.status().message().find(canary), std::string::npos);
  (void)std::system(("rm -rf '" + std::string(tmpl) + "'").c_str());
}

TEST(AuthStore, NormalizesKeys) {
  EXPECT_EQ(NormalizeAuthKey("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(NormalizeAuthKey("http://Mirror.Example.com:5000/v2/"), "mirror.example.com:5000");
  EXPECT_EQ(NormalizeAuthKey("HTTPS://Quay.io"), "quay.io");
  EXPECT_EQ(NormalizeAuthKey("quay.io/org/repo"), "quay.io/org/repo");
  EXPECT_EQ(NormalizeAuthKey("quay.io//v1"), "quay.io");
  EXPECT_EQ(NormalizeAuthKey("https://quay.io/org//v2/"), "quay.io/org");
}

TEST(AuthStore, ExplicitFileMustExistAndEnvOrderHolds) {
  EXPECT_EQ(AuthStore::Load("/nonexistent/auth.json").status().code(), Code::kNotFound);
  char tmpl[] = "/tmp/mk-auth-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  ASSERT_TRUE(WriteFileAtomic(dir + "/first.json", R"({"auths":{"r.io":{"auth":")" + Auth("first:1") + R"("}}})").ok());
  ASSERT_TRUE(::mkdir((dir + "/containers").c_str(), 0700) == 0);
  ASSERT_TRUE(WriteFileAtomic(dir + "/containers/auth.json", R"({"auths":{"r.io/a/b":{"auth":")" + Auth("second:2") +
                                                                 R"("},"s.io":{"auth":")" + Auth("second:3") +
                                                                 R"("}}})")
                  .ok());
  ::setenv("REGISTRY_AUTH_FILE", (dir + "/first.json").c_str(), 1);
  ::setenv("XDG_RUNTIME_DIR", dir.c_str(), 1);
  ::setenv("HOME", (dir + "/nohome").c_str(), 1);
  auto store = AuthStore::Load("");
  ASSERT_TRUE(store.ok()) << store.status().message();
  // The earlier file wins even over a longer prefix in a later one.
  EXPECT_EQ(store->Lookup("r.io", "a/b")->username, "first");
  EXPECT_EQ(store->Lookup("s.io", "x")->username, "second");
  EXPECT_EQ(store->sources().size(), 2u);
  ::unsetenv("REGISTRY_AUTH_FILE");
  ::unsetenv("XDG_RUNTIME_DIR");
  (void)std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace mk::auth
