// http::Client against a real (misbehaving) HTTP server on loopback:
// tests/fixtures/http-test-server.py, started and stopped by this fixture.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "http/client.h"
#include "json/value.h"
#include "registry/registry_client.h"

namespace mk::http {
namespace {

std::string SourceDir() {
  if (const char* d = std::getenv("MK_SOURCE_DIR")) return d;
  std::string file = __FILE__;  // tests/integration/http_client_test.cc, relative to the top
  return file.substr(0, file.rfind("tests/integration/"));
}

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    int in[2], out[2];
    ASSERT_EQ(::pipe(in), 0);
    ASSERT_EQ(::pipe(out), 0);
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::close(in[1]);
      ::close(out[0]);
      std::string script = SourceDir() + "tests/fixtures/http-test-server.py";
      ::execlp("python3", "python3", script.c_str(), nullptr);
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    stdin_fd_ = in[1];
    // One line "PORT_A PORT_B PORT_C\n"; a pipe may hand it over in pieces.
    char buf[64] = {0};
    size_t got = 0;
    while (got < sizeof buf - 1 && (got == 0 || buf[got - 1] != '\n')) {
      ssize_t n = ::read(out[0], buf + got, sizeof buf - 1 - got);
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    ::close(out[0]);
    ASSERT_GT(got, 0u) << "test server did not start";
    ASSERT_EQ(std::sscanf(buf, "%d %d %d", &port_a_, &port_b_, &port_c_), 3);
  }
  static void TearDownTestSuite() {
    if (stdin_fd_ >= 0) ::close(stdin_fd_);
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  static std::string A(const std::string& path) { return "http://127.0.0.1:" + std::to_string(port_a_) + path; }

  Client client_{[] {
    ClientOptions o;
    o.retry.base = std::chrono::milliseconds(10);
    o.retry.retries = 2;
    return o;
  }()};

  // The server's log of requests whose path is path (every port's).
  std::vector<json::Value> Log(const std::string& path) {
    auto resp = client_.Do(Request{.url = A("/_log")});
    EXPECT_TRUE(resp.ok());
    auto log = json::Value::Parse(resp->body);
    std::vector<json::Value> out;
    for (const auto& e : log->items())
      if (e.GetString("path") == path) out.push_back(e);
    return out;
  }

  static pid_t pid_;
  static int stdin_fd_;
  static int port_a_, port_b_, port_c_;
};

pid_t ServerTest::pid_ = -1;
int ServerTest::stdin_fd_ = -1;
int ServerTest::port_a_ = 0;
int ServerTest::port_b_ = 0;
int ServerTest::port_c_ = 0;

TEST_F(ServerTest, AuthorizationNeverCrossesOrigins) {
  Request req;
  req.url = A("/redirect-cross");
  req.headers.emplace_back("Authorization", "Bearer registry-token");
  auto resp = client_.Do(req);
  ASSERT_TRUE(resp.ok()) << resp.status().message();
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->body, "ok");
  auto hits = Log("/target");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(*hits.back().GetInt("port"), port_b_);
  EXPECT_FALSE(hits.back().Find("auth")->as_bool()) << "Authorization leaked to another origin";
}

TEST_F(ServerTest, SameOriginRedirectKeepsAuthorization) {
  Request req;
  req.url = A("/redirect-same");
  req.headers.emplace_back("Authorization", "Bearer registry-token");
  auto resp = client_.Do(req);
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->body, "ok");
  auto hits = Log("/target");
  EXPECT_EQ(*hits.back().GetInt("port"), port_a_);
  EXPECT_TRUE(hits.back().Find("auth")->as_bool());
}

TEST_F(ServerTest, RedirectLoopsEnd) {
  auto resp = client_.Do(Request{.url = A("/redirect-loop")});
  ASSERT_FALSE(resp.ok());
  EXPECT_NE(resp.status().message().find("too many redirects"), std::string::npos);
}

