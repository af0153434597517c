#include "store/plugin_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <thread>

#include "archive/tar.h"
#include "store/blob_stream.h"
#include "store/location.h"
#include "store/memory_store.h"
#include "store/oci_archive.h"
#include "store/plugin_store_server.h"
#include "testing/image_builder.h"
#include "testing/temp_dir.h"

namespace mk::store {
namespace {

Reference Ref(const std::string& s) { return Reference::Parse(s).value(); }

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// A PluginStore speaking to an OciArchive served on a thread of this
// process, over two pipes: the protocol exactly as between processes.
class InProcess {
 public:
  explicit InProcess(const std::string& file) : archive_(file) {
    int to[2], from[2];
    if (::pipe2(to, O_CLOEXEC) != 0 || ::pipe2(from, O_CLOEXEC) != 0) return;
    server_ = std::thread([this, in = to[0], out = from[1]] {
      served_ = ServePlugin(archive_, in, out);
      ::close(in);
      ::close(out);
    });
    auto connected = PluginStore::Connect(UniqueFd(to[1]), UniqueFd(from[0]), "test-plugin");
    if (connected.ok())
      store_ = std::move(connected).value();
    else
      connect_error_ = connected.status();
  }
  ~InProcess() { Close(); }
  // Ends the connection (without finish unless Finish ran) and waits for
  // the server to see it.
  void Close() {
    store_.reset();
    if (server_.joinable()) server_.join();
  }
  PluginStore& store() { return *store_; }
  bool ok() const { return store_ != nullptr; }
  const Status& connect_error() const { return connect_error_; }
  const Status& served() const { return served_; }

