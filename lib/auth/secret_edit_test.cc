#include "auth/secret_edit.h"

#include <gtest/gtest.h>

#include "base/base64.h"

namespace mk::auth {
namespace {

// The seed's example pull secret (compact, as the download is), with real
// base64 so that it validates.
const char kPullSecret[] =
    R"({"auths":{"cloud.openshift.com":{"auth":"b3BlbnNoaWZ0OnRva2VuMQ==","email":"you@example.com"},)"
    R"("quay.io":{"auth":"b3BlbnNoaWZ0OnRva2VuMg==","email":"you@example.com"},)"
    R"("registry.connect.redhat.com":{"auth":"NTE3Njg5NjpjcmVkMw==","email":"you@example.com"},)"
    R"("registry.redhat.io":{"auth":"NTE3Njg5NjpjcmVkNA==","email":"you@example.com"}}})";

const char kPassword[] = "pa ss:w0rd s3cret";

json::Value Parse(std::string_view text) {
  auto doc = ParsePullSecret(text, "pull-secret.json");
  EXPECT_TRUE(doc.ok()) << doc.status().message();
  return doc.ok() ? *doc : json::Value();
}

std::vector<std::string> Keys(const json::Value& doc) {
  std::vector<std::string> keys;
  for (const auto& m : doc.Find("auths")->members()) keys.push_back(m.first);
  return keys;
}

NewCredential Mirror(std::string registry = "mirror.example.com:5000") {
  return NewCredential{std::move(registry), "mirror", kPassword, ""};
}

// Every string a message must not hold: the password, its base64 forms.
void ExpectNoSecret(const std::string& text) {
  for (const std::string& secret : {std::string(kPassword), EncodeAuth("mirror", kPassword),
                                    std::string("b3BlbnNoaWZ0OnRva2VuMQ=="), std::string("openshift:token1")})
    EXPECT_EQ(text.find(secret), std::string::npos) << "secret in: " << text;
}

TEST(SecretEdit, AuthIsWhatCoreutilsBase64Writes) {
  // printf '%s' 'user:password' | base64 -w0, and so on.
  EXPECT_EQ(EncodeAuth("user", "password"), "dXNlcjpwYXNzd29yZA==");
  EXPECT_EQ(EncodeAuth("admin", "p@ss w:rd"), "YWRtaW46cEBzcyB3OnJk");
  EXPECT_EQ(EncodeAuth("a", "b"), "YTpi");
  EXPECT_EQ(EncodeAuth("mirror", "pass word:with colon"), "bWlycm9yOnBhc3Mgd29yZDp3aXRoIGNvbG9u");
  EXPECT_EQ(EncodeAuth("\xc3\xbc", "\xe2\x82\xac"), "w7w64oKs");
}

TEST(SecretEdit, AddAppendsTheMirrorAndKeepsEverythingElse) {
  json::Value doc = Parse(kPullSecret);
  std::string before = doc.SerializePretty();
  EditOptions options;
  options.source = "pull-secret.json";
  NewCredential cred = Mirror();
  cred.email = "you@example.com";
  options.add = cred;
  auto report = EditPullSecret(doc, options);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->added);
  EXPECT_TRUE(report->notes.empty());
  EXPECT_EQ(Keys(doc), (std::vector<std::string>{"cloud.openshift.com", "quay.io", "registry.connect.redhat.com",
                                                 "registry.redhat.io", "mirror.example.com:5000"}));
  const json::Value* entry = doc.Find("auths")->Find("mirror.example.com:5000");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->GetString("auth"), Base64Encode(std::string("mirror:") + kPassword));
  EXPECT_EQ(entry->GetString("email"), "you@example.com");
  EXPECT_EQ(entry->members().front().first, "auth");
  // Removing it again gives back exactly what was there, in jq's layout.
  ASSERT_TRUE(RemoveRegistry(doc, "mirror.example.com:5000", "x").ok());
  EXPECT_EQ(doc.SerializePretty(), before);
  std::string head = "{\n  \"auths\": {\n    \"cloud.openshift.com\": {\n      \"auth\": \"b3Bl";
  EXPECT_EQ(before.substr(0, head.size()), head);
}

