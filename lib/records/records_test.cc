#include "records/records.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "records/mapping.h"
#include "records/reader.h"

namespace mk::records {
namespace {

const std::string kDigestA = "sha256:" + std::string(64, 'a');
const std::string kDigestB = "sha256:" + std::string(64, 'b');

json::Value Parse(const std::string& text) {
  auto v = json::Value::Parse(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : json::Value();
}

// Feeds text to ReadRecords through a real file descriptor.
std::vector<InputLine> ReadAll(const std::string& text, size_t max_line = 1 << 20) {
  FILE* f = std::tmpfile();
  std::fwrite(text.data(), 1, text.size(), f);
  std::fflush(f);
  std::rewind(f);
  json::LineReader reader(fileno(f), max_line);
  std::vector<InputLine> out;
  Status s = ReadRecords(reader, [&](InputLine& in) {
    out.push_back(std::move(in));
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.message();
  std::fclose(f);
  return out;
}

TEST(Builders, FieldsInDocumentedOrderEmptyOnesLeftOut) {
  ImageRecord pair;
  pair.source = "quay.io/a/b:1";
  pair.dest = "mirror.test/a/b:1";
  EXPECT_EQ(Image(pair).Serialize(), R"({"kind":"image","source":"quay.io/a/b:1","dest":"mirror.test/a/b:1"})");
  EXPECT_EQ(ImagePair("", "m/a:1").Serialize(), R"({"kind":"image","source":"","dest":"m/a:1"})");
  ImageRecord stream;
  stream.name = "ruby:2.6";
  stream.streams = {"ruby:2.6", "ruby:latest"};
  stream.source = "s";
  stream.dest = "d";
  EXPECT_EQ(Image(stream).Serialize(),
            R"({"kind":"image","name":"ruby:2.6","streams":["ruby:2.6","ruby:latest"],"source":"s","dest":"d"})");
  ReleaseRecord rel{"4.3.0", "x86_64", "q/r:4.3.0-x86_64", "q/r@" + kDigestA, kDigestA, 2, ""};
  EXPECT_EQ(Release(rel).Serialize(), R"({"kind":"release","name":"4.3.0","version":"4.3.0","arch":"x86_64",)"
                                      R"("from":"q/r:4.3.0-x86_64","source":"q/r@)" +
                                          kDigestA + R"(","digest":")" + kDigestA + R"(","components":2})");
  EXPECT_EQ(Auth("mirror.test:5000", "admin").Serialize(),
            R"({"kind":"auth","registry":"mirror.test:5000","username":"admin"})");
  EXPECT_EQ(Blob("v.tar", "", "bad").Serialize(), R"({"kind":"blob","path":"v.tar","error":"bad"})");
  EXPECT_EQ(MissingVolume("0123", 2, 3).Serialize(),
            R"({"kind":"missing-volume","set":"0123","volume":2,"volumes":3})");
}

TEST(Builders, ErrorRecordKeepsTheOffendingRecord) {
  json::Value bad = Parse(R"({"source":1,"dest":true})");
  EXPECT_EQ(Error({3, "source", "\"source\" is a number, not a string", bad}).Serialize(),
            R"({"kind":"error","line":3,"field":"source","error":"\"source\" is a number, not a string",)"
            R"("record":{"source":1,"dest":true}})");
  EXPECT_EQ(Error({5, "", "not JSON", {}}).Serialize(), R"({"kind":"error","line":5,"error":"not JSON"})");
}

TEST(Builders, CopyResultReplacesResultFieldsKeepsOthers) {
  json::Value rec = Parse(R"({"kind":"image","x":1,"status":"old","source":"s","dest":"d"})");
  CopyResult r;
  r.status = "copied";
  r.digest = kDigestA;
  r.media_type = "m";
  r.blobs_copied = 2;
  SetCopyResult(rec, r);
  EXPECT_EQ(rec.Serialize(),
            R"({"kind":"image","x":1,"status":"copied","source":"s","dest":"d","digest":")" + kDigestA +
                R"(","media_type":"m","bytes_copied":0,"blobs_copied":2,"blobs_skipped":0,"blobs_mounted":0})");
  SetCopyFailure(rec, "boom", Code::kUnavailable);
  EXPECT_EQ(*rec.GetString("status"), "failed");
  EXPECT_EQ(*rec.GetString("error"), "boom");
  EXPECT_EQ(*rec.GetString("code"), "unavailable");
}

