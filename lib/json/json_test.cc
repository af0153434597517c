#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <iterator>
#include <random>
#include <thread>
#include <vector>

#include "base/utf8.h"
#include "json/lines.h"
#include "json/value.h"

namespace mk::json {
namespace {

TEST(Value, RoundTripKeepsOrderAndUnknownFields) {
  const std::string text = R"({"kind":"image","zeta":1,"alpha":[true,null,"x"],"n":-2.5e3,"o":{"b":1,"a":2}})";
  auto v = Value::Parse(text);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Serialize(), R"({"kind":"image","zeta":1,"alpha":[true,null,"x"],"n":-2500.0,"o":{"b":1,"a":2}})");
  EXPECT_EQ(*v->GetString("kind"), "image");
  EXPECT_EQ(*v->GetInt("zeta"), 1);
  EXPECT_FALSE(v->GetString("zeta").has_value());
}

TEST(Value, SetReplacesInPlaceOrAppends) {
  auto v = Value::Parse(R"({"a":1,"b":2})");
  v->Set("a", Value::String("x"));
  v->Set("c", Value::Bool(false));
  EXPECT_EQ(v->Serialize(), R"({"a":"x","b":2,"c":false})");
  EXPECT_TRUE(v->Erase("b"));
  EXPECT_EQ(v->Serialize(), R"({"a":"x","c":false})");
}

TEST(Value, PrettyLikeJq) {
  auto v = Value::Parse(R"({"auths":{"r:5000":{"auth":"eA=="}},"e":[],"l":[1,2]})");
  EXPECT_EQ(v->SerializePretty(),
            "{\n  \"auths\": {\n    \"r:5000\": {\n      \"auth\": \"eA==\"\n    }\n  },\n  \"e\": [],\n"
            "  \"l\": [\n    1,\n    2\n  ]\n}");
}

TEST(Value, QuotingEscapesControlAndRepairsUtf8) {
  EXPECT_EQ(Quoted("a\"b\\c\n\x01"), R"("a\"b\\c\n\u0001")");
  EXPECT_EQ(Quoted("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(Quoted("bad\xff"), R"("bad\ufffd")");
  EXPECT_EQ(Quoted("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");  // UTF-16 surrogate
  EXPECT_TRUE(Value::Parse(Quoted("x\xc3(\xff")).ok());
}

// Defect 8: lead bytes F5..FF were taken for 3-byte sequences, so
// Quoted("\xf8\x80\x80") kept raw bytes that simdjson then refused.
TEST(Value, QuotingReplacesEachIllFormedSubpart) {
  struct Case {
    std::string in, quoted;
  };
  const std::vector<Case> cases = {
      {"\xf8\x80\x80", R"("\ufffd\ufffd\ufffd")"},
      {"\xf5\x80\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")"},
      {"\xff", R"("\ufffd")"},
      {"\xc0\xaf", R"("\ufffd\ufffd")"},                      // overlong
      {"\xc1\xbf", R"("\ufffd\ufffd")"},                      // overlong
      {"\xe0\x80\x80", R"("\ufffd\ufffd\ufffd")"},            // overlong
      {"\xf0\x80\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")"},  // overlong
      {"\xf4\x90\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")"},  // past U+10FFFF
      {"a\xe2\x82z", R"("a\ufffdz")"},                        // truncated: one subpart
      {"\xf0\x9f\x90", R"("\ufffd")"},
      {"\xc3", R"("\ufffd")"},
      {"\xf0\x9f\x90\xb3", "\"\xf0\x9f\x90\xb3\""},  // valid 4-byte kept
      {"\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""},  // U+10FFFF kept
      {"\xef\xbf\xbd", "\"\xef\xbf\xbd\""},
      {std::string("\0\x7f", 2), R"("\u0000\u007f")"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Quoted(c.in), c.quoted) << testing::PrintToString(c.in);
    auto back = Value::Parse(Quoted(c.in));
    ASSERT_TRUE(back.ok()) << testing::PrintToString(c.in) << ": " << back.status().message();
    EXPECT_EQ(back->as_string(), utf8::Repair(c.in));
  }
}

// Whatever bytes a registry sends, the record stays readable: the quoted
// text parses, and what comes back is valid UTF-8 (checked by simdjson's
// own validator, not ours) equal to the input with its bad parts replaced.
TEST(Value, QuotedRandomBytesAlwaysParse) {
  std::mt19937 rng(8);
  std::uniform_int_distribution<int> byte(0, 255), high(0x80, 0xFF), len(0, 64);
  // Runs of high bytes, with now and then a lead byte from the edges.
  const int edges[] = {0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xF8, 0xFF};
  std::uniform_int_distribution<size_t> edge(0, std::size(edges) - 1);
  for (int i = 0; i < 30000; ++i) {
    std::string s;
    int n = len(rng);
    for (int k = 0; k < n; ++k) {
      switch (i % 3) {
        case 0:
          s += static_cast<char>(byte(rng));
          break;
        case 1:
          s += static_cast<char>(high(rng));
          break;
        default:
          s += static_cast<char>(k % 4 == 0 ? edges[edge(rng)] : high(rng));
      }
    }
    std::string quoted = Quoted(s);
    ASSERT_TRUE(simdjson::validate_utf8(quoted.data(), quoted.size())) << testing::PrintToString(s);
    auto back = Value::Parse(quoted);
    ASSERT_TRUE(back.ok()) << testing::PrintToString(s) << ": " << back.status().message();
    const std::string& text = back->as_string();
    ASSERT_TRUE(simdjson::validate_utf8(text.data(), text.size())) << testing::PrintToString(s);
    ASSERT_EQ(text, utf8::Repair(s));
    if (simdjson::validate_utf8(s.data(), s.size())) {
      ASSERT_EQ(text, s);
    }
  }
}

TEST(Value, RejectsMalformed) {
  EXPECT_FALSE(Value::Parse("{\"a\":").ok());
  EXPECT_FALSE(Value::Parse("").ok());
  EXPECT_FALSE(Value::Parse(std::string(1000, '[') + std::string(1000, ']')).ok());
}

class Pipe {
 public:
  Pipe() { EXPECT_EQ(::pipe(fds_), 0); }
  ~Pipe() {
    ::close(fds_[0]);
    if (fds_[1] >= 0) ::close(fds_[1]);
  }
  void WriteAndClose(const std::string& s) {
    EXPECT_EQ(::write(fds_[1], s.data(), s.size()), static_cast<ssize_t>(s.size()));
    ::close(fds_[1]);
    fds_[1] = -1;
  }
  int read_fd() const { return fds_[0]; }

 private:
  int fds_[2];
};

TEST(LineReader, SplitsLinesAndSkipsOverlongOnes) {
  Pipe p;
  p.WriteAndClose("one\r\n" + std::string(100, 'x') + "\nthree\nlast-without-newline");
  LineReader r(p.read_fd(), 50);
  EXPECT_EQ(**r.Next(), "one");
  auto too_long = r.Next();
  ASSERT_FALSE(too_long.ok());
  // The caller names the line (line_number()); the message does not repeat it.
  EXPECT_EQ(r.line_number(), 2u);
  EXPECT_NE(too_long.status().message().find("longer than 50 bytes"), std::string::npos);
  EXPECT_EQ(**r.Next(), "three");
  EXPECT_EQ(r.line_number(), 3u);
  EXPECT_EQ(**r.Next(), "last-without-newline");
  EXPECT_FALSE(r.Next()->has_value());
}

TEST(LineReader, DropsAByteOrderMarkOnTheFirstLineOnly) {
  Pipe p;
  const std::string bom = "\xEF\xBB\xBF";
  p.WriteAndClose(bom + "{\"a\":1}\r\n" + bom + "{\"b\":2}\r\n{\"c\":3}\r");
  LineReader r(p.read_fd());
  EXPECT_EQ(**r.Next(), "{\"a\":1}");
  // Only the first: one further on is part of the line (and not JSON).
  EXPECT_EQ(**r.Next(), bom + "{\"b\":2}");
  // The last line's '\r' goes too, newline or not.
  EXPECT_EQ(**r.Next(), "{\"c\":3}");
  EXPECT_FALSE(r.Next()->has_value());
}

TEST(LineReader, AnOverlongLastLineWithoutNewlineIsOneError) {
  Pipe p;
  p.WriteAndClose("ok\n" + std::string(60000, 'x'));  // within a pipe's buffer
  LineReader r(p.read_fd(), 1000);
  EXPECT_EQ(**r.Next(), "ok");
  auto too_long = r.Next();
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(r.line_number(), 2u);
  EXPECT_FALSE(r.Next()->has_value());
}

TEST(Value, HostileDocumentsAreErrorsNotCrashes) {
  // Nested far past any real record: an error, not a stack overflow.
  EXPECT_FALSE(Value::Parse(std::string(100000, '[') + std::string(100000, ']')).ok());
  EXPECT_FALSE(Value::Parse(std::string(300, '[') + std::string(300, ']')).ok());
  EXPECT_TRUE(Value::Parse(std::string(100, '[') + std::string(100, ']')).ok());
  // Invalid UTF-8 inside a string, and a lone surrogate escape.
  EXPECT_FALSE(Value::Parse("{\"a\":\"\xff\xfe\"}").ok());
  EXPECT_FALSE(Value::Parse("{\"a\":\"\xC0\xAF\"}").ok());
  EXPECT_FALSE(Value::Parse("{\"a\":\"\\ud800\"}").ok());
  // NUL bytes, truncation, trailing garbage, two documents.
  EXPECT_FALSE(Value::Parse(std::string("{\"a\":1}\0", 8)).ok());
  EXPECT_FALSE(Value::Parse("{\"a\":").ok());
  EXPECT_FALSE(Value::Parse("{} {}").ok());
  EXPECT_FALSE(Value::Parse("").ok());
}

TEST(RecordWriter, OneRecordPerLine) {
  FILE* f = std::tmpfile();
  RecordWriter w(f);
  auto v = Value::Parse(R"({"kind":"x"})");
  EXPECT_TRUE(w.Write(*v));
  EXPECT_TRUE(w.Write(*v));
  std::rewind(f);
  char buf[64] = {0};
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  EXPECT_EQ(std::string(buf, n), "{\"kind\":\"x\"}\n{\"kind\":\"x\"}\n");
  std::fclose(f);
}

}  // namespace
}  // namespace mk::json
