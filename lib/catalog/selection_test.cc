#include "catalog/selection.h"

#include <gtest/gtest.h>

#include <set>

namespace mk::catalog {
namespace {

PackageSelector Sel(const char* text) {
  auto s = PackageSelector::Parse(text);
  EXPECT_TRUE(s.ok()) << text << ": " << s.status().message();
  return s.ok() ? *s : PackageSelector();
}

TEST(PackageSelector, Forms) {
  PackageSelector s = Sel("etcd");
  EXPECT_EQ(s.package, "etcd");
  EXPECT_EQ(s.channel, "");
  EXPECT_FALSE(s.has_range);
  s = Sel("etcd:alpha");
  EXPECT_EQ(s.channel, "alpha");
  EXPECT_FALSE(s.has_range);
  s = Sel("etcd:alpha:0.9.0-0.9.4");
  EXPECT_TRUE(s.has_range);
  EXPECT_EQ(s.min_version, "0.9.0");
  EXPECT_EQ(s.max_version, "0.9.4");
  s = Sel("etcd:alpha:1.2.0-rc.1-1.4.0");  // the only split with versions on both sides
  EXPECT_EQ(s.min_version, "1.2.0-rc.1");
  EXPECT_EQ(s.max_version, "1.4.0");
  s = Sel("etcd:alpha:1.2.0-1.4.0-rc.2");
  EXPECT_EQ(s.min_version, "1.2.0");
  EXPECT_EQ(s.max_version, "1.4.0-rc.2");
  s = Sel("etcd:alpha:v1.0.0..v2.0.0");
  EXPECT_EQ(s.min_version, "v1.0.0");
  EXPECT_EQ(s.max_version, "v2.0.0");
  s = Sel("etcd:alpha:1.0.0..");
  EXPECT_EQ(s.min_version, "1.0.0");
  EXPECT_EQ(s.max_version, "");
  s = Sel("etcd::..2.0.0");  // the default channel
  EXPECT_EQ(s.channel, "");
  EXPECT_EQ(s.max_version, "2.0.0");
  EXPECT_EQ(s.String(), "etcd::..2.0.0");
  EXPECT_EQ(Sel("etcd:alpha").String(), "etcd:alpha");
}

TEST(PackageSelector, RefusesNonsense) {
  for (const char* bad : {"", ":alpha", "etcd:", "etcd:a:b:c", "etcd:alpha:", "etcd:alpha:1.0.0", "etcd:alpha:..",
                          "etcd:alpha:2.0.0-1.0.0", "etcd:alpha:1.0-2.0", "etcd:alpha:x-y", "etcd:alpha:1.0.0..2.0",
                          "etcd alpha", "etcd:al\tpha"}) {
    auto s = PackageSelector::Parse(bad);
    EXPECT_FALSE(s.ok()) << bad;
    if (!s.ok()) {
      EXPECT_EQ(s.status().code(), Code::kInvalidArgument);
    }
  }
  // Two places to split: refused with the unambiguous form suggested.
  auto s = PackageSelector::Parse("etcd:alpha:1.0.0-1.0.0-2.0.0");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("MIN..MAX"), std::string::npos) << s.status().message();
}

// A small catalog:
//   package "etcd", default channel "stable":
//     stable: 0.9.1 replaces 0.9.0; 0.9.2 replaces 0.9.0; 0.9.3 replaces 0.9.2 with skipRange
//             ">=0.9.1 <0.9.3"; the head 0.9.4 replaces 0.9.3 and skips 0.9.1 (so 0.9.1 reaches 0.9.3
//             only through its skipRange)
//     alpha:  1.0.0 <- 1.1.0
//   package "redis", default channel "fast": one bundle.
Catalog Small() {
  Catalog c;
  c.packages = {{"etcd", "stable"}, {"redis", "fast"}};
  auto bundle = [&](const std::string& pkg, const std::string& name, const std::string& version) {
    Bundle b;
    b.name = name;
    b.package = pkg;
    b.version = version;
    b.image = "quay.io/x/" + name + "@sha256:" + std::string(64, 'a');
    c.bundles.push_back(b);
  };
  for (const char* v : {"0.9.0", "0.9.1", "0.9.2", "0.9.3", "0.9.4", "1.0.0", "1.1.0"})
    bundle("etcd", std::string("etcd.v") + v, v);
  bundle("redis", "redis.v1", "1.0.0");
  Channel stable{"stable", "etcd", {}};
  stable.entries = {
      {"etcd.v0.9.0", "", {}, ""},
      {"etcd.v0.9.1", "etcd.v0.9.0", {}, ""},
      {"etcd.v0.9.2", "etcd.v0.9.0", {}, ""},
      {"etcd.v0.9.3", "etcd.v0.9.2", {}, ">=0.9.1 <0.9.3"},
      {"etcd.v0.9.4", "etcd.v0.9.3", {"etcd.v0.9.1"}, ""},
  };
  Channel alpha{"alpha", "etcd", {{"etcd.v1.0.0", "", {}, ""}, {"etcd.v1.1.0", "etcd.v1.0.0", {}, ""}}};
  Channel fast{"fast", "redis", {{"redis.v1", "", {}, ""}}};
  c.channels = {alpha, stable, fast};
  return c;
}

// The names of the selected bundles.
std::set<std::string> Names(const Catalog& c, const Selection& s) {
  std::set<std::string> out;
  for (size_t b : s.AllBundles()) out.insert(c.bundles[b].name);
  return out;
}

Result<Selection> SelectText(const Catalog& c, std::vector<const char*> selectors) {
  std::vector<PackageSelector> sels;
  for (const char* t : selectors) sels.push_back(Sel(t));
  return Select(c, sels);
}

TEST(ChannelHead, IsTheEntryNobodyReplacesOrSkips) {
  Catalog c = Small();
  auto h = ChannelHead(c.channels[1]);
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_EQ(c.channels[1].entries[*h].name, "etcd.v0.9.4");
}

TEST(ChannelHead, ManyOrNoneIsAnError) {
  Channel two{"stable", "etcd", {{"a", "", {}, ""}, {"b", "", {}, ""}}};
  auto h = ChannelHead(two);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().message(), "channel 'stable' of package 'etcd' has more than one head: a, b");
  Channel loop{"stable", "etcd", {{"a", "b", {}, ""}, {"b", "a", {}, ""}}};
  h = ChannelHead(loop);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.status().message().find("no head"), std::string::npos);
}

