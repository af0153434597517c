#include "plugin/front.h"

#include <errno.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace mk::plugin {
namespace {

using Args = std::vector<std::string>;

TEST(FrontTest, BuiltInsAreSortedAndKnown) {
  const auto& all = BuiltIns();
  ASSERT_FALSE(all.empty());
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(),
                             [](const BuiltIn& a, const BuiltIn& b) { return std::string(a.name) < b.name; }));
  for (const BuiltIn& b : all) {
    EXPECT_TRUE(ValidName(b.name)) << b.name;
    EXPECT_NE(std::string(b.summary), "") << b.name;
    EXPECT_EQ(std::string(b.summary).find('\n'), std::string::npos) << b.name;
  }
  EXPECT_TRUE(IsBuiltIn("blob-copy"));
  EXPECT_FALSE(IsBuiltIn("mirrorkit"));
  EXPECT_FALSE(IsBuiltIn("blob"));
  EXPECT_FALSE(IsBuiltIn("mirror-release"));
}

TEST(FrontTest, OwnOptionsComeBeforeTheCommand) {
  EXPECT_EQ(CommandIndex({}), 0u);
  EXPECT_EQ(CommandIndex({"--version"}), 1u);
  EXPECT_EQ(CommandIndex({"blob-copy", "--help"}), 0u);
  EXPECT_EQ(CommandIndex({"--exec-path", "release-list", "-a", "x"}), 1u);
  // An empty word is a command (not found), never skipped.
  EXPECT_EQ(CommandIndex({"", "blob-copy"}), 0u);
}

TEST(FrontTest, BuiltInRunsWithItsOwnNameAndEveryArgument) {
  Decision d = Decide({"blob-copy", "--jobs", "2", "a", "b"});
  EXPECT_EQ(d.action, Action::kRunBuiltIn);
  EXPECT_EQ(d.name, "blob-copy");
  EXPECT_EQ(d.argv, (Args{"blob-copy", "--jobs", "2", "a", "b"}));
}

TEST(FrontTest, AnythingElseIsAPlugin) {
  Decision d = Decide({"mirror-release", "--from", "r", "--", "help"});
  EXPECT_EQ(d.action, Action::kRunPlugin);
  EXPECT_EQ(d.name, "mirror-release");
  EXPECT_EQ(d.argv, (Args{"mirrorkit-mirror-release", "--from", "r", "--", "help"}));
  // A name that is no plugin name still goes to the lookup, which refuses it.
  EXPECT_EQ(Decide({"../bin/sh"}).action, Action::kRunPlugin);
}

TEST(FrontTest, HelpAndPlugins) {
  EXPECT_EQ(Decide({}).action, Action::kUsage);
  EXPECT_EQ(Decide({"help"}).action, Action::kHelpIndex);
  EXPECT_EQ(Decide({"help", "plugins"}).action, Action::kHelpIndex);
  EXPECT_EQ(Decide({"plugins"}).action, Action::kPlugins);
  EXPECT_EQ(Decide({"plugins", "x"}).action, Action::kUsageError);
  EXPECT_EQ(Decide({"help", "a", "b"}).action, Action::kUsageError);
  EXPECT_EQ(Decide({"help", "--all"}).action, Action::kUsageError);
  Decision tool = Decide({"help", "ics-gen"});
  EXPECT_EQ(tool.action, Action::kRunBuiltIn);
  EXPECT_EQ(tool.argv, (Args{"ics-gen", "--help"}));
  Decision plugin = Decide({"help", "mirror-release"});
  EXPECT_EQ(plugin.action, Action::kRunPlugin);
  EXPECT_EQ(plugin.argv, (Args{"mirrorkit-mirror-release", "--help"}));
}

TEST(FrontTest, ExecFailures) {
  EXPECT_EQ(ExecFailureExit(ENOENT), 127);
  EXPECT_EQ(ExecFailureExit(EACCES), 126);
  EXPECT_EQ(ExecFailureExit(ENOEXEC), 126);
  EXPECT_EQ(NotACommand("frob"), "'frob' is not a mirrorkit command; see 'mirrorkit help'");
}

