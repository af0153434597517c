#include "auth/cred_helper.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "auth/auth_file.h"
#include "base/atomic_file.h"
#include "base/base64.h"
#include "testing/temp_dir.h"

namespace mk::auth {
namespace {

using namespace std::chrono_literals;

const std::string kCanary = "CANARY-helper-5e1d";

// A directory of docker-credential-* scripts; each logs its stdin (the
// server URL) and its argument to LOG, one line per run.
class Helpers {
 public:
  Helpers() { options.search_path = dir_.path(); }
  void Add(const std::string& name, const std::string& body) {
    std::string path = dir_.path() + "/docker-credential-" + name;
    std::string script = "#!/bin/sh\nserver=$(cat)\necho \"$1 $server\" >> '" + log() + "'\n" + body + "\n";
    ASSERT_TRUE(WriteFileAtomic(path, script, 0755).ok());
  }
  std::string log() const { return dir_.path() + "/log"; }
  std::vector<std::string> Calls() const {
    auto text = ReadFileLimited(log(), 1 << 20);
    std::vector<std::string> lines;
    if (!text.ok()) return lines;
    size_t start = 0;
    while (start < text->size()) {
      size_t nl = text->find('\n', start);
      if (nl == std::string::npos) nl = text->size();
      lines.push_back(text->substr(start, nl - start));
      start = nl + 1;
    }
    return lines;
  }
  HelperOptions options;

 private:
  fixtures::ScopedTempDir dir_;
};

std::string Prints(const std::string& user, const std::string& secret) {
  return "printf '{\"ServerURL\":\"%s\",\"Username\":\"" + user + "\",\"Secret\":\"" + secret + "\"}' \"$server\"";
}

AuthStore Store(const std::string& text, const Helpers& h) {
  auto store = AuthStore::Parse(text, "/x/auth.json");
  EXPECT_TRUE(store.ok()) << store.status().message();
  AuthStore s = store.ok() ? *store : AuthStore();
  s.SetHelperOptions(h.options);
  return s;
}

TEST(CredHelper, AnswersWithTheServerOnStdin) {
  Helpers h;
  h.Add("mk", Prints("alice", kCanary));
  auto got = RunHelperGet("mk", "127.0.0.1:5000", "test", h.options);
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->username, "alice");
  EXPECT_EQ((*got)->secret, kCanary);
  EXPECT_EQ(h.Calls(), std::vector<std::string>{"get 127.0.0.1:5000"});
}

TEST(CredHelper, TokenUserMeansAnIdentityToken) {
  Helpers h;
  h.Add("tok", Prints("<token>", "refresh-me"));
  auto store = Store(R"({"credHelpers":{"r.io":"tok"}})", h);
  auto c = store.Resolve("r.io", "a/b");
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->identity_token, "refresh-me");
  EXPECT_EQ((*c)->username, "");
  EXPECT_EQ((*c)->password, "");
}

TEST(CredHelper, NotFoundInKeychainIsAnonymous) {
  Helpers h;
  h.Add("none", "echo 'credentials not found in native keychain'; exit 1");
  auto got = RunHelperGet("none", "r.io", "test", h.options);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_FALSE(got->has_value());
  auto store = Store(R"({"credHelpers":{"r.io":"none"}})", h);
  auto c = store.Resolve("r.io", "a");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->has_value());
}

TEST(CredHelper, AFailureNamesTheHelperAndRegistryButNotItsOutput) {
  Helpers h;
  h.Add("broken", "echo 'oops " + kCanary + "'; exit 3");
  auto store = Store(R"({"credHelpers":{"r.io:5000":"broken"}})", h);
  auto c = store.Resolve("r.io:5000", "a/b");
  ASSERT_FALSE(c.ok());
  const std::string& msg = c.status().message();
  EXPECT_NE(msg.find("docker-credential-broken"), std::string::npos) << msg;
  EXPECT_NE(msg.find("r.io:5000"), std::string::npos) << msg;
  EXPECT_NE(msg.find("exit status 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("/x/auth.json"), std::string::npos) << msg;
  EXPECT_EQ(msg.find(kCanary), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  EXPECT_FALSE(store.Lookup("r.io:5000", "a/b").has_value());
}

TEST(CredHelper, BadJsonIsAnErrorWithoutTheOutput) {
  Helpers h;
  h.Add("garbled", "echo '{\"Username\":\"u\",\"Secret\":\"" + kCanary + "\"'");
  auto got = RunHelperGet("garbled", "r.io", "test", h.options);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("did not print a JSON object"), std::string::npos);
  EXPECT_EQ(got.status().message().find(kCanary), std::string::npos);
  EXPECT_FALSE(ParseHelperOutput(R"({"Username":"u","Secret":7})", "h").ok());
}

TEST(CredHelper, AMissingHelperSaysWhereItWasConfigured) {
  Helpers h;
  auto store = Store(R"({"credHelpers":{"r.io":"nope"}})", h);
  auto c = store.Resolve("r.io", "a");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "docker-credential-nope not found on PATH (credHelpers for r.io in /x/auth.json)");
  auto def = Store(R"({"credsStore":"gone"})", h);
  auto d = def.Resolve("q.io", "a");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(), "docker-credential-gone not found on PATH (credsStore in /x/auth.json)");
}