 private:
  OciArchive archive_;
  std::thread server_;
  std::unique_ptr<PluginStore> store_;
  Status connect_error_;
  Status served_;
};

class PluginStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);
    file_ = tmp_.path() + "/images.tar";
    layers_ = {fixtures::PutBlob(src_, "src/app", fixtures::RandomBytes(3 << 20, 7)),  // several chunks
               fixtures::PutBlob(src_, "src/app", fixtures::RandomBytes(1000, 8))};
    image_ = fixtures::MakeImage(src_, "src/app", fixtures::ConfigJson("amd64"), layers_);
  }

  // Copies the image src_ holds into store under name, as the copier does.
  void CopyInto(Store& store, const std::string& name, const oci::Manifest& image) {
    Reference dest = Ref(name);
    std::vector<oci::Descriptor> blobs = image.layers;
    blobs.push_back(image.config);
    for (const auto& b : blobs) {
      if (*store.HasBlob(dest, b)) continue;
      Status s = CopyBlob(src_, kSrc, store, dest, b);
      ASSERT_TRUE(s.ok()) << s.message();
    }
    Status s = store.PutManifest(dest, image, ManifestRole::kTop);
    ASSERT_TRUE(s.ok()) << s.message();
  }

  std::string Fetch(Store& store, const oci::Descriptor& d) {
    std::string got;
    Status s = FetchVerified(store, kSrc, d, [&](const char* p, size_t n) {
      got.append(p, n);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return got;
  }

  const Reference kSrc = Ref("mem.test/src/app");
  fixtures::ScopedTempDir tmp_;
  std::string file_;
  MemoryStore src_{"src"};
  std::vector<oci::Descriptor> layers_;
  oci::Manifest image_;
};

TEST_F(PluginStoreTest, AnImageGoesIntoAnArchiveAndComesBackByteForByte) {
  {
    InProcess p(file_);
    ASSERT_TRUE(p.ok()) << p.connect_error().message();
    EXPECT_EQ(p.store().operations().size(), 7u);
    CopyInto(p.store(), "example.com/rel/app:1.0", image_);
    // Not on disk under its name before finish; staged beside it.
    EXPECT_FALSE(Exists(file_));
    EXPECT_TRUE(Exists(file_ + ".partial.d"));
    Status s = p.store().Finish();
    ASSERT_TRUE(s.ok()) << s.message();
    p.Close();
    EXPECT_TRUE(p.served().ok()) << p.served().message();
  }
  ASSERT_TRUE(Exists(file_));
  EXPECT_FALSE(Exists(file_ + ".partial.d"));

  // A plain tar of an OCI layout.
  std::set<std::string> members;
  ASSERT_TRUE(
      archive::WalkTarFile(file_, [&](const archive::Entry& e, archive::EntryContent&) -> Result<archive::Visit> {
        members.insert(e.path);
        return archive::Visit::kContinue;
      }).ok());
  EXPECT_TRUE(members.count("oci-layout"));
  EXPECT_TRUE(members.count("index.json"));
  EXPECT_TRUE(members.count("blobs/sha256/" + std::string(image_.digest.hex())));
  EXPECT_TRUE(members.count("blobs/sha256/" + std::string(layers_[0].digest.hex())));

  InProcess p(file_);
  ASSERT_TRUE(p.ok()) << p.connect_error().message();
  auto listed = p.store().List();
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].name, "example.com/rel/app:1.0");
  auto ref = p.store().ResolveName("1.0");
  ASSERT_TRUE(ref.ok()) << ref.status().message();
  auto m = p.store().GetManifest(*ref);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->raw, image_.raw);
  EXPECT_EQ(m->digest, image_.digest);
  auto head = p.store().ManifestHead(*ref);
  ASSERT_TRUE(head.ok() && *head);
  EXPECT_EQ((*head)->digest, image_.digest);
  EXPECT_EQ(Digest::Sha256Of(Fetch(p.store(), layers_[0])), layers_[0].digest);
  EXPECT_EQ(Digest::Sha256Of(Fetch(p.store(), layers_[1])), layers_[1].digest);
  // From an offset (a resumed transfer), and a blob that is not there.
  std::string tail;
  ASSERT_TRUE(p.store()
                  .FetchBlobFrom(kSrc, layers_[1], 900,
                                 [&](const char* d, size_t n) {
                                   tail.append(d, n);
                                   return Status::Ok();
                                 })
                  .ok());
  EXPECT_EQ(tail.size(), 100u);
  oci::Descriptor absent = layers_[1];
  absent.digest = Digest::Sha256Of("absent");
  EXPECT_FALSE(*p.store().HasBlob(kSrc, absent));
  Status missing = p.store().FetchBlob(kSrc, absent, [](const char*, size_t) { return Status::Ok(); });
  EXPECT_EQ(missing.code(), Code::kNotFound) << missing.message();
  EXPECT_EQ(p.store().GetManifest(Ref("example.com/rel/app:2.0")).status().code(), Code::kNotFound);
  // Errors keep the stream in step: the next request is answered.
  EXPECT_TRUE(*p.store().HasBlob(kSrc, layers_[0]));
}

TEST_F(PluginStoreTest, WithoutFinishNothingIsWritten) {
  // The temporary of FILE a writer killed during its finish left.
  const std::string orphan = tmp_.path() + "/.images.tar.tmp-Orphan";
  std::ofstream(orphan) << "half an archive";
  InProcess p(file_);
  ASSERT_TRUE(p.ok());
  CopyInto(p.store(), "example.com/rel/app:1.0", image_);
  EXPECT_FALSE(Exists(orphan));  // removed when writing starts
  p.Close();                     // the core failed or was interrupted: stdin closes without "finish"
  EXPECT_TRUE(p.served().ok());
  EXPECT_FALSE(Exists(file_));
  EXPECT_FALSE(Exists(file_ + ".partial.d"));
}

