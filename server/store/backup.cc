#include "store/backup.h"

#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <system_error>

namespace aidlink::store {
namespace {

namespace fs = std::filesystem;

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using Connection = std::unique_ptr<sqlite3, Closer>;

Status Fail(sqlite3* db, const std::string& what) {
  return Internal(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

StatusOr<Connection> OpenConnection(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Connection db(raw);
  if (rc != SQLITE_OK) return Fail(raw, "cannot open " + path);
  sqlite3_busy_timeout(raw, 10000);
  return db;
}

Status Exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Fail(db, std::string("backup: ") + sql);
  }
  return Status::Ok();
}

// Copies every page of `src`'s open read transaction into `dst`.
StatusOr<BackupResult> CopyPages(sqlite3* src, sqlite3* dst, int pages_per_step) {
  sqlite3_backup* backup = sqlite3_backup_init(dst, "main", src, "main");
  if (backup == nullptr) return Fail(dst, "backup: cannot start");
  int rc = SQLITE_OK;
  do {
    rc = sqlite3_backup_step(backup, pages_per_step);
    // BUSY/LOCKED can only come from the destination, which nobody else
    // uses; retry after a pause like the busy handler would.
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(10);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  BackupResult result;
  result.pages = sqlite3_backup_pagecount(backup);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return Internal(std::string("backup: ") + sqlite3_errstr(rc));
  return result;
}

}  // namespace

StatusOr<BackupResult> Backup(const BackupOptions& options) {
  std::error_code ec;
  if (!fs::exists(options.from, ec)) return NotFound("no database at " + options.from, "db");
  if (!options.force && fs::exists(options.to, ec)) {
    return Conflict(options.to + " exists (use --force to replace it)");
  }
  const std::string partial = options.to + ".partial";
  for (const std::string& stale :
       {partial, partial + "-journal", partial + "-wal", partial + "-shm"}) {
    fs::remove(stale, ec);
  }

  StatusOr<Connection> src = OpenConnection(options.from, SQLITE_OPEN_READWRITE);
  if (!src.ok()) return src.status();
  // One read transaction for the whole copy: every step reads the same
  // snapshot, so writes committed meanwhile neither restart the copy nor
  // reach it half-done. In WAL mode the snapshot blocks no writer.
  AIDLINK_RETURN_IF_ERROR(Exec(src->get(), "BEGIN; SELECT count(*) FROM sqlite_schema;"));
  StatusOr<BackupResult> result = [&]() -> StatusOr<BackupResult> {
    StatusOr<Connection> dst = OpenConnection(partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (!dst.ok()) return dst.status();
    StatusOr<BackupResult> copied = CopyPages(src->get(), dst->get(), options.pages_per_step);
    if (!copied.ok()) return copied;
    copied->bytes = copied->pages * [&] {
      sqlite3_stmt* st = nullptr;
      int64_t size = 0;
      if (sqlite3_prepare_v2(dst->get(), "PRAGMA page_size", -1, &st, nullptr) == SQLITE_OK &&
          sqlite3_step(st) == SQLITE_ROW) {
        size = sqlite3_column_int64(st, 0);
      }
      sqlite3_finalize(st);
      return size;
    }();
    return copied;
  }();
  (void)Exec(src->get(), "COMMIT");
  src->reset();
  if (!result.ok()) {
    fs::remove(partial, ec);
    return result;
  }
  for (const std::string& stale :
       {options.to + "-wal", options.to + "-shm", options.to + "-journal"}) {
    fs::remove(stale, ec);
  }
  fs::rename(partial, options.to, ec);
  if (ec) return Internal("cannot rename " + partial + " to " + options.to + ": " + ec.message());
  return result;
}

}  // namespace aidlink::store