TEST(Select, PackageAloneIsTheHeadOfItsDefaultChannel) {
  Catalog c = Small();
  auto s = SelectText(c, {"etcd"});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(Names(c, *s), (std::set<std::string>{"etcd.v0.9.4"}));
  ASSERT_EQ(s->packages.size(), 1u);
  EXPECT_EQ(s->packages[0].default_channel, "stable");
  ASSERT_EQ(s->packages[0].channels.size(), 1u);
  EXPECT_EQ(c.channels[s->packages[0].channels[0].channel].name, "stable");
  EXPECT_EQ(s->packages[0].channels[0].entries, std::vector<size_t>{4});
}

TEST(Select, ChannelIsItsHead) {
  Catalog c = Small();
  auto s = SelectText(c, {"etcd:alpha"});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(Names(c, *s), (std::set<std::string>{"etcd.v1.1.0"}));
  EXPECT_EQ(s->packages[0].default_channel, "alpha");  // stable is not kept
}

TEST(Select, RangeFollowsReplacesSkipsAndSkipRange) {
  Catalog c = Small();
  // Top 0.9.4: replaces 0.9.3, skips 0.9.1; 0.9.3 replaces 0.9.2; 0.9.0 is out of range.
  auto s = SelectText(c, {"etcd:stable:0.9.1-0.9.4"});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(Names(c, *s), (std::set<std::string>{"etcd.v0.9.1", "etcd.v0.9.2", "etcd.v0.9.3", "etcd.v0.9.4"}));
  // Top 0.9.3: 0.9.1 upgrades to it only through its skipRange.
  s = SelectText(c, {"etcd:stable:0.9.0..0.9.3"});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(Names(c, *s), (std::set<std::string>{"etcd.v0.9.0", "etcd.v0.9.1", "etcd.v0.9.2", "etcd.v0.9.3"}));
  EXPECT_EQ(s->packages[0].channels[0].entries, (std::vector<size_t>{0, 1, 2, 3}));
  // Top 0.9.2 (the default channel, an open lower end): 0.9.1 is in range
  // but upgrades only to bundles above it, off the path.
  s = SelectText(c, {"etcd::..0.9.2"});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(Names(c, *s), (std::set<std::string>{"etcd.v0.9.0", "etcd.v0.9.2"}));
  s = SelectText(c, {"etcd:stable:0.9.0-0.9.1"});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(Names(c, *s), (std::set<std::string>{"etcd.v0.9.0", "etcd.v0.9.1"}));
}

