// Fuzz target: json::Value (lib/json/value.h), the one JSON reader and
// writer every record, manifest and auth file goes through.
//
// Properties: a document that parses writes (compact and pretty) to text
// that parses back to an equal tree, and writing is then a fixed point
// (Parse(Write(v)) == v); a string of any bytes, written with AppendQuoted,
// is valid JSON whose value is the string itself when the bytes are valid
// UTF-8 (invalid sequences become U+FFFD, nothing is dropped silently);
// numbers keep their text; errors are one bounded line.
#include <cstdint>
#include <string>

#include "base/utf8.h"
#include "fuzz_check.h"
#include "json/value.h"

namespace {

using mk::json::Value;

bool Equal(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Value::Type::kNull:
      return true;
    case Value::Type::kBool:
      return a.as_bool() == b.as_bool();
    case Value::Type::kNumber:
      return a.number_text() == b.number_text();
    case Value::Type::kString:
      return a.as_string() == b.as_string();
    case Value::Type::kArray:
      if (a.items().size() != b.items().size()) return false;
      for (size_t i = 0; i < a.items().size(); ++i)
        if (!Equal(a.items()[i], b.items()[i])) return false;
      return true;
    case Value::Type::kObject:
      if (a.members().size() != b.members().size()) return false;
      for (size_t i = 0; i < a.members().size(); ++i)
        if (a.members()[i].first != b.members()[i].first || !Equal(a.members()[i].second, b.members()[i].second))
          return false;
      return true;
  }
  return false;
}

bool ValidUtf8(std::string_view s) {
  bool ok = true;
  mk::utf8::ForEach(s, [&](const mk::utf8::CodePoint& cp) { ok &= cp.valid; });
  return ok;
}

void CheckRoundTrip(const Value& v, const std::string& written, const char* how) {
  auto back = Value::Parse(written);
  FUZZ_CHECK(back.ok(), std::string(how) + " output does not parse: " + back.status().message() + ": " + written);
  FUZZ_CHECK(Equal(*back, v), std::string(how) + " output parses to another value: " + written);
  FUZZ_CHECK(back->Serialize() == v.Serialize(), std::string(how) + " writing is not a fixed point: " + written);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  // Any bytes as a string value.
  std::string quoted = mk::json::Quoted(text);
  auto s = Value::Parse(quoted);
  FUZZ_CHECK(s.ok() && s->is_string(), "a quoted string does not parse: " + quoted);
  if (ValidUtf8(text)) FUZZ_CHECK(s->as_string() == text, "a quoted string changed: " + quoted);
  FUZZ_CHECK(ValidUtf8(s->as_string()), "a quoted string decodes to invalid UTF-8");

  auto v = Value::Parse(text);
  if (!v.ok()) {
    const std::string& m = v.status().message();
    FUZZ_CHECK(!m.empty() && m.find('\n') == std::string::npos && m.size() < 2048, m);
    return 0;
  }
  CheckRoundTrip(*v, v->Serialize(), "compact");
  CheckRoundTrip(*v, v->SerializePretty(), "pretty");
  FUZZ_CHECK(v->Serialize().find('\n') == std::string::npos, "a compact record spans lines");
  // An integer that fits reads back as its own text.
  if (auto n = v->as_int())
    FUZZ_CHECK(std::to_string(*n) == v->number_text() || v->number_text() == "-0", v->number_text());
  // Editing keeps the tree writable: Set replaces in place, Erase removes.
  if (v->is_object() && !v->members().empty()) {
    Value copy = *v;
    std::string key = copy.members().front().first;
    size_t n = copy.size();
    copy.Set(key, Value::String(key));
    FUZZ_CHECK(copy.size() == n && copy.GetString(key) == key, key);
    FUZZ_CHECK(copy.Erase(key) && copy.size() == n - 1 && !copy.Find(key), key);
    CheckRoundTrip(copy, copy.Serialize(), "edited");
  }
  return 0;
}
