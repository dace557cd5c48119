#include "store/pg.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <set>
#include <system_error>

namespace aidlink::store::pg {
namespace {

template <typename T>
std::string ToText(T value) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : std::string("0");
}

// The error of a failed result, without DETAIL (it quotes row values). An
// error without SQLSTATE is libpq's own: the connection is lost (`lost`).
Status StatusOf(const PGresult* result, const PGconn* conn, bool& lost) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (state == nullptr) {
    lost = true;
    const char* why = result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn);
    return Unavailable(std::string("PostgreSQL connection lost: ") + why);
  }
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  const char* constraint = PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME);
  std::string message = primary != nullptr ? primary : "error";
  if (constraint != nullptr) message += std::string(" (constraint ") + constraint + ")";
  if (PQstatus(conn) != CONNECTION_OK) lost = true;
  return StatusFromSqlState(state, std::move(message));
}

bool Succeeded(const PGresult* result) {
  const ExecStatusType s = PQresultStatus(result);
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

// Notices (e.g. "relation already exists, skipping") would go to stderr;
// they can quote values, so they are dropped.
void DropNotice(void*, const char*) {}

}  // namespace

Status StatusFromSqlState(std::string_view sqlstate, std::string message) {
  message = "PostgreSQL: " + message;
  if (sqlstate == "23505") return Conflict(std::move(message));
  if (sqlstate == "23514" || sqlstate == "23503" || sqlstate == "23502") {
    return FailedPrecondition(std::move(message));
  }
  if (sqlstate == "53100") return Status(Code::kInsufficientStorage, std::move(message));
  // Retry-able: serialization failure, deadlock, too many connections,
  // shutdown or crash of the server, a read-only standby, a lost connection.
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "53300" ||
      sqlstate.starts_with("57P") || sqlstate == "25006" || sqlstate.starts_with("08")) {
    return Unavailable(std::move(message));
  }
  return Internal(std::move(message));
}

// ---------------------------------------------------------------------------
// Params

Params& Params::Add(int64_t value) {
  values_.emplace_back(ToText(value));
  return *this;
}

Params& Params::Add(double value) {
  values_.emplace_back(ToText(value));  // shortest text that reads back exactly
  return *this;
}

Params& Params::Add(std::string_view value) {
  values_.emplace_back(std::string(value));
  return *this;
}

Params& Params::Add(const std::optional<int64_t>& value) { return value ? Add(*value) : AddNull(); }

Params& Params::Add(const std::optional<double>& value) { return value ? Add(*value) : AddNull(); }

Params& Params::AddNull() {
  values_.emplace_back(std::nullopt);
  return *this;
}

std::vector<const char*> Params::Pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

// ---------------------------------------------------------------------------
// Result

Result::~Result() {
  if (result_ != nullptr) PQclear(result_);
}

