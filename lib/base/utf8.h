// UTF-8: the project's one decoder, used by everything that writes text a
// strict reader will check (JSON records, TOML, YAML) so that one odd byte
// from a registry cannot make a whole pipeline's output unreadable.
//
// Well-formed UTF-8 is RFC 3629 §4 (Unicode Table 3-7):
//   00..7F
//   C2..DF 80..BF
//   E0     A0..BF 80..BF      (no overlong 3-byte forms)
//   E1..EC 80..BF 80..BF
//   ED     80..9F 80..BF      (no UTF-16 surrogates D800..DFFF)
//   EE..EF 80..BF 80..BF
//   F0     90..BF 80..BF 80..BF   (no overlong 4-byte forms)
//   F1..F3 80..BF 80..BF 80..BF
//   F4     80..8F 80..BF 80..BF   (nothing past U+10FFFF)
// so C0, C1 and F5..FF never occur. Ill-formed input is repaired the way the
// Unicode Standard recommends (§3.9 "U+FFFD Substitution of Maximal
// Subparts", also WHATWG's decoder): each maximal prefix of a well-formed
// sequence that cannot be completed, or else each single bad byte, becomes
// one U+FFFD. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mk::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

// One step of decoding. bytes is never empty: for a well-formed sequence it
// is the sequence and value its code point; otherwise valid is false, value
// is kReplacement and bytes is the maximal subpart that stands for it.
struct CodePoint {
  char32_t value;
  std::string_view bytes;
  bool valid;
};

// Decodes the sequence at the start of s, which must not be empty.
CodePoint DecodeFirst(std::string_view s);

// Calls f(const CodePoint&) for each code point or ill-formed subpart of s,
// in order; the bytes of the steps concatenate to s.
template <typename F>
void ForEach(std::string_view s, F&& f) {
  while (!s.empty()) {
    // ASCII, most of any text we quote, without the call.
    unsigned char c = static_cast<unsigned char>(s[0]);
    CodePoint cp = c < 0x80 ? CodePoint{c, s.substr(0, 1), true} : DecodeFirst(s);
    s.remove_prefix(cp.bytes.size());
    f(static_cast<const CodePoint&>(cp));
  }
}

// Whether s is well-formed UTF-8 throughout.
bool IsValid(std::string_view s);

// s with each ill-formed subpart replaced by U+FFFD (EF BF BD): what a
// strict reader reads back from our quoting of s.
std::string Repair(std::string_view s);

// Appends the UTF-8 encoding of cp (a scalar value: at most U+10FFFF and
// not a surrogate, else U+FFFD is appended).
void Append(std::string& out, char32_t cp);

}  // namespace mk::utf8
