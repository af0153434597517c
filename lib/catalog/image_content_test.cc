// Catalog images read through a Store: built in a MemoryStore with real
// layers and digests, read back by OpenCatalogImage and the two readers.
#include "catalog/image_content.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "catalog/fbc_reader.h"
#include "catalog/selection.h"
#include "catalog/sqlite_db.h"
#include "catalog/sqlite_reader.h"
#include "testing/image_builder.h"
#include "testing/temp_dir.h"

namespace mk::catalog {
namespace {

std::string Config(const std::string& arch, const std::string& labels) {
  return "{\"architecture\":\"" + arch + "\",\"os\":\"linux\",\"config\":{\"Labels\":{" + labels +
         "}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
}

std::string Label(const char* name, const char* value) { return std::string("\"") + name + "\":\"" + value + "\""; }

Reference Ref(const std::string& repo, const oci::Manifest& m) {
  return Reference::Parse("mem.test/" + repo + "@" + m.digest.str()).value();
}

std::string Package(const std::string& name, const std::string& version) {
  return R"({"schema":"olm.package","name":")" + name + R"(","defaultChannel":"stable"})" + "\n" +
         R"({"schema":"olm.channel","name":"stable","package":")" + name + R"(","entries":[{"name":")" + name + ".v" +
         version + R"("}]})" + "\n" + R"({"schema":"olm.bundle","name":")" + name + ".v" + version +
         R"(","package":")" + name + R"(","image":"quay.io/x/)" + name + "-bundle:v" + version +
         R"(","properties":[{"type":"olm.package","value":{"packageName":")" + name + R"(","version":")" + version +
         R"("}}],"relatedImages":[{"name":"op","image":"quay.io/x/)" + name + R"(@sha256:)" + std::string(64, 'a') +
         R"("}]})" + "\n";
}

// Two layers: the second deletes one package (a whiteout), replaces the
// file of another, and hides a directory (an opaque whiteout) while adding
// a file of its own to it. Files outside the configs directory, or not
// JSON/YAML, are not read (the malformed one would fail the read).
oci::Manifest FileBasedImage(store::MemoryStore& s, const std::string& repo) {
  auto l1 = fixtures::PutBlob(s, repo,
                              fixtures::MakeTarGz({{"configs/etcd/catalog.json", Package("etcd", "0.9.4")},
                                                   {"configs/gone/catalog.json", Package("gone", "1.0.0")},
                                                   {"configs/redis/catalog.yaml", "schema: olm.package\nname: redis\n"},
                                                   {"configs/opq/a.json", Package("hidden", "1.0.0")},
                                                   {"configs/etcd/README.md", "{{{ not json"},
                                                   {"tmp/cache/packages.json", "{{{ not json"}}));
  std::string redis_yaml =
      "---\nschema: olm.package\nname: redis\ndefaultChannel: stable\n---\nschema: olm.channel\nname: stable\n"
      "package: redis\nentries:\n- name: redis.v2.0.0\n---\nschema: olm.bundle\nname: redis.v2.0.0\npackage: redis\n"
      "image: quay.io/x/redis-bundle:v2.0.0\nproperties:\n- type: olm.package\n  value: {packageName: redis, version: "
      "2.0.0}\n";
  auto l2 = fixtures::PutBlob(s, repo,
                              fixtures::MakeTarGz({{"configs/.wh.gone", ""},
                                                   {"configs/redis/catalog.yaml", redis_yaml},
                                                   {"configs/opq/.wh..wh..opq", ""},
                                                   {"configs/opq/b.json", Package("kept", "3.0.0")}}));
  return fixtures::MakeImage(s, repo, Config("amd64", Label(kConfigsLabel, "/configs")), {l1, l2});
}

std::vector<std::string> Names(const Catalog& c) {
  std::vector<std::string> out;
  for (const auto& b : c.bundles) out.push_back(b.name);
  return out;
}