TEST(CredHelper, ASlowHelperTimesOut) {
  Helpers h;
  h.Add("slow", "exec sleep 10");
  h.options.timeout = 300ms;
  auto start = std::chrono::steady_clock::now();
  auto got = RunHelperGet("slow", "r.io", "test", h.options);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Code::kUnavailable);
  EXPECT_NE(got.status().message().find("did not finish within 300 ms"), std::string::npos) << got.status().message();
  EXPECT_LT(took, 5s);
}

TEST(CredHelper, HugeOutputIsRefused) {
  Helpers h;
  h.Add("huge", "head -c 70000 /dev/zero | tr '\\0' x");
  auto got = RunHelperGet("huge", "r.io", "test", h.options);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("more than 65536 bytes"), std::string::npos) << got.status().message();
}

TEST(CredHelper, NamesThatArePathsAreRefused) {
  EXPECT_FALSE(ValidHelperName(""));
  EXPECT_FALSE(ValidHelperName("../bin/sh"));
  EXPECT_FALSE(ValidHelperName(".."));
  EXPECT_TRUE(ValidHelperName("ecr-login"));
  EXPECT_FALSE(AuthStore::Parse(R"({"credHelpers":{"r.io":"../../bin/x"}})", "f").ok());
  EXPECT_FALSE(AuthStore::Parse(R"({"credHelpers":{"r.io":7}})", "f").ok());
  EXPECT_FALSE(AuthStore::Parse(R"({"credHelpers":[]})", "f").ok());
  EXPECT_FALSE(AuthStore::Parse(R"({"credsStore":{}})", "f").ok());
  EXPECT_TRUE(AuthStore::Parse(R"({"credsStore":""})", "f").ok());
}

// containers/image's order: credHelpers for the registry, then auths, then
// (our addition, docker's default helper) credsStore.
TEST(CredHelper, PrecedenceIsHelperThenAuthsThenStore) {
  Helpers h;
  h.Add("per", Prints("per-registry", "1"));
  h.Add("store", Prints("from-store", "2"));
  const std::string text = R"({"auths":{"r.io":{"auth":")" + Base64Encode("file:3") + R"("},
      "s.io":{"auth":")" + Base64Encode("file:4") +
                           R"("},"https://index.docker.io/v1/":{}},
      "credHelpers":{"r.io":"per"},"credsStore":"store"})";
  auto store = Store(text, h);
  EXPECT_EQ((*store.Resolve("r.io", "a"))->username, "per-registry");
  EXPECT_EQ((*store.Resolve("s.io", "a"))->username, "file");
  EXPECT_EQ((*store.Resolve("t.io", "a"))->username, "from-store");
  // docker's empty auths entry beside a credsStore: the store answers.
  EXPECT_EQ((*store.Resolve("registry-1.docker.io", "library/x"))->username, "from-store");
  EXPECT_EQ(h.Calls(), (std::vector<std::string>{"get r.io", "get t.io", "get docker.io"}));
}

TEST(CredHelper, EachRegistryAsksItsHelperOnceEvenFromManyThreads) {
  Helpers h;
  h.Add("once", "sleep 0.2; " + Prints("u", "p"));
  auto store = Store(R"({"credsStore":"once"})", h);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&store, i] {
      for (int k = 0; k < 3; ++k) {
        auto c = store.Resolve(i % 2 ? "a.io" : "b.io", "repo/" + std::to_string(k));
        EXPECT_TRUE(c.ok() && c->has_value());
      }
    });
  for (auto& t : threads) t.join();
  auto calls = h.Calls();
  std::sort(calls.begin(), calls.end());
  EXPECT_EQ(calls, (std::vector<std::string>{"get a.io", "get b.io"}));
  // A failure is kept too: asked once, answered the same every time.
  Helpers f;
  f.Add("fails", "exit 1");
  auto failing = Store(R"({"credsStore":"fails"})", f);
  EXPECT_FALSE(failing.Resolve("a.io", "x").ok());
  EXPECT_FALSE(failing.Resolve("a.io", "y").ok());
  EXPECT_EQ(f.Calls().size(), 1u);
}

}  // namespace
}  // namespace mk::auth
