#include "ref/reference.h"

#include <gtest/gtest.h>

namespace mk {
namespace {

struct Good {
  const char* text;
  const char* domain;
  const char* path;
  const char* tag;
  bool has_digest;
};

constexpr const char* kDigest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(Reference, ParsesTheGrammar) {
  const Good cases[] = {
      {"quay.io/openshift-release-dev/ocp-release:4.3.0-x86_64", "quay.io", "openshift-release-dev/ocp-release",
       "4.3.0-x86_64", false},
      {"busybox", "docker.io", "library/busybox", "", false},
      {"busybox:1.36", "docker.io", "library/busybox", "1.36", false},
      {"user/app", "docker.io", "user/app", "", false},
      {"index.docker.io/user/app", "docker.io", "user/app", "", false},
      {"docker.io/busybox", "docker.io", "library/busybox", "", false},
      {"index.docker.io/busybox:1", "docker.io", "library/busybox", "1", false},
      {"localhost/app", "localhost", "app", "", false},
      {"localhost:5000/ocp4/openshift4:4.3.0", "localhost:5000", "ocp4/openshift4", "4.3.0", false},
      {"127.0.0.1:5000/a/b/c", "127.0.0.1:5000", "a/b/c", "", false},
      {"[::1]:5000/repo", "[::1]:5000", "repo", "", false},
      {"Registry.Example.COM/repo", "Registry.Example.COM", "repo", "", false},
      {"r.io/a__b/c-d/e.f---g", "r.io", "a__b/c-d/e.f---g", "", false},
      {"r.io/a/b:_t.A-1", "r.io", "a/b", "_t.A-1", false},
  };
  for (const auto& c : cases) {
    auto r = Reference::Parse(c.text);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status().message();
    EXPECT_EQ(r->domain(), c.domain) << c.text;
    EXPECT_EQ(r->path(), c.path) << c.text;
    EXPECT_EQ(r->tag(), c.tag) << c.text;
    EXPECT_EQ(r->digest().has_value(), c.has_digest) << c.text;
  }
}

TEST(Reference, DigestAndBoth) {
  auto r = Reference::Parse(std::string("quay.io/a/b@") + kDigest);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->digest()->str(), kDigest);
  EXPECT_EQ(r->manifest_ref(), kDigest);
  EXPECT_EQ(r->String(), std::string("quay.io/a/b@") + kDigest);
  auto both = Reference::Parse(std::string("quay.io/a/b:v1@") + kDigest);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->tag(), "v1");
  EXPECT_EQ(both->manifest_ref(), kDigest);  // the digest wins
  EXPECT_EQ(both->repository(), "quay.io/a/b");
}

TEST(Reference, RejectsWithReasons) {
  struct Bad {
    const char* text;
    const char* reason;
  };
  const Bad cases[] = {
      {"", "empty"},
      {"quay.io/Upper/x", "lower-case"},
      {"quay.io//x", "bad path component"},
      {"quay.io/x/", "bad path component"},
      {"quay.io/-x", "bad path component"},
      {"quay.io/a/b:", "invalid tag"},
      {"quay.io/a/b:-bad", "invalid tag"},
      {"quay.io/a/b@sha256:123", "invalid reference"},
      {"quay.io:/a", "empty port"},
      {"quay.io:12a/a", "bad port"},
      {"-bad.io/a", "bad domain"},
      {"[::1/a", "unclosed"},
  };
  for (const auto& c : cases) {
    auto r = Reference::Parse(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.reason), std::string::npos) << c.text << ": " << r.status().message();
  }
  EXPECT_FALSE(Reference::Parse("r.io/" + std::string(300, 'a')).ok());
  EXPECT_FALSE(Reference::Parse("r.io/a:" + std::string(129, 't')).ok());
}

// Found by tests/fuzz/reference_fuzz.cc: 250 letters parsed, but printed as
// "docker.io/library/" and 250 letters they did not parse again.
TEST(Reference, NameLimitIsOnTheNormalizedName) {
  const std::string longest(255 - std::string("docker.io/library/").size(), 'a');
  auto r = Reference::Parse(longest);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(Reference::Parse(r->String()).ok());
  auto over = Reference::Parse(longest + "a");
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.status().message().find("longer than 255"), std::string::npos) << over.status().message();
  // index.docker.io/ is longer than what it normalizes to.
  EXPECT_TRUE(Reference::Parse("index.docker.io/library/" + longest).ok());
  EXPECT_FALSE(Reference::Parse("index.docker.io/library/" + longest + "a").ok());
}

TEST(Reference, Derivations) {
  auto r = *Reference::Parse("r.io:5000/ocp4/openshift4");
  EXPECT_EQ(r.WithTag("4.3.0-x86_64-cli").String(), "r.io:5000/ocp4/openshift4:4.3.0-x86_64-cli");
  EXPECT_EQ(r.manifest_ref(), "latest");
  EXPECT_EQ(Reference::Parse("busybox")->api_host(), "registry-1.docker.io");
  EXPECT_FALSE(Reference::ParseRepository("r.io/a:tag").ok());
  EXPECT_TRUE(Reference::ParseRepository("r.io/a").ok());
}

}  // namespace
}  // namespace mk
