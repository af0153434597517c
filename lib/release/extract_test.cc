#include "release/extract.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "base/signals.h"
#include "base/unique_fd.h"
#include "http/client.h"
#include "testing/image_builder.h"
#include "testing/temp_dir.h"

namespace mk::release {
namespace {

std::string ReadAll(const std::string& path) { return ReadFileLimited(path, 64 << 20).value(); }

TEST(Placeholder, WrittenAcrossChunkBoundariesLikeOc) {
  fixtures::ScopedTempDir tmp;
  const std::string ph = ImagePlaceholder().Bytes();
  ASSERT_EQ(ph.size(), 327u);
  // Two placeholders, the first straddling the 1 MiB read size.
  std::string content = fixtures::RandomBytes((1 << 20) - 100, 1) + ph + "middle" + ph + "end";
  std::string path = tmp.path() + "/bin";
  ASSERT_TRUE(WriteFileAtomic(path, content).ok());
  UniqueFd fd(::open(path.c_str(), O_RDWR));
  const std::string value = "mirror.example.com:5000/ocp4/openshift4@sha256:" + std::string(64, 'a');
  auto n = WritePlaceholder(fd.get(), ImagePlaceholder(), value);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  std::string got = ReadAll(path);
  ASSERT_EQ(got.size(), content.size());  // every other byte unchanged
  size_t at = (1 << 20) - 100;
  EXPECT_EQ(got.substr(0, at), content.substr(0, at));
  EXPECT_EQ(got.substr(at, value.size() + 1), value + std::string(1, '\0'));
  EXPECT_EQ(got.substr(at + value.size() + 1, ph.size() - value.size() - 1), ph.substr(value.size() + 1));
  EXPECT_EQ(got.find("_RELEASE_IMAGE_LOCATION_"), std::string::npos);
}

TEST(Placeholder, RefusesTooLongValuesAndCountsNone) {
  fixtures::ScopedTempDir tmp;
  std::string path = tmp.path() + "/bin";
  ASSERT_TRUE(WriteFileAtomic(path, "no placeholder here").ok());
  UniqueFd fd(::open(path.c_str(), O_RDWR));
  EXPECT_EQ(*WritePlaceholder(fd.get(), ImagePlaceholder(), "x"), 0);
  EXPECT_FALSE(WritePlaceholder(fd.get(), ImagePlaceholder(), std::string(327, 'x')).ok());
  EXPECT_TRUE(WritePlaceholder(fd.get(), ImagePlaceholder(), std::string(326, 'x')).ok());
  EXPECT_EQ(VersionPlaceholder().Bytes().size(), 93u);
  EXPECT_EQ(ArchitecturePlaceholder().Bytes().size(), 98u);
}

TEST(Commands, Table) {
  EXPECT_EQ(CommandFor("openshift-install")->component, "installer");
  EXPECT_EQ(CommandFor("openshift-install-mac")->path, "usr/share/openshift/mac/openshift-install");
  EXPECT_EQ(CommandFor("oc")->path, "usr/bin/oc");
  EXPECT_FALSE(CommandFor("oc")->pin);
  EXPECT_FALSE(CommandFor("bash").ok());
}

using fixtures::TarEntry;

std::string MakeLayer(const std::vector<TarEntry>& entries) { return fixtures::MakeTarGzEntries(entries); }

class ExtractTest : public ::testing::Test {
 protected:
  ExtractTest() : client_(http::ClientOptions{}), stores_(client_, auth_, {}) {}

