// json::Value: a small owned JSON tree, the project's only view of JSON.
//
// Parsing goes through simdjson (this module is its only user); the result is
// copied into this tree so other modules never see simdjson types. Objects
// keep their members in document order, so a record or a pull secret written
// back keeps its keys where the user had them. Numbers keep their text.
// Serialization is compact (one record per line) or pretty (jq's 2 spaces).
// Values are plain data: not synchronized, safe to copy between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace mk::json {

class Value {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  using Member = std::pair<std::string, Value>;

  Value() = default;  // null
  static Value Null() { return Value(); }
  static Value Bool(bool b);
  static Value Number(int64_t n);
  static Value NumberText(std::string text);  // caller ensures valid JSON number
  static Value String(std::string s);
  static Value Array() { return Value(Type::kArray); }
  static Value Object() { return Value(Type::kObject); }

  // Parses one JSON document; max_depth bounds nesting.
  static Result<Value> Parse(std::string_view text);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_object() const { return type_ == Type::kObject; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_bool() const { return type_ == Type::kBool; }

  // Scalars. as_string is the decoded text; as_int fails for non-integers.
  const std::string& as_string() const { return text_; }
  bool as_bool() const { return text_ == "true"; }
  std::optional<int64_t> as_int() const;
  const std::string& number_text() const { return text_; }

  // Objects. Find returns null when absent or not an object.
  const Value* Find(std::string_view key) const;
  Value* Find(std::string_view key);
  // The member's string value, or nullopt when absent or not a string.
  std::optional<std::string> GetString(std::string_view key) const;
  std::optional<int64_t> GetInt(std::string_view key) const;
  // Replaces the member's value in place, or appends it.
  void Set(std::string_view key, Value v);
  bool Erase(std::string_view key);
  const std::vector<Member>& members() const { return members_; }

  // Arrays.
  const std::vector<Value>& items() const { return items_; }
  void Append(Value v) { items_.push_back(std::move(v)); }
  size_t size() const { return type_ == Type::kArray ? items_.size() : members_.size(); }

  std::string Serialize() const;
  // jq-style: 2-space indent, one member per line, "key": value.
  std::string SerializePretty(int indent = 2) const;

 private:
  explicit Value(Type t) : type_(t) {}
  void Write(std::string& out, int indent, int depth) const;

  Type type_ = Type::kNull;
  std::string text_;             // string value, number text, "true"/"false"
  std::vector<Value> items_;     // array
  std::vector<Member> members_;  // object, in document order
};

// Appends s to out as a JSON string literal (quotes included). Control
// characters are escaped and invalid UTF-8 replaced with U+FFFD, so any
// bytes (a server's error text) give valid JSON (the decoding is
// base/utf8.h's, shared with the TOML and YAML writers).
// hex_case: the digits of \uXXXX escapes (TOML's basic strings take the
// same escapes, written upper-case by our TOML writer).
enum class HexCase { kLower, kUpper };
void AppendQuoted(std::string& out, std::string_view s, HexCase hex_case = HexCase::kLower);
std::string Quoted(std::string_view s);

}  // namespace mk::json
