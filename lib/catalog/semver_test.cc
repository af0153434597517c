#include "catalog/semver.h"

#include <gtest/gtest.h>

namespace mk::catalog {
namespace {

Version V(const char* s) {
  auto v = Version::Parse(s);
  EXPECT_TRUE(v.ok()) << s << ": " << v.status().message();
  return v.ok() ? *v : Version();
}

bool In(const char* range, const char* version) {
  auto r = Range::Parse(range);
  EXPECT_TRUE(r.ok()) << range << ": " << r.status().message();
  return r.ok() && r->Contains(V(version));
}

TEST(Semver, Parses) {
  Version v = V("v1.2.3-rc.1+build.5");
  EXPECT_EQ(v.major, 1u);
  EXPECT_EQ(v.minor, 2u);
  EXPECT_EQ(v.patch, 3u);
  ASSERT_EQ(v.pre.size(), 2u);
  EXPECT_EQ(v.pre[1], "1");
  EXPECT_EQ(v.build, "build.5");
  EXPECT_EQ(v.String(), "1.2.3-rc.1+build.5");
  EXPECT_EQ(V("0.9.4").String(), "0.9.4");
}

TEST(Semver, RefusesNonsense) {
  for (const char* bad : {"", "1", "1.2", "1.2.3.4", "01.2.3", "1.2.3-", "1.2.3-01", "a.b.c", "1.2.3+", "1.2.3-rc..1",
                          "1.2.-3", "v", "1.2.3 "}) {
    EXPECT_FALSE(Version::Parse(bad).ok()) << bad;
  }
  auto r = Version::Parse("1.2");
  EXPECT_NE(r.status().message().find("\"1.2\""), std::string::npos) << r.status().message();
}

TEST(Semver, ComparesAsSemver2) {
  // The precedence example of semver.org §11.
  const char* ordered[] = {"1.0.0-alpha",  "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                           "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",       "1.0.0",
                           "1.0.1",        "1.1.0",         "1.10.0",           "2.0.0"};
  for (size_t i = 0; i + 1 < std::size(ordered); ++i) {
    EXPECT_LT(Compare(V(ordered[i]), V(ordered[i + 1])), 0) << ordered[i] << " < " << ordered[i + 1];
    EXPECT_GT(Compare(V(ordered[i + 1]), V(ordered[i])), 0);
  }
  EXPECT_EQ(Compare(V("1.0.0+a"), V("1.0.0+b")), 0);  // build metadata has no precedence
  EXPECT_TRUE(V("v2.0.0") == V("2.0.0"));
}

TEST(SemverRange, SkipRangeForms) {
  EXPECT_TRUE(In(">=4.1.0 <4.2.0", "4.1.0"));
  EXPECT_TRUE(In(">=4.1.0 <4.2.0", "4.1.9"));
  EXPECT_FALSE(In(">=4.1.0 <4.2.0", "4.2.0"));
  EXPECT_FALSE(In(">=4.1.0 <4.2.0", "4.0.9"));
  EXPECT_TRUE(In("<1.0.0 || >=2.0.0", "0.5.0"));
  EXPECT_TRUE(In("<1.0.0 || >=2.0.0", "2.1.0"));
  EXPECT_FALSE(In("<1.0.0 || >=2.0.0", "1.5.0"));
  EXPECT_TRUE(In("1.2.3", "1.2.3"));
  EXPECT_FALSE(In("1.2.3", "1.2.4"));
  EXPECT_TRUE(In("=1.2.3", "1.2.3"));
  EXPECT_TRUE(In("!=1.2.3", "1.2.4"));
  EXPECT_FALSE(In("!=1.2.3", "1.2.3"));
  EXPECT_TRUE(In(">1.2.3 <=1.3.0", "1.3.0"));
  EXPECT_FALSE(In(">1.2.3 <=1.3.0", "1.2.3"));
  EXPECT_TRUE(In(">= 0.9.0  < 0.9.4", "0.9.2"));  // whitespace after an operator, extra spaces
  // Prereleases compare plainly, as blang/semver does.
  EXPECT_TRUE(In(">=4.1.0-0 <4.2.0", "4.1.0-rc.1"));
  EXPECT_FALSE(In(">=4.1.0 <4.2.0", "4.1.0-rc.1"));
}

TEST(SemverRange, Wildcards) {
  EXPECT_TRUE(In("1.2.x", "1.2.7"));
  EXPECT_FALSE(In("1.2.x", "1.3.0"));
  EXPECT_TRUE(In(">=1.x", "1.0.0"));
  EXPECT_TRUE(In(">1.2.x", "1.3.0"));
  EXPECT_FALSE(In(">1.2.x", "1.2.9"));
  EXPECT_TRUE(In("<=1.x", "1.9.9"));
  EXPECT_FALSE(In("<=1.x", "2.0.0"));
  EXPECT_FALSE(In("<1.x", "1.0.0"));
}

TEST(SemverRange, RefusesNonsense) {
  for (const char* bad : {"", ">=", ">=1.0", "~1.0.0", ">=1.0.0 ||", "|| <1.0.0", "x.1.0", "!=1.x", "=>1.0.0"}) {
    EXPECT_FALSE(Range::Parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace mk::catalog
