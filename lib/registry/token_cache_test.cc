#include "registry/token_cache.h"

#include <gtest/gtest.h>

#include "http/client.h"

namespace mk::registry {
namespace {

http::Challenge Bearer(const std::string& realm) {
  http::Challenge c;
  c.scheme = "bearer";
  c.params["realm"] = realm;
  c.params["service"] = "registry.example";
  return c;
}

TEST(TokenCache, NeverSendsCredentialsToAPlainHttpRealmOfATlsRegistry) {
  http::Client client{http::ClientOptions{}};
  TokenCache verified(client, /*verify_tls=*/true);
  auth::Credential cred{"alice", "s3cret-password", ""};
  // Port 1 on loopback: were a request sent, it would fail differently.
  auto r = verified.Authorization(Bearer("http://127.0.0.1:1/token"), {{"a/b", "pull"}}, cred, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_NE(r.status().message().find("plain HTTP"), std::string::npos);
  EXPECT_EQ(r.status().message().find("s3cret"), std::string::npos);
}

TEST(TokenCache, BasicChallengeNeedsNoTokenServer) {
  http::Client client{http::ClientOptions{}};
  TokenCache cache(client, true);
  http::Challenge basic;
  basic.scheme = "basic";
  auto with = cache.Authorization(basic, {}, auth::Credential{"user", "password", ""}, false);
  EXPECT_EQ(*with, "Basic dXNlcjpwYXNzd29yZA==");
  auto anonymous = cache.Authorization(basic, {}, std::nullopt, false);
  EXPECT_EQ(*anonymous, "");
  http::Challenge odd;
  odd.scheme = "negotiate";
  EXPECT_EQ(cache.Authorization(odd, {}, std::nullopt, false).status().code(), Code::kUnsupported);
}

TEST(TokenCache, RealmMustBeHttp) {
  http::Client client{http::ClientOptions{}};
  TokenCache cache(client, true);
  EXPECT_FALSE(cache.Authorization(Bearer("file:///etc/passwd"), {}, std::nullopt, false).ok());
  EXPECT_FALSE(cache.Authorization(Bearer(""), {}, std::nullopt, false).ok());
}

TEST(QueryEscape, EscapesReservedCharacters) {
  EXPECT_EQ(http::QueryEscape("repository:a/b:pull,push"), "repository%3Aa%2Fb%3Apull%2Cpush");
  EXPECT_EQ(http::QueryEscape("sha256:ab-_.~"), "sha256%3Aab-_.~");
}

}  // namespace
}  // namespace mk::registry
