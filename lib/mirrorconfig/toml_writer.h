// TomlWriter: the little TOML (v1.0.0, https://toml.io/en/v1.0.0) that
// containers-registries.conf(5) needs — arrays of tables, and string and
// boolean keys — written in the order given. Strings are basic strings with
// every character TOML forbids there escaped, so any input gives a valid
// document. Keys are bare when they can be, else quoted. The caller keeps
// TOML's rules on order: a table's keys before its sub-tables. Not
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mk::mirrorconfig {

class TomlWriter {
 public:
  // "[[a.b]]": a new element of the array of tables at the dotted path;
  // a blank line separates it from what came before.
  void ArrayTable(const std::vector<std::string_view>& path);
  void String(std::string_view key, std::string_view value);
  void Bool(std::string_view key, bool value);
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// A TOML basic string, quotes included: "\"", "\\" and control characters
// escaped; each ill-formed UTF-8 subpart becomes U+FFFD (base/utf8.h; TOML
// files are UTF-8).
std::string TomlString(std::string_view s);
// A key: bare (A-Za-z0-9_-) when it can be, else a basic string.
std::string TomlKey(std::string_view key);

}  // namespace mk::mirrorconfig
