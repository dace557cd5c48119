#pragma once

#include <cstdint>
#include <string>

#include "util/status.h"

namespace aidlink::store {

struct BackupOptions {
  std::string from;  // the live database (WAL mode), possibly in use by a server
  std::string to;    // the copy to write
  // Replace `to` if it exists (otherwise that is kAlreadyExists-like kConflict).
  bool force = false;
  // Pages copied per sqlite3_backup_step.
  int pages_per_step = 1024;
};

struct BackupResult {
  int64_t pages = 0;
  int64_t bytes = 0;
};

// Copies the database at options.from to options.to with SQLite's online
// backup API while other processes (a running server) keep writing. The copy
// is the snapshot of one read transaction opened before the first page is
// copied, so it holds every transaction committed before Backup was called
// and none half. In WAL mode that reader blocks no writer, and the copy runs
// in steps of pages_per_step pages. The copy is written to "<to>.partial"
// and renamed over `to` only when complete (any "<to>-wal"/"-shm" left from
// an older file are removed, so they cannot be replayed onto the copy).
// kNotFound if `from` does not exist, kConflict if `to` exists and !force,
// kInternal with SQLite's message for anything else.
StatusOr<BackupResult> Backup(const BackupOptions& options);

}  // namespace aidlink::store
