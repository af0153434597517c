#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "auth/auth_file.h"
#include "copy/copy_runner.h"
#include "copy/image_copier.h"
#include "http/client.h"
#include "store/memory_store.h"
#include "testing/image_builder.h"

namespace mk::copy {
namespace {

// Two in-memory "registries" behind one resolver.
class CopyTest : public ::testing::Test {
 protected:
  CopyTest() : client_(http::ClientOptions{}), resolver_(client_, auth_, {}) {
    auto s = std::make_unique<store::MemoryStore>("src.test");
    auto d = std::make_unique<store::MemoryStore>("dst.test");
    src_ = s.get();
    dst_ = d.get();
    resolver_.Register("src.test", std::move(s));
    resolver_.Register("dst.test", std::move(d));
  }

  // An image with shared base layers plus one of its own.
  oci::Manifest Image(unsigned seed, const std::string& arch = "amd64") {
    std::vector<oci::Descriptor> layers = {base1_, base2_,
                                           fixtures::PutBlob(*src_, "art", fixtures::RandomBytes(3000, seed))};
    return fixtures::MakeImage(*src_, "art", fixtures::ConfigJson(arch) + std::string(seed % 7, ' '), layers);
  }
  void SetUp() override {
    base1_ = fixtures::PutBlob(*src_, "art", fixtures::RandomBytes(20000, 100));
    base2_ = fixtures::PutBlob(*src_, "art", fixtures::RandomBytes(30000, 101));
  }
  static Reference Ref(const std::string& s) { return Reference::Parse(s).value(); }

