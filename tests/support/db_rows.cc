#include "support/db_rows.h"

#include <sqlite3.h>

#include <memory>
#include <stdexcept>

namespace aidlink::test {
namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

Db OpenReadOnly(const std::string& db_path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    throw std::runtime_error("open " + db_path +
                             " read-only: " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db.get(), 5000);
  return db;
}

void Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error(std::string(sql) + ": " + message);
  }
}

int64_t Count(sqlite3* db, const std::string& table) {
  std::string sql = "SELECT count(*) FROM \"" + table + "\"";
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    throw std::runtime_error(sql + ": " + sqlite3_errmsg(db));
  }
  Stmt stmt(raw);
  if (sqlite3_step(stmt.get()) != SQLITE_ROW) {
    throw std::runtime_error(sql + ": " + sqlite3_errmsg(db));
  }
  return sqlite3_column_int64(stmt.get(), 0);
}

}  // namespace

const std::vector<std::string>& AllTables() {
  static const std::vector<std::string> kTables = {
      "tokens", "items", "donors", "depots",      "stations", "requesters",
      "lots",   "needs", "events", "idempotency", "users",    "sessions",
  };
  return kTables;
}

int64_t CountRows(const std::string& db_path, const std::string& table) {
  Db db = OpenReadOnly(db_path);
  return Count(db.get(), table);
}

std::map<std::string, int64_t> CountAllRows(const std::string& db_path) {
  Db db = OpenReadOnly(db_path);
  Exec(db.get(), "BEGIN");
  std::map<std::string, int64_t> counts;
  for (const std::string& table : AllTables()) counts[table] = Count(db.get(), table);
  Exec(db.get(), "COMMIT");
  return counts;
}

int64_t QueryInt(const std::string& db_path, const std::string& sql) {
  Db db = OpenReadOnly(db_path);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    throw std::runtime_error(sql + ": " + sqlite3_errmsg(db.get()));
  }
  Stmt stmt(raw);
  if (sqlite3_step(stmt.get()) != SQLITE_ROW) {
    throw std::runtime_error(sql + ": no row: " + sqlite3_errmsg(db.get()));
  }
  return sqlite3_column_int64(stmt.get(), 0);
}

void ExecSql(const std::string& db_path, const std::string& sql) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    throw std::runtime_error("open " + db_path + ": " +
                             (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db.get(), 5000);
  Exec(db.get(), sql.c_str());
}

std::string FormatCounts(const std::map<std::string, int64_t>& counts) {
  std::string out;
  for (const auto& [table, n] : counts) {
    if (!out.empty()) out += ' ';
    out += table + '=' + std::to_string(n);
  }
  return out;
}

}  // namespace aidlink::test
