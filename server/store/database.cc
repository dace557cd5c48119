#include "store/database.h"

#include <sqlite3.h>

namespace aidlink::store {
namespace {

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  const int primary = rc & 0xFF;
  std::string message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (primary == SQLITE_CONSTRAINT) {
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
      return Conflict("already exists");
    }
    return FailedPrecondition("constraint failed: " + message);
  }
  // Another process holds the database past the busy timeout: the caller
  // may try again (503), and nothing was written.
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return Unavailable("the database is busy; retry shortly");
  }
  if (primary == SQLITE_FULL) {
    return Status(Code::kInsufficientStorage, "the disk holding the database is full");
  }
  return Internal(message);
}

}  // namespace

StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& path, bool read_only,
                                                   const std::string& synchronous,
                                                   std::chrono::milliseconds busy_timeout) {
  // SQLite's memory statistics (nothing here reads them) take a global
  // mutex on every malloc and free: about a tenth of a committed match run's
  // CPU time. Only possible before SQLite initialises; if something in the
  // process already opened a connection, the call fails harmlessly.
  static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)memstatus_off;
  sqlite3* raw = nullptr;
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = Internal("cannot open database " + path + ": " +
                        (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    sqlite3_close(raw);
    return s;
  }
  std::unique_ptr<Database> db(new Database(raw));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, static_cast<int>(busy_timeout.count()));
  std::string pragmas = "PRAGMA foreign_keys=ON; PRAGMA synchronous=" + synchronous + ";";
  if (!read_only) pragmas += "PRAGMA journal_mode=WAL;";
  // Readers map the database file instead of copying each page in with a
  // pread (a system call per page their small page cache misses: most of a
  // GET's pages on a large registry). Pages still in the WAL are read as
  // before. SQLite caps the size at the file's; 1 GiB of address space per
  // reader connection.
  if (read_only) pragmas += "PRAGMA mmap_size=1073741824;";
  AIDLINK_RETURN_IF_ERROR(db->Exec(pragmas));
  return db;
}

Database::~Database() {
  cache_.clear();  // Statements must be finalized before the connection closes.
  sqlite3_close(db_);
}

Status Database::Exec(std::string_view sql) {
  if (sql.find(';') == std::string_view::npos) {
    // One statement (BEGIN, COMMIT, SAVEPOINT ...): run the cached prepared
    // form instead of parsing it again; the writer runs these per write.
    StatusOr<Statement*> st = Prepare(std::string(sql));
    if (!st.ok()) return st.status();
    return (*st)->Run();
  }
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string message = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return SqliteError(nullptr, rc, message);
  }
  return Status::Ok();
}

StatusOr<Statement*> Database::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second->Reset();
    return it->second.get();
  }
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare");
  auto owned = std::make_unique<Statement>(db_, stmt);
  Statement* raw = owned.get();
  cache_.emplace(sql, std::move(owned));
  return raw;
}

int64_t Database::LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
int Database::Changes() const { return sqlite3_changes(db_); }

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Check(int rc, int index) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
    bind_index_ = index;
  }
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  return Check(sqlite3_bind_int64(stmt_, index, value), index);
}
Statement& Statement::Bind(int index, double value) {
  return Check(sqlite3_bind_double(stmt_, index, value), index);
}
Statement& Statement::Bind(int index, std::string_view value) {
  return Check(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                                 SQLITE_TRANSIENT),
               index);
}
Statement& Statement::Bind(int index, const std::optional<double>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}
Statement& Statement::Bind(int index, const std::optional<int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}
Statement& Statement::BindNull(int index) { return Check(sqlite3_bind_null(stmt_, index), index); }
Statement& Statement::BindTextOrNull(int index, std::string_view value) {
  return value.empty() ? BindNull(index) : Bind(index, value);
}
Statement& Statement::BindIdOrNull(int index, int64_t id) {
  return id == 0 ? BindNull(index) : Bind(index, id);
}
Statement& Statement::BindBlob(int index, std::string_view bytes) {
  return Check(sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()),
                                 SQLITE_TRANSIENT),
               index);
}

StatusOr<bool> Statement::Step() {
  if (bind_rc_ != SQLITE_OK) {
    const Status s =
        SqliteError(nullptr, bind_rc_, "bind of parameter " + std::to_string(bind_index_));
    bind_rc_ = SQLITE_OK;
    return s;
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status s = SqliteError(db_, rc, "step");
  sqlite3_reset(stmt_);
  return s;
}

Status Statement::Run() {
  StatusOr<bool> r = Step();
  if (!r.ok()) return r.status();
  return Status::Ok();
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::Double(int column) const { return sqlite3_column_double(stmt_, column); }
std::string Statement::Text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
           : std::string();
}
std::optional<int64_t> Statement::OptInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}
std::optional<double> Statement::OptDouble(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Double(column);
}
bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
}

void Statement::Rewind() { sqlite3_reset(stmt_); }

Transaction::~Transaction() {
  if (open_) (void)db_.Exec("ROLLBACK");
}

Status Transaction::Begin() {
  AIDLINK_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
  open_ = true;
  return Status::Ok();
}

Status Transaction::Commit() {
  AIDLINK_RETURN_IF_ERROR(db_.Exec("COMMIT"));
  open_ = false;
  return Status::Ok();
}

}  // namespace aidlink::store
