#include "http/retry_policy.h"

#include <gtest/gtest.h>

#include <set>

#include "base/signals.h"
#include "http/backoff.h"
#include "http/client.h"
#include "http/retry_after.h"
#include "testing/fake_transport.h"

namespace mk::http {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// Time that moves only when someone sleeps: hours of backoff in microseconds.
class FakeClock : public RetryClock {
 public:
  std::chrono::steady_clock::time_point Now() override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void SleepFor(milliseconds d) override {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
    slept_ += d;
  }
  milliseconds slept() {
    std::lock_guard<std::mutex> lock(mu_);
    return slept_;
  }

 private:
  std::mutex mu_;
  std::chrono::steady_clock::time_point now_{};
  milliseconds slept_{0};
};

TEST(Backoff, CeilingDoublesUpToTheCap) {
  Backoff b(100ms, 1000ms, 1);
  EXPECT_EQ(b.Ceiling(0), 100ms);
  EXPECT_EQ(b.Ceiling(1), 200ms);
  EXPECT_EQ(b.Ceiling(3), 800ms);
  EXPECT_EQ(b.Ceiling(4), 1000ms);
  EXPECT_EQ(b.Ceiling(1000), 1000ms);  // no overflow
}

TEST(Backoff, FullJitterStaysInBoundsAndSpreads) {
  Backoff b(100ms, 1000ms, 42);
  std::set<int64_t> seen;
  for (int k = 0; k < 8; ++k)
    for (int i = 0; i < 200; ++i) {
      milliseconds d = b.Delay(k);
      ASSERT_GE(d, 0ms);
      ASSERT_LE(d, b.Ceiling(k));
      if (k == 5) seen.insert(d.count());
    }
  // Full jitter: 200 draws in [0, 1000] are far from all alike, and reach
  // both the low and the high part of the range.
  EXPECT_GT(seen.size(), 100u);
  EXPECT_LT(*seen.begin(), 100);
  EXPECT_GT(*seen.rbegin(), 900);
}

TEST(Backoff, SameSeedSameDelays) {
  Backoff a(200ms, 30s, 7), b(200ms, 30s, 7);
  for (int k = 0; k < 10; ++k) EXPECT_EQ(a.Delay(k), b.Delay(k));
}

TEST(RetryPolicy, RetriesPerRequestThenGivesUp) {
  FakeClock clock;
  RetryPolicy p({.retries = 2, .seed = 1}, clock);
  EXPECT_TRUE(p.AfterFailure("o", 0).retry);
  EXPECT_TRUE(p.AfterFailure("o", 1).retry);
  auto last = p.AfterFailure("o", 2);
  EXPECT_FALSE(last.retry);
  EXPECT_EQ(last.reason, "gave up after 3 attempts");
}

TEST(RetryPolicy, BudgetIsSharedAndRunsOut) {
  FakeClock clock;
  RetryPolicy p({.retries = 10, .budget = 3, .seed = 1}, clock);
  EXPECT_TRUE(p.AfterFailure("a", 0).retry);
  EXPECT_TRUE(p.AfterFailure("b", 0).retry);
  EXPECT_TRUE(p.AfterFailure("a", 1).retry);
  auto spent = p.AfterFailure("c", 0);
  EXPECT_FALSE(spent.retry);
  EXPECT_EQ(spent.reason, "retry budget of 3 spent");
  EXPECT_EQ(p.retries_used(), 3);
}

TEST(RetryPolicy, RetryAfterHonouredAndCapped) {
  FakeClock clock;
  RetryPolicy p({.retries = 5, .max_retry_after = 60s, .seed = 1}, clock);
  auto d = p.AfterFailure("o", 0, 7s);
  EXPECT_TRUE(d.retry);
  EXPECT_EQ(d.delay, 7s);
  // "Retry-After: 0" (or a date past) is no licence to hammer: the backoff still applies.
  Backoff same(RetryOptions{}.base, RetryOptions{}.cap, 1);
  (void)same.Delay(0);  // the draw the 7 s answer above used
  EXPECT_EQ(p.AfterFailure("o", 1, 0ms).delay, same.Delay(1));
  auto too_long = p.AfterFailure("o", 0, 3600s);
  EXPECT_FALSE(too_long.retry);
  EXPECT_EQ(too_long.reason, "the server asked to wait 3600 s, more than the 60 s we wait");
}

TEST(RetryPolicy, RetryAfterHoldsBackTheWholeOrigin) {
  FakeClock clock;
  RetryPolicy p({.seed = 1}, clock);
  ASSERT_TRUE(p.AfterFailure("https://r:443", 0, 5s).retry);
  auto start = clock.Now();
  // Another worker's request to the same origin waits out the 5 s...
  ASSERT_TRUE(p.BeforeAttempt("https://r:443", "GET x").ok());
  EXPECT_GE(clock.Now() - start, 5s);
  // ...one to another origin does not.
  auto before = clock.Now();
  ASSERT_TRUE(p.BeforeAttempt("https://other:443", "GET y").ok());
  EXPECT_EQ(clock.Now(), before);
}

TEST(RetryPolicy, DeadlineStopsAttemptsAndSleeps) {
  FakeClock clock;
  RetryPolicy p({.deadline = 10s, .seed = 1}, clock);
  EXPECT_FALSE(p.DeadlinePassed());
  EXPECT_EQ(p.TimeLeft(), 10s);
  // A sleep across the deadline ends at it.
  Status s = p.Sleep(60s, "GET /v2/x");
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.message(), "GET /v2/x: deadline exceeded (--deadline 10s)");
  EXPECT_LE(clock.slept(), 11s);
  EXPECT_TRUE(p.DeadlinePassed());
  EXPECT_EQ(p.BeforeAttempt("o", "GET /v2/x").code(), Code::kUnavailable);
  auto d = p.AfterFailure("o", 0);
  EXPECT_FALSE(d.retry);
  EXPECT_EQ(d.reason, "deadline exceeded (--deadline 10s)");
}