TEST_F(PluginStoreTest, AWriteAddsToAnExistingArchive) {
  {
    InProcess p(file_);
    CopyInto(p.store(), "example.com/rel/app:1.0", image_);
    ASSERT_TRUE(p.store().Finish().ok());
  }
  oci::Descriptor extra = fixtures::PutBlob(src_, "src/app", fixtures::RandomBytes(5000, 9));
  oci::Manifest second = fixtures::MakeImage(src_, "src/app", fixtures::ConfigJson("arm64"), {extra});
  {
    InProcess p(file_);
    CopyInto(p.store(), "example.com/rel/app:2.0", second);
    ASSERT_TRUE(p.store().Finish().ok());
  }
  InProcess p(file_);
  auto listed = p.store().List();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ(p.store().GetManifest(Ref("example.com/rel/app:1.0"))->raw, image_.raw);
  EXPECT_EQ(p.store().GetManifest(Ref("example.com/rel/app:2.0"))->raw, second.raw);
  EXPECT_EQ(Digest::Sha256Of(Fetch(p.store(), layers_[0])), layers_[0].digest);
  EXPECT_EQ(Digest::Sha256Of(Fetch(p.store(), extra)), extra.digest);
}

TEST_F(PluginStoreTest, ThePluginRefusesBytesThatDoNotMatchTheDigest) {
  InProcess p(file_);
  ASSERT_TRUE(p.ok());
  std::string wrong = fixtures::RandomBytes(2 << 20, 11);
  oci::Descriptor d = layers_[0];  // claims another content, same size class
  d.size = static_cast<int64_t>(wrong.size());
  size_t at = 0;
  Status s = p.store().PushBlob(kSrc, d, [&](char* out, size_t n) -> Result<size_t> {
    size_t k = std::min(n, wrong.size() - at);
    std::memcpy(out, wrong.data() + at, k);
    at += k;
    return k;
  });
  EXPECT_EQ(s.code(), Code::kDataLoss) << s.message();
  EXPECT_FALSE(*p.store().HasBlob(kSrc, d));
  // A source that fails mid-way aborts the transfer; nothing is kept.
  at = 0;
  s = p.store().PushBlob(kSrc, d, [&](char* out, size_t n) -> Result<size_t> {
    if (at > 0) return IoError("source broke");
    size_t k = std::min<size_t>(n, 1000);
    std::memcpy(out, wrong.data(), k);
    at += k;
    return k;
  });
  EXPECT_EQ(s.code(), Code::kIo);
  EXPECT_EQ(s.message(), "source broke");
  EXPECT_FALSE(*p.store().HasBlob(kSrc, d));
  // A manifest whose blobs were refused is still accepted by a layout
  // (it does not check references), but one with a wrong digest is not.
  oci::Manifest forged = image_;
  forged.digest = Digest::Sha256Of("other");
  EXPECT_EQ(p.store().PutManifest(Ref("example.com/x:1"), forged, ManifestRole::kTop).code(), Code::kDataLoss);
}

// A script plugin in a directory on MIRRORKIT_PLUGIN_PATH.
class ScriptPluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);
    const char* old = std::getenv("MIRRORKIT_PLUGIN_PATH");
    if (old) saved_ = old;
    had_ = old != nullptr;
    ::setenv("MIRRORKIT_PLUGIN_PATH", tmp_.path().c_str(), 1);
  }
  void TearDown() override {
    if (had_)
      ::setenv("MIRRORKIT_PLUGIN_PATH", saved_.c_str(), 1);
    else
      ::unsetenv("MIRRORKIT_PLUGIN_PATH");
  }
  void Script(const std::string& scheme, const std::string& body) {
    std::string path = tmp_.path() + "/mirrorkit-storage-" + scheme;
    std::ofstream(path) << "#!/bin/sh\n" << body;
    ::chmod(path.c_str(), 0755);
  }
  fixtures::ScopedTempDir tmp_;
  std::string saved_;
  bool had_ = false;
};

TEST_F(ScriptPluginTest, AMissingPluginIsNamed) {
  auto s = PluginStore::Launch("nosuch", "x");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kNotFound);
  EXPECT_NE(s.status().message().find("no storage plugin mirrorkit-storage-nosuch"), std::string::npos)
      << s.status().message();
  EXPECT_NE(s.status().message().find("MIRRORKIT_PLUGIN_PATH"), std::string::npos);
}

