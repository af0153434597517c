#include "http/retry_after.h"

#include <gtest/gtest.h>

#include "http/content_range.h"

namespace mk::http {
namespace {

using namespace std::chrono;

// 1994-11-06 08:49:37 UTC, the RFC's example.
system_clock::time_point RfcExample() { return sys_days{1994y / 11 / 6} + 8h + 49min + 37s; }

TEST(RetryAfter, DelaySeconds) {
  auto now = system_clock::now();
  EXPECT_EQ(ParseRetryAfter("120", now), milliseconds(120000));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("007", now), milliseconds(7000));
}

TEST(RetryAfter, HugeSecondsSaturate) {
  auto now = system_clock::now();
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999999999", now), kMaxRetryAfter);
  EXPECT_EQ(ParseRetryAfter("18446744073709551616", now), kMaxRetryAfter);
}

TEST(RetryAfter, ThreeDateForms) {
  auto now = RfcExample() - 10s;
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now), milliseconds(10000));
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now), milliseconds(10000));
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:37 1994", now), milliseconds(10000));
  EXPECT_EQ(ParseRetryAfter("Sun Nov 16 08:49:37 1994", now), milliseconds((10 * 86400 + 10) * 1000LL));
}

TEST(RetryAfter, Rfc850TwoDigitYearIsNeverFiftyYearsAhead) {
  auto now = sys_days{2026y / 1 / 1} + 0s;
  // 94 → 1994 (2094 would be more than 50 years ahead): in the past.
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now), milliseconds(0));
  // 27 → 2027.
  auto wait = ParseRetryAfter("Monday, 01-Feb-27 00:00:00 GMT", now);
  ASSERT_TRUE(wait);
  EXPECT_EQ(duration_cast<days>(*wait).count(), 396);
}

TEST(RetryAfter, PastDateIsZero) {
  auto now = RfcExample() + 1h;
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now), milliseconds(0));
}

TEST(RetryAfter, FarFutureDateSaturates) {
  EXPECT_EQ(ParseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", RfcExample()), kMaxRetryAfter);
}

TEST(RetryAfter, Garbage) {
  auto now = system_clock::now();
  for (const char* v :
       {"", " ", "-1", "1.5", "12s", "soon", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 25:49:37 GMT", "Sun Nov  6 08:49:37 1994 GMT", "Sunday, 06-Nov-1994 08:49:37 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMTX"}) {
    EXPECT_FALSE(ParseRetryAfter(v, now)) << v;
  }
}

TEST(RetryAfter, FormatRoundTrips) {
  EXPECT_EQ(FormatHttpDate(RfcExample()), "Sun, 06 Nov 1994 08:49:37 GMT");
  auto now = system_clock::now();
  auto later = floor<seconds>(now) + 5s;
  EXPECT_EQ(ParseRetryAfter(FormatHttpDate(later), floor<seconds>(now)), milliseconds(5000));
}

TEST(ContentRange, WithLengthAndStar) {
  auto r = ParseContentRange("bytes 100-199/1000");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->first, 100u);
  EXPECT_EQ(r->last, 199u);
  EXPECT_EQ(r->total, 1000u);
  auto star = ParseContentRange("Bytes 0-0/*");
  ASSERT_TRUE(star.ok());
  EXPECT_EQ(star->last, 0u);
  EXPECT_FALSE(star->total);
  auto big = ParseContentRange("bytes 0-18446744073709551614/18446744073709551615");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->last, 18446744073709551614u);
}

TEST(ContentRange, Strict) {
  for (const char* v :
       {"", "bytes", "bytes */1000", "bytes 5-4/10", "bytes 0-10/10", "bytes 0-9/", "bytes 0-18446744073709551616/*",
        "bytes 1-2/3 ", "bytes 1-2/3x", "items 0-1/2", "bytes -1-2/3", "bytes 1 - 2/3", "bytes 1-/3", "bytes=0-1/2"}) {
    auto r = ParseContentRange(v);
    if (std::string_view(v) == "bytes 1-2/3 ") {
      EXPECT_TRUE(r.ok());  // outer whitespace is not part of the value
      continue;
    }
    EXPECT_FALSE(r.ok()) << v;
  }
  auto r = ParseContentRange("bytes 5-4/10");
  EXPECT_NE(r.status().message().find("\"bytes 5-4/10\""), std::string::npos);
}

}  // namespace
}  // namespace mk::http