TEST(Classify, KindDecidesThenFields) {
  EXPECT_EQ(Classify(Parse(R"({"kind":"image"})")), Role::kMapping);
  EXPECT_EQ(Classify(Parse(R"({"kind":"release","source":"a"})")), Role::kMapping);
  EXPECT_EQ(Classify(Parse(R"({"kind":"sigstore","source":"a:sha256-0.sig"})")), Role::kMapping);
  EXPECT_EQ(Classify(Parse(R"({"source":1,"dest":true})")), Role::kMapping);
  EXPECT_EQ(Classify(Parse(R"({"src":"a","dest":"b"})")), Role::kMapping);
  EXPECT_EQ(Classify(Parse(R"({"kind":7,"source":"a"})")), Role::kMapping);
  EXPECT_EQ(Classify(Parse(R"({"kind":"weird","source":"a","dest":"b"})")), Role::kPassThrough);
  EXPECT_EQ(Classify(Parse(R"({"kind":"skipped","from":"x"})")), Role::kPassThrough);
  EXPECT_EQ(Classify(Parse(R"({"note":"no kind","n":1})")), Role::kPassThrough);
  EXPECT_EQ(Classify(Parse(R"({"kind":"image","source":"a","dest":"b","error":"x"})")), Role::kCarriesError);
  EXPECT_EQ(Classify(Parse(R"({"kind":"error","line":2,"error":"x"})")), Role::kCarriesError);
}

TEST(CheckMapping, GoodRecord) {
  auto c = CheckMapping(
      Parse(R"({"kind":"image","source":"q/a@)" + kDigestA + R"(","digest":")" + kDigestA + R"(","dest":"m/a:1"})"));
  ASSERT_TRUE(c.ok()) << c.error;
  EXPECT_EQ(c.mapping.source, "q/a@" + kDigestA);
  EXPECT_EQ(c.mapping.dest, "m/a:1");
  EXPECT_EQ(c.mapping.pinned->str(), kDigestA);
  EXPECT_EQ(c.mapping.digest->str(), kDigestA);
  // a tag source may carry any digest: the copy checks it
  EXPECT_TRUE(CheckMapping(Parse(R"({"source":"q/a:1","dest":"m/a:1","digest":")" + kDigestB + R"("})")).ok());
}

TEST(CheckMapping, NamesTheField) {
  struct Case {
    std::string record, field, error_has;
  };
  for (const Case& k : std::vector<Case>{
           {R"({"source":1,"dest":true})", "source", "is a number, not a string"},
           {R"({"source":"q/a:1","dest":true})", "dest", "is a boolean, not a string"},
           {R"({"kind":"image","src":"q/a:1","dest":"m/a:1"})", "source", "there is a \"src\""},
           {R"({"kind":"image","source":"q/a:1"})", "dest", "no \"dest\""},
           {R"({"kind":"image","source":"q/a:1","dst":"m"})", "dest", "there is a \"dst\""},
           {R"({"kind":"image","source":"","dest":"m/a:1"})", "source", "is empty"},
           {R"({"kind":["image"],"source":"q/a:1","dest":"m/a:1"})", "kind", "is an array"},
           {R"({"source":"q/a:1","dest":"m/a:1","digest":5})", "digest", "is a number"},
           {R"({"source":"q/a:1","dest":"m/a:1","digest":"sha256:short"})", "digest", "\"digest\""},
           {R"({"source":"q/a@)" + kDigestA + R"(","dest":"m/a:1","digest":")" + kDigestB + R"("})", "digest",
            "disagrees with the source, pinned to " + kDigestA},
           {R"({"source":"dir:d:q/a@)" + kDigestA + R"(","dest":"m/a:1","digest":")" + kDigestB + R"("})", "digest",
            "disagrees"},
       }) {
    auto c = CheckMapping(Parse(k.record));
    EXPECT_FALSE(c.ok()) << k.record;
    EXPECT_EQ(c.field, k.field) << k.record;
    EXPECT_NE(c.error.find(k.error_has), std::string::npos) << k.record << ": " << c.error;
  }
}

