#include <gtest/gtest.h>

#include "http/challenge.h"
#include "http/client.h"

namespace mk::http {
namespace {

TEST(Challenge, ParsesDockerBearer) {
  auto c = ParseChallenges(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push")");
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].scheme, "bearer");
  EXPECT_EQ((*c)[0].Param("realm"), "https://auth.docker.io/token");
  EXPECT_EQ((*c)[0].Param("service"), "registry.docker.io");
  EXPECT_EQ((*c)[0].Param("scope"), "repository:samalba/my-app:pull,push");
}

TEST(Challenge, BasicTokensEscapesAndSeveralChallenges) {
  auto c = ParseChallenges(R"(Basic realm="basic-realm", Bearer realm="https://a/t?x=1",error=invalid_token, charset=UTF-8)");
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0].scheme, "basic");
  EXPECT_EQ((*c)[0].Param("realm"), "basic-realm");
  EXPECT_EQ((*c)[1].Param("realm"), "https://a/t?x=1");
  EXPECT_EQ((*c)[1].Param("error"), "invalid_token");
  EXPECT_EQ((*c)[1].Param("charset"), "UTF-8");
  auto esc = ParseChallenges(R"(Basic REALM="a \"q\" b")");
  EXPECT_EQ((*esc)[0].Param("realm"), "a \"q\" b");
}

TEST(Challenge, RejectsGarbage) {
  EXPECT_FALSE(ParseChallenges("").ok());
  EXPECT_FALSE(ParseChallenges(R"(Bearer realm="unterminated)").ok());
  EXPECT_FALSE(ParseChallenges("=x").ok());
}

TEST(Url, RedactionAndOrigins) {
  EXPECT_EQ(RedactUrl("https://s3.example/bucket/blob?X-Amz-Signature=secret#f"), "https://s3.example/bucket/blob");
  EXPECT_EQ(Origin("https://Quay.io/v2/x"), "https://quay.io:443");
  EXPECT_EQ(Origin("https://quay.io:443/v2/"), "https://quay.io:443");
  EXPECT_EQ(Origin("http://127.0.0.1:5000/v2/"), "http://127.0.0.1:5000");
  EXPECT_NE(Origin("https://quay.io/a"), Origin("https://cdn.quay.io/a"));
  EXPECT_NE(Origin("http://quay.io/a"), Origin("https://quay.io/a"));
  EXPECT_EQ(Origin("https://[::1]/x"), "https://[::1]:443");
}

}  // namespace
}  // namespace mk::http