TEST(SecretEdit, ReplaceKeepsPositionKeyAndEmailAndDropsOtherCredentialFields) {
  json::Value doc = Parse(R"({"auths":{"a.io":{"auth":"YTpi"},
      "https://Mirror.Example.com:5000/v2/":{"username":"old","password":"oldpw","identitytoken":"tok","email":"m@x.y"},
      "b.io":{"auth":"YTpi"}},"credHelpers":{"c.io":"pass"}})");
  auto key = SetCredential(doc, Mirror(), false, nullptr);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(*key, "https://Mirror.Example.com:5000/v2/");
  EXPECT_EQ(Keys(doc), (std::vector<std::string>{"a.io", "https://Mirror.Example.com:5000/v2/", "b.io"}));
  const json::Value* entry = doc.Find("auths")->Find(*key);
  EXPECT_EQ(entry->Serialize(), R"({"auth":")" + EncodeAuth("mirror", kPassword) + R"(","email":"m@x.y"})");
  EXPECT_NE(doc.Find("credHelpers"), nullptr);
  // A given email wins over the old one.
  NewCredential cred = Mirror();
  cred.email = "new@x.y";
  ASSERT_TRUE(SetCredential(doc, cred, false, nullptr).has_value());
  EXPECT_EQ(doc.Find("auths")->Find(*key)->GetString("email"), "new@x.y");
}

TEST(SecretEdit, ReplaceRemovesOtherSpellingsOfTheSameRegistry) {
  json::Value doc = Parse(R"({"auths":{"mirror.example.com:5000":{"auth":"YTpi"},
      "x.io":{"auth":"YTpi"},"https://mirror.example.com:5000":{"auth":"YzpkZQ=="}}})");
  std::vector<std::string> notes;
  ASSERT_TRUE(SetCredential(doc, Mirror(), false, &notes).has_value());
  EXPECT_EQ(Keys(doc), (std::vector<std::string>{"mirror.example.com:5000", "x.io"}));
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("https://mirror.example.com:5000"), std::string::npos);
}

TEST(SecretEdit, NoOverwriteKeepsTheExistingEntry) {
  json::Value doc = Parse(R"({"auths":{"mirror.example.com:5000":{"auth":"YTpi"}}})");
  std::vector<std::string> notes;
  EXPECT_FALSE(SetCredential(doc, Mirror(), true, &notes).has_value());
  EXPECT_EQ(doc.Find("auths")->Find("mirror.example.com:5000")->GetString("auth"), "YTpi");
  ASSERT_EQ(notes.size(), 1u);
  ExpectNoSecret(notes[0]);
  // A registry that is not there yet is added all the same.
  EXPECT_TRUE(SetCredential(doc, Mirror("other.example.com"), true, &notes).has_value());
}

TEST(SecretEdit, AddCreatesAuthsWhenThereIsNone) {
  json::Value doc = Parse("{}");
  ASSERT_TRUE(SetCredential(doc, Mirror(), false, nullptr).has_value());
  EXPECT_EQ(doc.Serialize(),
            R"({"auths":{"mirror.example.com:5000":{"auth":")" + EncodeAuth("mirror", kPassword) + R"("}}})");
  json::Value docker = Parse(R"({"credsStore":"desktop"})");
  ASSERT_TRUE(SetCredential(docker, Mirror(), false, nullptr).has_value());
  EXPECT_EQ(docker.members().front().first, "credsStore");
  EXPECT_EQ(docker.members().back().first, "auths");
}

