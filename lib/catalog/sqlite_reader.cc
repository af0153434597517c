#include "catalog/sqlite_reader.h"

#include <algorithm>
#include <map>
#include <set>

#include "base/strings.h"
#include "catalog/fbc_reader.h"
#include "catalog/sqlite_db.h"

namespace mk::catalog {

namespace {

// A column of operatorbundle, or '' on schemas from before it was added.
Result<std::string> OptionalColumn(Db& db, const std::string& column) {
  MK_ASSIGN_OR_RETURN(bool has, db.HasColumn("operatorbundle", column));
  return has ? "IFNULL(" + column + ", '')" : std::string("''");
}

}  // namespace

Result<Catalog> ReadSqlite(const std::string& db_path) {
  MK_ASSIGN_OR_RETURN(Db db, Db::Open(db_path, /*read_only=*/true));
  for (const char* table : {"package", "channel", "channel_entry", "operatorbundle", "related_image"}) {
    MK_ASSIGN_OR_RETURN(bool has, db.HasTable(table));
    if (!has) return InvalidArgument(db_path + ": not an operator-registry database (no table " + table + ")");
  }
  Catalog c;
  c.format = Format::kSqlite;
  {
    MK_ASSIGN_OR_RETURN(Stmt s,
                        Stmt::Prepare(db, "SELECT name, IFNULL(default_channel, '') FROM package ORDER BY name"));
    while (true) {
      MK_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      c.packages.push_back({s.Text(0), s.Text(1)});
    }
  }
  // A bundle's package is the package of the channels it is in: the
  // operatorbundle table has no package column.
  std::map<std::string, std::string> package_of;
  {
    MK_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db,
                                              "SELECT DISTINCT operatorbundle_name, package_name FROM channel_entry "
                                              "ORDER BY operatorbundle_name, package_name"));
    while (true) {
      MK_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      package_of.emplace(s.Text(0), s.Text(1));
    }
  }
  MK_ASSIGN_OR_RETURN(std::string replaces_col, OptionalColumn(db, "replaces"));
  MK_ASSIGN_OR_RETURN(std::string skips_col, OptionalColumn(db, "skips"));
  MK_ASSIGN_OR_RETURN(std::string version_col, OptionalColumn(db, "version"));
  MK_ASSIGN_OR_RETURN(std::string skiprange_col, OptionalColumn(db, "skiprange"));
  MK_ASSIGN_OR_RETURN(std::string bundlepath_col, OptionalColumn(db, "bundlepath"));
  struct Upgrade {
    std::string replaces;
    std::vector<std::string> skips;
    std::string skip_range;
  };
  std::map<std::string, Upgrade> upgrade;  // by bundle name
  std::map<std::string, size_t> bundle_index;
  {
    // Not the csv and bundle columns: they hold whole manifests.
    MK_ASSIGN_OR_RETURN(
        Stmt s, Stmt::Prepare(db, "SELECT name, " + bundlepath_col + ", " + version_col + ", " + skiprange_col + ", " +
                                      replaces_col + ", " + skips_col + " FROM operatorbundle ORDER BY name"));
    while (true) {
      MK_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      Bundle b;
      b.name = s.Text(0);
      auto pkg = package_of.find(b.name);
      if (pkg == package_of.end()) continue;  // in no channel: no package, nothing OLM could install
      b.package = pkg->second;
      b.image = s.Text(1);
      b.version = s.Text(2);
      Upgrade u;
      u.skip_range = s.Text(3);
      u.replaces = s.Text(4);
      for (const auto& skip : Split(s.Text(5), ','))
        if (auto t = Trim(skip); !t.empty()) u.skips.emplace_back(t);
      upgrade.emplace(b.name, std::move(u));
      c.bundles.push_back(std::move(b));
    }
  }
  if (replaces_col == "''") {
    // Schemas before operatorbundle.replaces: the graph is only in
    // channel_entry, where a bundle's rows point at the entries it replaces
    // and skips; opm writes the skips' rows first, so the last is replaces.
    MK_ASSIGN_OR_RETURN(Stmt s,
                        Stmt::Prepare(db,
                                      "SELECT e.operatorbundle_name, r.operatorbundle_name FROM channel_entry e "
                                      "JOIN channel_entry r ON e.replaces = r.rowid ORDER BY e.rowid"));
    std::map<std::string, std::vector<std::string>> targets;
    while (true) {
      MK_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      auto& t = targets[s.Text(0)];
      if (std::find(t.begin(), t.end(), s.Text(1)) == t.end()) t.push_back(s.Text(1));
    }
    for (auto& [name, t] : targets) {
      auto it = upgrade.find(name);
      if (it == upgrade.end() || t.empty()) continue;
      it->second.replaces = t.back();
      t.pop_back();
      if (it->second.skips.empty()) it->second.skips = std::move(t);
    }
  }
  for (size_t i = 0; i < c.bundles.size(); ++i) bundle_index.emplace(c.bundles[i].name, i);
  {
    // Entries: the channel's rows that name a bundle the database has (opm
    // also writes rows for the names a bundle replaces or skips, whether or
    // not those exist), head first.
    MK_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db,
                                              "SELECT c.package_name, c.name, e.operatorbundle_name, MIN(e.depth) AS d "
                                              "FROM channel c LEFT JOIN channel_entry e "
                                              "ON e.channel_name = c.name AND e.package_name = c.package_name "
                                              "GROUP BY c.package_name, c.name, e.operatorbundle_name "
                                              "ORDER BY c.package_name, c.name, d, e.operatorbundle_name"));
    while (true) {
      MK_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      if (c.channels.empty() || c.channels.back().package != s.Text(0) || c.channels.back().name != s.Text(1))
        c.channels.push_back({s.Text(1), s.Text(0), {}});
      if (s.IsNull(2)) continue;  // a channel without entries
      std::string name = s.Text(2);
      auto u = upgrade.find(name);
      if (u == upgrade.end()) continue;
      c.channels.back().entries.push_back({name, u->second.replaces, u->second.skips, u->second.skip_range});
    }
  }
  {
    MK_ASSIGN_OR_RETURN(
        Stmt s, Stmt::Prepare(db, "SELECT IFNULL(image, ''), operatorbundle_name FROM related_image ORDER BY rowid"));
    while (true) {
      MK_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      auto it = bundle_index.find(s.Text(1));
      if (it == bundle_index.end() || s.Text(0).empty()) continue;
      auto& related = c.bundles[it->second].related_images;
      RelatedImage ri{"", s.Text(0)};
      if (std::none_of(related.begin(), related.end(), [&](const auto& r) { return r.image == ri.image; }))
        related.push_back(std::move(ri));
    }
  }
  // The same order as a file-based catalog's (FbcBuilder::Finish).
  std::stable_sort(c.bundles.begin(), c.bundles.end(), [](const auto& a, const auto& b) {
    return a.package != b.package ? a.package < b.package : a.name < b.name;
  });
  return c;
}

Result<Catalog> ReadSqliteImage(store::Store& store, const CatalogImage& image) {
  MK_ASSIGN_OR_RETURN(TempDatabase db, ExtractDatabase(store, image));
  auto c = ReadSqlite(db.path());
  if (!c.ok()) {
    // Messages name the file: the image's, not the temporary's.
    std::string message = c.status().message();
    for (size_t at; (at = message.find(db.path())) != std::string::npos;)
      message.replace(at, db.path().size(), image.root);
    return Status(c.status().code(), image.requested.String() + ": " + message);
  }
  c->root = image.root;
  return c;
}

Result<Catalog> ReadCatalog(store::Store& store, const CatalogImage& image) {
  return image.format == Format::kSqlite ? ReadSqliteImage(store, image) : ReadFileBased(store, image);
}

}  // namespace mk::catalog
