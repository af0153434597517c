// RAII over libsqlite3 (the catalog module is its only user): a connection
// and a prepared statement, closed / finalized on destruction, with errors
// as Status values that name the database file. A Db and its Stmts are used
// from one thread at a time; every Stmt must go before its Db (a Db may be
// moved while it has Stmts: they hold sqlite's handle, not the Db; a Db
// closed first stays open inside sqlite until its last Stmt is finalized).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace mk::catalog {

class Db {
 public:
  // read_only: SQLITE_OPEN_READONLY and immutable (a file nobody changes
  // while it is open: no locks, no journal or WAL files created beside it),
  // else read-write, created when absent.
  static Result<Db> Open(const std::string& path, bool read_only);
  Db(Db&& o) noexcept;
  Db& operator=(Db&& o) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }
  // Runs statements that return no rows (DDL, BEGIN/COMMIT).
  Status Exec(const std::string& sql);
  // Whether the table exists, and whether it has the column.
  Result<bool> HasTable(const std::string& table);
  Result<bool> HasColumn(const std::string& table, const std::string& column);
  // "PATH: what: sqlite's message".
  Status Error(const std::string& what) const;

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Stmt {
 public:
  static Result<Stmt> Prepare(Db& db, const std::string& sql);
  Stmt(Stmt&& o) noexcept;
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // true: a row is ready; false: done.
  Result<bool> Step();
  // Column i of the current row; NULL reads as "" / 0.
  std::string Text(int i) const;
  int64_t Int(int i) const;
  bool IsNull(int i) const;
  // 1-based parameters, as sqlite numbers them.
  Status Bind(int i, std::string_view text);
  Status Bind(int i, int64_t value);
  Status BindNull(int i);
  Status Reset();

 private:
  Stmt(std::string path, sqlite3_stmt* stmt) : path_(std::move(path)), stmt_(stmt) {}
  Status Error(const std::string& what) const;
  std::string path_;  // the database's, for messages
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace mk::catalog
