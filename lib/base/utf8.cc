#include "base/utf8.h"

namespace mk::utf8 {

CodePoint DecodeFirst(std::string_view s) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char lead = byte(0);
  if (lead < 0x80) return {lead, s.substr(0, 1), true};
  size_t length;
  char32_t value;
  // The range the second byte must fall in (the table in utf8.h); later
  // bytes are always 80..BF.
  unsigned char low = 0x80, high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, value = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, value = lead & 0x0F;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, value = lead & 0x07;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return {kReplacement, s.substr(0, 1), false};  // 80..C1, F5..FF
  }
  for (size_t k = 1; k < length; ++k) {
    // The bytes read so far are the maximal subpart: the next one does
    // not continue it (or the input ends), and starts a new step.
    if (k >= s.size() || byte(k) < low || byte(k) > high) return {kReplacement, s.substr(0, k), false};
    value = value << 6 | (byte(k) & 0x3F);
    low = 0x80, high = 0xBF;
  }
  return {value, s.substr(0, length), true};
}

bool IsValid(std::string_view s) {
  while (!s.empty()) {
    if (static_cast<unsigned char>(s[0]) < 0x80) {
      s.remove_prefix(1);
      continue;
    }
    CodePoint cp = DecodeFirst(s);
    if (!cp.valid) return false;
    s.remove_prefix(cp.bytes.size());
  }
  return true;
}

std::string Repair(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  ForEach(s, [&](const CodePoint& cp) {
    if (cp.valid)
      out.append(cp.bytes);
    else
      Append(out, kReplacement);
  });
  return out;
}

void Append(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = kReplacement;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | cp >> 6);
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | cp >> 12);
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | cp >> 18);
    out += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace mk::utf8