TEST(SecretEdit, MergeLaterWinsInPlaceAndAppendsNewRegistries) {
  json::Value doc = Parse(kPullSecret);
  MergeSource a{"a.json", Parse(R"({"auths":{"quay.io":{"auth":"YTpi"},"new.io":{"auth":"YTpj"}}})")};
  MergeSource b{"b.json", Parse(R"({"auths":{"new.io":{"auth":"YTpk","email":"b@x.y"},
                                    "https://index.docker.io/v1/":{"username":"hub","password":"hubpw"}}})")};
  EditOptions options;
  options.merge = {a, b};
  auto report = EditPullSecret(doc, options);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->added);
  EXPECT_EQ(Keys(doc), (std::vector<std::string>{"cloud.openshift.com", "quay.io", "registry.connect.redhat.com",
                                                 "registry.redhat.io", "new.io", "https://index.docker.io/v1/"}));
  EXPECT_EQ(doc.Find("auths")->Find("quay.io")->Serialize(), R"({"auth":"YTpi"})");
  EXPECT_EQ(doc.Find("auths")->Find("new.io")->Serialize(), R"({"auth":"YTpk","email":"b@x.y"})");
  // docker config.json's username/password form is copied as it is.
  EXPECT_EQ(doc.Find("auths")->Find("https://index.docker.io/v1/")->GetString("username"), "hub");
}

TEST(SecretEdit, MergeNoOverwriteKeepsWhatIsThere) {
  json::Value doc = Parse(kPullSecret);
  std::string quay = doc.Find("auths")->Find("quay.io")->Serialize();
  EditOptions options;
  options.no_overwrite = true;
  options.merge = {{"a.json", Parse(R"({"auths":{"QUAY.io":{"auth":"YTpi"},"new.io":{"auth":"YTpj"}}})")},
                   {"b.json", Parse(R"({"auths":{"new.io":{"auth":"YTpk"}}})")}};
  auto report = EditPullSecret(doc, options);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(doc.Find("auths")->Find("quay.io")->Serialize(), quay);
  EXPECT_EQ(doc.Find("auths")->Find("QUAY.io"), nullptr);
  EXPECT_EQ(doc.Find("auths")->Find("new.io")->GetString("auth"), "YTpj");  // the first wins
  EXPECT_EQ(report->notes.size(), 2u);
  for (const auto& n : report->notes) ExpectNoSecret(n);
}

TEST(SecretEdit, MergeSkipsEntriesWithoutCredentials) {
  json::Value doc = Parse(R"({"auths":{"docker.io":{"auth":"YTpi"}}})");
  std::vector<std::string> notes;
  MergeAuths(doc, {"config.json", Parse(R"({"auths":{"https://index.docker.io/v1/":{}},"credsStore":"desktop"})")},
             false, &notes);
  EXPECT_EQ(doc.Find("auths")->Find("docker.io")->GetString("auth"), "YTpi");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("config.json"), std::string::npos);
  // identitytoken alone is a credential.
  MergeAuths(doc, {"t.json", Parse(R"({"auths":{"t.io":{"auth":"PHRva2VuPjo=","identitytoken":"refresh"}}})")}, false,
             &notes);
  EXPECT_EQ(doc.Find("auths")->Find("t.io")->GetString("identitytoken"), "refresh");
}

TEST(SecretEdit, RemoveDropsEverySpellingAndFailsWhenAbsent) {
  json::Value doc = Parse(R"({"auths":{"a.io":{"auth":"YTpi"},"Mirror.example.com:5000":{"auth":"YTpi"},
      "http://mirror.example.com:5000/v1/":{"auth":"YTpi"},"mirror.example.com:5000/ocp4":{"auth":"YTpi"}}})");
  EditOptions options;
  options.source = "pull-secret.json";
  options.remove = {"mirror.example.com:5000"};
  ASSERT_TRUE(EditPullSecret(doc, options).ok());
  EXPECT_EQ(Keys(doc), (std::vector<std::string>{"a.io", "mirror.example.com:5000/ocp4"}));
  auto again = EditPullSecret(doc, options);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Code::kNotFound);
  EXPECT_EQ(again.status().message(), "pull-secret.json: no auths entry for \"mirror.example.com:5000\"");
}

