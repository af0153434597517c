// Blob uploads that fail transiently (issue 11, "Behaviour"): the Client
// cannot replay a streamed upload, so the copier starts the blob over with
// a new upload session, under the run's retry policy. The destination is a
// small registry scripted here (uploads, chunks, digests checked); the
// faults are a 503 on the closing PUT and a connection reset in the middle
// of a PATCH.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "auth/auth_file.h"
#include "copy/image_copier.h"
#include "http/retry_policy.h"
#include "store/memory_store.h"
#include "store/resolver.h"
#include "testing/image_builder.h"

namespace mk::copy {
namespace {

using namespace std::chrono_literals;

class NoSleepClock : public http::RetryClock {
 public:
  std::chrono::steady_clock::time_point Now() override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void SleepFor(std::chrono::milliseconds d) override {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
  }

 private:
  std::mutex mu_;
  std::chrono::steady_clock::time_point now_{};
};

// A source whose first `spoil` reads of the layer come with a flipped byte,
// as a proxy or a bad link may deliver them.
class SpoilingStore : public store::MemoryStore {
 public:
  SpoilingStore() : MemoryStore("src.test") {}
  Status FetchBlob(const Reference& repo, const oci::Descriptor& blob, const store::BlobSink& sink) override {
    bool flip = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      flip = blob.digest == target && spoil > 0;
      if (flip) --spoil;
    }
    if (!flip) return MemoryStore::FetchBlob(repo, blob, sink);
    bool first = true;
    return MemoryStore::FetchBlob(repo, blob, [&](const char* data, size_t n) {
      std::string copy(data, n);
      if (first && n > 0) copy[0] = static_cast<char>(copy[0] ^ 0x55);
      first = false;
      return sink(copy.data(), copy.size());
    });
  }
  Digest target;
  int spoil = 0;

 private:
  std::mutex mu_;
};

// https://dst.test: just enough of the distribution API for a push, and a
// hook that may fail a request (a status, or a transport error after the
// body's first bytes were read).
class ScriptedRegistry : public http::Transport {
 public:
  struct Fault {
    long status = 0;     // answer this instead
    bool reset = false;  // or: read some of the body, then fail as a reset would
  };
  std::function<Fault(const http::Request&, int nth_of_method)> fault = [](const http::Request&, int) {
    return Fault{};
  };

  Result<http::Response> Do(const http::Request& r, const http::BodySink& sink = {}) override {
    std::lock_guard<std::mutex> lock(mu_);
    int nth = ++count_[r.method];
    std::string body = r.body;
    Fault f = fault(r, nth);
    if (r.source) {
      char buf[4096];
      for (int i = 0; i < 1 << 20; ++i) {
        auto n = r.source(buf, sizeof buf);
        if (!n.ok()) return n.status();
        if (*n == 0) break;
        body.append(buf, *n);
        if (f.reset) return Unavailable(r.method + " " + r.url + ": Recv failure: Connection reset by peer");
      }
    }
    if (f.reset) return Unavailable(r.method + " " + r.url + ": Recv failure: Connection reset by peer");
    log_.push_back(r.method + " " + r.url);
    if (f.status) return Reply(f.status);
    (void)sink;
    const std::string base = "https://dst.test/v2/";
    if (r.url == base) return Reply(200);
    std::string path = r.url.substr(base.size());
    if (path.find("/blobs/uploads/") != std::string::npos) {
      size_t q = path.find('?');
      std::string session = path.substr(0, q);
      if (r.method == "POST") {
        std::string id = session + std::to_string(++sessions_);
        uploads_[id] = "";
        return Reply(202, {{"Location", "/v2/" + id}});
      }
      auto it = uploads_.find(session);
      if (it == uploads_.end()) return Reply(404);
      it->second += body;
      if (r.method == "PATCH")
        return Reply(202, {{"Location", "/v2/" + session}, {"Range", "0-" + std::to_string(it->second.size() - 1)}});
      if (r.method == "PUT") {
        std::string digest = path.substr(path.find("digest=") + 7);
        for (const char* colon : {"%3A", "%3a"})
          for (size_t p; (p = digest.find(colon)) != std::string::npos;) digest.replace(p, 3, ":");
        if (Digest::Sha256Of(it->second).str() != digest) {
          ADD_FAILURE() << r.url << " got " << it->second.size() << " bytes";
          return Reply(400);
        }
        blobs_[digest] = it->second;
        uploads_.erase(it);
        return Reply(201);
      }
    }
    if (path.find("/blobs/") != std::string::npos) {
      std::string digest = path.substr(path.rfind('/') + 1);
      return Reply(blobs_.count(digest) ? 200 : 404);
    }
    if (path.find("/manifests/") != std::string::npos) {
      if (r.method == "PUT") {
        ++manifests_put_;
        return Reply(201);
      }
      return Reply(404);
    }
    return Reply(404);
  }

  static http::Response Reply(long status, http::Headers headers = {}) {
    http::Response resp;
    resp.status = status;
    resp.headers = std::move(headers);
    return resp;
  }

  std::map<std::string, std::string> blobs_;
  std::map<std::string, std::string> uploads_;
  std::map<std::string, int> count_;
  std::vector<std::string> log_;
  int sessions_ = 0;
  int manifests_put_ = 0;
  std::mutex mu_;
};

class UploadRetryTest : public ::testing::Test {
 protected:
  void SetUp() override { Build(1 << 20); }

