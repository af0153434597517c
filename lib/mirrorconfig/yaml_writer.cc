#include "mirrorconfig/yaml_writer.h"

#include <array>
#include <cstdio>

#include "base/strings.h"
#include "base/utf8.h"

namespace mk::mirrorconfig {
namespace {

bool IsCollection(const json::Value& v) { return v.is_object() || v.is_array(); }
bool IsEmptyCollection(const json::Value& v) { return IsCollection(v) && v.size() == 0; }

// A value that fits on its key's or dash's line.
std::string Inline(const json::Value& v) {
  switch (v.type()) {
    case json::Value::Type::kNull:
      return "null";
    case json::Value::Type::kBool:
    case json::Value::Type::kNumber:
      return v.number_text();
    case json::Value::Type::kString:
      return YamlScalar(v.as_string());
    case json::Value::Type::kArray:
      return "[]";
    case json::Value::Type::kObject:
      return "{}";
  }
  return "null";
}

// Writes the non-empty collection v with its entries at column. When
// on_dash_line, the caller has written "- " and the first entry goes on
// that line.
void Block(std::string& out, const json::Value& v, size_t column, bool on_dash_line) {
  bool indent = !on_dash_line;
  auto start_entry = [&] {
    if (indent) out.append(column, ' ');
    indent = true;
  };
  if (v.is_object()) {
    for (const auto& [key, value] : v.members()) {
      start_entry();
      out += YamlScalar(key);
      out += ':';
      if (!IsCollection(value) || IsEmptyCollection(value)) {
        out += ' ' + Inline(value) + '\n';
      } else {
        out += '\n';
        // A sequence stays at its key's column; a mapping moves right.
        Block(out, value, value.is_array() ? column : column + 2, false);
      }
    }
    return;
  }
  for (const auto& item : v.items()) {
    start_entry();
    out += "- ";
    if (!IsCollection(item) || IsEmptyCollection(item))
      out += Inline(item) + '\n';
    else
      Block(out, item, column + 2, true);
  }
}

}  // namespace

std::string ToYaml(const json::Value& document) {
  if (!IsCollection(document) || IsEmptyCollection(document)) return Inline(document) + '\n';
  std::string out;
  Block(out, document, 0, false);
  return out;
}

bool YamlNeedsQuotes(std::string_view s) {
  if (s.empty()) return true;
  // Printable ASCII without spaces, quotes, '#', flow indicators, tags,
  // anchors or escapes: what is left cannot end a scalar early or start a
  // comment, so only the first and last character and the type resolvers
  // remain to check.
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '/' || c == ':' || c == '@' || c == '-';
    if (!ok) return true;
  }
  // "-", ":" and "@" are indicators ("- a", ": a", reserved); a leading "."
  // starts .inf, .nan, .5 and the "..." document end.
  if (s[0] == '-' || s[0] == ':' || s[0] == '@' || s[0] == '.') return true;
  if (s.back() == ':') return true;  // "a:" would start a mapping
  if (s.find('/') != std::string_view::npos) return false;
  // Ints (0x1f, 0o17, 012, 1_000, YAML 1.1's sexagesimal 1:20), floats
  // (1e3, 1.5) and timestamps (2001-12-14) all start with a digit here.
  if (s[0] >= '0' && s[0] <= '9') return true;
  static const std::array<std::string_view, 9> kWords = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"};
  std::string lower = ToLower(s);
  for (auto w : kWords)
    if (lower == w) return true;
  return false;
}

std::string YamlDoubleQuoted(std::string_view s) {
  std::string out = "\"";
  utf8::ForEach(s, [&](const utf8::CodePoint& cp) {
    // cp.value is U+FFFD for an ill-formed subpart: YAML streams are Unicode.
    char32_t c = cp.value;
    char buf[16];
    switch (c) {
      case '"':
        out += "\\\"";
        return;
      case '\\':
        out += "\\\\";
        return;
      case '\n':
        out += "\\n";
        return;
      case '\t':
        out += "\\t";
        return;
      case '\r':
        out += "\\r";
        return;
      case '\b':
        out += "\\b";
        return;
      case '\f':
        out += "\\f";
        return;
      default:
        break;
    }
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      return;
    }
    // Escaped, so the document stays printable ASCII: readers such as
    // PyYAML refuse raw control characters and some non-characters.
    if (c < 0x80)
      std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(c));
    else if (c <= 0xFFFF)
      std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(c));
    else
      std::snprintf(buf, sizeof buf, "\\U%08X", static_cast<unsigned>(c));
    out += buf;
  });
  return out + "\"";
}

std::string YamlScalar(std::string_view s) { return YamlNeedsQuotes(s) ? YamlDoubleQuoted(s) : std::string(s); }

}  // namespace mk::mirrorconfig