Result& Result::operator=(Result&& other) noexcept {
  if (this != &other) {
    if (result_ != nullptr) PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

std::string Result::CommandTag() const { return result_ ? PQcmdStatus(result_) : ""; }

int Result::Rows() const { return result_ ? PQntuples(result_) : 0; }

int64_t Result::Affected() const {
  if (result_ == nullptr) return 0;
  const char* text = PQcmdTuples(result_);
  int64_t n = 0;
  std::from_chars(text, text + std::strlen(text), n);
  return n;
}

template <typename T>
T Result::Number(int row, int column) const {
  if (IsNull(row, column)) return 0;
  const char* text = PQgetvalue(result_, row, column);
  T v = 0;
  std::from_chars(text, text + PQgetlength(result_, row, column), v);
  return v;
}

bool Result::IsNull(int row, int column) const {
  return result_ == nullptr || PQgetisnull(result_, row, column) != 0;
}

int64_t Result::Int(int row, int column) const { return Number<int64_t>(row, column); }

double Result::Double(int row, int column) const { return Number<double>(row, column); }

std::string Result::Text(int row, int column) const {
  if (IsNull(row, column)) return "";
  return std::string(PQgetvalue(result_, row, column),
                     static_cast<size_t>(PQgetlength(result_, row, column)));
}

std::optional<int64_t> Result::OptInt(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Int(row, column);
}

std::optional<double> Result::OptDouble(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Double(row, column);
}

// ---------------------------------------------------------------------------
// Connection

StatusOr<std::unique_ptr<Connection>> Connection::Open(const std::string& uri) {
  PGconn* conn = PQconnectdb(uri.c_str());
  if (conn == nullptr) return Unavailable("PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = std::string("cannot connect to PostgreSQL: ") + PQerrorMessage(conn);
    PQfinish(conn);
    return Unavailable(std::move(message));
  }
  PQsetNoticeProcessor(conn, DropNotice, nullptr);
  if (PQsetClientEncoding(conn, "UTF8") != 0) {
    PQfinish(conn);
    return Internal("PostgreSQL: cannot use UTF8");
  }
  return std::unique_ptr<Connection>(new Connection(conn, uri));
}

Connection::~Connection() { PQfinish(conn_); }

Status Connection::Exec(std::string_view sql) {
  PGresult* raw = PQexec(conn_, std::string(sql).c_str());
  Status s = raw != nullptr && Succeeded(raw) ? Status::Ok() : StatusOf(raw, conn_, lost_);
  if (raw != nullptr) PQclear(raw);
  return s;
}

StatusOr<std::string> Connection::Prepared(const std::string& sql, int params) {
  if (auto it = prepared_.find(sql); it != prepared_.end()) return it->second;
  std::string name = "aidlink_" + std::to_string(prepared_.size() + 1);
  PGresult* result = PQprepare(conn_, name.c_str(), sql.c_str(), params, nullptr);
  const bool ok = result != nullptr && Succeeded(result);
  Status s = ok ? Status::Ok() : StatusOf(result, conn_, lost_);
  if (result != nullptr) PQclear(result);
  if (!s.ok()) return s;
  prepared_.emplace(sql, name);
  return name;
}

StatusOr<Result> Connection::Run(const std::string& sql, const Params& params) {
  StatusOr<std::string> name = Prepared(sql, params.size());
  if (!name.ok()) return name.status();
  const std::vector<const char*> values = params.Pointers();
  PGresult* raw =
      PQexecPrepared(conn_, name->c_str(), params.size(), values.data(), nullptr, nullptr, 0);
  if (raw == nullptr || !Succeeded(raw)) {
    Status s = StatusOf(raw, conn_, lost_);
    if (raw != nullptr) PQclear(raw);
    return s;
  }
  return Result(raw);
}

StatusOr<std::vector<StatusOr<Result>>> Connection::Pipeline(const std::vector<Query>& batch) {
  // Statements are prepared outside the pipeline (once per connection), so
  // that a batch is only Bind/Execute messages.
  std::vector<std::string> names;
  names.reserve(batch.size());
  for (const Query& q : batch) {
    StatusOr<std::string> name = Prepared(q.sql, q.params.size());
    if (!name.ok()) return name.status();
    names.push_back(std::move(*name));
  }
  if (PQenterPipelineMode(conn_) != 1) return Internal("PostgreSQL: cannot enter pipeline mode");
  bool sent = true;
  for (size_t i = 0; i < batch.size() && sent; ++i) {
    const std::vector<const char*> values = batch[i].params.Pointers();
    sent = PQsendQueryPrepared(conn_, names[i].c_str(), batch[i].params.size(), values.data(),
                               nullptr, nullptr, 0) == 1;
  }
  sent = sent && PQpipelineSync(conn_) == 1;
  std::vector<StatusOr<Result>> out;
  out.reserve(batch.size());
  for (size_t i = 0; i < batch.size() && sent; ++i) {
    PGresult* raw = PQgetResult(conn_);
    if (raw == nullptr) {
      sent = false;
      break;
    }
    if (PQresultStatus(raw) == PGRES_PIPELINE_ABORTED) {
      out.emplace_back(Unavailable("PostgreSQL: skipped after an earlier error in the batch"));
      PQclear(raw);
    } else if (!Succeeded(raw)) {
      out.emplace_back(StatusOf(raw, conn_, lost_));
      PQclear(raw);
    } else {
      out.emplace_back(Result(raw));
    }
    // Each query's results end with a null result.
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
  }
  if (sent) {
    PGresult* sync = PQgetResult(conn_);
    sent = sync != nullptr && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    if (sync != nullptr) PQclear(sync);
  }
  if (!sent || PQexitPipelineMode(conn_) != 1) {
    lost_ = true;
    return Unavailable(std::string("PostgreSQL: pipelined batch failed: ") + PQerrorMessage(conn_));
  }
  // A transaction the batch began and an error aborted stays open until
  // ROLLBACK; end it, so that the connection is usable again.
  if (PQtransactionStatus(conn_) == PQTRANS_INERROR) {
    if (Status s = Exec("ROLLBACK"); !s.ok()) return s;
  }
  return out;
}

bool Connection::Healthy() const { return !lost_ && PQstatus(conn_) == CONNECTION_OK; }

Status Connection::Reconnect() {
  prepared_.clear();
  lost_ = false;
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    return Unavailable(std::string("cannot reconnect to PostgreSQL: ") + PQerrorMessage(conn_));
  }
  PQsetNoticeProcessor(conn_, DropNotice, nullptr);
  PQsetClientEncoding(conn_, "UTF8");
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// Transaction

Transaction::~Transaction() {
  if (open_) (void)conn_.Exec("ROLLBACK");
}

Status Transaction::Begin() {
  Status s = conn_.Exec("BEGIN");
  open_ = s.ok();
  return s;
}

Status Transaction::Commit() {
  // COMMIT of a transaction an error aborted answers ROLLBACK, not an error.
  StatusOr<Result> r = conn_.Run("COMMIT");
  open_ = false;
  if (!r.ok()) return r.status();
  if (r->CommandTag() != "COMMIT") {
    return Unavailable("PostgreSQL: the transaction was rolled back after an error");
  }
  return Status::Ok();
}

}  // namespace aidlink::store::pg
