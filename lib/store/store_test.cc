#include <gtest/gtest.h>

#include "store/blob_stream.h"
#include "store/memory_store.h"
#include "testing/image_builder.h"

namespace mk::store {
namespace {

const Reference kRepo = Reference::Parse("mem.test/src/app").value();
const Reference kDst = Reference::Parse("mem.test/dst/app").value();

TEST(BlobStream, FetchVerifiedPassesGoodBytes) {
  MemoryStore s("a");
  auto d = fixtures::PutBlob(s, "src/app", fixtures::RandomBytes(50000, 1));
  std::string got;
  ASSERT_TRUE(FetchVerified(s, kRepo, d, [&](const char* p, size_t n) {
                got.append(p, n);
                return Status::Ok();
              }).ok());
  EXPECT_EQ(Digest::Sha256Of(got), d.digest);
}

TEST(BlobStream, WrongDigestBlobIsRefused) {
  MemoryStore s("a");
  std::string real = fixtures::RandomBytes(10000, 2);
  oci::Descriptor d = fixtures::PutBlob(s, "src/app", real);
  std::string tampered = real;
  tampered[5000] ^= 1;
  s.PutRawBlob("src/app", d.digest, tampered);  // same name, other bytes
  Status st = FetchVerified(s, kRepo, d, [](const char*, size_t) { return Status::Ok(); });
  EXPECT_EQ(st.code(), Code::kDataLoss);
  EXPECT_NE(st.message().find("does not match its digest"), std::string::npos);
}

TEST(BlobStream, SizeMismatchIsRefusedBothWays) {
  MemoryStore s("a");
  oci::Descriptor d = fixtures::PutBlob(s, "src/app", "twelve bytes");
  d.size = 5;
  EXPECT_EQ(FetchVerified(s, kRepo, d, [](const char*, size_t) { return Status::Ok(); }).code(), Code::kDataLoss);
  d.size = 50;
  EXPECT_EQ(FetchVerified(s, kRepo, d, [](const char*, size_t) { return Status::Ok(); }).code(), Code::kDataLoss);
}

TEST(BlobStream, CopyBlobNeverCompletesAnUploadOfCorruptBytes) {
  MemoryStore src("src"), dst("dst");
  std::string real = fixtures::RandomBytes(3 << 20, 3);  // larger than the pipe
  oci::Descriptor d = fixtures::PutBlob(src, "src/app", real);
  real[real.size() - 1] ^= 0x40;  // the very last byte is wrong
  src.PutRawBlob("src/app", d.digest, real);
  Status st = CopyBlob(src, kRepo, dst, kDst, d, 64 << 10);
  EXPECT_EQ(st.code(), Code::kDataLoss);
  EXPECT_FALSE(*dst.HasBlob(kDst, d));
  EXPECT_EQ(dst.pushes(), 0);
}

TEST(BlobStream, CopyBlobStreamsLargeBlobs) {
  MemoryStore src("src"), dst("dst");
  oci::Descriptor d = fixtures::PutBlob(src, "src/app", fixtures::RandomBytes(3 << 20, 4));
  ASSERT_TRUE(CopyBlob(src, kRepo, dst, kDst, d, 64 << 10).ok());
  EXPECT_TRUE(*dst.HasBlob(kDst, d));
}

TEST(BlobStream, ReadBlobToStringHasACap) {
  MemoryStore s("a");
  oci::Descriptor d = fixtures::PutBlob(s, "src/app", "{}");
  EXPECT_EQ(*ReadBlobToString(s, kRepo, d), "{}");
  oci::Descriptor big = fixtures::PutBlob(s, "src/app", std::string(100, 'x'));
  EXPECT_FALSE(ReadBlobToString(s, kRepo, big, 10).ok());
}

}  // namespace
}  // namespace mk::store