TEST(SecretEdit, ForInstallLeavesOnlyThePullOnlyCredentialForTheMirror) {
  json::Value doc = Parse(R"({"auths":{"quay.io":{"auth":"YTpi"},"mirror.example.com:5000":{"auth":"d3JpdGVyOnc="},
      "mirror.example.com:5000/ocp4/openshift4":{"auth":"d3JpdGVyOnc="},"mirror.example.com:443":{"auth":"YTpi"},
      "mirror.example.com":{"auth":"YTpi"}}})");
  EditOptions options;
  options.for_install = true;
  options.no_overwrite = true;  // does not keep a write credential in an install pull secret
  options.add = NewCredential{"mirror.example.com:5000", "puller", "pull only", ""};
  auto report = EditPullSecret(doc, options);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->added);
  EXPECT_EQ(Keys(doc), (std::vector<std::string>{"quay.io", "mirror.example.com:5000", "mirror.example.com:443",
                                                 "mirror.example.com"}));
  EXPECT_EQ(doc.Find("auths")->Find("mirror.example.com:5000")->GetString("auth"), EncodeAuth("puller", "pull only"));
  EXPECT_EQ(report->notes.size(), 1u);
}

TEST(SecretEdit, ListGivesRegistryAndUserNeverASecret) {
  json::Value doc = Parse(R"({"auths":{"cloud.openshift.com":{"auth":"b3BlbnNoaWZ0OnRva2VuMQ==","email":"e@x.y"},
      "docker.io":{"username":"hub","password":"pa ss:w0rd s3cret"},
      "t.io":{"identitytoken":"openshift:token1"},"helper.io":{}}})");
  EXPECT_TRUE(SetCredential(doc, Mirror(), false, nullptr).has_value());
  auto entries = ListEntries(doc);
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries[0].registry, "cloud.openshift.com");
  EXPECT_EQ(entries[0].username, "openshift");
  EXPECT_EQ(entries[1].username, "hub");
  EXPECT_EQ(entries[2].username, "");
  EXPECT_EQ(entries[3].username, "");
  EXPECT_EQ(entries[4].registry, "mirror.example.com:5000");
  EXPECT_EQ(entries[4].username, "mirror");
  std::string all;
  for (const auto& e : entries) all += EntryRecord(e).Serialize() + "\n";
  ExpectNoSecret(all);
  EXPECT_EQ(EntryRecord(entries[4]).Serialize(),
            R"({"kind":"auth","registry":"mirror.example.com:5000","username":"mirror"})");
}

TEST(SecretEdit, ParseSaysWhatIsWrongWhereWithoutTheSecret) {
  struct Case {
    std::string text, want;
  } cases[] = {
      {"", "p.json: empty, not a pull secret"},
      {"{\"auths\":{\"a.io\":{\"auth\":\"b3BlbnNoaWZ0OnRva2VuMQ==\"}", "p.json: invalid json"},
      {"[]", "p.json: not a JSON object"},
      {R"({"foo":1})", "p.json: no \"auths\" object"},
      {R"({"auths":[]})", "p.json: \"auths\" is not an object"},
      {R"({"auths":{"a.io":"b3BlbnNoaWZ0OnRva2VuMQ=="}})", "p.json: auths[\"a.io\"] is not an object"},
      {R"({"auths":{"a.io":{"auth":"b3BlbnNoaWZ0OnRva2VuMQ==$"}}})",
       "p.json: auths[\"a.io\"].auth is not valid base64"},
      {R"({"auths":{"a.io":{"auth":")" + Base64Encode("pa ss w0rd s3cret") + R"("}}})",
       "p.json: auths[\"a.io\"].auth does not decode to user:password"},
      {R"({"auths":{"a.io":{"auth":1}}})", "p.json: auths[\"a.io\"].auth is not a string"},
      {R"({"auths":{"a.io":{"password":["pa ss:w0rd s3cret"]}}})", "p.json: auths[\"a.io\"].password is not a string"},
      {R"({"auths":{"":{"auth":"YTpi"}}})", "p.json: auths[\"\"]: empty registry key"},
  };
  for (const auto& c : cases) {
    auto doc = ParsePullSecret(c.text, "p.json");
    ASSERT_FALSE(doc.ok()) << c.text;
    EXPECT_EQ(doc.status().message().substr(0, c.want.size()), c.want) << doc.status().message();
    ExpectNoSecret(doc.status().message());
    EXPECT_EQ(doc.status().message().find("pa ss"), std::string::npos);
    EXPECT_EQ(doc.status().message().find(Base64Encode("pa ss w0rd s3cret")), std::string::npos);
  }
  // docker config.json forms validate.
  EXPECT_TRUE(ParsePullSecret(R"({"auths":{"https://index.docker.io/v1/":{"username":"u","password":"p"},
      "t.io":{"auth":"PHRva2VuPjo=","identitytoken":"x"},"h.io":{}},"credsStore":"desktop","HttpHeaders":{}})",
                              "config.json")
                  .ok());
  EXPECT_TRUE(ParsePullSecret(R"({"credHelpers":{"a.io":"ecr-login"}})", "config.json").ok());
}

