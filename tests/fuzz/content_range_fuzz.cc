// Fuzz target: Content-Range (lib/http/content_range.h ParseContentRange),
// the header a resumed blob download trusts to splice a body after the
// bytes it has.
//
// Properties: a range that parses is a real range (first <= last, last <
// the complete length when given); written back in canonical form it parses
// to the same range; an error is one bounded line of printable text.
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "http/content_range.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view value(reinterpret_cast<const char*>(data), size);
  auto r = mk::http::ParseContentRange(value);
  if (!r.ok()) {
    const std::string& m = r.status().message();
    FUZZ_CHECK(!m.empty() && m.size() < 512, m);
    for (unsigned char c : m) FUZZ_CHECK(c >= 0x20 && c < 0x7f, "an unprintable byte in the error: " + m);
    return 0;
  }
  FUZZ_CHECK(r->first <= r->last, std::string(value));
  if (r->total) FUZZ_CHECK(r->last < *r->total, std::string(value));
  std::string canonical = "bytes " + std::to_string(r->first) + "-" + std::to_string(r->last) + "/" +
                          (r->total ? std::to_string(*r->total) : "*");
  auto again = mk::http::ParseContentRange(canonical);
  FUZZ_CHECK(again.ok(), canonical);
  FUZZ_CHECK(again->first == r->first && again->last == r->last && again->total == r->total, canonical);
  return 0;
}