TEST_F(ServerTest, TransientFailuresAreRetriedForGetOnly) {
  auto resp = client_.Do(Request{.url = A("/flaky?id=get")});
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->body, "recovered");
  auto always = client_.Do(Request{.url = A("/always-503?id=get")});
  ASSERT_TRUE(always.ok());
  EXPECT_EQ(always->status, 503);
  EXPECT_EQ(Log("/always-503").size(), 3u);  // bounded: max_attempts
  Request post;
  post.method = "POST";
  post.url = A("/always-503?id=post");
  post.body = "x";
  auto posted = client_.Do(post);
  ASSERT_TRUE(posted.ok());
  EXPECT_EQ(Log("/always-503").size(), 4u);  // POST: exactly once
}

TEST_F(ServerTest, CutBodyResumesWithRange) {
  std::string got;
  auto resp = client_.Do(Request{.url = A("/cut-resume?id=1")}, [&](const char* d, size_t n) {
    got.append(d, n);
    return Status::Ok();
  });
  ASSERT_TRUE(resp.ok()) << resp.status().message();
  ASSERT_EQ(got.size(), 100000u);
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_EQ(static_cast<unsigned char>(got[i]), (i * 7 + 3) % 251) << "at byte " << i;
  auto hits = Log("/cut-resume");
  ASSERT_GE(hits.size(), 2u);
  EXPECT_EQ(*hits.back().GetString("range"), "bytes=40000-");
}

TEST_F(ServerTest, ServerIgnoringRangeIsNotSpliced) {
  std::string got;
  auto resp = client_.Do(Request{.url = A("/cut-no-range?id=1")}, [&](const char* d, size_t n) {
    got.append(d, n);
    return Status::Ok();
  });
  ASSERT_FALSE(resp.ok());
  EXPECT_NE(resp.status().message().find("did not resume"), std::string::npos);
  EXPECT_EQ(got.size(), 40000u);
}

TEST_F(ServerTest, ErrorsNameHostButNotQuery) {
  Client quick{[] {
    ClientOptions o;
    o.retry.retries = 0;
    o.connect_timeout_s = 5;
    return o;
  }()};
  // A port with nothing listening: take the server's, which we know, plus
  // one that we check is closed by asking it.
  auto resp = quick.Do(Request{.url = "http://127.0.0.1:1/v2/x?token=SECRET"});
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), Code::kUnavailable);
  EXPECT_NE(resp.status().message().find("127.0.0.1:1/v2/x"), std::string::npos);
  EXPECT_EQ(resp.status().message().find("SECRET"), std::string::npos);
}

TEST_F(ServerTest, SinkErrorAbortsTransfer) {
  auto resp = client_.Do(Request{.url = A("/target")}, [](const char*, size_t) { return DataLoss("refused by sink"); });
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().message(), "refused by sink");
}

}  // namespace
}  // namespace mk::http

namespace mk::http {
namespace {

// The upload-Location leak, end to end: a registry (port A, Basic auth, plain
// HTTP named --insecure) answers the upload POST with a Location on
// 127.0.0.2; the PUT there must carry no Authorization.
TEST_F(ServerTest, UploadLocationOnAnotherHostGetsNoCredentials) {
  const std::string host = "127.0.0.1:" + std::to_string(port_a_);
  auto auth =
      auth::AuthStore::Parse(R"({"auths":{")" + host + R"(":{"auth":"Y2FuYXJ5OmNhbmFyeS1zZWNyZXQ="}}})", "test");
  ASSERT_TRUE(auth.ok());
  registry::RegistryOptions o;
  o.insecure = true;
  registry::RegistryClient reg(host, client_, *auth, o);
  const std::string data = "layer";
  size_t off = 0;
  Status s = reg.PushBlob("leak/test", Digest::Sha256Of(data), data.size(), [&](char* out, size_t n) -> Result<size_t> {
    size_t k = std::min(n, data.size() - off);
    std::copy_n(data.data() + off, k, out);
    off += k;
    return k;
  });
  ASSERT_TRUE(s.ok()) << s.message();
  auto posts = Log("/v2/leak/test/blobs/uploads/");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_TRUE(posts[0].Find("auth")->as_bool()) << "the registry itself is asked with credentials";
  auto puts = Log("/upload");
  ASSERT_EQ(puts.size(), 1u);
  EXPECT_EQ(*puts[0].GetInt("port"), port_c_);
  EXPECT_FALSE(puts[0].Find("auth")->as_bool()) << "Authorization followed the upload Location to 127.0.0.2";
}

}  // namespace
}  // namespace mk::http
