#include "catalog/prune.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "catalog/plan.h"
#include "catalog/prune_documents.h"
#include "catalog/prune_layer.h"
#include "catalog/prune_sqlite.h"
#include "catalog/sqlite_db.h"
#include "testing/temp_dir.h"

namespace mk::catalog {
namespace {

json::Value J(const std::string& text) {
  auto v = json::Value::Parse(text);
  EXPECT_TRUE(v.ok()) << text;
  return *v;
}

// etcd: stable a -> b -> c (c skips x), alpha: b; prom: beta p1 -> p2.
Catalog TwoPackages() {
  Catalog c;
  c.packages = {{"etcd", "stable"}, {"prom", "beta"}};
  c.channels = {
      {"alpha", "etcd", {{"b", "", {}, ""}}},
      {"stable", "etcd", {{"a", "", {}, ""}, {"b", "a", {}, ""}, {"c", "b", {"x"}, ">=0.1.0 <0.3.0"}}},
      {"beta", "prom", {{"p1", "", {}, ""}, {"p2", "p1", {}, ""}}},
  };
  c.bundles = {{"a", "etcd", "q.io/e/b@sha256:1", "0.1.0", {}},
               {"b", "etcd", "q.io/e/b@sha256:2", "0.2.0", {}},
               {"c", "etcd", "q.io/e/b@sha256:3", "0.3.0", {}},
               {"p1", "prom", "q.io/p/b@sha256:4", "1.0.0", {}},
               {"p2", "prom", "q.io/p/b@sha256:5", "2.0.0", {}}};
  return c;
}

// etcd's stable channel from b to c only; alpha and prom dropped.
Selection StableBC() {
  SelectedPackage p;
  p.package = 0;
  p.default_channel = "stable";
  p.channels = {{1, {1, 2}}};
  p.bundles = {1, 2};
  Selection s;
  s.packages = {p};
  return s;
}

TEST(DocumentFilter, KeepsTheSelectionAndRestrictsChannels) {
  Catalog c = TwoPackages();
  Selection s = StableBC();
  s.packages[0].default_channel = "stable";
  DocumentFilter f(c, s);
  auto pkg = f.Filter(J(R"({"schema":"olm.package","name":"etcd","defaultChannel":"alpha","icon":{"x":1}})"));
  ASSERT_TRUE(pkg);
  EXPECT_EQ(pkg->Serialize(), R"({"schema":"olm.package","name":"etcd","defaultChannel":"stable","icon":{"x":1}})");
  EXPECT_FALSE(f.Filter(J(R"({"schema":"olm.package","name":"prom","defaultChannel":"beta"})")));
  EXPECT_FALSE(f.Filter(J(R"({"schema":"olm.channel","package":"etcd","name":"alpha","entries":[{"name":"b"}]})")));
  auto ch = f.Filter(
      J(R"({"schema":"olm.channel","package":"etcd","name":"stable","entries":[{"name":"a"},)"
        R"({"name":"b","replaces":"a"},{"name":"c","replaces":"b","skips":["x"],"skipRange":">=0.1.0 <0.3.0"}]})"));
  ASSERT_TRUE(ch);
  // b's replaces names a, which is gone: removed; c's edges kept.
  EXPECT_EQ(ch->Serialize(), R"({"schema":"olm.channel","package":"etcd","name":"stable","entries":[{"name":"b"},)"
                             R"({"name":"c","replaces":"b","skips":["x"],"skipRange":">=0.1.0 <0.3.0"}]})");
  const std::string bundle =
      R"({"schema":"olm.bundle","name":"c","package":"etcd","image":"q.io/e/b@sha256:3","properties":[{"type":"olm.csv.metadata","value":{"d":"x"}}]})";
  ASSERT_TRUE(f.Filter(J(bundle)));
  EXPECT_EQ(f.Filter(J(bundle))->Serialize(), J(bundle).Serialize());  // verbatim
  EXPECT_FALSE(f.Filter(J(R"({"schema":"olm.bundle","name":"a","package":"etcd"})")));
  EXPECT_FALSE(f.Filter(J(R"({"schema":"olm.bundle","name":"p1","package":"prom"})")));
  EXPECT_FALSE(f.Filter(J(R"({"name":"no schema","package":"etcd"})")));
  EXPECT_TRUE(f.Filter(J(R"({"schema":"example.other","package":"etcd"})")));
  EXPECT_FALSE(f.Filter(J(R"({"schema":"example.other","package":"prom"})")));
}

TEST(DocumentFilter, DeprecationsKeepOnlyWhatIsKept) {
  Catalog c = TwoPackages();
  DocumentFilter f(c, StableBC());
  auto d = f.Filter(J(R"({"schema":"olm.deprecations","package":"etcd","entries":[)"
                      R"({"reference":{"schema":"olm.bundle","name":"a"},"message":"a"},)"
                      R"({"reference":{"schema":"olm.bundle","name":"b"},"message":"b"},)"
                      R"({"reference":{"schema":"olm.channel","name":"alpha"},"message":"alpha"},)"
                      R"({"reference":{"schema":"olm.package"},"message":"pkg"}]})"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->Find("entries")->size(), 2u);
  EXPECT_FALSE(f.Filter(J(R"({"schema":"olm.deprecations","package":"etcd","entries":[)"
                          R"({"reference":{"schema":"olm.bundle","name":"a"},"message":"a"}]})")));
}

TEST(CacheDir, FromCmdOrEntrypoint) {
  EXPECT_EQ(CacheDir(R"({"config":{"Cmd":["serve","/configs","--cache-dir=/tmp/cache"]}})"), "tmp/cache");
  EXPECT_EQ(CacheDir(R"({"config":{"Entrypoint":["/bin/opm","serve","/c","--cache-dir","/var/cache/opm/"]}})"),
            "var/cache/opm");
  EXPECT_EQ(CacheDir(R"({"config":{"Cmd":["serve","/configs"]}})"), "tmp/cache");
  EXPECT_EQ(CacheDir("not json"), "tmp/cache");
}

TEST(PruneNames, WhiteoutsPackageDirsAndMirrorDest) {
  EXPECT_EQ(WhiteoutPath("tmp/cache"), "tmp/.wh.cache");
  EXPECT_EQ(WhiteoutPath("cache"), ".wh.cache");
  EXPECT_EQ(PackageDirName("etcd", 0), "etcd");
  EXPECT_EQ(PackageDirName("../x", 3), "package-3");
  EXPECT_EQ(PackageDirName(".hidden", 1), "package-1");
  auto to = *Reference::ParseRepository("mirror.example.com:5000/olm");
  auto src = *Reference::Parse("quay.io/org/op@sha256:" + std::string(64, 'a'));
  EXPECT_EQ(MirrorDest(to, src, *src.digest()), "mirror.example.com:5000/olm/org/op@sha256:" + std::string(64, 'a'));
}

TEST(PrunedConfig, AppendsDiffIdAndHistory) {
  const Digest d = Digest::Sha256Of("layer");
  auto cfg = PrunedConfig(R"({"config":{"Labels":{"l":"v"}},"rootfs":{"type":"layers","diff_ids":["sha256:00"]},)"
                          R"("history":[{"created_by":"x"}]})",
                          d, "pruned");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  auto v = J(*cfg);
  EXPECT_EQ(v.Find("rootfs")->Find("diff_ids")->items().back().as_string(), d.str());
  EXPECT_EQ(v.Find("history")->size(), 2u);
  EXPECT_EQ(v.Find("config")->Find("Labels")->GetString("l"), "v");
  // No history: none is made up (it would have to count every layer).
  auto bare = PrunedConfig(R"({"rootfs":{"type":"layers","diff_ids":[]}})", d, "pruned");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(J(*bare).Find("history"), nullptr);
  EXPECT_FALSE(PrunedConfig("[]", d, "x").ok());
}

TEST(BuildLayer, GzipTarWithDigestAndDiffId) {
  auto layer = BuildLayer([](archive::TarWriter& tar) -> Status {
    MK_RETURN_IF_ERROR(tar.AddString("configs/.wh..wh..opq", ""));
    return tar.AddString("configs/etcd/catalog.json", "{\"schema\":\"olm.package\"}\n");
  });
  ASSERT_TRUE(layer.ok()) << layer.status().message();
  std::string blob(layer->size, '\0');
  ASSERT_EQ(*layer->blob.ReadAt(0, blob.data(), blob.size()), blob.size());
  EXPECT_EQ(Digest::Sha256Of(blob), layer->digest);
  std::map<std::string, std::string> files;
  size_t off = 0;
  std::string tar;
  ASSERT_TRUE(archive::Decompress(
                  [&](char* out, size_t n) -> Result<size_t> {
                    size_t k = std::min(n, blob.size() - off);
                    std::memcpy(out, blob.data() + off, k);
                    off += k;
                    return k;
                  },
                  "test",
                  [&](const char* d, size_t n) {
                    tar.append(d, n);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(Digest::Sha256Of(tar), layer->diff_id);
  off = 0;
  ASSERT_TRUE(archive::WalkTarStream(
                  [&](char* out, size_t n) -> Result<size_t> {
                    size_t k = std::min(n, tar.size() - off);
                    std::memcpy(out, tar.data() + off, k);
                    off += k;
                    return k;
                  },
                  "test",
                  [&](const archive::Entry& e, archive::EntryContent& c) -> Result<archive::Visit> {
                    MK_ASSIGN_OR_RETURN(files[e.path], c.ReadAll(1 << 20));
                    return archive::Visit::kContinue;
                  })
                  .ok());
  EXPECT_EQ(files.size(), 2u);
  EXPECT_EQ(files["configs/etcd/catalog.json"], "{\"schema\":\"olm.package\"}\n");
  EXPECT_EQ(files.count("configs/.wh..wh..opq"), 1u);
}

// Row counts of a query's single column, as a sorted list.
std::vector<std::string> Column(Db& db, const std::string& sql) {
  std::vector<std::string> out;
  auto s = Stmt::Prepare(db, sql);
  EXPECT_TRUE(s.ok()) << sql;
  while (*s->Step()) out.push_back(s->Text(0));
  std::sort(out.begin(), out.end());
  return out;
}

TEST(PruneDatabase, DropsUnselectedRowsAndFixesHeadsAndDefaults) {
  fixtures::ScopedTempDir dir;
  const std::string path = dir.path() + "/index.db";
  {
    auto db = Db::Open(path, false);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec(R"(
      CREATE TABLE operatorbundle (name TEXT PRIMARY KEY, bundlepath TEXT, version TEXT, replaces TEXT, skips TEXT, skiprange TEXT);
      CREATE TABLE package (name TEXT PRIMARY KEY, default_channel TEXT);
      CREATE TABLE channel (name TEXT, package_name TEXT, head_operatorbundle_name TEXT);
      CREATE TABLE channel_entry (entry_id INTEGER PRIMARY KEY, channel_name TEXT, package_name TEXT,
        operatorbundle_name TEXT, replaces INTEGER, depth INTEGER);
      CREATE TABLE related_image (image TEXT, operatorbundle_name TEXT);
      CREATE TABLE api_provider (group_name TEXT, channel_entry_id INTEGER);
      INSERT INTO operatorbundle VALUES ('a','q/a','0.1.0','',NULL,NULL), ('b','q/b','0.2.0','a',NULL,NULL),
        ('c','q/c','0.3.0','b','x',NULL), ('p1','q/p1','1.0.0','',NULL,NULL), ('p2','q/p2','2.0.0','p1',NULL,NULL);
      INSERT INTO package VALUES ('etcd','alpha'), ('prom','beta');
      INSERT INTO channel VALUES ('alpha','etcd','b'), ('stable','etcd','c'), ('beta','prom','p2');
      INSERT INTO channel_entry VALUES (1,'alpha','etcd','b',NULL,0), (2,'stable','etcd','a',NULL,2),
        (3,'stable','etcd','b',2,1), (4,'stable','etcd','c',3,0), (5,'beta','prom','p1',NULL,1), (6,'beta','prom','p2',5,0);
      INSERT INTO related_image VALUES ('q/op-a','a'), ('q/op-c','c'), ('q/op-p1','p1');
      INSERT INTO api_provider VALUES ('g', 2), ('g', 4), ('g', 6);
    )")
                    .ok());
  }
  Status s = PruneDatabase(path, TwoPackages(), StableBC());
  ASSERT_TRUE(s.ok()) << s.message();
  auto db = Db::Open(path, true);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(Column(*db, "SELECT name || ':' || default_channel FROM package"), std::vector<std::string>{"etcd:stable"});
  EXPECT_EQ(Column(*db, "SELECT name || ':' || head_operatorbundle_name FROM channel"),
            std::vector<std::string>{"stable:c"});
  EXPECT_EQ(Column(*db, "SELECT operatorbundle_name || ':' || ifnull(replaces, '-') FROM channel_entry"),
            (std::vector<std::string>{"b:-", "c:3"}));
  EXPECT_EQ(Column(*db, "SELECT name || ':' || replaces FROM operatorbundle"), (std::vector<std::string>{"b:", "c:b"}));
  EXPECT_EQ(Column(*db, "SELECT image FROM related_image"), std::vector<std::string>{"q/op-c"});
  EXPECT_EQ(Column(*db, "SELECT channel_entry_id FROM api_provider"), std::vector<std::string>{"4"});
}

TEST(PruneDatabase, NotADatabaseIsAnErrorNamingIt) {
  fixtures::ScopedTempDir dir;
  const std::string path = dir.path() + "/index.db";
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_TRUE(f);
  std::fputs("this is not a database, only text that is long enough to look like a header\n", f);
  std::fclose(f);
  Status s = PruneDatabase(path, TwoPackages(), StableBC());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
}

}  // namespace
}  // namespace mk::catalog
