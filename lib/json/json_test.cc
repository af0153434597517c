#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>

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
  EXPECT_NE(too_long.status().message().find("line 2"), std::string::npos);
  EXPECT_EQ(**r.Next(), "three");
  EXPECT_EQ(r.line_number(), 3u);
  EXPECT_EQ(**r.Next(), "last-without-newline");
  EXPECT_FALSE(r.Next()->has_value());
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
