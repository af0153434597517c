#include <gtest/gtest.h>

#include "http/challenge.h"
#include "http/redirect.h"
#include "http/url.h"

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
  auto c = ParseChallenges(
      R"(Basic realm="basic-realm", Bearer realm="https://a/t?x=1",error=invalid_token, charset=UTF-8)");
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
  EXPECT_EQ(Origin("not a url"), "");
  EXPECT_FALSE(SameOrigin("not a url", "not a url"));
  EXPECT_TRUE(SameOrigin("https://h/a", "https://H:443/b?c"));
  EXPECT_FALSE(SameOrigin("https://h:5000/a", "https://h:5001/a"));
}

TEST(Url, ResolvesLocationsAsCurlWill) {
  const std::string base = "https://mirror.example:5000/v2/ocp4/blobs/uploads/";
  EXPECT_EQ(*ResolveUrl(base, "/v2/ocp4/blobs/uploads/abc?_state=x"),
            "https://mirror.example:5000/v2/ocp4/blobs/uploads/abc?_state=x");
  EXPECT_EQ(*ResolveUrl(base, "abc"), "https://mirror.example:5000/v2/ocp4/blobs/uploads/abc");
  EXPECT_EQ(*ResolveUrl(base, "//cdn.example/blob"), "https://cdn.example/blob");
  EXPECT_EQ(*ResolveUrl(base, "http://127.0.0.2:9/upload"), "http://127.0.0.2:9/upload");
  EXPECT_EQ(*ResolveUrl("https://h/v2/a/b", "../c"), "https://h/v2/c");
  EXPECT_FALSE(ResolveUrl(base, "ftp://h/x").ok());
  EXPECT_FALSE(ResolveUrl(base, "file:///etc/passwd").ok());
  EXPECT_FALSE(ResolveUrl("relative/base", "x").ok());
}

TEST(Url, QueriesAndEscapes) {
  EXPECT_EQ(*AppendQuery("https://h/up?_state=a%2Fb", "digest", "sha256:ab"),
            "https://h/up?_state=a%2Fb&digest=sha256%3aab");  // curl writes its own escapes in lower case
  EXPECT_EQ(*AppendQuery("https://h/up", "digest", "sha256:ab"), "https://h/up?digest=sha256%3aab");
  EXPECT_EQ(QueryEscape("repository:a/b:pull,push"), "repository%3Aa%2Fb%3Apull%2Cpush");
  EXPECT_EQ(QueryEscape("sha256:ab-_.~ "), "sha256%3Aab-_.~%20");
  EXPECT_TRUE(DowngradesTls("https://h/a", "http://h/a"));
  EXPECT_FALSE(DowngradesTls("http://h/a", "https://h/a"));
  EXPECT_FALSE(DowngradesTls("https://h/a", "https://other/a"));
}

Request WithAuth(const std::string& url) {
  Request r;
  r.url = url;
  r.headers = {{"Authorization", "Basic c2VjcmV0"}, {"Accept", "x"}};
  return r;
}

TEST(Redirect, KeepsCredentialsOnlyOnTheSameOrigin) {
  auto same = FollowRedirect(WithAuth("https://reg.example/v2/a/blobs/x"), 307, "/v2/b/blobs/x");
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->url, "https://reg.example/v2/b/blobs/x");
  EXPECT_EQ(same->headers.size(), 2u);
  auto other = FollowRedirect(WithAuth("https://reg.example/v2/a/blobs/x"), 307, "https://s3.example/b?sig=1");
  ASSERT_TRUE(other.ok());
  ASSERT_EQ(other->headers.size(), 1u);
  EXPECT_EQ(other->headers[0].first, "Accept");
  auto port = FollowRedirect(WithAuth("https://reg.example/v2/a"), 302, "https://reg.example:8443/v2/a");
  ASSERT_TRUE(port.ok());
  EXPECT_EQ(port->headers.size(), 1u);
}

TEST(Redirect, RefusesHttpsToPlainHttpUnlessInsecure) {
  auto refused = FollowRedirect(WithAuth("https://reg.example/v2/a/blobs/x"), 302, "http://reg.example/blob?sig=S");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("--insecure"), std::string::npos);
  EXPECT_EQ(refused.status().message().find("sig=S"), std::string::npos) << "query strings hold secrets";
  Request insecure = WithAuth("https://reg.example/v2/a/blobs/x");
  insecure.allow_plain_http = true;
  auto allowed = FollowRedirect(insecure, 302, "http://reg.example/blob");
  ASSERT_TRUE(allowed.ok());
  EXPECT_EQ(allowed->headers.size(), 1u) << "another origin (http:80) gets no credentials";
  EXPECT_TRUE(FollowRedirect(WithAuth("http://reg.example/a"), 302, "http://cdn.example/b").ok());
}

TEST(Redirect, SeeOtherBecomesGet) {
  Request post = WithAuth("https://reg.example/v2/a");
  post.method = "POST";
  EXPECT_EQ(FollowRedirect(post, 303, "/done")->method, "GET");
  EXPECT_EQ(FollowRedirect(post, 307, "/again")->method, "POST");
}

}  // namespace
}  // namespace mk::http
