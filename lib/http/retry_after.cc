#include "http/retry_after.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>

#include "base/strings.h"

namespace mk::http {
namespace {

using std::chrono::milliseconds;

constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> kLongDays = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                       "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// A cursor over the value; every Take* consumes only on success.
struct Cursor {
  std::string_view s;
  bool Literal(std::string_view lit) {
    if (s.substr(0, lit.size()) != lit) return false;
    s.remove_prefix(lit.size());
    return true;
  }
  // Exactly n digits.
  std::optional<int> Digits(size_t n) {
    if (s.size() < n) return std::nullopt;
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    s.remove_prefix(n);
    return v;
  }
  template <size_t N>
  std::optional<int> OneOf(const std::array<std::string_view, N>& names) {
    for (size_t i = 0; i < N; ++i)
      if (Literal(names[i])) return static_cast<int>(i);
    return std::nullopt;
  }
};

struct Fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

bool Time(Cursor& c, Fields& f) {
  auto h = c.Digits(2);
  if (!h || !c.Literal(":")) return false;
  auto m = c.Digits(2);
  if (!m || !c.Literal(":")) return false;
  auto sec = c.Digits(2);
  if (!sec) return false;
  f.hour = *h, f.minute = *m, f.second = *sec;
  // 60 is a leap second, which IMF-fixdate allows.
  return f.hour <= 23 && f.minute <= 59 && f.second <= 60;
}

// "Sun, 06 Nov 1994 08:49:37 GMT" after the day name.
bool ImfFixdate(Cursor c, Fields& f) {
  if (!c.Literal(", ")) return false;
  auto d = c.Digits(2);
  if (!d || !c.Literal(" ")) return false;
  auto mon = c.OneOf(kMonths);
  if (!mon || !c.Literal(" ")) return false;
  auto y = c.Digits(4);
  if (!y || !c.Literal(" ") || !Time(c, f) || !c.Literal(" GMT") || !c.s.empty()) return false;
  f.day = *d, f.month = *mon + 1, f.year = *y;
  return true;
}

// "Sunday, 06-Nov-94 08:49:37 GMT" after the day name.
bool Rfc850(Cursor c, Fields& f, int now_year) {
  if (!c.Literal(", ")) return false;
  auto d = c.Digits(2);
  if (!d || !c.Literal("-")) return false;
  auto mon = c.OneOf(kMonths);
  if (!mon || !c.Literal("-")) return false;
  auto yy = c.Digits(2);
  if (!yy || !c.Literal(" ") || !Time(c, f) || !c.Literal(" GMT") || !c.s.empty()) return false;
  int year = now_year - now_year % 100 + *yy;
  if (year > now_year + 50) year -= 100;
  f.day = *d, f.month = *mon + 1, f.year = year;
  return true;
}

// "Sun Nov  6 08:49:37 1994" after the day name.
bool Asctime(Cursor c, Fields& f) {
  if (!c.Literal(" ")) return false;
  auto mon = c.OneOf(kMonths);
  if (!mon || !c.Literal(" ")) return false;
  std::optional<int> d;
  if (c.Literal(" "))
    d = c.Digits(1);
  else
    d = c.Digits(2);
  if (!d || !c.Literal(" ") || !Time(c, f) || !c.Literal(" ")) return false;
  auto y = c.Digits(4);
  if (!y || !c.s.empty()) return false;
  f.day = *d, f.month = *mon + 1, f.year = *y;
  return true;
}

// In seconds since the epoch, not system_clock's own unit: a date like
// year 9999 overflows a nanosecond time_point.
std::optional<std::chrono::sys_seconds> ToTimePoint(const Fields& f) {
  using namespace std::chrono;
  year_month_day ymd{year{f.year}, month{static_cast<unsigned>(f.month)}, day{static_cast<unsigned>(f.day)}};
  if (!ymd.ok()) return std::nullopt;  // 31 Feb and the like
  return sys_days{ymd} + hours{f.hour} + minutes{f.minute} + seconds{f.second};
}

}  // namespace

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  std::string_view v = Trim(value);
  if (v.empty()) return std::nullopt;
  if (v.find_first_not_of("0123456789") == std::string_view::npos) {
    // delay-seconds: saturate rather than overflow.
    const uint64_t max_s = static_cast<uint64_t>(duration_cast<seconds>(kMaxRetryAfter).count());
    uint64_t secs = 0;
    for (char ch : v) {
      secs = secs * 10 + static_cast<uint64_t>(ch - '0');
      if (secs > max_s) return kMaxRetryAfter;
    }
    return duration_cast<milliseconds>(seconds(secs));
  }
  Fields f;
  Cursor c{v};
  const int now_year = static_cast<int>(year_month_day{floor<days>(now)}.year());
  bool parsed = false;
  // The long day names first: "Sunday" also starts with "Sun".
  if (c.OneOf(kLongDays)) parsed = Rfc850(c, f, now_year);
  if (!parsed) {
    c = Cursor{v};
    if (c.OneOf(kDays)) parsed = ImfFixdate(c, f) || Asctime(c, f);
  }
  if (!parsed) return std::nullopt;
  auto when = ToTimePoint(f);
  if (!when) return std::nullopt;
  const auto now_ms = time_point_cast<milliseconds>(now);
  const auto when_ms = time_point_cast<milliseconds>(*when);
  if (when_ms <= now_ms) return milliseconds(0);
  auto wait = when_ms - now_ms;
  return wait > kMaxRetryAfter ? kMaxRetryAfter : wait;
}

std::string FormatHttpDate(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  auto secs = floor<seconds>(t);
  auto d = floor<days>(secs);
  year_month_day ymd{d};
  hh_mm_ss<seconds> hms{secs - d};
  unsigned wd = weekday{d}.iso_encoding();  // 1 = Monday
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT", std::string(kDays[wd - 1]).c_str(),
                static_cast<unsigned>(ymd.day()), std::string(kMonths[static_cast<unsigned>(ymd.month()) - 1]).c_str(),
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace mk::http