TEST(CatalogImage, FileBasedThroughAManifestList) {
  store::MemoryStore s("cat");
  oci::Manifest amd64 = FileBasedImage(s, "redhat/catalog");
  auto l = fixtures::PutBlob(s, "redhat/catalog", fixtures::MakeTarGz({{"x", "y"}}));
  oci::Manifest arm64 = fixtures::MakeImage(s, "redhat/catalog", Config("arm64", ""), {l});
  oci::Manifest list = fixtures::MakeIndex(s, "redhat/catalog", {{arm64, "arm64"}, {amd64, "amd64"}});
  auto image = OpenCatalogImage(s, Ref("redhat/catalog", list));
  ASSERT_TRUE(image.ok()) << image.status().message();
  EXPECT_TRUE(image->from_list);
  EXPECT_EQ(image->top_digest, list.digest);
  EXPECT_EQ(image->manifest.digest, amd64.digest);
  EXPECT_EQ(image->pinned.String(), "mem.test/redhat/catalog@" + amd64.digest.str());
  EXPECT_EQ(image->format, Format::kFileBased);
  EXPECT_EQ(image->root, "configs");
  EXPECT_NE(image->config_raw.find(kConfigsLabel), std::string::npos);

  auto c = ReadFileBased(s, *image);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->root, "configs");
  EXPECT_EQ(Names(*c), (std::vector<std::string>{"etcd.v0.9.4", "kept.v3.0.0", "redis.v2.0.0"}));
  ASSERT_EQ(c->packages.size(), 3u);
  EXPECT_EQ(c->bundles[2].version, "2.0.0");
  auto sel = Select(*c, {PackageSelector::Parse("redis").value()});
  ASSERT_TRUE(sel.ok()) << sel.status().message();
  EXPECT_EQ(sel->AllBundles(), std::vector<size_t>{2});

  // The visitor may stop: one document, then nothing more.
  int n = 0;
  Status st =
      WalkConfigDocuments(s, *image, [&](const std::string& path, const json::Value&) -> Result<archive::Visit> {
        ++n;
        EXPECT_EQ(path, "configs/redis/catalog.yaml");  // the last layer first
        return archive::Visit::kStop;
      });
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(n, 1);
}

TEST(CatalogImage, MalformedDocumentNamesTheFile) {
  store::MemoryStore s("cat");
  auto l = fixtures::PutBlob(
      s, "c", fixtures::MakeTarGz({{"configs/etcd/catalog.json", R"({"schema":"olm.bundle","package":"etcd"})"}}));
  oci::Manifest m = fixtures::MakeImage(s, "c", Config("amd64", Label(kConfigsLabel, "/configs")), {l});
  auto image = OpenCatalogImage(s, Ref("c", m));
  ASSERT_TRUE(image.ok()) << image.status().message();
  auto c = ReadFileBased(s, *image);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "mem.test/c@" + m.digest.str() + ": configs/etcd/catalog.json: olm.bundle without name");
}

TEST(CatalogImage, CorruptLayerFails) {
  store::MemoryStore s("cat");
  std::string good = fixtures::MakeTarGz({{"configs/etcd/catalog.json", Package("etcd", "0.9.4")}});
  auto l = fixtures::PutBlob(s, "c", good);
  oci::Manifest m = fixtures::MakeImage(s, "c", Config("amd64", Label(kConfigsLabel, "/configs")), {l});
  std::string bad = fixtures::MakeTarGz({{"configs/etcd/catalog.json", Package("evil", "0.9.4")}});
  bad.resize(good.size());
  s.PutRawBlob("c", l.digest, bad);
  auto image = OpenCatalogImage(s, Ref("c", m));
  ASSERT_TRUE(image.ok()) << image.status().message();
  auto c = ReadFileBased(s, *image);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kDataLoss) << c.status().message();
}

TEST(CatalogImage, NeitherLabel) {
  store::MemoryStore s("cat");
  auto l = fixtures::PutBlob(s, "c", fixtures::MakeTarGz({{"configs/x.json", "{}"}}));
  oci::Manifest m = fixtures::MakeImage(s, "c", Config("amd64", Label("io.openshift.release", "4.3.0")), {l});
  auto image = OpenCatalogImage(s, Ref("c", m));
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().message(),
            "mem.test/c@" + m.digest.str() +
                ": not an Operator catalog image (no label operators.operatorframework.io.index.configs.v1 or "
                "operators.operatorframework.io.index.database.v1)");
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int Entries(const std::string& dir) {
  int n = 0;
  DIR* d = opendir(dir.c_str());
  if (!d) return -1;
  while (auto* e = readdir(d))
    if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") ++n;
  closedir(d);
  return n;
}

class ScopedTmpdir {
 public:
  explicit ScopedTmpdir(const std::string& dir) {
    if (const char* old = getenv("TMPDIR")) old_ = old;
    setenv("TMPDIR", dir.c_str(), 1);
  }
  ~ScopedTmpdir() {
    if (old_)
      setenv("TMPDIR", old_->c_str(), 1);
    else
      unsetenv("TMPDIR");
  }