TEST(LacksDest, NoDestNorAMisspellingOfIt) {
  EXPECT_TRUE(LacksDest(Parse(R"({"kind":"release","source":"q/a:1"})")));
  EXPECT_TRUE(LacksDest(Parse(R"({"kind":"image","name":"x","status":"ok"})")));
  EXPECT_FALSE(LacksDest(Parse(R"({"kind":"image","source":"q/a:1","dest":1})")));
  EXPECT_FALSE(LacksDest(Parse(R"({"kind":"image","source":"q/a:1","dst":"m/a:1"})")));
}

TEST(PinnedDigest, OnlyAValidDigestAfterTheLastAt) {
  EXPECT_EQ(PinnedDigest("q/a@" + kDigestA)->str(), kDigestA);
  EXPECT_EQ(PinnedDigest("dir:/m:q/a@" + kDigestB)->str(), kDigestB);
  EXPECT_FALSE(PinnedDigest("q/a:1"));
  EXPECT_FALSE(PinnedDigest("q/a@sha256:nothex"));
}

TEST(ReadRecords, SkipsBlankLinesAndNumbersEveryProblem) {
  std::string too_long = R"({"x":")" + std::string(200, 'x') + R"("})";
  auto lines =
      ReadAll("{\"kind\":\"a\", \"n\":1.50}\n\n \t\n[1,2]\n{broken\n" + too_long + "\n\"str\"\n{\"last\":true}", 100);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0].line, 1u);
  EXPECT_TRUE(lines[0].problem.ok());
  EXPECT_EQ(lines[0].text, "{\"kind\":\"a\", \"n\":1.50}");  // kept as read, for passing on
  EXPECT_EQ(*lines[0].record.GetString("kind"), "a");
  EXPECT_EQ(lines[1].line, 4u);
  EXPECT_EQ(lines[1].problem.message(), "record is not a JSON object");
  EXPECT_EQ(lines[2].line, 5u);
  EXPECT_FALSE(lines[2].problem.ok());
  EXPECT_EQ(lines[3].line, 6u);
  EXPECT_NE(lines[3].problem.message().find("longer than"), std::string::npos);
  EXPECT_EQ(lines[4].line, 7u);
  EXPECT_FALSE(lines[4].problem.ok());
  EXPECT_EQ(lines[5].line, 8u);
  EXPECT_TRUE(lines[5].record.is_object());
}

TEST(ReadRecordsIn, SameLinesFromMemory) {
  std::vector<InputLine> lines;
  EXPECT_TRUE(ReadRecordsIn("{\"a\":1}\r\n\n[2]\n{\"b\":3}", [&](InputLine& in) {
                lines.push_back(std::move(in));
                return true;
              }).ok());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].text, "{\"a\":1}");
  EXPECT_EQ(lines[1].line, 3u);
  EXPECT_EQ(lines[1].problem.message(), "record is not a JSON object");
  EXPECT_EQ(lines[2].line, 4u);
  EXPECT_EQ(*lines[2].record.GetInt("b"), 3);
}

// As json::LineReader reads a stream: a byte order mark before the first
// line only is dropped.
TEST(ReadRecordsIn, DropsAByteOrderMarkOnTheFirstLineOnly) {
  const std::string bom = "\xEF\xBB\xBF";
  std::vector<InputLine> lines;
  EXPECT_TRUE(ReadRecordsIn(bom + "{\"a\":1}\n" + bom + "{\"b\":2}\n", [&](InputLine& in) {
                lines.push_back(std::move(in));
                return true;
              }).ok());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "{\"a\":1}");
  EXPECT_TRUE(lines[0].problem.ok()) << lines[0].problem.message();
  EXPECT_EQ(lines[1].text, bom + "{\"b\":2}");
  EXPECT_FALSE(lines[1].problem.ok());
}

TEST(ReadRecords, HandlerStopsTheLoop) {
  FILE* f = std::tmpfile();
  std::fputs("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n", f);
  std::fflush(f);
  std::rewind(f);
  json::LineReader reader(fileno(f));
  int seen = 0;
  EXPECT_TRUE(ReadRecords(reader, [&](InputLine&) { return ++seen < 2; }).ok());
  EXPECT_EQ(seen, 2);
  std::fclose(f);
}

}  // namespace
}  // namespace mk::records