  auth::AuthStore auth_;
  http::Client client_;
  store::StoreResolver resolver_;
  store::MemoryStore* src_;
  store::MemoryStore* dst_;
  oci::Descriptor base1_, base2_;
  BlobLedger ledger_;
};

TEST_F(CopyTest, CopiesImageByteForByteAndSkipsSecondTime) {
  oci::Manifest m = Image(1);
  ImageCopier copier(resolver_, ledger_);
  auto out = copier.Copy(Ref("src.test/art@" + m.digest.str()), Ref("dst.test/mirror/ocp:4.3.0-x86_64-cli"));
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->digest, m.digest);
  EXPECT_EQ(out->stats.blobs_copied, 4);  // config + 3 layers
  auto copied = dst_->GetManifest(Ref("dst.test/mirror/ocp:4.3.0-x86_64-cli"));
  ASSERT_TRUE(copied.ok());
  EXPECT_EQ(copied->raw, m.raw);
  auto again = copier.Copy(Ref("src.test/art@" + m.digest.str()), Ref("dst.test/mirror/ocp:4.3.0-x86_64-cli"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_present);
  EXPECT_EQ(again->stats.blobs_copied, 0);
}

TEST_F(CopyTest, PinnedReRunChecksOnlyTheDestination) {
  oci::Manifest m = Image(2);
  ImageCopier copier(resolver_, ledger_);
  store::Location dest{"", "dst.test/mirror/ocp:4.3.0-x86_64-art"};
  ASSERT_TRUE(copier.Copy(store::Location{"", "src.test/art@" + m.digest.str()}, dest).ok());
  const int reads = src_->manifest_reads(), fetches = src_->blob_fetches();
  // Pinned by the source's digest, and by the record's digest alone.
  for (const std::optional<Digest>& expected : {std::optional<Digest>(), std::optional<Digest>(m.digest)}) {
    std::string source = expected ? "src.test/art:gone" : "src.test/art@" + m.digest.str();
    auto again = copier.Copy(store::Location{"", source}, dest, expected);
    ASSERT_TRUE(again.ok()) << again.status().message();
    EXPECT_TRUE(again->already_present);
    EXPECT_EQ(again->digest, m.digest);
    EXPECT_EQ(again->media_type, m.media_type);
  }
  EXPECT_EQ(src_->manifest_reads(), reads);  // no source request at all
  EXPECT_EQ(src_->blob_fetches(), fetches);
  // Unpinned (a tag only), the source must be read to know the image.
  ASSERT_TRUE(src_->PutManifest(Ref("src.test/art:t"), m).ok());
  auto by_tag = copier.Copy(store::Location{"", "src.test/art:t"}, dest);
  ASSERT_TRUE(by_tag.ok());
  EXPECT_TRUE(by_tag->already_present);
  EXPECT_EQ(src_->manifest_reads(), reads + 1);
}

TEST_F(CopyTest, IndexCopiesEveryPlatform) {
  oci::Manifest a = Image(2, "amd64"), b = Image(3, "arm64");
  oci::Manifest index = fixtures::MakeIndex(*src_, "art", {{a, "amd64"}, {b, "arm64"}});
  ImageCopier copier(resolver_, ledger_);
  auto out = copier.Copy(Ref("src.test/art@" + index.digest.str()), Ref("dst.test/mirror/ocp:pod"));
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->stats.manifests_pushed, 3);
  EXPECT_TRUE(dst_->ManifestDigest(Ref("dst.test/mirror/ocp@" + a.digest.str()))->has_value());
  EXPECT_TRUE(dst_->ManifestDigest(Ref("dst.test/mirror/ocp@" + b.digest.str()))->has_value());
  EXPECT_EQ(dst_->GetManifest(Ref("dst.test/mirror/ocp:pod"))->raw, index.raw);
}

TEST_F(CopyTest, SharedBlobsCopiedOncePerRepositoryUnderConcurrency) {
  std::vector<oci::Manifest> images;
  for (unsigned i = 0; i < 12; ++i) images.push_back(Image(10 + i));
  ImageCopier copier(resolver_, ledger_);
  std::vector<std::thread> threads;
  std::vector<CopyStats> stats(images.size());
  for (size_t i = 0; i < images.size(); ++i)
    threads.emplace_back([&, i] {
      auto out =
          copier.Copy(Ref("src.test/art@" + images[i].digest.str()), Ref("dst.test/mirror/ocp:t" + std::to_string(i)));
      ASSERT_TRUE(out.ok()) << out.status().message();
      stats[i] = out->stats;
    });
  for (auto& t : threads) t.join();
  int copied = 0;
  for (const auto& s : stats) copied += s.blobs_copied;
  // 2 shared bases + 12 own layers + configs (some identical by seed % 7).
  std::set<Digest> distinct = {base1_.digest, base2_.digest};
  for (const auto& m : images) {
    distinct.insert(m.config.digest);
    distinct.insert(m.layers[2].digest);
  }
  EXPECT_EQ(copied, static_cast<int>(distinct.size()));
  EXPECT_EQ(dst_->pushes(), static_cast<int>(distinct.size()));
}

// A destination that counts pushes running at once. Each push waits (a
// bounded while) for a second one to start, so a copier that pushes one
// blob after another shows a peak of 1.
class GatedStore : public store::MemoryStore {
 public:
  GatedStore() : MemoryStore("gated.test") {}
  Status PushBlob(const Reference& repo, const oci::Descriptor& blob, const store::BlobSource& source) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      peak_ = std::max(peak_, ++active_);
      cv_.notify_all();
      cv_.wait_for(lock, std::chrono::seconds(2), [&] { return active_ >= 2; });
    }
    Status s = MemoryStore::PushBlob(repo, blob, source);
    std::lock_guard<std::mutex> lock(mu_);
    --active_;
    return s;
  }
  int peak() {
    std::lock_guard<std::mutex> lock(mu_);
    return peak_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int active_ = 0, peak_ = 0;
};

