#include "support/store_fixture.h"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <utility>

#include "store/database.h"
#include "store/schema.h"

namespace fs = std::filesystem;

namespace aidlink::test {
namespace {

// Numbers the directories of one process.
std::atomic<int> temp_db_counter{0};

}  // namespace

TempDb::TempDb() {
  dir_ = fs::temp_directory_path() /
         ("aidlink-store-" + std::to_string(::getpid()) + "-" + std::to_string(temp_db_counter++));
  fs::remove_all(dir_);
  fs::create_directories(dir_);
}

TempDb::~TempDb() { fs::remove_all(dir_); }

std::unique_ptr<store::Store> OpenStore(const std::string& path, bool group_commit,
                                        std::chrono::seconds idempotency_retention) {
  store::StoreOptions options;
  options.path = path;
  options.group_commit = group_commit;
  options.idempotency_retention = idempotency_retention;
  auto store = store::Store::Open(options);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(*store);
}

std::unique_ptr<store::Database> OpenAtVersion(const std::string& path, int version) {
  auto db = store::Database::Open(path, false);
  REQUIRE_STATUS_OK(db.status());
  REQUIRE_STATUS_OK(store::MigrateTo(**db, version));
  return std::move(*db);
}

store::Item NewItem(std::string code, std::string name, std::string category, std::string unit,
                    int64_t pack_size) {
  store::Item item;
  item.code = std::move(code);
  item.name = std::move(name);
  item.category = std::move(category);
  item.unit = std::move(unit);
  item.pack_size = pack_size;
  return item;
}

store::Depot NewDepot(std::string name, std::string address, std::string district) {
  store::Depot depot;
  depot.name = std::move(name);
  depot.address = std::move(address);
  depot.district = std::move(district);
  return depot;
}

StatusOr<int64_t> FirstInt(store::Database& db, const std::string& sql) {
  auto st = db.Prepare(sql);
  if (!st.ok()) return st.status();
  auto row = (*st)->Step();
  if (!row.ok()) return row.status();
  const int64_t v = *row ? (*st)->Int(0) : -1;
  (*st)->Reset();
  return v;
}

int64_t QueryInt(store::Database& db, const std::string& sql) {
  auto n = FirstInt(db, sql);
  REQUIRE_STATUS_OK(n.status());
  return *n;
}

int64_t QueryInt(store::Store& store, const std::string& sql) {
  auto n = store.Read([&](store::Database& db) { return FirstInt(db, sql); });
  REQUIRE_STATUS_OK(n.status());
  return *n;
}

StatusOr<std::string> QueryPlan(store::Store& store, const std::string& sql) {
  return store.Read([&](store::Database& db) -> StatusOr<std::string> {
    auto st = db.Prepare("EXPLAIN QUERY PLAN " + sql);
    if (!st.ok()) return st.status();
    std::string out;
    for (;;) {
      auto row = (*st)->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out += (*st)->Text(3) + "\n";
    }
    (*st)->Reset();
    return out;
  });
}

}  // namespace aidlink::test