TEST(Select, EmptyRangeIsAnError) {
  Catalog c = Small();
  auto s = SelectText(c, {"etcd:stable:2.0.0-3.0.0"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "channel 'stable' of package 'etcd' has no bundle in the range 2.0.0..3.0.0");
}

TEST(Select, SelectorsOfOnePackageAddUp) {
  Catalog c = Small();
  auto s = SelectText(c, {"etcd:alpha", "redis", "etcd", "etcd:alpha:1.0.0..1.1.0"});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(Names(c, *s), (std::set<std::string>{"etcd.v0.9.4", "etcd.v1.0.0", "etcd.v1.1.0", "redis.v1"}));
  ASSERT_EQ(s->packages.size(), 2u);
  EXPECT_EQ(s->packages[0].channels.size(), 2u);
  EXPECT_EQ(s->packages[0].default_channel, "stable");
  EXPECT_EQ(s->packages[0].channels[0].entries, (std::vector<size_t>{0, 1}));  // alpha, in channel order
}

TEST(Select, NothingMeansEverything) {
  Catalog c = Small();
  auto s = SelectText(c, {});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->AllBundles().size(), c.bundles.size());
  ASSERT_EQ(s->packages.size(), 2u);
  EXPECT_EQ(s->packages[0].channels.size(), 2u);
  EXPECT_EQ(s->packages[0].channels[1].entries.size(), 5u);
}

TEST(Select, UnknownPackageOrChannel) {
  Catalog c = Small();
  auto s = SelectText(c, {"etcd", "nosuch"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "package 'nosuch' is not in the catalog");
  s = SelectText(c, {"etcd:beta"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "channel 'beta' is not in package 'etcd'");
}

TEST(Select, DanglingReplacesOnTheNeededPath) {
  Catalog c = Small();
  // 0.9.2 now replaces a bundle the channel lacks, so 0.9.0 cannot be reached.
  c.channels[1].entries[2].replaces = "etcd.v0.8.9";
  auto s = SelectText(c, {"etcd:stable:0.9.0-0.9.2"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            "bundle 'etcd.v0.9.2' replaces 'etcd.v0.8.9', which is not in channel 'stable' of package 'etcd'");
  // Not needed when nothing in range is left below it: the path is whole.
  s = SelectText(c, {"etcd:stable:0.9.2-0.9.4"});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(Names(c, *s), (std::set<std::string>{"etcd.v0.9.2", "etcd.v0.9.3", "etcd.v0.9.4"}));
  // Nor for the head alone.
  EXPECT_TRUE(SelectText(c, {"etcd"}).ok());
}

TEST(Select, EntryWithoutBundleIsAnError) {
  Catalog c = Small();
  c.channels[0].entries.push_back({"etcd.v1.2.0", "etcd.v1.1.0", {}, ""});
  auto s = SelectText(c, {"etcd:alpha"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            "channel 'alpha' of package 'etcd' names bundle 'etcd.v1.2.0', which is not in the catalog");
  EXPECT_FALSE(SelectText(c, {}).ok());
  EXPECT_TRUE(SelectText(c, {"etcd"}).ok());  // stable does not name it
}

TEST(Select, MultipleHeadsAreAnError) {
  Catalog c = Small();
  c.channels[1].entries[4].skips.clear();  // 0.9.1 is now a head too
  auto s = SelectText(c, {"etcd"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("more than one head"), std::string::npos);
  EXPECT_NE(s.status().message().find("etcd.v0.9.1, etcd.v0.9.4"), std::string::npos);
}

}  // namespace
}  // namespace mk::catalog