 private:
  std::optional<std::string> old_;
};

TEST(CatalogImage, SqliteIndexImage) {
  fixtures::ScopedTempDir dir, tmp;
  std::string db_path = dir.path() + "/index.db";
  {
    auto db = Db::Open(db_path, false);
    ASSERT_TRUE(db.ok()) << db.status().message();
    ASSERT_TRUE(db->Exec(R"(BEGIN;
CREATE TABLE operatorbundle (name TEXT PRIMARY KEY, csv TEXT, bundle TEXT, bundlepath TEXT, skiprange TEXT,
                             version TEXT, replaces TEXT, skips TEXT);
CREATE TABLE package (name TEXT PRIMARY KEY, default_channel TEXT);
CREATE TABLE channel (name TEXT, package_name TEXT, head_operatorbundle_name TEXT);
CREATE TABLE channel_entry (entry_id INTEGER PRIMARY KEY, channel_name TEXT, package_name TEXT,
                            operatorbundle_name TEXT, replaces INTEGER, depth INTEGER);
CREATE TABLE related_image (image TEXT, operatorbundle_name TEXT);
INSERT INTO package VALUES ('etcd', 'stable');
INSERT INTO channel VALUES ('stable', 'etcd', 'etcd.v0.9.4');
INSERT INTO operatorbundle VALUES ('etcd.v0.9.4', '', '', 'quay.io/x/etcd-bundle:v0.9.4', '', '0.9.4', '', '');
INSERT INTO channel_entry VALUES (1, 'stable', 'etcd', 'etcd.v0.9.4', NULL, 0);
INSERT INTO related_image VALUES ('quay.io/x/etcd@sha256:aa', 'etcd.v0.9.4');
COMMIT;)")
                    .ok());
  }
  store::MemoryStore s("cat");
  // An older index.db below, replaced by the upper layer's.
  auto l1 = fixtures::PutBlob(s, "c", fixtures::MakeTarGz({{"database/index.db", "not a database"}, {"bin/opm", "x"}}));
  auto l2 = fixtures::PutBlob(s, "c", fixtures::MakeTarGz({{"database/index.db", ReadFile(db_path)}}));
  oci::Manifest m = fixtures::MakeImage(s, "c", Config("amd64", Label(kDatabaseLabel, "/database/index.db")), {l1, l2});
  auto image = OpenCatalogImage(s, Ref("c", m));
  ASSERT_TRUE(image.ok()) << image.status().message();
  EXPECT_EQ(image->format, Format::kSqlite);
  EXPECT_EQ(image->root, "database/index.db");
  ScopedTmpdir env(tmp.path());
  auto c = ReadCatalog(s, *image);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->root, "database/index.db");
  EXPECT_EQ(Names(*c), std::vector<std::string>{"etcd.v0.9.4"});
  ASSERT_EQ(c->bundles[0].related_images.size(), 1u);
  EXPECT_EQ(Entries(tmp.path()), 0);  // the temporary database is gone
  EXPECT_FALSE(WalkConfigDocuments(s, *image, nullptr).ok());

  // Not a database: the message names the image's file, not the temporary.
  oci::Manifest junk = fixtures::MakeImage(s, "c", Config("amd64", Label(kDatabaseLabel, "/database/index.db")), {l1});
  image = OpenCatalogImage(s, Ref("c", junk));
  ASSERT_TRUE(image.ok()) << image.status().message();
  c = ReadSqliteImage(s, *image);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message().rfind("mem.test/c@" + junk.digest.str() + ": database/index.db: ", 0), 0u)
      << c.status().message();
  EXPECT_EQ(c.status().message().find("mirrorkit-index"), std::string::npos) << c.status().message();
  EXPECT_EQ(Entries(tmp.path()), 0);

  // A database whited out above is no database.
  auto l3 = fixtures::PutBlob(s, "c", fixtures::MakeTarGz({{"database/.wh.index.db", ""}}));
  oci::Manifest gone =
      fixtures::MakeImage(s, "c", Config("amd64", Label(kDatabaseLabel, "/database/index.db")), {l1, l2, l3});
  image = OpenCatalogImage(s, Ref("c", gone));
  ASSERT_TRUE(image.ok()) << image.status().message();
  c = ReadSqliteImage(s, *image);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kNotFound);
  EXPECT_NE(c.status().message().find("no database/index.db in any layer"), std::string::npos) << c.status().message();
  EXPECT_EQ(Entries(tmp.path()), 0);
}

}  // namespace
}  // namespace mk::catalog
