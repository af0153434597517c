#include "digest/digest.h"

#include <gtest/gtest.h>

namespace mk {
namespace {

constexpr const char* kEmpty = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(Digest, HashesKnownValues) {
  EXPECT_EQ(Digest::Sha256Of("").str(), kEmpty);
  EXPECT_EQ(Digest::Sha256Of("abc").str(), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Digest, IncrementalEqualsOneShot) {
  DigestHasher h;
  h.Update("a", 1);
  h.Update("bc", 2);
  EXPECT_EQ(h.bytes(), 3u);
  EXPECT_EQ(h.Finish(), Digest::Sha256Of("abc"));
}

TEST(Digest, ParsesAndRejects) {
  auto d = Digest::Parse(kEmpty);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->algorithm(), "sha256");
  EXPECT_EQ(d->hex().size(), 64u);
  EXPECT_FALSE(Digest::Parse("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855").ok());
  EXPECT_FALSE(Digest::Parse("sha256:abc").ok());
  EXPECT_FALSE(Digest::Parse("md5:d41d8cd98f00b204e9800998ecf8427e").ok());
  EXPECT_FALSE(Digest::Parse("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855").ok());
  EXPECT_TRUE(Digest::Parse("sha512:" + std::string(128, 'a')).ok());
}

TEST(Digest, VerifyRefusesWrongContent) {
  Digest want = Digest::Sha256Of("the real layer");
  EXPECT_TRUE(VerifyDigest(want, "the real layer", "blob").ok());
  Status s = VerifyDigest(want, "a tampered layer", "blob");
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find(want.str()), std::string::npos);
}

}  // namespace
}  // namespace mk
