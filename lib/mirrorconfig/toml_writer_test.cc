#include "mirrorconfig/toml_writer.h"

#include <gtest/gtest.h>

#include <random>

#include "base/utf8.h"
#include "json/value.h"
#include "testing/python_reader.h"

namespace mk::mirrorconfig {
namespace {

// Any bytes, as values and as keys, give a document Python's tomllib reads
// back as the same strings with ill-formed UTF-8 replaced by U+FFFD; the
// text itself is UTF-8 with no raw control character but the line breaks.
TEST(TomlWriter, RandomBytesRoundTripThroughTomllib) {
  std::mt19937 rng(8);
  std::uniform_int_distribution<int> byte(0, 255), high(0x80, 0xFF), len(0, 24);
  const int edges[] = {0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xF8, 0xFF};
  std::uniform_int_distribution<size_t> edge(0, std::size(edges) - 1);
  TomlWriter w;
  json::Value expected = json::Value::Array();
  for (int i = 0; i < 4000; ++i) {
    std::string s;
    int n = len(rng);
    for (int k = 0; k < n; ++k)
      s += static_cast<char>(i % 3 == 0 ? byte(rng) : i % 3 == 1 ? high(rng) : (k % 3 ? high(rng) : edges[edge(rng)]));
    // One table each, so two keys repaired alike never clash.
    w.ArrayTable({"t"});
    w.String("value", s);
    w.String(s, "key");
    json::Value table = json::Value::Object();
    table.Set("value", json::Value::String(utf8::Repair(s)));
    table.Set(utf8::Repair(s), json::Value::String("key"));
    expected.Append(std::move(table));
  }
  const std::string& text = w.text();
  ASSERT_TRUE(utf8::IsValid(text));
  for (char c : text) ASSERT_TRUE(c == '\n' || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F)) << int(c);
  auto back = fixtures::ReadWithPython(fixtures::PythonFormat::kToml, text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  const json::Value* tables = back->Find("t");
  ASSERT_NE(tables, nullptr);
  ASSERT_EQ(tables->size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    ASSERT_EQ(tables->items()[i].Serialize(), expected.items()[i].Serialize()) << i;
}

}  // namespace
}  // namespace mk::mirrorconfig
