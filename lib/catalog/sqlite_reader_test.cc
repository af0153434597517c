#include "catalog/sqlite_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "catalog/sqlite_db.h"
#include "testing/temp_dir.h"

namespace mk::catalog {
namespace {

// The tables as opm's registry/sqlite migrations leave them (the columns
// this reader uses; csv and bundle hold whole manifests, here short text).
constexpr char kSchema[] = R"(
CREATE TABLE operatorbundle (name TEXT PRIMARY KEY, csv TEXT UNIQUE, bundle TEXT, bundlepath TEXT,
                             skiprange TEXT, version TEXT, replaces TEXT, skips TEXT);
CREATE TABLE package (name TEXT PRIMARY KEY, default_channel TEXT);
CREATE TABLE channel (name TEXT, package_name TEXT, head_operatorbundle_name TEXT, PRIMARY KEY(name, package_name));
CREATE TABLE channel_entry (entry_id INTEGER PRIMARY KEY, channel_name TEXT, package_name TEXT,
                            operatorbundle_name TEXT, replaces INTEGER, depth INTEGER);
CREATE TABLE related_image (image TEXT, operatorbundle_name TEXT);
)";

// etcd: stable = 0.9.0 <- 0.9.2 (skips 0.9.1, which opm still gives a row
// of its own though no such bundle exists; skipRange >=0.9.0 <0.9.2);
// alpha = 0.9.2 alone. redis: fast = 1.0.0. An orphan bundle in no channel.
constexpr char kRows[] = R"(
INSERT INTO package VALUES ('etcd', 'stable'), ('redis', 'fast');
INSERT INTO channel VALUES ('stable', 'etcd', 'etcd.v0.9.2'), ('alpha', 'etcd', 'etcd.v0.9.2'),
                           ('fast', 'redis', 'redis.v1.0.0'), ('empty', 'redis', NULL);
INSERT INTO operatorbundle VALUES
  ('etcd.v0.9.2', '{}', '{}', 'quay.io/e/bundle@sha256:22', '>=0.9.0 <0.9.2', '0.9.2', 'etcd.v0.9.0', 'etcd.v0.9.1'),
  ('etcd.v0.9.0', '{"csv":1}', NULL, 'quay.io/e/bundle@sha256:00', NULL, '0.9.0', NULL, NULL),
  ('redis.v1.0.0', '{"csv":2}', NULL, 'quay.io/r/bundle:v1', '', '1.0.0', '', ''),
  ('orphan.v1', '{"csv":3}', NULL, 'quay.io/o/bundle:v1', '', '1.0.0', '', '');
INSERT INTO channel_entry VALUES
  (1, 'stable', 'etcd', 'etcd.v0.9.2', NULL, 0),
  (2, 'stable', 'etcd', 'etcd.v0.9.1', NULL, 1),
  (3, 'stable', 'etcd', 'etcd.v0.9.2', 2, 0),
  (4, 'stable', 'etcd', 'etcd.v0.9.0', NULL, 1),
  (5, 'alpha', 'etcd', 'etcd.v0.9.2', NULL, 0),
  (6, 'fast', 'redis', 'redis.v1.0.0', NULL, 0);
UPDATE channel_entry SET replaces = 4 WHERE entry_id = 1;
INSERT INTO related_image VALUES ('quay.io/e/operator@sha256:aa', 'etcd.v0.9.2'), ('quay.io/shared@sha256:ff', 'etcd.v0.9.2'),
  ('quay.io/shared@sha256:ff', 'etcd.v0.9.2'), ('quay.io/shared@sha256:ff', 'redis.v1.0.0');
)";

std::string MakeDb(const fixtures::ScopedTempDir& dir, const std::string& sql) {
  std::string path = dir.path() + "/index.db";
  auto db = Db::Open(path, false);
  EXPECT_TRUE(db.ok()) << db.status().message();
  Status s = db->Exec("BEGIN;" + sql + "COMMIT;");
  EXPECT_TRUE(s.ok()) << s.message();
  return path;
}

void ExpectModel(const Catalog& c) {
  ASSERT_EQ(c.packages.size(), 2u);
  EXPECT_EQ(c.packages[0].name, "etcd");
  EXPECT_EQ(c.packages[0].default_channel, "stable");
  ASSERT_EQ(c.channels.size(), 4u);  // etcd alpha, etcd stable, redis empty, redis fast
  EXPECT_EQ(c.channels[0].name, "alpha");
  const Channel& stable = c.channels[1];
  EXPECT_EQ(stable.name, "stable");
  ASSERT_EQ(stable.entries.size(), 2u);              // not the row of the skipped 0.9.1, which is no bundle
  EXPECT_EQ(stable.entries[0].name, "etcd.v0.9.2");  // head first
  EXPECT_EQ(stable.entries[0].replaces, "etcd.v0.9.0");
  EXPECT_EQ(stable.entries[0].skips, std::vector<std::string>{"etcd.v0.9.1"});
  EXPECT_EQ(stable.entries[1].name, "etcd.v0.9.0");
  EXPECT_TRUE(c.channels[2].entries.empty());
  ASSERT_EQ(c.bundles.size(), 3u);  // the orphan has no package
  EXPECT_EQ(c.bundles[0].name, "etcd.v0.9.0");
  EXPECT_EQ(c.bundles[1].name, "etcd.v0.9.2");
  EXPECT_EQ(c.bundles[1].package, "etcd");
  EXPECT_EQ(c.bundles[1].image, "quay.io/e/bundle@sha256:22");
  EXPECT_EQ(c.bundles[1].version, "0.9.2");
  ASSERT_EQ(c.bundles[1].related_images.size(), 2u);  // the duplicate row once
  EXPECT_EQ(c.bundles[1].related_images[1].image, "quay.io/shared@sha256:ff");
  EXPECT_EQ(c.bundles[2].related_images.size(), 1u);
}

