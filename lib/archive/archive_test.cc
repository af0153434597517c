#include <gtest/gtest.h>

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