TEST(RetryPolicy, NoRetryWhoseWaitOutlastsTheDeadline) {
  FakeClock clock;
  RetryPolicy p({.deadline = 10s, .seed = 1}, clock);
  auto d = p.AfterFailure("o", 0, 30s);
  EXPECT_FALSE(d.retry);
  EXPECT_NE(d.reason.find("deadline exceeded"), std::string::npos);
  EXPECT_EQ(p.retries_used(), 0);  // a retry that will not happen costs nothing
}

TEST(Duration, ParsesAndRefuses) {
  EXPECT_EQ(*ParseDuration("90s"), 90s);
  EXPECT_EQ(*ParseDuration("30m"), 30min);
  EXPECT_EQ(*ParseDuration("2h"), 2h);
  EXPECT_EQ(*ParseDuration("1h30m"), 90min);
  EXPECT_EQ(*ParseDuration("500ms"), 500ms);
  EXPECT_EQ(*ParseDuration("45"), 45s);
  for (const char* bad : {"", "0", "0s", "s", "1x", "-5s", "1.5h", "90 s", "31d", "99999999999999999999"})
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  EXPECT_EQ(FormatDuration(90s), "1m30s");
  EXPECT_EQ(FormatDuration(2h), "2h");
  EXPECT_EQ(FormatDuration(250ms), "250ms");
}

// The Client's retry loop over a scripted server (the wire seam).
class ClientRetry : public ::testing::Test {
 protected:
  Client MakeClient(Transport& wire, RetryOptions retry = {}) {
    ClientOptions o;
    retry.seed = 3;
    o.retry = retry;
    return Client(o, &wire, &clock_);
  }
  FakeClock clock_;
};

