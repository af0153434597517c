#include "base/utf8.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

namespace mk::utf8 {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s += static_cast<char>(b);
  return s;
}

// A second, independent reading of RFC 3629: decode by the bit patterns
// alone, then call the sequence valid only if the code point is a scalar
// value whose shortest encoding is exactly these bytes.
bool ReferenceValid(std::string_view s) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i])); };
  size_t i = 0;
  while (i < s.size()) {
    uint32_t c = b(i);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
      if ((b(i + k) >> 6) != 0x2) return false;
      cp = cp << 6 | (b(i + k) & 0x3F);
    }
    size_t shortest = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (shortest != n || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

// The decoded steps as code points, U+FFFD for each ill-formed subpart.
std::vector<char32_t> Steps(std::string_view s) {
  std::vector<char32_t> out;
  ForEach(s, [&](const CodePoint& cp) { out.push_back(cp.value); });
  return out;
}

TEST(Utf8, BoundaryTable) {
  struct Case {
    std::string bytes;
    bool valid;
    std::optional<char32_t> value;  // when valid
  };
  const std::vector<Case> cases = {
      {Bytes({0x00}), true, 0x0},
      {Bytes({0x7F}), true, 0x7F},
      {Bytes({0x80}), false, {}},  // a continuation byte alone
      {Bytes({0xBF}), false, {}},
      {Bytes({0xC0, 0x80}), false, {}},  // overlong NUL
      {Bytes({0xC0, 0xAF}), false, {}},  // overlong '/'
      {Bytes({0xC1, 0xBF}), false, {}},  // overlong U+007F
      {Bytes({0xC2, 0x80}), true, 0x80},
      {Bytes({0xDF, 0xBF}), true, 0x7FF},
      {Bytes({0xC2}), false, {}},              // truncated
      {Bytes({0xC2, 0x41}), false, {}},        // not continued
      {Bytes({0xE0, 0x80, 0x80}), false, {}},  // overlong 3-byte
      {Bytes({0xE0, 0x9F, 0xBF}), false, {}},  // overlong U+07FF
      {Bytes({0xE0, 0xA0, 0x80}), true, 0x800},
      {Bytes({0xED, 0x9F, 0xBF}), true, 0xD7FF},
      {Bytes({0xED, 0xA0, 0x80}), false, {}},  // surrogate U+D800
      {Bytes({0xED, 0xBF, 0xBF}), false, {}},  // surrogate U+DFFF
      {Bytes({0xEE, 0x80, 0x80}), true, 0xE000},
      {Bytes({0xEF, 0xBF, 0xBD}), true, 0xFFFD},
      {Bytes({0xEF, 0xBF, 0xBF}), true, 0xFFFF},
      {Bytes({0xE2, 0x82}), false, {}},              // truncated
      {Bytes({0xF0, 0x80, 0x80, 0x80}), false, {}},  // overlong 4-byte
      {Bytes({0xF0, 0x8F, 0xBF, 0xBF}), false, {}},  // overlong U+FFFF
      {Bytes({0xF0, 0x90, 0x80, 0x80}), true, 0x10000},
      {Bytes({0xF0, 0x9F, 0x90, 0xB3}), true, 0x1F433},  // a valid 4-byte character
      {Bytes({0xF4, 0x8F, 0xBF, 0xBF}), true, 0x10FFFF},
      {Bytes({0xF4, 0x90, 0x80, 0x80}), false, {}},  // U+110000
      {Bytes({0xF0, 0x9F, 0x90}), false, {}},        // truncated
      {Bytes({0xF5, 0x80, 0x80, 0x80}), false, {}},  // F5..FF never occur
      {Bytes({0xF7, 0xBF, 0xBF, 0xBF}), false, {}},
      {Bytes({0xF8, 0x80, 0x80}), false, {}},  // the byte that broke json::Quoted
      {Bytes({0xF8, 0x88, 0x80, 0x80, 0x80}), false, {}},
      {Bytes({0xFC, 0x84, 0x80, 0x80, 0x80, 0x80}), false, {}},
      {Bytes({0xFE}), false, {}},
      {Bytes({0xFF}), false, {}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IsValid(c.bytes), c.valid) << testing::PrintToString(c.bytes);
    EXPECT_EQ(ReferenceValid(c.bytes), c.valid) << testing::PrintToString(c.bytes);
    CodePoint first = DecodeFirst(c.bytes);
    if (c.valid) {
      EXPECT_TRUE(first.valid);
      EXPECT_EQ(first.value, *c.value) << testing::PrintToString(c.bytes);
      EXPECT_EQ(first.bytes, c.bytes);
      std::string encoded;
      Append(encoded, *c.value);
      EXPECT_EQ(encoded, c.bytes);
    } else {
      EXPECT_TRUE(!first.valid || first.bytes.size() < c.bytes.size()) << testing::PrintToString(c.bytes);
      EXPECT_TRUE(IsValid(Repair(c.bytes)));
    }
  }
  // Every lead byte F5..FF stands alone, whatever follows.
  for (int lead = 0xF5; lead <= 0xFF; ++lead) {
    CodePoint cp = DecodeFirst(Bytes({lead, 0x80, 0x80, 0x80}));
    EXPECT_FALSE(cp.valid);
    EXPECT_EQ(cp.bytes.size(), 1u) << lead;
  }
}

// Unicode 15 §3.9, Tables 3-8 to 3-12: one U+FFFD per maximal subpart.
TEST(Utf8, MaximalSubparts) {
  const char32_t R = kReplacement;
  EXPECT_EQ(Steps(Bytes({0x61, 0xF1, 0x80, 0x80, 0xE1, 0x80, 0xC2, 0x62, 0x80, 0x63, 0x80, 0xBF, 0x64})),
            (std::vector<char32_t>{'a', R, R, R, 'b', R, 'c', R, R, 'd'}));
  EXPECT_EQ(Steps(Bytes({0xC0, 0xAF, 0xE0, 0x80, 0xBF, 0xF0, 0x81, 0x82, 0x41})),
            (std::vector<char32_t>{R, R, R, R, R, R, R, R, 'A'}));
  EXPECT_EQ(Steps(Bytes({0xED, 0xA0, 0x80, 0xED, 0xBF, 0xBF, 0xED, 0xAF, 0x41})),
            (std::vector<char32_t>{R, R, R, R, R, R, R, R, 'A'}));
  EXPECT_EQ(Steps(Bytes({0xF4, 0x91, 0x92, 0x93, 0xFF, 0x41, 0x80, 0xBF, 0x42})),
            (std::vector<char32_t>{R, R, R, R, R, 'A', R, R, 'B'}));
  EXPECT_EQ(Steps(Bytes({0xE1, 0x80, 0xE2, 0xF0, 0x91, 0x92, 0xF1, 0xBF, 0x41})),
            (std::vector<char32_t>{R, R, R, R, 'A'}));
  EXPECT_EQ(Repair("a\xE2\x82z"), "a\xEF\xBF\xBDz");
  EXPECT_EQ(Repair("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(Repair(""), "");
  // The steps cover the input exactly.
  std::string s = Bytes({0x61, 0xF1, 0x80, 0x80, 0xE1, 0x80, 0xC2, 0x62, 0xF0, 0x9F, 0x90, 0xB3, 0xFF});
  std::string joined;
  ForEach(s, [&](const CodePoint& cp) { joined.append(cp.bytes); });
  EXPECT_EQ(joined, s);
}

TEST(Utf8, EveryScalarValueRoundTrips) {
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    std::string s;
    Append(s, cp);
    CodePoint d = DecodeFirst(s);
    bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    ASSERT_TRUE(d.valid) << static_cast<uint32_t>(cp);
    ASSERT_EQ(d.value, surrogate ? kReplacement : cp);
    ASSERT_EQ(d.bytes.size(), s.size());
  }
  std::string s;
  Append(s, 0x110000);
  EXPECT_EQ(s, "\xEF\xBF\xBD");
}

// Every string of up to three bytes, and four-byte strings around each
// boundary, agree with the reference reading.
TEST(Utf8, AgreesWithTheReferenceExhaustively) {
  std::string s(3, '\0');
  for (uint32_t n = 0; n < (1u << 24); ++n) {
    s[0] = static_cast<char>(n >> 16), s[1] = static_cast<char>(n >> 8), s[2] = static_cast<char>(n);
    ASSERT_EQ(IsValid(s), ReferenceValid(s)) << testing::PrintToString(s);
    if ((n & 0xFFFF) == 0) ASSERT_EQ(IsValid(s.substr(0, 1)), ReferenceValid(s.substr(0, 1)));
    if ((n & 0xFF) == 0) ASSERT_EQ(IsValid(s.substr(0, 2)), ReferenceValid(s.substr(0, 2)));
  }
  const int edges[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xF4, 0xF5, 0xFF};
  std::string four(4, '\0');
  for (int lead = 0xF0; lead <= 0xFF; ++lead)
    for (int second = 0; second < 256; ++second)
      for (int third : edges)
        for (int fourth : edges) {
          four = Bytes({lead, second, third, fourth});
          ASSERT_EQ(IsValid(four), ReferenceValid(four)) << testing::PrintToString(four);
        }
}

TEST(Utf8, RepairAlwaysGivesValidTextAndKeepsValidText) {
  std::mt19937 rng(20261125);
  std::uniform_int_distribution<int> byte(0, 255), high(0x80, 0xFF), len(0, 40);
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    int n = len(rng);
    // Half the strings from high bytes only, where the sequences live.
    for (int k = 0; k < n; ++k) s += static_cast<char>(i % 2 ? high(rng) : byte(rng));
    std::string r = Repair(s);
    ASSERT_TRUE(ReferenceValid(r)) << testing::PrintToString(s);
    ASSERT_EQ(IsValid(s), ReferenceValid(s)) << testing::PrintToString(s);
    if (IsValid(s)) ASSERT_EQ(r, s);
    ASSERT_EQ(Repair(r), r);
  }
}

}  // namespace
}  // namespace mk::utf8