TEST_F(ScriptPluginTest, AnotherProtocolVersionIsRefused) {
  Script("future", "read line; echo 'ok 2 list get-blob'; cat >/dev/null\n");
  auto s = PluginStore::Launch("future", "x");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kUnsupported);
  EXPECT_NE(s.status().message().find("protocol version 2"), std::string::npos) << s.status().message();
}

TEST_F(ScriptPluginTest, ErrorAnswersKeepTheirCodeAndAPluginThatDiesIsNamed) {
  // Answers capabilities, refuses one list with an error line, then dies
  // in the middle of a blob.
  Script("flaky",
         "read line; echo 'ok 1 list get-blob stat-blob'\n"
         "read line; echo 'error unavailable the tape robot is busy'\n"
         "read line; echo ok; echo 'data 10'; printf 'abc'; exit 3\n");
  auto launched = PluginStore::Launch("flaky", "robot1");
  ASSERT_TRUE(launched.ok()) << launched.status().message();
  PluginStore& s = **launched;
  EXPECT_FALSE(s.operations().count("put-blob"));
  auto listed = s.List();
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.status().code(), Code::kUnavailable);
  EXPECT_EQ(listed.status().message(), "the tape robot is busy");
  oci::Descriptor d;
  d.digest = Digest::Sha256Of("x");
  d.size = 10;
  Status fetched = s.FetchBlob(Ref("a.test/x"), d, [](const char*, size_t) { return Status::Ok(); });
  EXPECT_EQ(fetched.code(), Code::kInternal) << fetched.message();
  EXPECT_NE(fetched.message().find("mirrorkit-storage-flaky exited with status 3 during get-blob"), std::string::npos)
      << fetched.message();
  // Broken for good; an operation it never offered is refused as such.
  EXPECT_EQ(s.HasBlob(Ref("a.test/x"), d).status().code(), Code::kInternal);
  EXPECT_EQ(s.PushBlob(Ref("a.test/x"), d, [](char*, size_t) { return Result<size_t>(size_t{0}); }).code(),
            Code::kInternal);
}

TEST_F(ScriptPluginTest, APluginIsRunWithItsAddressAndFinishCommitsOnlyWrites) {
  std::string log = tmp_.path() + "/log";
  Script("rec", "echo \"$0 $*\" >'" + log +
                    "'\nread line; echo 'ok 1 put-manifest finish'\n"
                    "read line || exit 0; set -- $line; dd bs=1 count=$6 >/dev/null 2>&1; echo ok\n"
                    "read line || exit 0; echo \"$line\" >>'" +
                    log + "'; echo ok\nread line || exit 0; exit 9\n");
  auto launched = PluginStore::Launch("rec", "/some/where");
  ASSERT_TRUE(launched.ok()) << launched.status().message();
  auto index = oci::Manifest::Parse(
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})", "");
  ASSERT_TRUE(index.ok());
  Status put = (*launched)->PutManifest(Ref("example.com/a:1"), *index, ManifestRole::kTop);
  ASSERT_TRUE(put.ok()) << put.message();
  Status s = (*launched)->Finish();
  EXPECT_TRUE(s.ok()) << s.message();
  std::ifstream in(log);
  std::string first, second;
  std::getline(in, first);
  std::getline(in, second);
  EXPECT_NE(first.find("mirrorkit-storage-rec /some/where"), std::string::npos) << first;
  EXPECT_EQ(second, "finish");

  // A run that wrote nothing sends no "finish": the plugin's input ends.
  auto reader = PluginStore::Launch("rec", "/else/where");
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE((*reader)->Finish().ok());
  std::ifstream again(log);
  std::getline(again, first);
  EXPECT_NE(first.find("/else/where"), std::string::npos);
  EXPECT_FALSE(std::getline(again, second));
}