  // A release in an in-memory store "mem.test", with an installer image
  // made of the given layers.
  ReleaseImage Release(const std::vector<std::vector<TarEntry>>& layers) {
    auto store = std::make_unique<store::MemoryStore>("mem.test");
    std::vector<oci::Descriptor> descs;
    for (const auto& l : layers) descs.push_back(fixtures::PutBlob(*store, "ocp", MakeLayer(l)));
    oci::Manifest installer = fixtures::MakeImage(*store, "ocp", fixtures::ConfigJson("amd64"), descs);
    mem_ = store.get();
    stores_.Register("mem.test", std::move(store));
    ReleaseImage r;
    r.requested = Reference::Parse("mem.test/ocp:4.3.0-x86_64").value();
    r.top_digest = Digest::Sha256Of("release");
    r.go_arch = "amd64";
    r.arch = "x86_64";
    r.contents.name = "4.3.0";
    r.contents.components.push_back({"installer", Reference::Parse("quay.io/o/art@" + installer.digest.str()).value()});
    return r;
  }
  Result<ExtractResult> Extract(const ReleaseImage& r) {
    ExtractOptions o;
    o.command = "openshift-install";
    o.to_dir = tmp_.path() + "/out";
    o.max_bytes = 1 << 20;
    return ExtractCommand(stores_, store::Location{"", "mem.test/ocp:4.3.0-x86_64"}, r, o);
  }

  fixtures::ScopedTempDir tmp_;
  auth::AuthStore auth_;
  http::Client client_;
  store::StoreResolver stores_;
  store::MemoryStore* mem_ = nullptr;
};

TEST_F(ExtractTest, PinsTheInstallerFromTheLastLayerThatHasIt) {
  const std::string ph = ImagePlaceholder().Bytes();
  auto r = Release({{{"usr/bin/openshift-install", "old" + ph}},
                    {{"usr/bin/openshift-install", "ELF" + ph + "tail"}, {"usr/bin/other", "x"}}});
  auto got = Extract(r);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->pinned_to, "mem.test/ocp@" + r.top_digest.str());
  std::string bin = ReadAll(tmp_.path() + "/out/openshift-install");
  EXPECT_EQ(bin.substr(0, 3), "ELF");
  EXPECT_EQ(bin.substr(3, got->pinned_to.size()), got->pinned_to);
  EXPECT_EQ(::access((tmp_.path() + "/out/openshift-install").c_str(), X_OK), 0);
}

TEST_F(ExtractTest, RefusesSymlinksHardLinksAndLeavesNothing) {
  auto sym = Release({{{"usr/bin/openshift-install", "", AE_IFLNK, "/etc/passwd"}}});
  auto got = Extract(sym);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("symlink"), std::string::npos);
  auto hard =
      Release({{{"etc/passwd", "root:x:0:0"}, {"usr/bin/openshift-install", "", AE_IFREG, "etc/passwd", true}}});
  got = Extract(hard);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("hard link"), std::string::npos);
  EXPECT_NE(::access((tmp_.path() + "/out/openshift-install").c_str(), F_OK), 0);
}

TEST_F(ExtractTest, TraversalEntriesWriteNothingOutside) {
  const std::string ph = ImagePlaceholder().Bytes();
  auto r = Release({{{"../../escape", "evil"}, {"/etc/evil-abs", "evil"}, {"usr/bin/openshift-install", ph}}});
  ASSERT_TRUE(Extract(r).ok());
  EXPECT_NE(::access((tmp_.path() + "/escape").c_str(), F_OK), 0);
  EXPECT_NE(::access("/etc/evil-abs", F_OK), 0);
}

