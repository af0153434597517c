#include "mirrorconfig/toml_writer.h"

#include "json/value.h"

namespace mk::mirrorconfig {

std::string TomlString(std::string_view s) {
  // A TOML basic string takes JSON's escapes (TOML 1.0, "String").
  std::string out;
  json::AppendQuoted(out, s, json::HexCase::kUpper);
  return out;
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
