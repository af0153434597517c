// RegistryClient against a real docker-registry on loopback, started (with a
// config of its own, on a free port) and stopped by this fixture through
// tests/lib/registry.bash — the same helper the Bats tests use.
#include "registry/registry_client.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "copy/image_copier.h"
#include "http/client.h"
#include "store/blob_stream.h"
#include "store/memory_store.h"
#include "store/registry_store.h"
#include "testing/image_builder.h"

namespace mk::registry {
namespace {

std::string SourceDir() {
  if (const char* d = std::getenv("MK_SOURCE_DIR")) return d;
  std::string file = __FILE__;
  return file.substr(0, file.rfind("tests/integration/"));
}

std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[256];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

class RealRegistry : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::access("/usr/bin/docker-registry", X_OK) != 0) GTEST_SKIP() << "docker-registry is not installed (make deps)";
    char tmpl[] = "/tmp/mk-registry-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    addr_ = Shell("bash -c 'source \"" + SourceDir() + "tests/lib/registry.bash\" && registry_start \"" + dir_ +
                  "/r\"' 3>&-");
    ASSERT_NE(addr_.find("127.0.0.1:"), std::string::npos) << "registry did not start: " << addr_;
  }
  static void TearDownTestSuite() {
    if (dir_.empty()) return;
    Shell("bash -c 'source \"" + SourceDir() + "tests/lib/registry.bash\" && registry_stop \"" + dir_ + "/r\"'");
    Shell("rm -rf '" + dir_ + "'");
  }
  void SetUp() override {
    if (addr_.empty()) GTEST_SKIP();
    client_ = NewClient();
  }
  // Plain HTTP, named --insecure as a user would; small chunks so a few
  // hundred KiB take the PATCH path.
  std::unique_ptr<RegistryClient> NewClient() {
    RegistryOptions o;
    o.insecure = true;
    o.chunk_size = 64 << 10;
    return std::make_unique<RegistryClient>(addr_, http_, auth_, o);
  }

  static std::string dir_, addr_;
  http::Client http_{http::ClientOptions{}};
  auth::AuthStore auth_;
  std::unique_ptr<RegistryClient> client_;
};

std::string RealRegistry::dir_;
std::string RealRegistry::addr_;

TEST_F(RealRegistry, ChunkedAndMonolithicUploadsThenMount) {
  store::MemoryStore mem("mem.test");
  const Reference mem_repo = Reference::Parse("mem.test/src").value();
  oci::Descriptor small = fixtures::PutBlob(mem, "src", fixtures::RandomBytes(1000, 1));
  oci::Descriptor large = fixtures::PutBlob(mem, "src", fixtures::RandomBytes(300000, 2));  // 5 chunks
  store::RegistryStore reg(NewClient());
  const Reference a = Reference::Parse(addr_ + "/it/a").value();
  for (const auto& d : {small, large}) {
    ASSERT_TRUE(store::CopyBlob(mem, mem_repo, reg, a, d).ok());
    EXPECT_TRUE(*client_->HasBlob("it/a", d.digest));
    std::string back = *store::ReadBlobToString(reg, a, d, 1 << 20);
    EXPECT_EQ(Digest::Sha256Of(back), d.digest);
  }
  EXPECT_FALSE(*client_->HasBlob("it/b", large.digest));
  EXPECT_TRUE(*client_->MountBlob("it/b", large.digest, "it/a"));
  EXPECT_TRUE(*client_->HasBlob("it/b", large.digest));
  EXPECT_FALSE(*client_->MountBlob("it/c", Digest::Sha256Of("absent"), "it/a"));
}

TEST_F(RealRegistry, CorruptUploadIsNeverCommitted) {
  store::MemoryStore mem("mem.test");
  const Reference mem_repo = Reference::Parse("mem.test/src").value();
  std::string bytes = fixtures::RandomBytes(200000, 3);
  oci::Descriptor d = fixtures::PutBlob(mem, "src", bytes);
  bytes[199999] ^= 1;
  mem.PutRawBlob("src", d.digest, bytes);
  store::RegistryStore reg(NewClient());
  const Reference a = Reference::Parse(addr_ + "/it/corrupt").value();
  EXPECT_EQ(store::CopyBlob(mem, mem_repo, reg, a, d).code(), Code::kDataLoss);
  EXPECT_FALSE(*client_->HasBlob("it/corrupt", d.digest));
}

TEST_F(RealRegistry, ManifestsByTagAndDigestAndPaginatedTags) {
  store::MemoryStore* mem = new store::MemoryStore("mem.test");
  oci::Manifest m = fixtures::MakeImage(*mem, "src", fixtures::ConfigJson("amd64"),
                                        {fixtures::PutBlob(*mem, "src", fixtures::RandomBytes(5000, 4))});
  auth::AuthStore auth;
  store::ResolverOptions ro;
  ro.insecure_hosts.insert(addr_);
  store::StoreResolver resolver(http_, auth, ro);
  resolver.Register("mem.test", std::unique_ptr<store::Store>(mem));
  copy::BlobLedger ledger;
  copy::ImageCopier copier(resolver, ledger);
  for (int i = 0; i < 5; ++i) {
    auto out = copier.Copy(Reference::Parse("mem.test/src@" + m.digest.str()).value(),
                           Reference::Parse(addr_ + "/it/tags:v" + std::to_string(i)).value());
    ASSERT_TRUE(out.ok()) << out.status().message();
  }
  auto got = client_->GetManifest("it/tags", "v3");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->raw, m.raw);
  EXPECT_EQ(**client_->HeadManifest("it/tags", m.digest.str()), m.digest);
  EXPECT_FALSE(client_->HeadManifest("it/tags", "nope")->has_value());
  EXPECT_EQ(client_->GetManifest("it/tags", "nope").status().code(), Code::kNotFound);
  auto tags = client_->ListTags("it/tags", 2);  // three pages
  ASSERT_TRUE(tags.ok()) << tags.status().message();
  std::sort(tags->begin(), tags->end());  // registries need not sort across pages
  EXPECT_EQ(*tags, (std::vector<std::string>{"v0", "v1", "v2", "v3", "v4"}));
}

TEST_F(RealRegistry, UnknownHostAndClosedPortAreUnavailable) {
  RegistryOptions o;
  o.insecure = true;
  RegistryClient closed("127.0.0.1:1", http_, auth_, o);
  auto r = closed.GetManifest("a/b", "latest");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_NE(r.status().message().find("cannot reach registry 127.0.0.1:1"), std::string::npos);
}

}  // namespace
}  // namespace mk::registry
