#include "mirrorconfig/yaml_writer.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <vector>

#include "base/utf8.h"
#include "testing/python_reader.h"

namespace mk::mirrorconfig {
namespace {

using json::Value;

json::Value ReadBack(const std::string& text) {
  auto doc = fixtures::ReadWithPython(fixtures::PythonFormat::kYaml, text);
  EXPECT_TRUE(doc.ok()) << doc.status().message() << "\n" << text;
  return doc.ok() ? *doc : json::Value();
}

// Printable ASCII and line breaks only: nothing a reader may refuse.
bool PrintableAscii(std::string_view text) {
  for (char c : text)
    if (c != '\n' && (c < 0x20 || c > 0x7E)) return false;
  return true;
}

// Strings plain YAML would misread, or that cannot be plain at all.
const std::vector<std::string>& Hostile() {
  static const std::vector<std::string> kHostile = {
      "", " ", " a", "a ", "a: b", "a:", ":", ":a", "a #b", "a#b", "#a", "-", "- a", "-a", "--", "---", "...", "?",
      "? a", ",", "a,b", "[", "]", "[a]", "{", "}", "{a: b}", "&a", "*a", "!a", "!!str", "|", ">", "'", "'a'", "\"",
      "\"a\"", "%", "%YAML", "@", "`", "a\\b", "<<", "=", "~",
      // YAML 1.1 and 1.2 bools and nulls, any case.
      "y", "Y", "n", "N", "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "true", "True",
      "TRUE", "false", "False", "null", "Null", "NULL",
      // Numbers and timestamps.
      "0", "012", "0x1", "0x1f", "0o17", "0b101", "1e3", "1E3", "1.5", ".5", "-1", "+1", "1_000", "190:20:30", "1:20",
      ".inf", "-.inf", ".Inf", ".nan", ".NaN", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
      // Line breaks, controls, non-ASCII, ill-formed UTF-8.
      "a\nb", "a\n", "\n", "a\tb", "\r", "a\r\nb", std::string("\0", 1), "\x01", "\x1b[31m", "\x7f", "\xc2\x85",
      "\xc2\xa0", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xef\xbb\xbf", "\xef\xbf\xbe", "\xef\xbf\xbd", "caf\xc3\xa9",
      "\xf0\x9f\x90\xb3", "\xf4\x8f\xbf\xbf", "\xf8\x80\x80", "\xff", "\xc0\xaf", "\xed\xa0\x80", "a\xe2\x82z", "\x85",
      // Plain, and must stay plain.
      "quay.io/openshift-release-dev/ocp-release", "127.0.0.1:5000/a", "mirrorkit", "ocp-4.3.0", "a:b", "true/x",
      "1234/x", "yes.no"};
  return kHostile;
}

TEST(YamlWriter, LaysOutBlocksAsOcPrintsThem) {
  auto doc = Value::Parse(R"({"a":[{"b":["x",["p","q"]],"c":{"d":["w"]}},"v"],"e":"a: b\nc","f":{},"g":[],"h":[{}],)"
                          R"("i":{"j":{"k":"l"}},"m":1,"t":true,"z":null})");
  ASSERT_TRUE(doc.ok());
  std::string text = ToYaml(*doc);
  EXPECT_EQ(text,
            "a:\n"
            "- b:\n"
            "  - x\n"
            "  - - p\n"
            "    - q\n"
            "  c:\n"
            "    d:\n"
            "    - w\n"
            "- v\n"
            "e: \"a: b\\nc\"\n"
            "f: {}\n"
            "g: []\n"
            "h:\n"
            "- {}\n"
            "i:\n"
            "  j:\n"
            "    k: l\n"
            "m: 1\n"
            "t: true\n"
            "z: null\n");
  EXPECT_EQ(ReadBack(text).Serialize(), doc->Serialize());
  EXPECT_EQ(ToYaml(Value::Array()), "[]\n");
  EXPECT_EQ(ToYaml(Value::String("on")), "\"on\"\n");
}

TEST(YamlWriter, QuotesOnlyWhatPlainYamlWouldMisread) {
  for (std::string s : {"quay.io/a/b", "127.0.0.1:5000/a", "mirrorkit", "a:b", "1234/x", "true/x", "ocp-4.3.0"}) {
    EXPECT_FALSE(YamlNeedsQuotes(s)) << s;
    EXPECT_EQ(YamlScalar(s), s);
  }
  for (std::string s :
       {"",    "true", "True", "no", "on",           "Y",   "null", "1234", "1e3",        "2001-12-14", "0x1f",
        "a b", "-x",   ".inf", "a:", "[::1]:5000/a", "a#b", "~",    "a\nb", "caf\xc3\xa9"})
    EXPECT_TRUE(YamlNeedsQuotes(s)) << s;
  EXPECT_EQ(YamlScalar("true"), "\"true\"");
  EXPECT_EQ(YamlScalar("a\"b\\c\n\t\x01\x7f"), "\"a\\\"b\\\\c\\n\\t\\x01\\x7F\"");
  EXPECT_EQ(YamlScalar("caf\xc3\xa9 \xf0\x9f\x90\xb3"), "\"caf\\u00E9 \\U0001F433\"");
  EXPECT_EQ(YamlScalar("\xf8\x80\x80"), "\"\\uFFFD\\uFFFD\\uFFFD\"");
  EXPECT_EQ(YamlScalar("a\xe2\x82z"), "\"a\\uFFFDz\"");
}

// Every hostile string comes back from PyYAML as the same string (with
// ill-formed UTF-8 as U+FFFD), as a value, as a sequence item and as a key.
TEST(YamlWriter, HostileScalarsRoundTrip) {
  Value values = Value::Object();
  Value items = Value::Array();
  Value keys = Value::Object();
  Value expected_values = Value::Object();
  Value expected_items = Value::Array();
  Value expected_keys = Value::Object();
  std::set<std::string> seen_keys;
  for (size_t i = 0; i < Hostile().size(); ++i) {
    const std::string& s = Hostile()[i];
    std::string repaired = utf8::Repair(s);
    values.Set("v" + std::to_string(i), Value::String(s));
    expected_values.Set("v" + std::to_string(i), Value::String(repaired));
    items.Append(Value::String(s));
    expected_items.Append(Value::String(repaired));
    if (seen_keys.insert(repaired).second) {
      keys.Set(s, Value::String(s));
      expected_keys.Set(repaired, Value::String(repaired));
    }
  }
  Value doc = Value::Object(), expected = Value::Object();
  doc.Set("values", std::move(values));
  doc.Set("items", std::move(items));
  doc.Set("keys", std::move(keys));
  expected.Set("values", std::move(expected_values));
  expected.Set("items", std::move(expected_items));
  expected.Set("keys", std::move(expected_keys));
  std::string text = ToYaml(doc);
  EXPECT_TRUE(PrintableAscii(text)) << text;
  json::Value back = ReadBack(text);
  // Item by item first, for a readable failure.
  const json::Value* back_items = back.Find("items");
  ASSERT_NE(back_items, nullptr) << text;
  ASSERT_EQ(back_items->size(), Hostile().size());
  for (size_t i = 0; i < Hostile().size(); ++i) {
    const json::Value& got = back_items->items()[i];
    EXPECT_TRUE(got.is_string() && got.as_string() == utf8::Repair(Hostile()[i]))
        << testing::PrintToString(Hostile()[i]) << " written as " << YamlScalar(Hostile()[i]) << " read back as "
        << got.Serialize();
  }
  EXPECT_EQ(back.Serialize(), expected.Serialize());
}

// Thousands of random byte strings, in one document read by PyYAML.
TEST(YamlWriter, RandomBytesRoundTrip) {
  std::mt19937 rng(2026);
  std::uniform_int_distribution<int> byte(0, 255), high(0x80, 0xFF), ascii(0, 0x7F), len(0, 24);
  Value items = Value::Array(), expected = Value::Array();
  for (int i = 0; i < 6000; ++i) {
    std::string s;
    int n = len(rng);
    for (int k = 0; k < n; ++k) s += static_cast<char>(i % 3 == 0 ? byte(rng) : i % 3 == 1 ? high(rng) : ascii(rng));
    items.Append(Value::String(s));
    expected.Append(Value::String(utf8::Repair(s)));
  }
  Value doc = Value::Object();
  doc.Set("items", std::move(items));
  std::string text = ToYaml(doc);
  ASSERT_TRUE(PrintableAscii(text));
  json::Value back = ReadBack(text);
  const json::Value* got = back.Find("items");
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->Serialize(), expected.Serialize());
}

}  // namespace
}  // namespace mk::mirrorconfig