TEST_F(CopyTest, BlobsOfOneImageMoveConcurrentlyBoundedByJobs) {
  auto owned = std::make_unique<GatedStore>();
  GatedStore* gated = owned.get();
  resolver_.Register("gated.test", std::move(owned));
  std::vector<oci::Manifest> images;
  for (unsigned i = 0; i < 8; ++i) images.push_back(Image(40 + i));
  {
    // One image alone: its four blobs go at once.
    ImageCopier copier(resolver_, ledger_, 3);
    auto one = copier.Copy(Ref("src.test/art@" + images[0].digest.str()), Ref("gated.test/solo/app:v1"));
    ASSERT_TRUE(one.ok()) << one.status().message();
    EXPECT_EQ(one->stats.blobs_copied, 4);
    EXPECT_GE(gated->peak(), 2);
    EXPECT_LE(gated->peak(), 3);
  }
  // Six image workers, three blob threads: never more than three at once.
  ImageCopier copier(resolver_, ledger_, 3);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (size_t w = 0; w < 6; ++w)
    threads.emplace_back([&, w] {
      for (size_t i = w; i < images.size(); i += 6) {
        auto out = copier.Copy(Ref("src.test/art@" + images[i].digest.str()),
                               Ref("gated.test/many/app:t" + std::to_string(i)));
        if (!out.ok()) ++failures;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(gated->peak(), 3);
  for (size_t i = 0; i < images.size(); ++i)
    EXPECT_TRUE(gated->ManifestDigest(Ref("gated.test/many/app:t" + std::to_string(i)))->has_value());
}

TEST_F(CopyTest, SecondRepositoryInSameStoreMounts) {
  oci::Manifest m = Image(30);
  ImageCopier copier(resolver_, ledger_);
  ASSERT_TRUE(copier.Copy(Ref("src.test/art@" + m.digest.str()), Ref("dst.test/one/app:v1")).ok());
  auto out = copier.Copy(Ref("src.test/art@" + m.digest.str()), Ref("dst.test/two/app:v1"));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->stats.blobs_copied, 0);
  EXPECT_EQ(out->stats.blobs_mounted, 4);
}

TEST_F(CopyTest, CorruptSourceBlobFailsAndPushesNoManifest) {
  oci::Manifest m = Image(40);
  src_->PutRawBlob("art", m.layers[2].digest, "not the layer");
  ImageCopier copier(resolver_, ledger_);
  auto out = copier.Copy(Ref("src.test/art@" + m.digest.str()), Ref("dst.test/mirror/ocp:bad"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Code::kDataLoss);
  EXPECT_FALSE(dst_->ManifestDigest(Ref("dst.test/mirror/ocp:bad"))->has_value());
  EXPECT_FALSE(*dst_->HasBlob(Ref("dst.test/mirror/ocp"), m.layers[2]));
}

TEST_F(CopyTest, DestinationDigestMustMatch) {
  oci::Manifest m = Image(50);
  ImageCopier copier(resolver_, ledger_);
  auto out = copier.Copy(Ref("src.test/art@" + m.digest.str()), Ref("dst.test/x@sha256:" + std::string(64, 'a')));
  EXPECT_EQ(out.status().code(), Code::kInvalidArgument);
}

TEST(AnnotateRecord, AddsResultFieldsAndKeepsOthers) {
  auto rec =
      json::Value::Parse(R"({"kind":"image","custom":{"x":1},"source":"a/b@sha256:)" + std::string(64, '0') + R"("})");
  CopyOutcome o;
  o.digest = Digest::Sha256Of("m");
  o.media_type = "application/vnd.oci.image.manifest.v1+json";
  o.stats.blobs_copied = 2;
  o.stats.bytes_copied = 10;
  EXPECT_TRUE(AnnotateRecord(*rec, o));
  EXPECT_EQ(*rec->GetString("status"), "copied");
  EXPECT_EQ(*rec->GetInt("blobs_copied"), 2);
  EXPECT_EQ(*rec->GetString("digest"), o.digest.str());
  EXPECT_TRUE(rec->Find("custom"));
  EXPECT_FALSE(AnnotateRecord(*rec, Result<CopyOutcome>(Unavailable("registry down"))));
  EXPECT_EQ(*rec->GetString("status"), "failed");
  EXPECT_EQ(*rec->GetString("error"), "registry down");
}

TEST(AnnotateRecord, ADigestTheCopyDoesNotHaveIsAFailureAndIsKept) {
  const std::string claimed = "sha256:" + std::string(64, 'c');
  auto rec = json::Value::Parse(R"({"kind":"image","source":"src.test/a:moved","dest":"dst.test/a:1","digest":")" +
                                claimed + R"("})");
  CopyOutcome o;
  o.digest = Digest::Sha256Of("another manifest");
  EXPECT_FALSE(AnnotateRecord(*rec, o));
  EXPECT_EQ(*rec->GetString("status"), "failed");
  EXPECT_EQ(*rec->GetString("digest"), claimed);  // the claim, not overwritten
  std::string error = rec->GetString("error").value_or("");
  EXPECT_NE(error.find(claimed), std::string::npos) << error;
  EXPECT_NE(error.find(o.digest.str()), std::string::npos) << error;
  EXPECT_FALSE(rec->Find("blobs_copied"));
}

// RunCopyRecords end to end over the in-memory registries: every record of
// the input gives one output line; bad mapping records become error records
// naming line and field; other kinds pass through byte for byte.
TEST_F(CopyTest, RunCopyRecordsChecksMappingsAndPassesOthersOn) {
  oci::Manifest m = Image(60);
  const std::string pinned = "src.test/art@" + m.digest.str();
  const std::string other = "sha256:" + std::string(64, 'd');
  const std::string passthrough = R"({"kind":"note", "n":1.50,"s":"\u00e9"})";
  std::string input = passthrough + "\n" +
                      R"({"source":1,"dest":true})"
                      "\n" +
                      R"({"kind":"image","src":")" + pinned +
                      R"(","dest":"dst.test/m/x:1"})"
                      "\n" +
                      R"({"kind":"image","source":")" + pinned + R"(","dest":"dst.test/m/x:2","digest":")" + other +
                      R"("})"
                      "\n" +
                      R"({"kind":"image","source":")" + pinned + R"(","dest":"dst.test/m/x:3","digest":")" +
                      m.digest.str() +
                      R"("})"
                      "\n";
  FILE* in = std::tmpfile();
  std::fwrite(input.data(), 1, input.size(), in);
  std::fflush(in);
  std::rewind(in);
  FILE* out = std::tmpfile();
  json::LineReader reader(fileno(in));
  json::RecordWriter writer(out);
  ImageCopier copier(resolver_, ledger_);
  RunOptions options;
  options.jobs = 2;
  RunSummary summary = RunCopyRecords(reader, writer, copier, options);
  EXPECT_EQ(summary.images_ok, 1);
  EXPECT_EQ(summary.images_failed, 0);
  EXPECT_EQ(summary.lines_malformed, 3);
  std::rewind(out);
  std::vector<std::string> lines;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, out)) lines.emplace_back(buf, std::strlen(buf) - 1);
  std::fclose(in);
  std::fclose(out);
  ASSERT_EQ(lines.size(), 5u);
  std::map<int64_t, json::Value> errors;
  int copied = 0;
  for (const auto& l : lines) {
    if (l == passthrough) continue;
    auto v = json::Value::Parse(l);
    ASSERT_TRUE(v.ok()) << l;
    if (v->GetString("kind") == "error")
      errors[v->GetInt("line").value_or(0)] = *v;
    else if (v->GetString("status") == "copied" && v->GetString("dest") == "dst.test/m/x:3")
      ++copied;
    else
      ADD_FAILURE() << l;
  }
  EXPECT_EQ(copied, 1);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[2].GetString("field"), "source");
  EXPECT_EQ(errors[2].Find("record")->Serialize(), R"({"source":1,"dest":true})");
  EXPECT_EQ(errors[3].GetString("field"), "source");
  EXPECT_EQ(errors[4].GetString("field"), "digest");
  // nothing was copied for the bad records
  EXPECT_FALSE(dst_->ManifestDigest(Ref("dst.test/m/x:1"))->has_value());
  EXPECT_FALSE(dst_->ManifestDigest(Ref("dst.test/m/x:2"))->has_value());
}