std::vector<Listed> SomePlugins() {
  return {
      {"blob-copy", {"/p/mirrorkit-blob-copy", Origin::kPath}, {}},
      {"mirror-release", {"/a/mirrorkit-mirror-release", Origin::kPluginPath}, {"/p/mirrorkit-mirror-release"}},
      {"plugins", {"/p/mirrorkit-plugins", Origin::kPath}, {}},
      {"storage-oci-archive", {"/i/mirrorkit-storage-oci-archive", Origin::kInstalled}, {}},
  };
}

TEST(FrontTest, ListingsNeverOfferWhatCannotRun) {
  std::string list = CommandList(BuiltIns(), SomePlugins());
  EXPECT_NE(list.find("blob-copy\n"), std::string::npos);
  EXPECT_NE(list.find("help\nplugins\nmirror-release\n"), std::string::npos);
  EXPECT_EQ(list.find("storage-oci-archive"), std::string::npos);
  // Each name once, though a plugin of a built-in's name exists.
  EXPECT_EQ(list.find("blob-copy"), list.rfind("blob-copy"));
  EXPECT_EQ(list.find("plugins"), list.rfind("plugins"));

  std::string index = HelpIndex(BuiltIns(), SomePlugins());
  EXPECT_NE(index.find("   release-list        list a release's"), std::string::npos);
  EXPECT_NE(index.find("   mirror-release      /a/mirrorkit-mirror-release\n"), std::string::npos);
  EXPECT_NE(index.find("Storage plugins"), std::string::npos);
  EXPECT_EQ(index.find("/p/mirrorkit-blob-copy"), std::string::npos);
  EXPECT_NE(HelpIndex({}, {}).find("(none found)"), std::string::npos);
}

TEST(FrontTest, PluginsReportTellsOriginsAndShadowing) {
  std::string report = PluginsReport(SomePlugins());
  EXPECT_NE(report.find("mirror-release /a/mirrorkit-mirror-release (MIRRORKIT_PLUGIN_PATH)\n"
                        "    shadows /p/mirrorkit-mirror-release\n"),
            std::string::npos);
  EXPECT_NE(report.find("blob-copy /p/mirrorkit-blob-copy (PATH)\n    never run: 'mirrorkit blob-copy' is built in"),
            std::string::npos);
  EXPECT_NE(report.find("storage-oci-archive /i/mirrorkit-storage-oci-archive (installed)\n"), std::string::npos);
  EXPECT_EQ(PluginsReport({}), "");
}

TEST(FrontTest, OnlyInstalledToolsAreOffered) {
  char tmpl[] = "/tmp/mk-front-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  auto make = [&](const std::string& name, mode_t mode) {
    std::string path = dir + "/" + name;
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
    chmod(path.c_str(), mode);
  };
  make("ics-gen", 0755);
  make("blob-copy", 0644);  // not executable: not installed
  make("frob", 0755);       // not a tool
  auto tools = InstalledBuiltIns(dir);
  ASSERT_EQ(tools.size(), 1u);
  EXPECT_STREQ(tools[0].name, "ics-gen");
  EXPECT_EQ(CommandList(tools, {}), "ics-gen\nhelp\nplugins\n");
  EXPECT_TRUE(InstalledBuiltIns("").empty());
  for (const char* f : {"ics-gen", "blob-copy", "frob"}) unlink((dir + "/" + f).c_str());
  rmdir(dir.c_str());
}

TEST(FrontTest, ExeDirIsAnAbsoluteDirectory) {
  std::string dir = ExeDir();
  ASSERT_FALSE(dir.empty());
  EXPECT_EQ(dir[0], '/');
  EXPECT_NE(dir.back(), '/');
}

}  // namespace
}  // namespace mk::plugin
