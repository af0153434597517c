#include "mirrorconfig/toml_writer.h"

#include <cstdio>

#include "base/utf8.h"

namespace mk::mirrorconfig {

std::string TomlString(std::string_view s) {
  std::string out = "\"";
  utf8::ForEach(s, [&](const utf8::CodePoint& cp) {
    if (!cp.valid) {
      out += "\\uFFFD";
      return;
    }
    if (cp.value >= 0x80) {
      out.append(cp.bytes);
      return;
    }
    switch (cp.value) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (cp.value < 0x20 || cp.value == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(cp.value));
          out += buf;
        } else {
          out += static_cast<char>(cp.value);
        }
    }
  });
  return out + "\"";
}

std::string TomlKey(std::string_view key) {
  bool bare = !key.empty();
  for (char c : key)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      bare = false;
  return bare ? std::string(key) : TomlString(key);
}

void TomlWriter::ArrayTable(const std::vector<std::string_view>& path) {
  if (!text_.empty()) text_ += '\n';
  text_ += "[[";
  for (size_t i = 0; i < path.size(); ++i) text_ += (i ? "." : "") + TomlKey(path[i]);
  text_ += "]]\n";
}

void TomlWriter::String(std::string_view key, std::string_view value) {
  text_ += TomlKey(key) + " = " + TomlString(value) + "\n";
}

void TomlWriter::Bool(std::string_view key, bool value) {
  text_ += TomlKey(key) + " = " + (value ? "true" : "false") + "\n";
}

}  // namespace mk::mirrorconfig
