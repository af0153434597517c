#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "base/atomic_file.h"
#include "base/base64.h"
#include "base/byte_pipe.h"
#include "base/status.h"
#include "base/strings.h"
#include "testing/temp_dir.h"

namespace mk {
namespace {

TEST(Status, ContextPrefixesAndKeepsCode) {
  Status s = NotFound("no such blob").WithContext("copy a");
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "copy a: no such blob");
  EXPECT_TRUE(Status::Ok().WithContext("x").ok());
}

Result<int> Half(int x) {
  if (x % 2) return InvalidArgument("odd");
  return x / 2;
}
Result<int> Quarter(int x) {
  MK_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(Status, AssignOrReturnPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().message(), "odd");
}

TEST(Base64, MatchesCoreutils) {
  // echo -n 'user:password' | base64 -w0
  EXPECT_EQ(Base64Encode("user:password"), "dXNlcjpwYXNzd29yZA==");
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
  EXPECT_EQ(*Base64Decode("dXNlcjpwYXNzd29yZA=="), "user:password");
  EXPECT_EQ(*Base64Decode("YWI"), "ab");
  EXPECT_FALSE(Base64Decode("a$b=").ok());
  EXPECT_FALSE(Base64Decode("abcde").ok());
}

TEST(Strings, OneLineKeepsAMessageOnOneLine) {
  EXPECT_EQ(OneLine("a\nEVIL: b\r\x1b[31mc\x7f"), "a\\x0aEVIL: b\\x0d\\x1b[31mc\\x7f");
  EXPECT_EQ(OneLine(std::string("t\0x", 3)), "t\\x00x");
  EXPECT_EQ(OneLine("caf\xc3\xa9 \"q\""), "caf\xc3\xa9 \"q\"");  // UTF-8 and quotes kept
  EXPECT_EQ(OneLine(std::string(5000, 'a')), std::string(4096, 'a') + "...");
}

TEST(Strings, QuoteNeutralizesControlCharacters) {
  EXPECT_EQ(Quote("a\nb\"c"), "\"a\\x0ab\\\"c\"");
  EXPECT_EQ(Quote(std::string(300, 'x'), 3), "\"xxx...\"");
}

TEST(BytePipe, WithholdsLastByteUntilProducerVouches) {
  BytePipe pipe(16, 4);
  ASSERT_TRUE(pipe.Write("abcd", 4).ok());
  char buf[8];
  auto n = pipe.Read(buf, sizeof buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3u);  // the 4th byte waits for Close
  std::thread closer([&] { pipe.Close(DataLoss("digest mismatch")); });
  auto last = pipe.Read(buf, sizeof buf);
  closer.join();
  ASSERT_FALSE(last.ok());
  EXPECT_EQ(last.status().code(), Code::kDataLoss);
}

TEST(BytePipe, StreamsMoreThanCapacity) {
  const std::string data = std::string(100000, 'z') + "end";
  BytePipe pipe(1000, data.size());
  std::thread producer([&] {
    for (size_t off = 0; off < data.size(); off += 777)
      ASSERT_TRUE(pipe.Write(data.data() + off, std::min<size_t>(777, data.size() - off)).ok());
    pipe.Close(Status::Ok());
  });
  std::string got;
  char buf[333];
  for (;;) {
    auto n = pipe.Read(buf, sizeof buf);
    ASSERT_TRUE(n.ok());
    if (*n == 0) break;
    got.append(buf, *n);
  }
  producer.join();
  EXPECT_EQ(got, data);
}

TEST(BytePipe, ShortStreamIsDataLoss) {
  BytePipe pipe(16, 10);
  ASSERT_TRUE(pipe.Write("abc", 3).ok());
  pipe.Close(Status::Ok());
  char buf[16];
  EXPECT_EQ(*pipe.Read(buf, sizeof buf), 3u);
  EXPECT_EQ(pipe.Read(buf, sizeof buf).status().code(), Code::kDataLoss);
}

TEST(BytePipe, AbortStopsProducer) {
  BytePipe pipe(4);
  pipe.Abort(Unavailable("upload refused"));
  Status s = pipe.Write("abcdefgh", 8);
  EXPECT_EQ(s.code(), Code::kUnavailable);
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.empty()); }
  fixtures::ScopedTempDir tmp_;
  std::string dir_ = tmp_.path();
};

TEST_F(TempDir, AtomicFileInvisibleUntilCommit) {
  std::string path = dir_ + "/secret.json";
  {
    auto f = AtomicFile::Create(path, 0600);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(f->Write("{\"auths\":{}}").ok());
    EXPECT_NE(::access(path.c_str(), F_OK), 0);
    struct stat st;
    ASSERT_EQ(::stat(f->temp_path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_TRUE(f->Commit().ok());
  }
  auto content = ReadFileLimited(path, 100);
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(*content, "{\"auths\":{}}");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(TempDir, AtomicFileAbandonedLeavesNothing) {
  std::string path = dir_ + "/half.bin";
  std::string temp;
  {
    auto f = AtomicFile::Create(path);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(f->Write("partial").ok());
    temp = f->temp_path();
  }
  EXPECT_NE(::access(path.c_str(), F_OK), 0);
  EXPECT_NE(::access(temp.c_str(), F_OK), 0);
}

TEST_F(TempDir, ReadFileLimitedRefusesLargeAndMissing) {
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/big", std::string(1000, 'x')).ok());
  EXPECT_EQ(ReadFileLimited(dir_ + "/big", 10).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ReadFileLimited(dir_ + "/nope", 10).status().code(), Code::kNotFound);
}

TEST_F(TempDir, AtomicFileUnwritableDirectoryNamesPath) {
  auto f = AtomicFile::Create(dir_ + "/no/such/dir/file");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find(dir_ + "/no/such/dir/file"), std::string::npos);
}

}  // namespace
}  // namespace mk
