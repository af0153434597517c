// RegistryClient against scripted servers (testing/fake_transport.h): where
// credentials may go, and how the client behaves when a registry answers
// with another host, another scheme or a new challenge. The same client
// against a real docker-registry is tests/integration/registry_client_test.cc.
#include "registry/registry_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "http/client.h"
#include "testing/fake_transport.h"

namespace mk::registry {
namespace {

using fixtures::FakeTransport;

auth::AuthStore Alice(const std::string& host) {
  return auth::AuthStore::Parse(R"({"auths":{")" + host + R"(":{"auth":"YWxpY2U6czNjcmV0"}}})", "test").value();
}

// A registry at https://mirror.test that asks for Basic auth and answers the
// upload POST with `location`.
FakeTransport::Handler UploadServer(std::string location) {
  return [location](const http::Request& r) {
    if (r.url == "https://mirror.test/v2/")
      return FakeTransport::Reply(401, {{"WWW-Authenticate", R"(Basic realm="mirror")"}});
    if (r.method == "POST") return FakeTransport::Reply(202, {{"Location", location}});
    if (r.method == "PUT") return FakeTransport::Reply(201);
    if (r.method == "DELETE") return FakeTransport::Reply(204);
    return FakeTransport::Reply(404);
  };
}

Status Push(RegistryClient& client, const std::string& data) {
  Digest d = Digest::Sha256Of(data);
  size_t off = 0;
  return client.PushBlob("ocp4/release", d, data.size(), [&](char* out, size_t n) -> Result<size_t> {
    size_t k = std::min(n, data.size() - off);
    std::copy_n(data.data() + off, k, out);
    off += k;
    return k;
  });
}

TEST(RegistryClientAuth, UploadLocationOnAnotherHostGetsNoCredentials) {
  FakeTransport server(UploadServer("https://127.0.0.2:9443/upload/1?_state=s"));
  auto auth = Alice("mirror.test");
  RegistryClient client("mirror.test", server, auth, {});
  ASSERT_TRUE(Push(client, "layer bytes").ok());
  auto log = server.log();
  ASSERT_EQ(log.size(), 3u);  // ping, POST, PUT
  EXPECT_EQ(log[1].method, "POST");
  EXPECT_TRUE(log[1].Has("Authorization")) << "the registry itself gets the credentials";
  EXPECT_EQ(log[2].method, "PUT");
  EXPECT_EQ(log[2].url, "https://127.0.0.2:9443/upload/1?_state=s&digest=sha256%3a" +
                            std::string(Digest::Sha256Of("layer bytes").hex()));
  EXPECT_FALSE(log[2].Has("Authorization")) << "credentials followed the Location to another origin";
  EXPECT_EQ(log[2].body, "layer bytes");
}

TEST(RegistryClientAuth, PlainHttpLocationFromATlsRegistryIsRefused) {
  FakeTransport server(UploadServer("http://mirror.test/v2/ocp4/release/blobs/uploads/1"));
  auto auth = Alice("mirror.test");
  RegistryClient client("mirror.test", server, auth, {});
  Status s = Push(client, "layer bytes");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_NE(s.message().find("--insecure"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("s3cret"), std::string::npos);
  for (const auto& seen : server.log())
    EXPECT_NE(seen.method, "PUT") << "nothing may be sent to the plain-HTTP Location";
}

TEST(RegistryClientAuth, InsecureRegistryMayUsePlainHttpLocationWithoutCredentials) {
  FakeTransport server([](const http::Request& r) {
    if (r.url == "https://mirror.test/v2/")
      return FakeTransport::Reply(401, {{"WWW-Authenticate", R"(Basic realm="m")"}});
    if (r.method == "POST") return FakeTransport::Reply(202, {{"Location", "http://mirror.test/up/1"}});
    if (r.method == "PUT") return FakeTransport::Reply(201);
    return FakeTransport::Reply(404);
  });
  auto auth = Alice("mirror.test");
  RegistryOptions o;
  o.insecure = true;
  RegistryClient client("mirror.test", server, auth, o);
  ASSERT_TRUE(Push(client, "x").ok());
  auto log = server.log();
  ASSERT_EQ(log.back().method, "PUT");
  EXPECT_FALSE(log.back().Has("Authorization"))
      << "http://mirror.test:80 is another origin than https://mirror.test:443";
}

TEST(RegistryClientAuth, RelativeLocationStaysWithTheRegistryAndKeepsCredentials) {
  FakeTransport server(UploadServer("/v2/ocp4/release/blobs/uploads/abc?_state=q"));
  auto auth = Alice("mirror.test");
  RegistryClient client("mirror.test", server, auth, {});
  ASSERT_TRUE(Push(client, "x").ok());
  auto log = server.log();
  EXPECT_EQ(log.back().url.rfind("https://mirror.test/v2/ocp4/release/blobs/uploads/abc?_state=q&digest=sha256%3a", 0),
            0u)
      << log.back().url;
  EXPECT_TRUE(log.back().Has("Authorization"));
}

TEST(RegistryClientAuth, ChunkedUploadLocationsFollowTheSameRule) {
  std::atomic<int> patches{0};
  FakeTransport server([&patches](const http::Request& r) {
    if (r.url == "https://mirror.test/v2/")
      return FakeTransport::Reply(401, {{"WWW-Authenticate", R"(Basic realm="m")"}});
    if (r.method == "POST") return FakeTransport::Reply(202, {{"Location", "/v2/ocp4/release/blobs/uploads/1"}});
    if (r.method == "PATCH")
      return FakeTransport::Reply(202, {{"Location", ++patches == 1 ? "https://elsewhere.test/up/2" : "/v2/up/3"}});
    if (r.method == "PUT") return FakeTransport::Reply(201);
    return FakeTransport::Reply(404);
  });
  auto auth = Alice("mirror.test");
  RegistryOptions o;
  o.chunk_size = 4;
  RegistryClient client("mirror.test", server, auth, o);
  ASSERT_TRUE(Push(client, "0123456789").ok());
  auto log = server.log();
  int seen_elsewhere = 0;
  for (const auto& s : log) {
    if (s.url.find("elsewhere.test") != std::string::npos) {
      ++seen_elsewhere;
      EXPECT_FALSE(s.Has("Authorization")) << s.method << " " << s.url;
    }
  }
  EXPECT_GE(seen_elsewhere, 1);
}

TEST(RegistryClientAuth, MountCancelOnAnotherHostGetsNoCredentials) {
  FakeTransport server(UploadServer("https://127.0.0.2:9443/upload/1"));
  auto auth = Alice("mirror.test");
  RegistryClient client("mirror.test", server, auth, {});
  auto mounted = client.MountBlob("ocp4/release", Digest::Sha256Of("x"), "ocp4/other");
  ASSERT_TRUE(mounted.ok());
  EXPECT_FALSE(*mounted);
  auto log = server.log();
  ASSERT_EQ(log.back().method, "DELETE");
  EXPECT_EQ(log.back().url, "https://127.0.0.2:9443/upload/1");
  EXPECT_FALSE(log.back().Has("Authorization"));
}

TEST(RegistryClientAuth, NewChallengeWhileOthersReadIt) {
  // Every other request is refused with a fresh challenge, as a registry
  // rotating its realm would; workers share the client (the challenge is
  // replaced under a lock: run under `make tsan`).
  std::atomic<int> n{0};
  FakeTransport server([&n](const http::Request& r) {
    if (r.url == "https://mirror.test/v2/")
      return FakeTransport::Reply(401, {{"WWW-Authenticate", R"(Basic realm="a")"}});
    if (++n % 2 == 0) return FakeTransport::Reply(401, {{"WWW-Authenticate", R"(Basic realm="b")"}});
    return FakeTransport::Reply(200);
  });
  auto auth = Alice("mirror.test");
  RegistryClient client("mirror.test", server, auth, {});
  std::vector<std::thread> workers;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t)
    workers.emplace_back([&] {
      for (int i = 0; i < 50; ++i)
        if (auto has = client.HasBlob("ocp4/release", Digest::Sha256Of("x")); has.ok() && *has) ++ok;
    });
  for (auto& w : workers) w.join();
  EXPECT_GT(ok.load(), 0);
  for (const auto& s : server.log()) {
    if (s.url != "https://mirror.test/v2/") {
      EXPECT_TRUE(s.Has("Authorization"));
    }
  }
}

// The codes a script sees through the exit status (records/failures.h):
// a registry that stays down is transient and says why retrying stopped; a
// refusal a retry cannot change is not. The Client's retry loop runs over
// the scripted server (its wire seam), with no real sleeping to speak of.
class RegistryErrorCodes : public ::testing::Test {
 protected:
  Status Get(long ping_status, long manifest_status) {
    FakeTransport server([=](const http::Request& r) {
      if (r.url == "https://mirror.test/v2/") return FakeTransport::Reply(ping_status);
      return FakeTransport::Reply(manifest_status);
    });
    http::ClientOptions o;
    o.retry.retries = 2;
    o.retry.base = std::chrono::milliseconds(1);
    http::Client client(o, &server);
    auth::AuthStore auth;
    RegistryClient registry("mirror.test", client, auth, {});
    return registry.GetManifest("a/b", "v1").status();
  }
};

TEST_F(RegistryErrorCodes, TransientAfterRetriesSaysWhy) {
  Status s = Get(200, 503);
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_NE(s.message().find("HTTP 503"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("(gave up after 3 attempts)"), std::string::npos) << s.message();
  Status down = Get(503, 200);
  EXPECT_EQ(down.code(), Code::kUnavailable);
  EXPECT_NE(down.message().find("(gave up after 3 attempts)"), std::string::npos) << down.message();
}

TEST_F(RegistryErrorCodes, AnswersARetryCannotChangeAreNotTransient) {
  EXPECT_EQ(Get(200, 501).code(), Code::kUnsupported);
  EXPECT_EQ(Get(200, 505).code(), Code::kUnsupported);
  EXPECT_EQ(Get(200, 507).code(), Code::kInternal);
  EXPECT_EQ(Get(200, 404).code(), Code::kNotFound);
  EXPECT_EQ(Get(200, 403).code(), Code::kPermissionDenied);
  EXPECT_EQ(Get(404, 200).code(), Code::kUnsupported);  // /v2/ missing: no registry
}

// docker-registry's link-file race (see PutManifest): a manifest PUT that
// meets 400 DIGEST_INVALID is sent again and lands; one that keeps meeting
// it, or meets any other 400, ends with the registry's words.
class ManifestPutRace : public ::testing::Test {
 protected:
  // The manifest PUT answers 400 with `code` the first `refusals` times.
  Status Put(const std::string& code, int refusals) {
    FakeTransport server([=, this](const http::Request& r) {
      if (r.method != "PUT") return FakeTransport::Reply(200);
      if (++puts <= refusals)
        return FakeTransport::Reply(400, {}, R"({"errors":[{"code":")" + code + R"(","message":"invalid"}]})");
      return FakeTransport::Reply(201);
    });
    http::Client client({}, &server);
    auth::AuthStore auth;
    RegistryClient registry("mirror.test", client, auth, {});
    auto manifest =
        oci::Manifest::Parse(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":)"
                             R"({"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:)" +
                                 std::string(64, 'a') + R"(","size":2},"layers":[]})",
                             "application/vnd.oci.image.manifest.v1+json");
    EXPECT_TRUE(manifest.ok()) << manifest.status().message();
    return registry.PutManifest("a/b", "v1", *manifest);
  }
  int puts = 0;
};

TEST_F(ManifestPutRace, DigestInvalidIsSentAgain) {
  EXPECT_TRUE(Put("DIGEST_INVALID", 2).ok());
  EXPECT_EQ(puts, 3);
}

TEST_F(ManifestPutRace, KeptUpOrOtherwiseItIsTheRegistrysError) {
  Status s = Put("DIGEST_INVALID", 100);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(puts, 4);
  EXPECT_NE(s.message().find("HTTP 400 DIGEST_INVALID: invalid"), std::string::npos) << s.message();
  puts = 0;
  Status other = Put("MANIFEST_INVALID", 100);
  EXPECT_EQ(other.code(), Code::kInvalidArgument);
  EXPECT_EQ(puts, 1);
}

}  // namespace
}  // namespace mk::registry
