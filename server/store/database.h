#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

// SQLite's handles, declared here so that users of the store need not
// include <sqlite3.h>.
struct sqlite3;
struct sqlite3_stmt;

namespace aidlink::store {

class Statement;

// One SQLite connection with a cache of prepared statements. Not
// thread-safe: one thread uses a Database at a time (the store hands each
// connection to one caller at a time).
class Database {
 public:
  // Opens (creating if `create`) the file at `path` with WAL, foreign keys,
  // `busy_timeout` (how long to wait for another process's lock) and the
  // given synchronous mode ("FULL" or "NORMAL"). Returns the error message of
  // SQLite on failure. Errors of a database that stays busy past the timeout
  // are kUnavailable; a full disk is kInsufficientStorage.
  static StatusOr<std::unique_ptr<Database>> Open(
      const std::string& path, bool read_only, const std::string& synchronous = "FULL",
      std::chrono::milliseconds busy_timeout = std::chrono::seconds(10));
  ~Database();

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more SQL statements that return no rows. A single
  // statement (no ';') is prepared once and cached, like Prepare.
  Status Exec(std::string_view sql);

  // The cached prepared statement for `sql`, reset and with bindings
  // cleared, ready to bind. The reference stays valid for the connection's
  // lifetime; do not hold it across another Prepare of the same text.
  StatusOr<Statement*> Prepare(const std::string& sql);

  // rowid of the last INSERT on this connection.
  int64_t LastInsertId() const;
  // Rows changed by the last statement.
  int Changes() const;

  sqlite3* handle() const { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> cache_;
};

// A prepared statement (RAII: finalized in the destructor). Bind parameters
// are 1-based, columns 0-based, as in SQLite. A Bind that fails (an index out
// of range, a text too big) is kept and returned by the next Step or Run,
// which then runs nothing. Not thread-safe.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();

  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, const std::string& value) {
    return Bind(index, std::string_view(value));
  }
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Statement& Bind(int index, const std::optional<double>& value);
  Statement& Bind(int index, const std::optional<int64_t>& value);
  Statement& BindNull(int index);
  // NULL when `value` is empty (a date that is not set), else the text.
  Statement& BindTextOrNull(int index, std::string_view value);
  // NULL when `id` is 0 (no reference: the server itself acts), else the id.
  Statement& BindIdOrNull(int index, int64_t id);
  Statement& BindBlob(int index, std::string_view bytes);

  // Advances to the next row: true if a row is ready, false when done.
  // A constraint violation maps to kConflict (UNIQUE) or kFailedPrecondition
  // (CHECK, FOREIGN KEY); anything else to kInternal.
  StatusOr<bool> Step();
  // Steps a statement that returns no rows.
  Status Run();

  int64_t Int(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;
  std::optional<int64_t> OptInt(int column) const;
  std::optional<double> OptDouble(int column) const;
  bool IsNull(int column) const;

  // Rewinds to before the first row and clears the bindings (and a kept
  // Bind failure).
  void Reset();
  // Rewinds to before the first row and keeps the bindings, for a statement
  // run many times with some parameters unchanged.
  void Rewind();

 private:
  // Keeps the first failing sqlite3_bind_* result for Step.
  Statement& Check(int rc, int index);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = 0;  // SQLITE_OK
  int bind_index_ = 0;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless Commit()
// succeeded.
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) {}
  ~Transaction();

  Status Begin();
  Status Commit();

 private:
  Database& db_;
  bool open_ = false;
};

}  // namespace aidlink::store
