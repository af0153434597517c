#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "archive/layer_reader.h"
#include "archive/tar.h"
#include "testing/image_builder.h"

namespace mk::archive {
namespace {

// A byte source over a string that counts what it handed out.
struct StringSource {
  std::string data;
  size_t off = 0;
  size_t fail_at = std::string::npos;  // fails once this offset is reached
  ByteReader Reader() {
    return [this](char* out, size_t n) -> Result<size_t> {
      if (off >= fail_at) return DataLoss("source broke at " + std::to_string(off));
      size_t k = std::min({n, data.size() - off, fail_at - off});
      std::memcpy(out, data.data() + off, k);
      off += k;
      return k;
    };
  }
};

TEST(Tar, WriterOutputWalksBackWithExactSizes) {
  std::string tar;
  TarWriter w([&](const char* d, size_t n) {
    tar.append(d, n);
    return Status::Ok();
  });
  ASSERT_TRUE(w.AddString("a.txt", "hello").ok());
  ASSERT_TRUE(w.AddString("dir/b", std::string(1000, 'b')).ok());
  ASSERT_TRUE(w.Close().ok());
  EXPECT_EQ(tar.size(), TarEntryBytes(5) + TarEntryBytes(1000) + kTarEndBytes);
  StringSource src{tar};
  std::vector<std::string> seen;
  Status s = WalkTarStream(src.Reader(), "test", [&](const Entry& e, EntryContent& c) -> Result<Visit> {
    MK_ASSIGN_OR_RETURN(std::string body, c.ReadAll(1 << 20));
    seen.push_back(e.path + "=" + std::to_string(body.size()));
    return Visit::kContinue;
  });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(seen, (std::vector<std::string>{"a.txt=5", "dir/b=1000"}));
}

TEST(Tar, GzipWriterIsDeterministicAndWalksBack) {
  auto make = [] {
    std::string gz;
    TarWriter w(
        [&](const char* d, size_t n) {
          gz.append(d, n);
          return Status::Ok();
        },
        TarWriter::Compression::kGzip);
    EXPECT_TRUE(w.AddString("x/y.yaml", "name: stable-4.3\n").ok());
    EXPECT_TRUE(w.Close().ok());
    return gz;
  };
  std::string gz = make();
  ASSERT_GE(gz.size(), 10u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);  // the gzip magic
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  EXPECT_EQ(gz.substr(4, 4), std::string(4, '\0'));  // no mtime
  EXPECT_EQ(make(), gz);
  StringSource src{gz};
  std::string body;
  Status s = WalkTarStream(src.Reader(), "gz", [&](const Entry& e, EntryContent& c) -> Result<Visit> {
    EXPECT_EQ(e.path, "x/y.yaml");
    MK_ASSIGN_OR_RETURN(body, c.ReadAll(1 << 20));
    return Visit::kContinue;
  });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(body, "name: stable-4.3\n");
}

TEST(Tar, NormalizesPathsAndRefusesNonTar) {
  EXPECT_EQ(NormalizeEntryPath("./a//b/"), "a/b");
  EXPECT_EQ(NormalizeEntryPath("/"), "");
  StringSource junk{std::string(4096, 'j')};
  Status s = WalkTarStream(junk.Reader(), "junk",
                           [](const Entry&, EntryContent&) -> Result<Visit> { return Visit::kContinue; });
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("junk"), std::string::npos);
}

TEST(Layer, ReadsTheWholeSourceEvenAfterAnEarlyStop) {
  // The caller's source verifies a digest as bytes pass: it must see them all.
  std::string layer = fixtures::MakeTarGz({{"first", "1"}, {"padding", fixtures::RandomBytes(1 << 20, 3)}});
  StringSource src{layer};
  int visits = 0;
  Status s = WalkLayer(src.Reader(), "layer x", [&](const Entry&, EntryContent&) -> Result<Visit> {
    ++visits;
    return Visit::kStop;
  });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(visits, 1);
  EXPECT_EQ(src.off, layer.size());

  // WalkTarStream alone leaves the rest unread.
  StringSource partial{layer};
  ASSERT_TRUE(WalkTarStream(partial.Reader(), "x", [](const Entry&, EntryContent&) -> Result<Visit> {
                return Visit::kStop;
              }).ok());
  EXPECT_LT(partial.off, layer.size());
}

TEST(Layer, TheSourceErrorIsReportedFirst) {
  std::string layer = fixtures::MakeTarGz({{"first", "1"}, {"padding", fixtures::RandomBytes(1 << 20, 4)}});
  // Broken after the first entry was seen: during the drain.
  StringSource late{layer, 0, layer.size() - 10};
  Status s =
      WalkLayer(late.Reader(), "layer x", [](const Entry&, EntryContent&) -> Result<Visit> { return Visit::kStop; });
  EXPECT_EQ(s.code(), Code::kDataLoss);
  // Broken in the middle of the tar: the source's error, not libarchive's.
  StringSource early{layer, 0, 300};
  s = WalkLayer(early.Reader(), "layer x", [](const Entry&, EntryContent& c) -> Result<Visit> {
    MK_RETURN_IF_ERROR(c.ReadAll(2 << 20).status());
    return Visit::kContinue;
  });
  EXPECT_EQ(s.code(), Code::kDataLoss) << s.message();
  EXPECT_NE(s.message().find("source broke"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace mk::archive

namespace mk::archive {
namespace {

// The decompressed bytes of data, read through a ByteReader.
Result<std::string> Decompressed(const std::string& data) {
  StringSource src{data};
  std::string out;
  MK_RETURN_IF_ERROR(Decompress(src.Reader(), "blob", [&](const char* d, size_t n) {
    out.append(d, n);
    return Status::Ok();
  }));
  return out;
}

TEST(Decompress, GzipAndPlainStreamsGiveTheirBytes) {
  auto tar = Decompressed(fixtures::MakeTarGz({{"a/b", "hello"}}));
  ASSERT_TRUE(tar.ok()) << tar.status().message();
  // A tar: 512-byte blocks, the entry's name in the first header.
  EXPECT_EQ(tar->size() % 512, 0u);
  EXPECT_EQ(tar->substr(0, 3), "a/b");
  auto plain = Decompressed("not compressed at all");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "not compressed at all");
}

}  // namespace
}  // namespace mk::archive

// Hostile tar layers (issue 11, "Hostile input"): headers written by hand,
// as no honest writer would. Each walk ends with a one-line error naming
// the stream and the entry (or the entry before a broken header); none
// crashes, allocates what a header claims, or reads without end.
namespace mk::archive {
namespace {

// One 512-byte ustar header; size_field is written as given (octal text,
// or base-256 bytes), the checksum computed unless bad_checksum.
std::string Header(const std::string& name, const std::string& size_field, char type = '0', bool bad_checksum = false) {
  std::string h(512, '\0');
  h.replace(0, std::min<size_t>(name.size(), 100), name.substr(0, 100));
  h.replace(100, 7, "0000644");
  h.replace(108, 7, "0000000");
  h.replace(116, 7, "0000000");
  h.replace(124, std::min<size_t>(size_field.size(), 12), size_field.substr(0, 12));
  h.replace(136, 11, "00000000000");
  h[156] = type;
  h.replace(257, 6, std::string("ustar\0", 6));
  h.replace(263, 2, "00");
  h.replace(148, 8, "        ");
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  if (bad_checksum) sum += 1;
  char field[8];
  std::snprintf(field, sizeof field, "%06o", sum);
  h.replace(148, 7, std::string(field, 6) + '\0');
  return h;
}
std::string Octal(uint64_t n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%011llo", static_cast<unsigned long long>(n));
  return buf;
}
std::string Base256(int64_t n) {
  std::string f(12, '\0');
  uint64_t u = static_cast<uint64_t>(n);
  for (int i = 11; i >= 4; --i, u >>= 8) f[i] = static_cast<char>(u & 0xff);
  f[0] = static_cast<char>(n < 0 ? 0xff : 0x80);
  if (n < 0)
    for (int i = 1; i < 4; ++i) f[i] = static_cast<char>(0xff);
  return f;
}
std::string Padded(std::string data) { return data + std::string((512 - data.size() % 512) % 512, '\0'); }
const std::string kEnd(1024, '\0');

// Walks tar, reading every entry whole (capped at 1 MiB); the status.
Status WalkAll(const std::string& tar, std::vector<std::string>* seen = nullptr) {
  StringSource src{tar};
  return WalkLayer(src.Reader(), "layer L", [&](const Entry& e, EntryContent& c) -> Result<Visit> {
    if (seen) seen->push_back(e.path);
    MK_RETURN_IF_ERROR(c.ReadAll(1 << 20).status());
    return Visit::kContinue;
  });
}
void ExpectOneLineNaming(const Status& s, const std::string& entry) {
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("layer L"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(entry), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
}

TEST(HostileTar, TheHandMadeHeaderIsSoundItself) {
  std::vector<std::string> seen;
  Status s = WalkAll(Header("good", Octal(5)) + Padded("hello") + kEnd, &seen);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(seen, std::vector<std::string>{"good"});
}

TEST(HostileTar, ASizeLargerThanTheBytesNamesTheEntry) {
  // 8 GiB claimed, 5 bytes there: the read fails naming the entry; the
  // claim is never allocated.
  Status s = WalkAll(Header("first", Octal(1)) + Padded("x") + Header("liar", Octal(077777777777)) + Padded("hello"));
  ExpectOneLineNaming(s, "liar");
}

TEST(HostileTar, BaseTwoFiftySixSizesHugeOrNegative) {
  Status huge = WalkAll(Header("b256", Base256(int64_t{1} << 62)) + Padded("hello"));
  ExpectOneLineNaming(huge, "b256");
  Status negative = WalkAll(Header("first", Octal(1)) + Padded("x") + Header("neg", Base256(-5)) + Padded("hello"));
  ExpectOneLineNaming(negative, "first");
  // An honest base-256 size (what GNU tar writes past 8 GiB) is read.
  std::vector<std::string> seen;
  Status fine = WalkAll(Header("ok256", Base256(5)) + Padded("hello") + kEnd, &seen);
  EXPECT_TRUE(fine.ok()) << fine.message();
  EXPECT_EQ(seen, std::vector<std::string>{"ok256"});
}

TEST(HostileTar, TruncatedOrCorruptHeadersNameTheEntryBefore) {
  std::string first = Header("first", Octal(5)) + Padded("hello");
  ExpectOneLineNaming(WalkAll(first + Header("second", Octal(5)).substr(0, 300)), "first");
  ExpectOneLineNaming(WalkAll(first + Header("second", Octal(5), '0', true) + Padded("hello") + kEnd), "first");
  ExpectOneLineNaming(WalkAll(first + Header("second", "9z9z9z9z9z9") + Padded("hello") + kEnd), "");
  // At the very start: the stream is named.
  Status s = WalkAll(Header("x", Octal(5), '0', true) + Padded("hello") + kEnd);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("layer L"), std::string::npos) << s.message();
}

TEST(HostileTar, PaxHeadersWithBadLengthsAreErrors) {
  for (const std::string record : {"999999 path=evil\n", "5 path=evil\n", "abc path=evil\n", "-1 path=x\n",
                                   "18446744073709551617 path=x\n", "12 size=-1\n", "30 size=99999999999999999999\n"}) {
    std::string tar = Header("first", Octal(1)) + Padded("x") + Header("pax", Octal(record.size()), 'x') +
                      Padded(record) + Header("target", Octal(5)) + Padded("hello") + kEnd;
    std::vector<std::string> seen;
    Status s = WalkAll(tar, &seen);
    // libarchive may refuse the record or skip it; never a path or size
    // taken from a malformed record, never a crash.
    if (!s.ok()) {
      ExpectOneLineNaming(s, "first");
    } else {
      for (const auto& p : seen) EXPECT_NE(p, "evil") << record;
    }
  }
}

TEST(HostileTar, TraversalAndAbsoluteNamesAreOnlyStrings) {
  // Walking writes nothing; the names come out normalized but ".." is
  // kept, for the visitor to refuse (release/extract never matches it).
  std::vector<std::string> seen;
  Status s = WalkAll(Header("../../etc/x", Octal(1)) + Padded("x") + Header("/abs/y", Octal(1)) + Padded("y") +
                         Header("a/../../z", Octal(1)) + Padded("z") + kEnd,
                     &seen);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(seen, (std::vector<std::string>{"../../etc/x", "abs/y", "a/../../z"}));
}

}  // namespace
}  // namespace mk::archive

namespace mk::archive {
namespace {

// Found by tests/fuzz/tar_fuzz.cc (corpus/tar/crash-gzip-open-without-message):
// a gzip stream libarchive cannot open, and that leaves no error string; the
// message was built from a null char*.
TEST(HostileTar, AnOpenFailureWithoutLibarchiveMessageIsAnError) {
  const unsigned char bytes[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0xcb, 0x2f,
                                 0x51, 0x48, 0x54, 0x28, 0x49, 0x2c, 0x52, 0x48, 0x04, 0x32, 0x72, 0x72, 0xf2,
                                 0x06, 0x10, 0x1f, 0x00, 0x58, 0xa8, 0xc2, 0xb3, 0xa0, 0x00, 0x00, 0x00};
  StringSource src{std::string(reinterpret_cast<const char*>(bytes), sizeof bytes)};
  Status s = WalkTarStream(src.Reader(), "layer L",
                           [](const Entry&, EntryContent&) -> Result<Visit> { return Visit::kContinue; });
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("layer L"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
}

}  // namespace
}  // namespace mk::archive
