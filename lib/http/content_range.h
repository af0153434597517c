// Content-Range (RFC 9110 §14.4) of a 206 answer to a single-range GET: the
// bytes the body holds, checked strictly because a resumed blob download
// splices the body after the bytes it already has — a wrong range would
// store a blob that only fails its digest at the end. Pure, thread-safe.
//
// Grammar accepted (the unsatisfied-range form "bytes */N" is not a range of
// bytes and is refused; the unit is case-insensitive as the RFC says):
//   Content-Range = "bytes" SP first "-" last "/" ( complete-length / "*" )
//   first, last, complete-length = 1*DIGIT   (each fits in 64 bits)
//   with first <= last, and last < complete-length when the length is given.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/status.h"

namespace mk::http {

struct ContentRange {
  uint64_t first = 0;
  uint64_t last = 0;              // inclusive
  std::optional<uint64_t> total;  // nullopt for "*"
};

// kInvalidArgument, naming the value, for anything else.
Result<ContentRange> ParseContentRange(std::string_view value);

}  // namespace mk::http
