#include "catalog/sqlite_db.h"

#include <sqlite3.h>

#include <utility>

namespace mk::catalog {

namespace {

// path as a file: URI (sqlite's uri.html): only what would end the path
// ('?', '#') and the escape itself are escaped.
std::string FileUri(const std::string& path) {
  std::string uri = "file:";
  for (char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      static const char kHex[] = "0123456789ABCDEF";
      uri += '%';
      uri += kHex[static_cast<unsigned char>(c) >> 4];
      uri += kHex[c & 0xf];
    } else {
      uri += c;
    }
  }
  return uri;
}

}  // namespace

Result<Db> Db::Open(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  int rc;
  if (read_only) {
    // immutable: no locks and no journal or WAL files beside the database
    // (a WAL-mode index.db would otherwise get -wal and -shm files created
    // next to it, left behind when the temporary copy is removed).
    rc =
        sqlite3_open_v2((FileUri(path) + "?immutable=1").c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
  } else {
    rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  }
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return InvalidArgument(path + ": cannot open as a sqlite database: " + msg);
  }
  sqlite3_extended_result_codes(db, 1);
  return Db(db, path);
}

Db::Db(Db&& o) noexcept : db_(std::exchange(o.db_, nullptr)), path_(std::move(o.path_)) {}

Db& Db::operator=(Db&& o) noexcept {
  if (this != &o) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(o.db_, nullptr);
    path_ = std::move(o.path_);
  }
  return *this;
}

Db::~Db() { sqlite3_close_v2(db_); }

Status Db::Error(const std::string& what) const {
  return InvalidArgument(path_ + ": " + what + ": " + (db_ ? sqlite3_errmsg(db_) : "no database"));
}

Status Db::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "error";
    sqlite3_free(err);
    return InvalidArgument(path_ + ": " + msg);
  }
  return Status::Ok();
}

Result<bool> Db::HasTable(const std::string& table) {
  MK_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(*this, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?"));
  MK_RETURN_IF_ERROR(s.Bind(1, table));
  return s.Step();
}

Result<bool> Db::HasColumn(const std::string& table, const std::string& column) {
  // pragma_table_info takes the table name as a bound argument: no quoting.
  MK_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(*this, "SELECT 1 FROM pragma_table_info(?) WHERE name=?"));
  MK_RETURN_IF_ERROR(s.Bind(1, table));
  MK_RETURN_IF_ERROR(s.Bind(2, column));
  return s.Step();
}

Result<Stmt> Stmt::Prepare(Db& db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db.get(), sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return db.Error("cannot prepare \"" + sql + "\"");
  }
  return Stmt(db.path(), stmt);
}

Stmt::Stmt(Stmt&& o) noexcept : path_(std::move(o.path_)), stmt_(std::exchange(o.stmt_, nullptr)) {}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    path_ = std::move(o.path_);
    stmt_ = std::exchange(o.stmt_, nullptr);
  }
  return *this;
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Status Stmt::Error(const std::string& what) const {
  return InvalidArgument(path_ + ": " + what + ": " +
                         (stmt_ ? sqlite3_errmsg(sqlite3_db_handle(stmt_)) : "no statement"));
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error("query failed");
}

std::string Stmt::Text(int i) const {
  const unsigned char* p = sqlite3_column_text(stmt_, i);
  if (!p) return "";
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, i)));
}

int64_t Stmt::Int(int i) const { return sqlite3_column_int64(stmt_, i); }

bool Stmt::IsNull(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }

Status Stmt::Bind(int i, std::string_view text) {
  if (sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    return Error("cannot bind parameter " + std::to_string(i));
  return Status::Ok();
}

Status Stmt::Bind(int i, int64_t value) {
  if (sqlite3_bind_int64(stmt_, i, value) != SQLITE_OK) return Error("cannot bind parameter " + std::to_string(i));
  return Status::Ok();
}

Status Stmt::BindNull(int i) {
  if (sqlite3_bind_null(stmt_, i) != SQLITE_OK) return Error("cannot bind parameter " + std::to_string(i));
  return Status::Ok();
}

Status Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  return Status::Ok();
}

}  // namespace mk::catalog