TEST_F(ClientRetry, TransientStatusesRetriedOthersNot) {
  for (long status : {408L, 429L, 500L, 502L, 503L, 504L}) {
    int calls = 0;
    fixtures::FakeTransport wire(
        [&](const Request&) { return fixtures::FakeTransport::Reply(++calls == 1 ? status : 200, {}, "ok"); });
    Client c = MakeClient(wire);
    auto r = c.Do(Request{.url = "https://r/v2/"});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << status;
    EXPECT_EQ(calls, 2) << status;
  }
  for (long status : {400L, 404L, 501L, 505L, 507L}) {
    int calls = 0;
    fixtures::FakeTransport fixed([&](const Request&) {
      ++calls;
      return fixtures::FakeTransport::Reply(status);
    });
    Client c = MakeClient(fixed);
    auto r = c.Do(Request{.url = "https://r/v2/"});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, status);
    EXPECT_EQ(calls, 1) << status;
  }
}

// A wire whose answers may be transport errors (a reset, a refused connection).
class ScriptedWire : public Transport {
 public:
  std::function<Result<Response>(const Request&, const BodySink&)> script;
  Result<Response> Do(const Request& r, const BodySink& sink) override { return script(r, sink); }
};

TEST_F(ClientRetry, ResetMidBodyResumesWithRange) {
  ScriptedWire wire;
  int calls = 0;
  std::string range_asked;
  wire.script = [&](const Request& r, const BodySink& sink) -> Result<Response> {
    ++calls;
    if (calls == 1) {
      MK_RETURN_IF_ERROR(sink("hello ", 6));
      return Unavailable("GET https://r/v2/a/blobs/x: Recv failure: Connection reset by peer");
    }
    for (const auto& [k, v] : r.headers)
      if (k == "Range") range_asked = v;
    MK_RETURN_IF_ERROR(sink("world", 5));
    Response resp;
    resp.status = 206;
    resp.headers = {{"Content-Range", "bytes 6-10/11"}};
    return resp;
  };
  Client c = MakeClient(wire);
  std::string got;
  auto r = c.Do(Request{.url = "https://r/v2/a/blobs/x"}, [&](const char* d, size_t n) {
    got.append(d, n);
    return Status::Ok();
  });
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(got, "hello world");
  EXPECT_EQ(range_asked, "bytes=6-");
  EXPECT_EQ(calls, 2);
}