// The progress hooks see every image queued and finished and every byte
// copied: what blob-copy --progress draws adds up to the run's summary.
TEST_F(CopyTest, ProgressHooksAddUpToTheSummary) {
  oci::Manifest a = Image(70), b = Image(71);
  std::atomic<int> queued{0}, ok{0}, failed{0};
  std::atomic<uint64_t> bytes{0};
  ImageCopier copier(resolver_, ledger_, 4);
  copier.SetBlobCopiedHook([&](uint64_t n) { bytes += n; });
  RunOptions options;
  options.jobs = 2;
  options.on_queued = [&] { ++queued; };
  options.on_finished = [&](bool good) { ++(good ? ok : failed); };
  FILE* out = std::tmpfile();
  json::RecordWriter writer(out);
  RunSummary summary = RunCopyPairs({{"src.test/art@" + a.digest.str(), "dst.test/p/x:a"},
                                     {"src.test/art@" + b.digest.str(), "dst.test/p/x:b"},
                                     {"src.test/art:no-such-tag", "dst.test/p/x:c"}},
                                    writer, copier, options);
  std::fclose(out);
  EXPECT_EQ(queued, 3);
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(summary.images_ok, 2);
  EXPECT_GT(bytes.load(), 50000u);  // the shared base layers, once
  EXPECT_EQ(bytes.load(), summary.bytes_copied);
}

}  // namespace
}  // namespace mk::copy
