// Retry-After (RFC 9110 §10.2.3): how long a server asks a client to wait
// before its next request, given as delta-seconds or as an HTTP-date
// (§5.6.7: the preferred IMF-fixdate and the obsolete RFC 850 and asctime
// forms, which recipients must still accept). Pure functions, thread-safe.
//
// Grammar (leading/trailing whitespace ignored):
//   Retry-After   = HTTP-date / delay-seconds
//   delay-seconds = 1*DIGIT
//   IMF-fixdate   = day-name "," SP DD SP month SP YYYY SP hh:mm:ss SP "GMT"
//   rfc850-date   = day-name-l "," SP DD "-" month "-" YY SP hh:mm:ss SP "GMT"
//   asctime-date  = day-name SP month SP ( DD / SP D ) SP hh:mm:ss SP YYYY
// A two-digit RFC 850 year more than 50 years ahead of now is taken as the
// past century's (§5.6.7).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace mk::http {

// The longest wait ParseRetryAfter reports: larger values (a huge
// delay-seconds, a date centuries ahead) saturate here, so that callers may
// add it to a time point without overflow. Far above any cap a caller sets.
inline constexpr std::chrono::milliseconds kMaxRetryAfter = std::chrono::hours(24 * 365 * 100);

// The wait the header value asks for, measured from now: a date in the
// past is 0 ms; anything that is neither form is nullopt.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

// The value as an HTTP-date in IMF-fixdate form ("Sun, 06 Nov 1994 08:49:37
// GMT"), for tests and servers.
std::string FormatHttpDate(std::chrono::system_clock::time_point t);

}  // namespace mk::http
