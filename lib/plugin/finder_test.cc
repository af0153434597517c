#include "plugin/finder.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace mk::plugin {
namespace {

namespace fs = std::filesystem;

class FinderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mk-finder-XXXXXX";
    root_ = mkdtemp(tmpl);
    fs::create_directories(root_ / "a");
    fs::create_directories(root_ / "b");
    fs::create_directories(root_ / "p");
    const char* old = getenv("PATH");
    old_path_ = old ? old : "";
    setenv("PATH", (root_ / "p").c_str(), 1);
    setenv(kPathVariable, ((root_ / "a").string() + "::" + (root_ / "b").string()).c_str(), 1);
  }
  void TearDown() override {
    setenv("PATH", old_path_.c_str(), 1);
    unsetenv(kPathVariable);
    fs::remove_all(root_);
  }
  void Make(const std::string& dir, const std::string& file, bool exec) {
    fs::path p = root_ / dir / file;
    std::ofstream(p) << "#!/bin/sh\n";
    chmod(p.c_str(), exec ? 0755 : 0644);
  }
  fs::path root_;
  std::string old_path_;
};

TEST_F(FinderTest, PluginPathComesFirstThenPath) {
  Make("b", "mirrorkit-x", true);
  Make("p", "mirrorkit-x", true);
  Make("p", "mirrorkit-y", true);
  auto x = Find("x");
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->path, (root_ / "b" / "mirrorkit-x").string());
  EXPECT_EQ(x->origin, Origin::kPluginPath);
  auto y = Find("y");
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->origin, Origin::kPath);
}

TEST_F(FinderTest, MissingAndNotExecutableAreTold) {
  Make("a", "mirrorkit-noexec", false);
  EXPECT_EQ(Find("absent").status().code(), Code::kNotFound);
  EXPECT_EQ(Find("noexec").status().code(), Code::kPermissionDenied);
}

TEST_F(FinderTest, NamesAreNeverPaths) {
  EXPECT_FALSE(ValidName("../x"));
  EXPECT_FALSE(ValidName("a/b"));
  EXPECT_FALSE(ValidName(""));
  EXPECT_FALSE(ValidName("-x"));
  EXPECT_TRUE(ValidName("storage-oci-archive"));
  EXPECT_EQ(Find("../../bin/sh").status().code(), Code::kInvalidArgument);
}

TEST_F(FinderTest, ListAllReportsShadowing) {
  Make("a", "mirrorkit-x", true);
  Make("p", "mirrorkit-x", true);
  Make("b", "mirrorkit-z", true);
  Make("b", "not-a-plugin", true);
  auto all = ListAll();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "x");
  EXPECT_EQ(all[0].found.path, (root_ / "a" / "mirrorkit-x").string());
  ASSERT_EQ(all[0].shadowed.size(), 1u);
  EXPECT_EQ(all[0].shadowed[0], (root_ / "p" / "mirrorkit-x").string());
  EXPECT_EQ(all[1].name, "z");
}

}  // namespace
}  // namespace mk::plugin