TEST(SecretEdit, RegistryNames) {
  for (const char* ok : {"mirror.example.com", "mirror.example.com:5000", "localhost", "localhost:5000",
                         "127.0.0.1:5000", "[::1]:5000", "[fe80::1]", "quay.io/org/repo", "Mirror.Example.com:443",
                         "registry.example.com:5000/ocp4/openshift4", "a.io/x__y/z-w.v"})
    EXPECT_TRUE(ValidateRegistryName(ok).ok()) << ok << ": " << ValidateRegistryName(ok).message();
  for (const char* bad : {"", "https://mirror.example.com", "mirror", "mirror.example.com:", "mirror.example.com:0",
                          "mirror.example.com:65536", "mirror.example.com:5x", "-a.io", "a_b.io", "a.io/", "a.io//b",
                          "a.io/Org", "a.io/org:tag", "a.io/org@sha256:00", "[::1", "a.io/-x", "a..io"}) {
    Status s = ValidateRegistryName(bad);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.code(), Code::kInvalidArgument);
  }
  EXPECT_NE(ValidateRegistryName("https://m.io").message().find("without a scheme"), std::string::npos);
}

TEST(SecretEdit, UserNamesAndPasswords) {
  EXPECT_TRUE(ValidateUsername("mirror").ok());
  EXPECT_TRUE(ValidateUsername("robot$org+name").ok());
  Status colon = ValidateUsername("mirror:pa ss:w0rd s3cret");
  EXPECT_FALSE(colon.ok());
  ExpectNoSecret(colon.message());
  EXPECT_EQ(colon.message().find("mirror"), std::string::npos);
  EXPECT_FALSE(ValidateUsername("").ok());
  EXPECT_FALSE(ValidateUsername("a\tb").ok());

  EXPECT_EQ(*PasswordFromInput("pa ss:w0rd\n"), "pa ss:w0rd");
  EXPECT_EQ(*PasswordFromInput("pa ss:w0rd"), "pa ss:w0rd");
  EXPECT_EQ(*PasswordFromInput(" sp \n"), " sp ");      // only the newline goes
  EXPECT_EQ(*PasswordFromInput("crlf\r\n"), "crlf\r");  // one newline, nothing else
  for (const std::string& bad : {std::string(""), std::string("\n"), std::string("pa ss:w0rd s3cret\n\n"),
                                 std::string("pa ss:w0rd s3cret\nmore"), std::string("pa ss:w0rd s3cret\0x", 19)}) {
    auto p = PasswordFromInput(bad);
    ASSERT_FALSE(p.ok()) << bad;
    ExpectNoSecret(p.status().message());
  }
}

TEST(SecretEdit, EditErrorsCarryNoSecret) {
  json::Value doc = Parse(kPullSecret);
  EditOptions options;
  options.source = "pull-secret.json";
  options.add = NewCredential{"https://mirror.example.com", "mirror", kPassword, ""};
  auto r = EditPullSecret(doc, options);
  ASSERT_FALSE(r.ok());
  ExpectNoSecret(r.status().message());
  options.add = NewCredential{"mirror.example.com", "mirror", "", ""};
  EXPECT_FALSE(EditPullSecret(doc, options).ok());
  options.add = NewCredential{"mirror.example.com", std::string("mirror:") + kPassword, kPassword, ""};
  r = EditPullSecret(doc, options);
  ASSERT_FALSE(r.ok());
  ExpectNoSecret(r.status().message());
}

}  // namespace
}  // namespace mk::auth