TEST_F(ExtractTest, HostileLayersWriteNothingOutsideTheTarget) {
  // A symlink for the folder, then the file "through" it; names that climb
  // back to the path; an absolute link for a parent: only the one output
  // file is ever written, under to_dir, whatever the entries say.
  const std::string ph = ImagePlaceholder().Bytes();
  const std::string outside = tmp_.path() + "/outside";
  ASSERT_EQ(::mkdir(outside.c_str(), 0755), 0);
  auto r = Release({{{"usr/bin", "", AE_IFLNK, outside},
                     {"usr/bin/../../escape", "evil"},
                     {"usr/bin/openshift-install", "ELF" + ph},
                     {"./usr//bin/./x/../openshift-install", "not this"},
                     {"usr", "", AE_IFLNK, "/"}}});
  auto got = Extract(r);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->path, tmp_.path() + "/out/openshift-install");
  EXPECT_EQ(ReadAll(got->path).substr(0, 3), "ELF");
  DIR* d = ::opendir(outside.c_str());
  ASSERT_NE(d, nullptr);
  int entries = 0;
  while (struct dirent* e = ::readdir(d)) entries += std::string(e->d_name) != "." && std::string(e->d_name) != "..";
  ::closedir(d);
  EXPECT_EQ(entries, 0) << "something was written through the link";
  EXPECT_NE(::access((tmp_.path() + "/escape").c_str(), F_OK), 0);
  // A size past the cap in the header of the wanted file: refused naming it.
  ASSERT_EQ(::unlink(got->path.c_str()), 0);
  auto huge = Release({{{"usr/bin/openshift-install", std::string((1 << 20) + 1, 'x')}}});
  auto refused = Extract(huge);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("usr/bin/openshift-install"), std::string::npos);
  EXPECT_NE(::access((tmp_.path() + "/out/openshift-install").c_str(), F_OK), 0) << "a refused run leaves no file";
}

TEST_F(ExtractTest, WhiteoutHidesLowerLayersAndMissingPlaceholderIsRefused) {
  const std::string ph = ImagePlaceholder().Bytes();
  auto gone = Release({{{"usr/bin/openshift-install", ph}}, {{"usr/bin/.wh.openshift-install", ""}}});
  EXPECT_EQ(Extract(gone).status().code(), Code::kNotFound);
  auto unpinnable = Release({{{"usr/bin/openshift-install", "no placeholder"}}});
  auto got = Extract(unpinnable);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("placeholder"), std::string::npos);
  EXPECT_NE(::access((tmp_.path() + "/out/openshift-install").c_str(), F_OK), 0);
  auto big = Release({{{"usr/bin/openshift-install", std::string(2 << 20, 'x')}}});
  EXPECT_NE(Extract(big).status().message().find("larger than"), std::string::npos);
}

TEST_F(ExtractTest, TheLastEntryOfAPathInALayerWins) {
  // tar -x and container runtimes apply a layer in order: a later entry of
  // the same path replaces an earlier one, a later whiteout removes it.
  const std::string ph = ImagePlaceholder().Bytes();
  auto twice = Release({{{"usr/bin/openshift-install", "FIRST, and longer than the second" + ph},
                         {"usr/bin/other", "x"},
                         {"usr/bin/openshift-install", "LAST" + ph}}});
  auto got = Extract(twice);
  ASSERT_TRUE(got.ok()) << got.status().message();
  std::string bin = ReadAll(tmp_.path() + "/out/openshift-install");
  EXPECT_EQ(bin.substr(0, 4), "LAST");
  EXPECT_EQ(bin.size(), 4 + ph.size());
  EXPECT_EQ(got->size, 4 + ph.size());

  // Written, removed, written again: only the last bytes.
  auto again = Release({{{"usr/bin/openshift-install", "FIRST, and longer than the second" + ph},
                         {"usr/bin/.wh.openshift-install", ""},
                         {"usr/bin/openshift-install", "AGAIN" + ph}}});
  got = Extract(again);
  ASSERT_TRUE(got.ok()) << got.status().message();
  bin = ReadAll(tmp_.path() + "/out/openshift-install");
  EXPECT_EQ(bin.size(), 5 + ph.size());
  EXPECT_EQ(bin.substr(0, 5), "AGAIN");

  auto removed = Release({{{"usr/bin/openshift-install", "lower" + ph}},
                          {{"usr/bin/openshift-install", "upper" + ph}, {"usr/bin/.wh.openshift-install", ""}}});
  EXPECT_EQ(Extract(removed).status().code(), Code::kNotFound);

  // A whiteout first, then the file: the file is there.
  auto readded = Release({{{"usr/bin/openshift-install", "lower" + ph}},
                          {{"usr/.wh.bin", ""}, {"usr/bin/openshift-install", "readded" + ph}}});
  got = Extract(readded);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(ReadAll(tmp_.path() + "/out/openshift-install").substr(0, 7), "readded");

  // An opaque directory hides lower layers only, not its own layer's file.
  auto opaque = Release({{{"usr/bin/openshift-install", "lower" + ph}},
                         {{"usr/bin/openshift-install", "own" + ph}, {"usr/bin/.wh..wh..opq", ""}}});
  got = Extract(opaque);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(ReadAll(tmp_.path() + "/out/openshift-install").substr(0, 3), "own");

  // A regular file replaced by a symlink is refused; the reverse is fine.
  auto to_link =
      Release({{{"usr/bin/openshift-install", ph}, {"usr/bin/openshift-install", "", AE_IFLNK, "/etc/passwd"}}});
  EXPECT_EQ(Extract(to_link).status().code(), Code::kPermissionDenied);
  auto from_link =
      Release({{{"usr/bin/openshift-install", "", AE_IFLNK, "/etc/passwd"}, {"usr/bin/openshift-install", ph}}});
  EXPECT_TRUE(Extract(from_link).ok());
}

