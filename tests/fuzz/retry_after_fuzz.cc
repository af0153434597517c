// Fuzz target: Retry-After (lib/http/retry_after.h ParseRetryAfter), a
// header a failing server sets to say how long to wait: the wait must be
// bounded whatever it says. The first four bytes pick "now" (whole seconds
// between 1970 and 2106), the rest is the header value.
//
// Properties: a wait is never negative nor above kMaxRetryAfter;
// delay-seconds mean exactly that many seconds (saturated); a date is a
// point in time: one second later the wait is one second shorter, and the
// date written back by FormatHttpDate gives the same wait.
#include <chrono>
#include <cstdint>
#include <string>

#include "base/strings.h"
#include "fuzz_check.h"
#include "http/retry_after.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace std::chrono;
  if (size < 4) return 0;
  uint32_t epoch = uint32_t{data[0]} << 24 | uint32_t{data[1]} << 16 | uint32_t{data[2]} << 8 | data[3];
  const system_clock::time_point now{seconds(epoch)};
  std::string_view value(reinterpret_cast<const char*>(data) + 4, size - 4);

  auto wait = mk::http::ParseRetryAfter(value, now);
  if (!wait) return 0;
  const std::string shown(value.substr(0, 80));
  FUZZ_CHECK(*wait >= milliseconds(0) && *wait <= mk::http::kMaxRetryAfter, shown);
  std::string_view trimmed = mk::Trim(value);  // what the parser trims
  bool digits = !trimmed.empty() && trimmed.find_first_not_of("0123456789") == std::string_view::npos;
  if (digits) {
    // Digits alone are delay-seconds, compared here digit by digit.
    size_t start = trimmed.find_first_not_of('0');
    std::string n = start == std::string_view::npos ? "0" : std::string(trimmed.substr(start));
    std::string max = std::to_string(duration_cast<seconds>(mk::http::kMaxRetryAfter).count());
    bool over = n.size() > max.size() || (n.size() == max.size() && n > max);
    if (over)
      FUZZ_CHECK(*wait == mk::http::kMaxRetryAfter, shown);
    else
      FUZZ_CHECK(*wait == seconds(std::stoull(n)), shown);
    return 0;
  }
  FUZZ_CHECK(*wait % 1000 == milliseconds(0), "a date gives whole seconds: " + shown);
  // The RFC 850 two-digit year is read relative to now's year: compare only
  // within one year.
  auto year_of = [](system_clock::time_point t) { return year_month_day{floor<days>(t)}.year(); };
  if (*wait > milliseconds(0) && *wait < mk::http::kMaxRetryAfter && year_of(now) == year_of(now + seconds(1))) {
    auto later = mk::http::ParseRetryAfter(value, now + seconds(1));
    FUZZ_CHECK(later && *later == (*wait > seconds(1) ? *wait - seconds(1) : milliseconds(0)), shown);
    std::string again = mk::http::FormatHttpDate(now + *wait);
    auto formatted = mk::http::ParseRetryAfter(again, now);
    FUZZ_CHECK(formatted && *formatted == *wait, shown + " written back as " + again);
  }
  return 0;
}