TEST(PluginLocation, TheGrammarIsFixedByTheTextAlone) {
  auto a = Location::Parse("oci-archive:/tmp/rel.tar:quay.io/ocp/release:4.3.0");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->is_plugin());
  EXPECT_TRUE(a->is_dir());  // keeps images by name, as a directory
  EXPECT_EQ(a->scheme, "oci-archive");
  EXPECT_EQ(a->dir, "/tmp/rel.tar");
  EXPECT_EQ(a->name, "quay.io/ocp/release:4.3.0");
  EXPECT_EQ(a->String(), "oci-archive:/tmp/rel.tar:quay.io/ocp/release:4.3.0");
  EXPECT_EQ(CanonicalName(*a), "quay.io/ocp/release:4.3.0");
  EXPECT_EQ(a->WithName("x.io/y:1").String(), "oci-archive:/tmp/rel.tar:x.io/y:1");

  auto b = Location::Parse("s3::bucket/prefix:example.com/app:1");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->scheme, "s3");
  EXPECT_EQ(b->dir, "bucket/prefix");
  EXPECT_EQ(b->name, "example.com/app:1");
  EXPECT_EQ(b->String(), "s3::bucket/prefix:example.com/app:1");
  auto c = Location::Parse("oci-archive::rel.tar");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->scheme, "oci-archive");
  EXPECT_EQ(c->dir, "rel.tar");
  EXPECT_EQ(c->String(), "oci-archive:rel.tar");

  // Shapes of references stay references, whatever plugins exist.
  for (const char* ref : {"ubuntu:22.04", "s3:latest", "localhost:5000/a/b:1",
                          "127.0.0.1:5000/x@sha256:"
                          "0000000000000000000000000000000000000000000000000000000000000000"}) {
    auto r = Location::Parse(ref);
    ASSERT_TRUE(r.ok()) << ref;
    EXPECT_FALSE(r->is_plugin()) << ref;
    EXPECT_FALSE(r->is_dir()) << ref;
    EXPECT_EQ(r->name, ref);
  }
  EXPECT_FALSE(Location::Parse("oci-archive:").ok());
  EXPECT_FALSE(Location::Parse("s3::").ok());
  EXPECT_FALSE(Location::Parse("dir::x").ok());
}

TEST(TarIndex, ReadsMembersInPlaceAndRefusesCompressedOrCutArchives) {
  fixtures::ScopedTempDir tmp;
  std::string path = tmp.path() + "/a.tar";
  std::string long_name = "blobs/sha256/" + std::string(120, 'a');
  {
    std::string bytes;
    archive::TarWriter w([&](const char* d, size_t n) {
      bytes.append(d, n);
      return Status::Ok();
    });
    ASSERT_TRUE(w.AddString("./oci-layout", "{}").ok());
    ASSERT_TRUE(w.AddString(long_name, "long name body").ok());
    ASSERT_TRUE(w.Close().ok());
    std::ofstream(path, std::ios::binary) << bytes;
    std::ofstream(path + ".cut", std::ios::binary) << bytes.substr(0, 700);
    std::ofstream(path + ".gz", std::ios::binary) << fixtures::MakeTarGz({{"oci-layout", "{}"}});
  }
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  auto index = TarIndex::Read(fd.get(), path);
  ASSERT_TRUE(index.ok()) << index.status().message();
  const TarIndex::Member* m = index->Find(long_name);
  ASSERT_NE(m, nullptr);
  std::string body(m->size, '\0');
  ASSERT_EQ(::pread(fd.get(), body.data(), body.size(), static_cast<off_t>(m->offset)), 14);
  EXPECT_EQ(body, "long name body");
  EXPECT_NE(index->Find("oci-layout"), nullptr);

  UniqueFd gz(::open((path + ".gz").c_str(), O_RDONLY | O_CLOEXEC));
  auto compressed = TarIndex::Read(gz.get(), "a.tar.gz");
  EXPECT_EQ(compressed.status().code(), Code::kUnsupported);
  EXPECT_NE(compressed.status().message().find("gzip"), std::string::npos);
  UniqueFd cut(::open((path + ".cut").c_str(), O_RDONLY | O_CLOEXEC));
  EXPECT_EQ(TarIndex::Read(cut.get(), "a.tar.cut").status().code(), Code::kDataLoss);
}

}  // namespace
}  // namespace mk::store