TEST(SqliteReader, ReadsTheTables) {
  fixtures::ScopedTempDir dir;
  auto c = ReadSqlite(MakeDb(dir, std::string(kSchema) + kRows));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->format, Format::kSqlite);
  ExpectModel(*c);
  EXPECT_EQ(c->channels[1].entries[0].skip_range, ">=0.9.0 <0.9.2");
}

TEST(SqliteReader, OldSchemaTakesTheGraphFromChannelEntries) {
  // Before operatorbundle.replaces and .skips: the graph is only in the
  // channel_entry rows (skips' rows written before the replaces one).
  fixtures::ScopedTempDir dir;
  std::string sql = std::string(kSchema) + kRows +
                    "UPDATE channel_entry SET replaces = 4 WHERE entry_id = 3; UPDATE channel_entry SET replaces = 2 "
                    "WHERE entry_id = 1; ALTER TABLE operatorbundle DROP COLUMN replaces; "
                    "ALTER TABLE operatorbundle DROP COLUMN skips;";
  auto c = ReadSqlite(MakeDb(dir, sql));
  ASSERT_TRUE(c.ok()) << c.status().message();
  ExpectModel(*c);
}

TEST(SqliteReader, NotADatabase) {
  fixtures::ScopedTempDir dir;
  auto c = ReadSqlite(MakeDb(dir, "CREATE TABLE package (name TEXT);"));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("not an operator-registry database (no table channel)"), std::string::npos)
      << c.status().message();
  c = ReadSqlite(dir.path() + "/absent.db");
  EXPECT_FALSE(c.ok());
}

}  // namespace
}  // namespace mk::catalog

namespace mk::catalog {
namespace {

TEST(SqliteDb, StatementsAndErrorsNameTheFile) {
  fixtures::ScopedTempDir dir;
  std::string path = dir.path() + "/t.db";
  auto db = Db::Open(path, false);
  ASSERT_TRUE(db.ok()) << db.status().message();
  ASSERT_TRUE(db->Exec("CREATE TABLE t (a TEXT UNIQUE, b INTEGER)").ok());
  auto ins = Stmt::Prepare(*db, "INSERT INTO t VALUES (?, ?)");
  ASSERT_TRUE(ins.ok()) << ins.status().message();
  Db moved = std::move(db).value();  // statements outlive a move of their Db
  ASSERT_TRUE(ins->Bind(1, "x").ok());
  ASSERT_TRUE(ins->Bind(2, int64_t{7}).ok());
  auto done = ins->Step();
  ASSERT_TRUE(done.ok() && !*done) << done.status().message();
  ASSERT_TRUE(ins->Reset().ok());
  ASSERT_TRUE(ins->Bind(1, "x").ok());
  done = ins->Step();  // the UNIQUE constraint
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.status().message().rfind(path + ": query failed: ", 0), 0u) << done.status().message();
  auto sel = Stmt::Prepare(moved, "SELECT a, b, NULL FROM t");
  ASSERT_TRUE(sel.ok());
  auto row = sel->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(sel->Text(0), "x");
  EXPECT_EQ(sel->Int(1), 7);
  EXPECT_TRUE(sel->IsNull(2));
  EXPECT_EQ(sel->Text(2), "");
  auto bad = Stmt::Prepare(moved, "SELECT nosuch FROM t");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind(path + ": cannot prepare", 0), 0u) << bad.status().message();
  EXPECT_TRUE(*moved.HasTable("t"));
  EXPECT_FALSE(*moved.HasTable("u"));
  EXPECT_TRUE(*moved.HasColumn("t", "b"));
  EXPECT_FALSE(*moved.HasColumn("t", "c"));
  // Read-only: writes fail.
  auto ro = Db::Open(path, true);
  ASSERT_TRUE(ro.ok());
  EXPECT_FALSE(ro->Exec("INSERT INTO t VALUES ('y', 1)").ok());
}

}  // namespace
}  // namespace mk::catalog

namespace mk::catalog {
namespace {

std::set<std::string> Files(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

TEST(SqliteReader, WalDatabaseLeavesNoFilesBehind) {
  fixtures::ScopedTempDir dir;
  std::string path = dir.path() + "/we?ird#%name.db";
  {
    auto db = Db::Open(path, false);
    ASSERT_TRUE(db.ok()) << db.status().message();
    ASSERT_TRUE(db->Exec("PRAGMA journal_mode=WAL;" + std::string(kSchema) + kRows).ok());
  }
  const std::set<std::string> before = Files(dir.path());
  auto c = ReadSqlite(path);
  ASSERT_TRUE(c.ok()) << c.status().message();
  ExpectModel(*c);
  EXPECT_EQ(Files(dir.path()), before);
}

}  // namespace
}  // namespace mk::catalog
