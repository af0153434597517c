// Fuzz target: WWW-Authenticate challenges (lib/http/challenge.h
// ParseChallenges), a header any server — or anything in the middle — can
// send before we decide where credentials go.
//
// Properties: a header that parses gives at least one challenge, each with
// a non-empty lower-case scheme made of token characters and lower-case
// parameter names; written back in the canonical form (scheme, then
// key="value" pairs with '"' and '\' escaped) it parses to the same
// challenges; errors are one bounded line.
#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "http/challenge.h"

namespace {

using mk::http::Challenge;

std::string Write(const std::vector<Challenge>& cs) {
  std::string out;
  for (size_t i = 0; i < cs.size(); ++i) {
    if (i) out += ", ";
    out += cs[i].scheme;
    bool first = true;
    for (const auto& [k, v] : cs[i].params) {
      out += first ? " " : ", ";
      first = false;
      out += k + "=\"";
      for (char c : v) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += '"';
    }
  }
  return out;
}

bool Lower(const std::string& s) {
  for (unsigned char c : s)
    if (std::isupper(c)) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view header(reinterpret_cast<const char*>(data), size);
  auto cs = mk::http::ParseChallenges(header);
  if (!cs.ok()) {
    const std::string& m = cs.status().message();
    FUZZ_CHECK(!m.empty() && m.find('\n') == std::string::npos && m.size() < 2048, m);
    return 0;
  }
  FUZZ_CHECK(!cs->empty(), "no challenge and no error");
  for (const auto& c : *cs) {
    FUZZ_CHECK(!c.scheme.empty() && Lower(c.scheme), c.scheme);
    FUZZ_CHECK(c.scheme.find_first_of(" \t,=\"") == std::string::npos, c.scheme);
    for (const auto& [k, v] : c.params) {
      FUZZ_CHECK(!k.empty() && Lower(k), k);
      FUZZ_CHECK(k.find_first_of(" \t,=\"") == std::string::npos, k);
      FUZZ_CHECK(c.Param(k) == v, k);
    }
  }
  std::string written = Write(*cs);
  auto again = mk::http::ParseChallenges(written);
  FUZZ_CHECK(again.ok(), "canonical form does not parse: " + written);
  FUZZ_CHECK(again->size() == cs->size(), "challenge count changed: " + written);
  for (size_t i = 0; i < cs->size(); ++i) {
    FUZZ_CHECK((*again)[i].scheme == (*cs)[i].scheme, written);
    FUZZ_CHECK((*again)[i].params == (*cs)[i].params, written);
  }
  return 0;
}
