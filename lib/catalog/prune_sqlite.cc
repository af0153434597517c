#include "catalog/prune_sqlite.h"

#include "catalog/sqlite_db.h"

namespace mk::catalog {
namespace {

// Inserts one row of text values with a prepared statement.
template <typename... T>
Status Insert(Stmt& stmt, const T&... values) {
  MK_RETURN_IF_ERROR(stmt.Reset());
  int i = 0;
  for (const std::string* v : {&values...}) MK_RETURN_IF_ERROR(stmt.Bind(++i, *v));
  MK_ASSIGN_OR_RETURN(bool row, stmt.Step());
  (void)row;
  return Status::Ok();
}

// Runs sql when table exists (and has column, when given).
Status ExecIfTable(Db& db, const std::string& table, const std::string& column, const std::string& sql) {
  MK_ASSIGN_OR_RETURN(bool has, db.HasTable(table));
  if (!has) return Status::Ok();
  if (!column.empty()) {
    MK_ASSIGN_OR_RETURN(bool has_column, db.HasColumn(table, column));
    if (!has_column) return Status::Ok();
  }
  return db.Exec(sql);
}

Status Fill(Db& db, const Catalog& catalog, const Selection& selection) {
  MK_RETURN_IF_ERROR(
      db.Exec("CREATE TEMP TABLE kept_package (name TEXT PRIMARY KEY, default_channel TEXT);"
              "CREATE TEMP TABLE kept_channel (package TEXT, name TEXT, head TEXT, PRIMARY KEY (package, name));"
              "CREATE TEMP TABLE kept_entry (package TEXT, channel TEXT, bundle TEXT,"
              " PRIMARY KEY (package, channel, bundle));"
              "CREATE TEMP TABLE kept_bundle (name TEXT PRIMARY KEY);"));
  MK_ASSIGN_OR_RETURN(Stmt package, Stmt::Prepare(db, "INSERT OR IGNORE INTO temp.kept_package VALUES (?, ?)"));
  MK_ASSIGN_OR_RETURN(Stmt channel, Stmt::Prepare(db, "INSERT OR IGNORE INTO temp.kept_channel VALUES (?, ?, ?)"));
  MK_ASSIGN_OR_RETURN(Stmt entry, Stmt::Prepare(db, "INSERT OR IGNORE INTO temp.kept_entry VALUES (?, ?, ?)"));
  MK_ASSIGN_OR_RETURN(Stmt bundle, Stmt::Prepare(db, "INSERT OR IGNORE INTO temp.kept_bundle VALUES (?)"));
  for (const auto& p : selection.packages) {
    const std::string& name = catalog.packages[p.package].name;
    MK_RETURN_IF_ERROR(Insert(package, name, p.default_channel));
    for (const auto& c : p.channels) {
      const Channel& ch = catalog.channels[c.channel];
      MK_RETURN_IF_ERROR(Insert(channel, name, ch.name, KeptHead(ch, c)));
      for (size_t e : c.entries) MK_RETURN_IF_ERROR(Insert(entry, name, ch.name, ch.entries[e].name));
    }
    for (size_t b : p.bundles) MK_RETURN_IF_ERROR(Insert(bundle, catalog.bundles[b].name));
  }
  return Status::Ok();
}

}  // namespace

std::string KeptHead(const Channel& channel, const SelectedChannel& kept) {
  Channel pruned;
  pruned.name = channel.name;
  pruned.package = channel.package;
  for (size_t e : kept.entries) pruned.entries.push_back(channel.entries[e]);
  if (pruned.entries.empty()) return "";
  auto head = ChannelHead(pruned);
  if (head.ok()) return pruned.entries[*head].name;
  return pruned.entries.back().name;
}

Status PruneDatabase(const std::string& path, const Catalog& catalog, const Selection& selection) {
  MK_ASSIGN_OR_RETURN(Db db, Db::Open(path, false));
  MK_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = OFF; BEGIN"));
  MK_RETURN_IF_ERROR(Fill(db, catalog, selection));
  const std::string kept_bundle = "(SELECT name FROM temp.kept_bundle)";
  MK_RETURN_IF_ERROR(ExecIfTable(db, "package", "",
                                 "DELETE FROM package WHERE name NOT IN (SELECT name FROM temp.kept_package);"
                                 "UPDATE package SET default_channel = (SELECT k.default_channel FROM"
                                 " temp.kept_package k WHERE k.name = package.name)"));
  MK_RETURN_IF_ERROR(ExecIfTable(db, "channel", "",
                                 "DELETE FROM channel WHERE NOT EXISTS (SELECT 1 FROM temp.kept_channel k"
                                 " WHERE k.package = channel.package_name AND k.name = channel.name);"
                                 "UPDATE channel SET head_operatorbundle_name = (SELECT k.head FROM"
                                 " temp.kept_channel k WHERE k.package = channel.package_name AND"
                                 " k.name = channel.name)"));
  MK_RETURN_IF_ERROR(ExecIfTable(db, "channel_entry", "",
                                 "DELETE FROM channel_entry WHERE NOT EXISTS (SELECT 1 FROM temp.kept_entry k"
                                 " WHERE k.package = channel_entry.package_name AND k.channel ="
                                 " channel_entry.channel_name AND k.bundle = channel_entry.operatorbundle_name);"
                                 "UPDATE channel_entry SET replaces = NULL WHERE replaces IS NOT NULL AND"
                                 " replaces NOT IN (SELECT entry_id FROM channel_entry)"));
  MK_RETURN_IF_ERROR(
      ExecIfTable(db, "operatorbundle", "", "DELETE FROM operatorbundle WHERE name NOT IN " + kept_bundle));
  MK_RETURN_IF_ERROR(ExecIfTable(db, "operatorbundle", "replaces",
                                 "UPDATE operatorbundle SET replaces = '' WHERE replaces IS NOT NULL AND"
                                 " replaces <> '' AND replaces NOT IN " +
                                     kept_bundle));
  for (const char* table : {"related_image", "properties", "dependencies", "deprecated"})
    MK_RETURN_IF_ERROR(
        ExecIfTable(db, table, "operatorbundle_name",
                    std::string("DELETE FROM ") + table + " WHERE operatorbundle_name NOT IN " + kept_bundle));
  for (const char* table : {"api_provider", "api_requirer"})
    MK_RETURN_IF_ERROR(ExecIfTable(
        db, table, "channel_entry_id",
        std::string("DELETE FROM ") + table + " WHERE channel_entry_id NOT IN (SELECT entry_id FROM channel_entry)"));
  MK_RETURN_IF_ERROR(
      db.Exec("DROP TABLE temp.kept_package; DROP TABLE temp.kept_channel;"
              " DROP TABLE temp.kept_entry; DROP TABLE temp.kept_bundle; COMMIT"));
  return db.Exec("VACUUM");
}

}  // namespace mk::catalog
