#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

// libpq's handles (PGconn, PGresult), declared here so that users of the
// store need not include <libpq-fe.h>.
struct pg_conn;
struct pg_result;

// PostgreSQL through libpq: a connection with a cache of prepared
// statements, results, transactions and pipelined batches (one round trip
// for many statements). The PostgreSQL counterpart of store/database.h.
// Errors keep only PostgreSQL's primary message and the constraint's name,
// never its DETAIL (which quotes row values: names, phones).
namespace aidlink::store::pg {

// Parameters of one statement, in text form ($1, $2, ... in order).
class Params {
 public:
  Params() = default;

  Params& Add(int64_t value);
  Params& Add(int value) { return Add(static_cast<int64_t>(value)); }
  Params& Add(double value);
  Params& Add(std::string_view value);
  Params& Add(const std::string& value) { return Add(std::string_view(value)); }
  Params& Add(const char* value) { return Add(std::string_view(value)); }
  Params& Add(const std::optional<int64_t>& value);
  Params& Add(const std::optional<double>& value);
  Params& AddNull();

  int size() const { return static_cast<int>(values_.size()); }
  // libpq's view: one pointer per parameter, null for NULL. Valid until
  // the next Add.
  std::vector<const char*> Pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

// The rows of one statement (RAII: PQclear). Rows and columns are 0-based.
// Values are read from their text form; a column read with the wrong type
// gives 0 or "".
class Result {
 public:
  explicit Result(pg_result* result) : result_(result) {}
  ~Result();
  Result(Result&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
  Result& operator=(Result&& other) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;

  int Rows() const;
  // The command's tag, e.g. "INSERT 0 1", "COMMIT" or (for a COMMIT of an
  // aborted transaction) "ROLLBACK".
  std::string CommandTag() const;
  // Rows an INSERT, UPDATE or DELETE changed.
  int64_t Affected() const;

  bool IsNull(int row, int column) const;
  int64_t Int(int row, int column) const;
  double Double(int row, int column) const;
  std::string Text(int row, int column) const;
  std::optional<int64_t> OptInt(int row, int column) const;
  std::optional<double> OptDouble(int row, int column) const;

 private:
  // The value's text read as a T; 0 when NULL or not a T.
  template <typename T>
  T Number(int row, int column) const;

  pg_result* result_;
};

// One statement of a pipelined batch.
struct Query {
  std::string sql;
  Params params;
};

// One connection. Not thread-safe: one thread uses it at a time.
class Connection {
 public:
  // Connects to `uri` (a libpq connection URI or key=value string, multi-host
  // allowed). kUnavailable if the server cannot be reached.
  static StatusOr<std::unique_ptr<Connection>> Open(const std::string& uri);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs SQL without parameters (several statements allowed), e.g. DDL.
  Status Exec(std::string_view sql);

  // Runs one statement with parameters, prepared once per connection and
  // cached by its text.
  StatusOr<Result> Run(const std::string& sql, const Params& params = {});

  // Sends every query of `batch` before reading any answer (libpq's pipeline
  // mode): one round trip. Each query has its own outcome, in order; after
  // a query fails, the rest of the batch up to its end is not run
  // (kAborted-like: kUnavailable "skipped after an earlier error").
  // Whether the batch is one transaction is up to the caller (BEGIN and
  // COMMIT may be queries of the batch). A broken connection fails the call.
  StatusOr<std::vector<StatusOr<Result>>> Pipeline(const std::vector<Query>& batch);

  // Whether the connection is still usable; Reconnect() after it is not.
  bool Healthy() const;
  // Connects again (the same URI; with a multi-host URI, to whichever host
  // now accepts). Prepared statements are prepared again on use.
  Status Reconnect();

 private:
  Connection(pg_conn* conn, std::string uri) : conn_(conn), uri_(std::move(uri)) {}
  // The name of `sql`'s prepared statement, preparing it if needed.
  StatusOr<std::string> Prepared(const std::string& sql, int params);

  pg_conn* conn_;
  std::string uri_;
  bool lost_ = false;  // an error said the connection is gone
  std::map<std::string, std::string, std::less<>> prepared_;  // sql -> statement name
};

// BEGIN ... COMMIT; rolls back in the destructor unless Commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Connection& conn) : conn_(conn) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status Begin();
  Status Commit();

 private:
  Connection& conn_;
  bool open_ = false;
};

// The Status of a failed statement by its SQLSTATE: unique violation
// kConflict; check, foreign key and not-null violations kFailedPrecondition;
// serialization failures, deadlocks, a lost connection, a server shutting
// down or read-only (a standby after failover) kUnavailable; disk full
// kInsufficientStorage; anything else kInternal.
Status StatusFromSqlState(std::string_view sqlstate, std::string message);

}  // namespace aidlink::store::pg