// A sink that refuses bytes (the upload this download feeds has failed)
// ends the request at once, with the sink's own error and no retry note: the
// caller decides what to retry.
TEST_F(ClientRetry, SinkFailureIsFinalAndUnannotated) {
  ScriptedWire wire;
  int calls = 0;
  wire.script = [&](const Request&, const BodySink& sink) -> Result<Response> {
    ++calls;
    MK_RETURN_IF_ERROR(sink("hello ", 6));
    return Unavailable("GET https://r/v2/a/blobs/x: Recv failure: Connection reset by peer");
  };
  Client c = MakeClient(wire);
  auto r = c.Do(Request{.url = "https://r/v2/a/blobs/x"},
                [](const char*, size_t) { return Unavailable("PUT https://d/v2/b/blobs/uploads/u: Send failure"); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(r.status().message(), "PUT https://d/v2/b/blobs/uploads/u: Send failure");
  EXPECT_FALSE(RetryPolicy::GaveUp(r.status()));
}

TEST_F(ClientRetry, ConnectionErrorsRetriedThenNamed) {
  ScriptedWire wire;
  int calls = 0;
  wire.script = [&](const Request&, const BodySink&) -> Result<Response> {
    ++calls;
    return Unavailable("GET https://r/v2/: Failed to connect to r port 443: Connection refused");
  };
  Client c = MakeClient(wire, {.retries = 2});
  auto r = c.Do(Request{.url = "https://r/v2/"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(r.status().message(),
            "GET https://r/v2/: Failed to connect to r port 443: Connection refused (gave up after 3 attempts)");
}

TEST_F(ClientRetry, GivesUpWithANote) {
  int calls = 0;
  fixtures::FakeTransport wire([&](const Request&) {
    ++calls;
    return fixtures::FakeTransport::Reply(503);
  });
  Client c = MakeClient(wire, {.retries = 3});
  auto r = c.Do(Request{.url = "https://r/v2/x"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(r->retry_note, "gave up after 4 attempts");
}

TEST_F(ClientRetry, HttpDateRetryAfterIsWaited) {
  int calls = 0;
  const std::string when = FormatHttpDate(std::chrono::system_clock::now() + 20s);
  fixtures::FakeTransport wire([&](const Request&) {
    return ++calls == 1 ? fixtures::FakeTransport::Reply(429, {{"Retry-After", when}})
                        : fixtures::FakeTransport::Reply(200);
  });
  Client c = MakeClient(wire);
  auto r = c.Do(Request{.url = "https://r/v2/"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  // Between 18 and 21 s (the date has one-second resolution).
  EXPECT_GE(clock_.slept(), 18s);
  EXPECT_LE(clock_.slept(), 21s);
}

TEST_F(ClientRetry, LongRetryAfterEndsTheRequest) {
  fixtures::FakeTransport wire([&](const Request&) {
    return fixtures::FakeTransport::Reply(503, {{"Retry-After", "7200"}});
  });
  Client c = MakeClient(wire);
  auto r = c.Do(Request{.url = "https://r/v2/"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->retry_note, "the server asked to wait 7200 s, more than the 60 s we wait");
  EXPECT_LT(clock_.slept(), 1s);
}

TEST_F(ClientRetry, UploadsNotRetriedManifestPutsAre) {
  int calls = 0;
  fixtures::FakeTransport wire([&](const Request&) {
    ++calls;
    return fixtures::FakeTransport::Reply(calls == 1 ? 503 : 201);
  });
  Client c = MakeClient(wire);
  auto patch = c.Do(Request{.method = "PATCH", .url = "https://r/v2/a/blobs/uploads/1", .body = "x"});
  ASSERT_TRUE(patch.ok());
  EXPECT_EQ(patch->status, 503);
  EXPECT_EQ(calls, 1);
  calls = 0;
  auto put = c.Do(Request{.method = "PUT", .url = "https://r/v2/a/manifests/t", .body = "{}", .idempotent = true});
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->status, 201);
  EXPECT_EQ(calls, 2);
}

TEST_F(ClientRetry, BudgetSpentMakesTransientFinal) {
  int calls = 0;
  fixtures::FakeTransport wire([&](const Request&) {
    ++calls;
    return fixtures::FakeTransport::Reply(500);
  });
  Client c = MakeClient(wire, {.retries = 4, .budget = 2});
  auto first = c.Do(Request{.url = "https://r/v2/a"});
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(first->retry_note, "retry budget of 2 spent");
  calls = 0;
  auto second = c.Do(Request{.url = "https://r/v2/b"});
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(second->retry_note, "retry budget of 2 spent");
}

TEST_F(ClientRetry, DeadlineEndsRetrying) {
  int calls = 0;
  fixtures::FakeTransport wire([&](const Request&) {
    ++calls;
    return fixtures::FakeTransport::Reply(503);
  });
  Client c = MakeClient(wire, {.retries = 100, .budget = 1000, .deadline = 5s, .base = 1000ms});
  auto r = c.Do(Request{.url = "https://r/v2/a"});
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->retry_note.find("deadline exceeded (--deadline 5s)"), std::string::npos) << r->retry_note;
  EXPECT_LE(clock_.slept(), 6s);
  // After the deadline, nothing starts.
  clock_.SleepFor(6s);
  int before = calls;
  auto late = c.Do(Request{.url = "https://r/v2/b"});
  EXPECT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), Code::kUnavailable);
  EXPECT_NE(late.status().message().find("deadline exceeded"), std::string::npos);
  EXPECT_EQ(calls, before);
}

}  // namespace
}  // namespace mk::http
