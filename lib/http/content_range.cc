#include "http/content_range.h"

#include <string>

#include "base/strings.h"

namespace mk::http {
namespace {

// 1*DIGIT into out, consuming them; false when there is none or it overflows.
bool Number(std::string_view& s, uint64_t& out) {
  size_t i = 0;
  uint64_t v = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    uint64_t digit = static_cast<uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  if (i == 0) return false;
  s.remove_prefix(i);
  out = v;
  return true;
}

}  // namespace

Result<ContentRange> ParseContentRange(std::string_view value) {
  const std::string_view whole = Trim(value);
  std::string_view v = whole;
  // The value may hold anything a server sent: quote at most a little of it.
  auto bad = [&](const char* why) {
    std::string shown(whole.substr(0, 64));
    for (char& ch : shown)
      if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7f) ch = '?';
    return InvalidArgument("malformed Content-Range \"" + shown + "\": " + why);
  };
  if (v.size() < 6 || !EqualsIgnoreCase(v.substr(0, 6), "bytes ")) return bad("not a bytes range");
  v.remove_prefix(6);
  std::string_view rest = v;
  ContentRange r;
  if (!Number(rest, r.first)) return bad("no first byte (or it overflows)");
  if (rest.empty() || rest[0] != '-') return bad("no '-' after the first byte");
  rest.remove_prefix(1);
  if (!Number(rest, r.last)) return bad("no last byte (or it overflows)");
  if (rest.empty() || rest[0] != '/') return bad("no '/' after the last byte");
  rest.remove_prefix(1);
  if (rest == "*") {
    rest.remove_prefix(1);
  } else {
    uint64_t total = 0;
    if (!Number(rest, total)) return bad("no complete length (or it overflows)");
    r.total = total;
  }
  if (!rest.empty()) return bad("trailing characters");
  if (r.last < r.first) return bad("last byte before first");
  if (r.total && r.last >= *r.total) return bad("last byte beyond the complete length");
  return r;
}

}  // namespace mk::http
