#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "store/database.h"
#include "store/model.h"
#include "store/store.h"
#include "util/status.h"

// Helpers shared by the store tests, which open a real Store on a SQLite
// file of their own.

namespace aidlink::test {

// A fresh directory under the system temporary directory holding one
// database file; the directory is removed by the destructor.
// Thread-compatible: each instance belongs to one test.
class TempDb {
 public:
  TempDb();
  ~TempDb();
  TempDb(const TempDb&) = delete;
  TempDb& operator=(const TempDb&) = delete;

  // The database file's path; the file does not exist until opened.
  std::string path() const { return (dir_ / "test.db").string(); }

 private:
  std::filesystem::path dir_;
};

// Opens (creating and migrating if needed) the store at `path`; REQUIREs
// success, so a failure stops the test with the status. The caller owns the
// store.
std::unique_ptr<store::Store> OpenStore(
    const std::string& path, bool group_commit = true,
    std::chrono::seconds idempotency_retention = store::StoreOptions{}.idempotency_retention);

// Opens (creating) the file at `path` as a bare connection migrated to
// schema `version` only: an older file, for the tests of later migrations.
// REQUIREs success. Close it before OpenStore migrates the rest.
std::unique_ptr<store::Database> OpenAtVersion(const std::string& path, int version);

// Records with the fields a test names and the rest as the model's
// defaults, for InsertItem and InsertDepot.
store::Item NewItem(std::string code, std::string name, std::string category, std::string unit,
                    int64_t pack_size = 1);
store::Depot NewDepot(std::string name, std::string address, std::string district);

// The first column of the first row of `sql`, or -1 without rows.
StatusOr<int64_t> FirstInt(store::Database& db, const std::string& sql);
// The same, REQUIRing success; on the store, through a reader.
int64_t QueryInt(store::Database& db, const std::string& sql);
int64_t QueryInt(store::Store& store, const std::string& sql);

// SQLite's EXPLAIN QUERY PLAN of `sql`, one line per step, read on the store.
StatusOr<std::string> QueryPlan(store::Store& store, const std::string& sql);

}  // namespace aidlink::test

// Requires `status` (a Status) to be ok, printing it if not. (REQUIRE_OK, in
// support/fixture.h, is for HTTP answers.)
#define REQUIRE_STATUS_OK(status)                  \
  do {                                             \
    const ::aidlink::Status aidlink_s_ = (status); \
    INFO(aidlink_s_.ToString());                   \
    REQUIRE(aidlink_s_.ok());                      \
  } while (false)