// Raises the interrupt flag once the pinning has begun: the temporary file
// then holds the whole command and the first value written over its
// placeholder.
std::string g_probe_dir;
bool PinningStarted() {
  DIR* d = ::opendir(g_probe_dir.c_str());
  if (!d) return false;
  bool started = false;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.rfind(".openshift-install.tmp-", 0) != 0) continue;
    auto text = ReadFileLimited(g_probe_dir + "/" + name, 64 << 20);
    started = text.ok() && text->find("mem.test/ocp@sha256:") != std::string::npos;
  }
  ::closedir(d);
  return started;
}

TEST_F(ExtractTest, InterruptWhilePinningLeavesNoFile) {
  const std::string ph = ImagePlaceholder().Bytes();
  // Several read chunks, so that the rewrite polls more than once.
  auto r =
      Release({{{"usr/bin/openshift-install", ph + fixtures::RandomBytes(3 << 20, 7) + VersionPlaceholder().Bytes()}}});
  g_probe_dir = tmp_.path() + "/out";
  SetInterruptProbeForTest(&PinningStarted);
  ExtractOptions o;
  o.command = "openshift-install";
  o.to_dir = g_probe_dir;
  o.max_bytes = 16 << 20;
  auto got = ExtractCommand(stores_, store::Location{"", "mem.test/ocp:4.3.0-x86_64"}, r, o);
  bool was_interrupted = Interrupted();
  ResetInterruptedForTest();
  EXPECT_TRUE(was_interrupted);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Code::kCancelled);
  DIR* d = ::opendir(g_probe_dir.c_str());
  ASSERT_NE(d, nullptr);
  std::vector<std::string> left;
  while (struct dirent* e = ::readdir(d))
    if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") left.push_back(e->d_name);
  ::closedir(d);
  EXPECT_TRUE(left.empty()) << left.front();
}

TEST_F(ExtractTest, ARerunRemovesTheTemporaryOfAKilledRun) {
  const std::string ph = ImagePlaceholder().Bytes();
  auto r = Release({{{"usr/bin/openshift-install", ph}}});
  ASSERT_TRUE(MakeDirectories(tmp_.path() + "/out").ok());
  // What a SIGKILL leaves: an unlocked temporary; another command's stays.
  ASSERT_TRUE(WriteFileAtomic(tmp_.path() + "/out/.openshift-install.tmp-Killed", "half").ok());
  ASSERT_TRUE(WriteFileAtomic(tmp_.path() + "/out/.oc.tmp-Killed", "half").ok());
  ASSERT_TRUE(Extract(r).ok());
  EXPECT_NE(::access((tmp_.path() + "/out/.openshift-install.tmp-Killed").c_str(), F_OK), 0);
  EXPECT_EQ(::access((tmp_.path() + "/out/.oc.tmp-Killed").c_str(), F_OK), 0);
}

}  // namespace
}  // namespace mk::release