  void Build(uint64_t chunk_size) {
    store::ResolverOptions options;
    options.chunk_size = chunk_size;
    resolver_ = std::make_unique<store::StoreResolver>(registry_, auth_, options);
    auto src = std::make_unique<SpoilingStore>();
    layer_ = fixtures::PutBlob(*src, "a/b", fixtures::RandomBytes(10000, 5));
    manifest_ = fixtures::MakeImage(*src, "a/b", fixtures::ConfigJson("amd64"), {layer_});
    src->target = layer_.digest;
    src_ = src.get();
    resolver_->Register("src.test", std::move(src));
  }

  Result<CopyOutcome> Copy(http::RetryPolicy* policy) {
    ImageCopier copier(*resolver_, ledger_, 1, policy);
    return copier.Copy(Reference::Parse("src.test/a/b@" + manifest_.digest.str()).value(),
                       Reference::Parse("dst.test/c/d:v1").value());
  }

  ScriptedRegistry registry_;
  auth::AuthStore auth_;
  BlobLedger ledger_;
  std::unique_ptr<store::StoreResolver> resolver_;
  SpoilingStore* src_ = nullptr;
  oci::Descriptor layer_;
  oci::Manifest manifest_;
  NoSleepClock clock_;
};

TEST_F(UploadRetryTest, A503OnThePutStartsTheBlobOverWithANewSession) {
  registry_.fault = [](const http::Request& r, int nth) {
    return ScriptedRegistry::Fault{r.method == "PUT" && nth == 1 ? 503 : 0};
  };
  http::RetryPolicy policy({.seed = 1}, clock_);
  auto out = Copy(&policy);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(registry_.blobs_.size(), 2u);  // config and layer, both whole
  EXPECT_EQ(registry_.blobs_.count(layer_.digest.str()), 1u);
  EXPECT_EQ(registry_.count_["POST"], 3);  // two blobs, one started over
  EXPECT_EQ(registry_.manifests_put_, 1);
  EXPECT_EQ(policy.retries_used(), 1);
}

TEST_F(UploadRetryTest, WithoutAPolicyThe503IsTheAnswer) {
  registry_.fault = [](const http::Request& r, int nth) {
    return ScriptedRegistry::Fault{r.method == "PUT" && nth == 1 ? 503 : 0};
  };
  auto out = Copy(nullptr);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Code::kUnavailable);
  EXPECT_EQ(registry_.manifests_put_, 0);  // no manifest over a missing blob
}

TEST_F(UploadRetryTest, AResetMidPatchStartsTheBlobOver) {
  Build(4096);  // the 10000-byte layer goes in three PATCH chunks
  registry_.fault = [](const http::Request& r, int nth) {
    ScriptedRegistry::Fault f;
    f.reset = r.method == "PATCH" && nth == 2;
    return f;
  };
  http::RetryPolicy policy({.seed = 1}, clock_);
  auto out = Copy(&policy);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(registry_.blobs_.count(layer_.digest.str()), 1u);
  EXPECT_EQ(registry_.blobs_[layer_.digest.str()].size(), 10000u);
  EXPECT_EQ(registry_.manifests_put_, 1);
}

TEST_F(UploadRetryTest, AnUploadFailingForeverEndsWithTheReason) {
  registry_.fault = [](const http::Request& r, int) { return ScriptedRegistry::Fault{r.method == "PUT" ? 503 : 0}; };
  http::RetryPolicy policy({.retries = 2, .seed = 1}, clock_);
  auto out = Copy(&policy);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Code::kUnavailable);
  EXPECT_NE(out.status().message().find("(gave up after 3 attempts)"), std::string::npos) << out.status().message();
  EXPECT_EQ(registry_.manifests_put_, 0);
}

TEST_F(UploadRetryTest, PermanentRefusalsAreNotRetried) {
  registry_.fault = [](const http::Request& r, int) { return ScriptedRegistry::Fault{r.method == "PUT" ? 403 : 0}; };
  http::RetryPolicy policy({.seed = 1}, clock_);
  auto out = Copy(&policy);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(policy.retries_used(), 0);
}

}  // namespace
TEST_F(UploadRetryTest, ABlobThatArrivesWrongOnceIsFetchedAgain) {
  src_->spoil = 1;
  http::RetryPolicy policy({.seed = 1}, clock_);
  auto out = Copy(&policy);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(registry_.blobs_.count(layer_.digest.str()), 1u);
  EXPECT_EQ(registry_.manifests_put_, 1);
  EXPECT_EQ(policy.retries_used(), 1);
}

TEST_F(UploadRetryTest, ABlobThatArrivesWrongTwiceIsAnIntegrityFailureAndNeverStored) {
  src_->spoil = 2;
  http::RetryPolicy policy({.seed = 1}, clock_);
  auto out = Copy(&policy);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Code::kDataLoss) << out.status().message();
  EXPECT_EQ(registry_.blobs_.count(layer_.digest.str()), 0u);
  EXPECT_EQ(registry_.manifests_put_, 0);
}

}  // namespace mk::copy
