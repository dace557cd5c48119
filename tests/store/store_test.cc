#include "store/store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "store/repo.h"
#include "store/schema.h"
#include "support/store_fixture.h"
#include "util/date.h"

using namespace aidlink;
using namespace aidlink::store;
using aidlink::test::OpenStore;
using aidlink::test::TempDb;

namespace {

const Actor kActor{0, "test"};

int64_t Count(Store& store, const std::string& table) {
  return test::QueryInt(store, "SELECT count(*) FROM " + table);
}

// Registers a station, donor, item, depot and one requester; returns ids.
struct Registry {
  int64_t station, donor, item, depot, requester;
};

Registry Seed(Store& store) {
  Registry r{};
  REQUIRE_STATUS_OK(store.Write([&](Database& db) -> Status {
    auto s = InsertStation(db, {0, "民权街社工站", "江汉区", "", ""}, kActor);
    if (!s.ok()) return s.status();
    r.station = s->id;
    auto d = InsertDonor(db, {0, "爱心超市", "charity", "", "", ""}, kActor);
    if (!d.ok()) return d.status();
    r.donor = d->id;
    auto i = InsertItem(db, test::NewItem("MASK-KN95", "KN95口罩", "ppe", "piece", 10), kActor);
    if (!i.ok()) return i.status();
    r.item = i->id;
    auto p = InsertDepot(db, test::NewDepot("江汉区仓库", "发展大道1号", "江汉区"), kActor);
    if (!p.ok()) return p.status();
    r.depot = p->id;
    Requester q;
    q.station_id = r.station;
    q.kind = "household";
    q.name = "金老伯";
    q.address = "幸福里3幢201";
    q.district = "江汉区";
    q.tags = {"elderly_alone", "chronic_illness"};
    auto rq = InsertRequester(db, q, kActor);
    if (!rq.ok()) return rq.status();
    r.requester = rq->id;
    return Status::Ok();
  }));
  return r;
}

}  // namespace

TEST_CASE("a new database is migrated to the current schema version", "[store]") {
  TempDb tmp;
  { auto store = OpenStore(tmp.path()); }
  auto db = Database::Open(tmp.path(), false);
  REQUIRE_STATUS_OK(db.status());
  auto st = (*db)->Prepare("PRAGMA user_version");
  REQUIRE_STATUS_OK(st.status());
  REQUIRE(*(*st)->Step());
  CHECK((*st)->Int(0) == SchemaVersion());
  (*st)->Reset();
  // Migrating again is a no-op.
  REQUIRE_STATUS_OK(Migrate(**db));
}

TEST_CASE("WaitIdle returns once every queued write is committed and answered", "[store]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  std::atomic<int> answered{0};
  constexpr int kWrites = 20;
  for (int i = 0; i < kWrites; ++i) {
    store->WriteAsync(
        [i](Database& db) {
          return InsertItem(db,
                            {0, "W" + std::to_string(i), "物资", "other", "piece", 1, false, ""},
                            kActor)
              .status();
        },
        false,
        [&answered](Status s) {
          if (s.ok()) answered++;
        });
  }
  store->WaitIdle();
  CHECK(answered.load() == kWrites);
  CHECK(Count(*store, "items") == kWrites);
  store->WaitIdle();  // idle already: returns at once
}

TEST_CASE("records survive closing and reopening the database", "[store]") {
  TempDb tmp;
  Registry r;
  {
    auto store = OpenStore(tmp.path());
    r = Seed(*store);
  }
  auto store = OpenStore(tmp.path());
  auto requester = store->Read([&](Database& db) { return GetRequester(db, r.requester); });
  REQUIRE_STATUS_OK(requester.status());
  CHECK(requester->name == "金老伯");
  CHECK(requester->tags == std::vector<std::string>{"elderly_alone", "chronic_illness"});
}

TEST_CASE("every write appends a ledger event in the same transaction", "[store]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  Seed(*store);
  CHECK(Count(*store, "events") == 5);
}

TEST_CASE("a failing write rolls back alone and leaves nothing behind", "[store]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  Registry r = Seed(*store);
  const int64_t events = Count(*store, "events");
  Status s = store->Write([&](Database& db) -> Status {
    Need need;
    need.requester_id = r.requester;
    need.item_id = r.item;
    need.quantity = 5;
    need.urgency = "critical";
    auto n = InsertNeed(db, need, kActor);
    if (!n.ok()) return n.status();
    return FailedPrecondition("changed my mind");  // after a successful insert
  });
  CHECK(s.code() == Code::kFailedPrecondition);
  CHECK(Count(*store, "needs") == 0);
  CHECK(Count(*store, "events") == events);
}

TEST_CASE("unknown references are reported with the field that named them", "[store]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  Registry r = Seed(*store);
  Lot lot;
  lot.donor_id = r.donor;
  lot.item_id = 999;
  lot.depot_id = r.depot;
  lot.quantity = 100;
  Status s = store->Write([&](Database& db) { return InsertLot(db, lot, kActor).status(); });
  CHECK(s.code() == Code::kNotFound);
  CHECK(s.field() == "item_id");
  CHECK(Count(*store, "lots") == 0);
}

TEST_CASE("a duplicate item code is a conflict", "[store]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  Seed(*store);
  const Item item = test::NewItem("MASK-KN95", "again", "ppe", "piece");
  Status s = store->Write([&](Database& db) { return InsertItem(db, item, kActor).status(); });
  CHECK(s.code() == Code::kConflict);
  CHECK(s.field() == "code");
}

TEST_CASE("the schema refuses quantities that break conservation", "[store]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  Registry r = Seed(*store);
  Lot lot;
  lot.donor_id = r.donor;
  lot.item_id = r.item;
  lot.depot_id = r.depot;
  lot.quantity = 100;
  StatusOr<Lot> stored = Internal("unset");
  REQUIRE_STATUS_OK(store->Write([&](Database& db) {
    stored = InsertLot(db, lot, kActor);
    return stored.status();
  }));
  SECTION("available + allocated + delivered + written_off must equal quantity") {
    Status s = store->Write([&](Database& db) {
      return db.Exec("UPDATE lots SET available = 99 WHERE id = " + std::to_string(stored->id));
    });
    CHECK(s.code() == Code::kFailedPrecondition);
  }
  SECTION("no quantity may go negative") {
    Status s = store->Write([&](Database& db) {
      return db.Exec("UPDATE lots SET available = -1, written_off = 101 WHERE id = " +
                     std::to_string(stored->id));
    });
    CHECK(s.code() == Code::kFailedPrecondition);
  }
  SECTION("writing off more than is available is refused and changes nothing") {
    Status s = store->Write(
        [&](Database& db) { return WriteOffLot(db, stored->id, 101, "damaged", kActor).status(); });
    CHECK(s.code() == Code::kFailedPrecondition);
    auto again = store->Read([&](Database& db) { return GetLot(db, stored->id); });
    REQUIRE_STATUS_OK(again.status());
    CHECK(again->available == 100);
    CHECK(again->written_off == 0);
  }
}

TEST_CASE("cancelling a need moves its outstanding quantity to cancelled", "[store]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  Registry r = Seed(*store);
  Need need;
  need.requester_id = r.requester;
  need.item_id = r.item;
  need.quantity = 30;
  need.urgency = "high";
  StatusOr<Need> stored = Internal("unset");
  REQUIRE_STATUS_OK(store->Write([&](Database& db) {
    stored = InsertNeed(db, need, kActor);
    return stored.status();
  }));
  CHECK(stored->status == "open");
  CHECK(stored->outstanding == 30);
  CHECK(stored->station_id == r.station);
  StatusOr<Need> cancelled = Internal("unset");
  REQUIRE_STATUS_OK(store->Write([&](Database& db) {
    cancelled = CancelNeed(db, stored->id, "moved away", kActor);
    return cancelled.status();
  }));
  CHECK(cancelled->status == "cancelled");
  CHECK(cancelled->outstanding == 0);
  CHECK(cancelled->cancelled == 30);
  Status again = store->Write(
      [&](Database& db) { return CancelNeed(db, stored->id, "twice", kActor).status(); });
  CHECK(again.code() == Code::kFailedPrecondition);
}

TEST_CASE("concurrent writes share group commits and all become durable", "[store]") {
  TempDb tmp;
  const bool group = GENERATE(true, false);
  Registry r;
  const int kThreads = 16, kPerThread = 20;
  {
    auto store = OpenStore(tmp.path(), group);
    r = Seed(*store);
    const uint64_t commits_before = store->stats().commits;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < kPerThread; ++i) {
          Need need;
          need.requester_id = r.requester;
          need.item_id = r.item;
          need.quantity = 1 + i;
          need.urgency = "normal";
          Status s =
              store->Write([&](Database& db) { return InsertNeed(db, need, kActor).status(); });
          if (!s.ok()) failures++;
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(failures == 0);
    const uint64_t commits = store->stats().commits - commits_before;
    if (group) {
      CHECK(commits < static_cast<uint64_t>(kThreads * kPerThread));
    } else {
      CHECK(commits == static_cast<uint64_t>(kThreads * kPerThread));
    }
  }
  auto store = OpenStore(tmp.path());
  CHECK(Count(*store, "needs") == kThreads * kPerThread);
}

TEST_CASE("list pages follow ids in order without gaps or repeats", "[store]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  REQUIRE_STATUS_OK(store->Write([&](Database& db) -> Status {
    for (int i = 0; i < 7; ++i) {
      auto s = InsertStation(db, {0, "站" + std::to_string(i), "江岸区", "", ""}, kActor);
      if (!s.ok()) return s.status();
    }
    return Status::Ok();
  }));
  std::vector<int64_t> seen;
  Page page{0, 3};
  for (;;) {
    auto rows = store->Read([&](Database& db) { return ListStations(db, page); });
    REQUIRE_STATUS_OK(rows.status());
    if (rows->empty()) break;
    for (const auto& s : *rows) seen.push_back(s.id);
    page.after_id = rows->back().id;
  }
  CHECK(seen == std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7});
}

TEST_CASE("lots expiring before a date list soonest expiry first, paged by (expires_on, id)",
          "[store]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  Registry r = Seed(*store);
  // In id order: expiry dates out of order, two lots on one day, one past
  // the cut-off, one without stock.
  const std::vector<std::string> expiries = {"2026-11-20", "2026-11-05", "2026-11-12",
                                             "2026-11-05", "2026-12-31", "2026-11-01"};
  std::vector<int64_t> ids;
  REQUIRE_STATUS_OK(store->Write([&](Database& db) -> Status {
    for (const std::string& expires_on : expiries) {
      Lot lot;
      lot.donor_id = r.donor;
      lot.item_id = r.item;
      lot.depot_id = r.depot;
      lot.quantity = 10;
      lot.expires_on = expires_on;
      auto stored = InsertLot(db, lot, kActor);
      if (!stored.ok()) return stored.status();
      ids.push_back(stored->id);
    }
    return WriteOffLot(db, ids[5], 10, "damaged", kActor).status();
  }));
  LotFilter filter;
  filter.expiring_before = "2026-12-01";
  std::vector<int64_t> seen;
  Page page{0, 2};
  for (;;) {
    auto rows = store->Read([&](Database& db) { return ListLots(db, filter, page); });
    REQUIRE_STATUS_OK(rows.status());
    if (rows->empty()) break;
    for (const Lot& lot : *rows) seen.push_back(lot.id);
    page.after_key = rows->back().expires_on;
    page.after_id = rows->back().id;
  }
  CHECK(seen == std::vector<int64_t>{ids[1], ids[3], ids[2], ids[0]});
  // Without the date the list stays in id order.
  auto all = store->Read([&](Database& db) { return ListLots(db, LotFilter{}, Page{0, 10}); });
  REQUIRE_STATUS_OK(all.status());
  REQUIRE(all->size() == ids.size());
  for (size_t i = 0; i < ids.size(); ++i) CHECK((*all)[i].id == ids[i]);
}

namespace {

// Saves an answer under `key` for token 1 and backdates it to `created_at`.
void SaveAt(Store& store, const std::string& key, const std::string& created_at) {
  REQUIRE_STATUS_OK(store.Write([&](Database& db) -> Status {
    Status s = SaveResponse(db, 1, key, {"hash-" + key, 201, "application/json", "{}"});
    if (!s.ok()) return s;
    auto st = db.Prepare("UPDATE idempotency SET created_at = ? WHERE token_id = 1 AND key = ?");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, created_at).Bind(2, key);
    return (*st)->Run();
  }));
}

// Long enough that the writer's own purge never touches a test's rows.
constexpr std::chrono::hours kCentury(24 * 365 * 100);

}  // namespace

TEST_CASE("saved idempotent answers older than the cutoff act as new and are deleted in batches",
          "[store][idempotency]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path(), true, kCentury);
  SaveAt(*store, "old-1", "2026-11-20T08:00:00Z");
  SaveAt(*store, "old-2", "2026-11-20T09:00:00Z");
  SaveAt(*store, "old-3", "2026-11-20T10:00:00Z");
  SaveAt(*store, "kept", "2026-11-22T10:00:00Z");
  const std::string cutoff = "2026-11-21T00:00:00Z";

  SECTION("a lookup of an expired key finds nothing and deletes it") {
    auto found =
        store->Read([&](Database& db) { return FindSavedResponse(db, 1, "kept", cutoff); });
    REQUIRE_STATUS_OK(found.status());
    REQUIRE(found->has_value());
    CHECK((*found)->request_hash == "hash-kept");
    StatusOr<std::optional<SavedResponse>> expired = std::optional<SavedResponse>();
    REQUIRE_STATUS_OK(store->Write([&](Database& db) -> Status {
      expired = FindSavedResponse(db, 1, "old-2", cutoff);
      if (!expired.ok()) return expired.status();
      // The key is free again: the caller's new answer is saved under it.
      return SaveResponse(db, 1, "old-2", {"hash-new", 201, "application/json", "{}"});
    }));
    REQUIRE_STATUS_OK(expired.status());
    CHECK_FALSE(expired->has_value());
    auto again =
        store->Read([&](Database& db) { return FindSavedResponse(db, 1, "old-2", cutoff); });
    REQUIRE_STATUS_OK(again.status());
    REQUIRE(again->has_value());
    CHECK((*again)->request_hash == "hash-new");
    CHECK(Count(*store, "idempotency") == 4);
  }

  SECTION("DeleteExpiredResponses takes the oldest first, at most `limit`") {
    StatusOr<int> deleted = 0;
    REQUIRE_STATUS_OK(store->Write([&](Database& db) -> Status {
      deleted = DeleteExpiredResponses(db, cutoff, 2);
      return deleted.status();
    }));
    REQUIRE_STATUS_OK(deleted.status());
    CHECK(*deleted == 2);
    auto left = store->Read([&](Database& db) -> StatusOr<std::optional<SavedResponse>> {
      return FindSavedResponse(db, 1, "old-3", "2000-01-01T00:00:00Z");
    });
    REQUIRE_STATUS_OK(left.status());
    CHECK(left->has_value());
    REQUIRE_STATUS_OK(store->Write([&](Database& db) -> Status {
      deleted = DeleteExpiredResponses(db, cutoff, 2);
      return deleted.status();
    }));
    REQUIRE_STATUS_OK(deleted.status());
    CHECK(*deleted == 1);
    CHECK(Count(*store, "idempotency") == 1);
  }

  SECTION("the delete walks the age index instead of scanning the table") {
    auto plan = test::QueryPlan(*store,
                                "SELECT rowid FROM idempotency WHERE created_at < '2026' "
                                "ORDER BY created_at LIMIT 10");
    REQUIRE_STATUS_OK(plan.status());
    INFO(*plan);
    CHECK(plan->find("idempotency_by_age") != std::string::npos);
    CHECK(plan->find("TEMP B-TREE") == std::string::npos);
  }
}

TEST_CASE("the writer deletes expired idempotent answers on its own", "[store][idempotency]") {
  TempDb tmp;
  {
    auto store = OpenStore(tmp.path(), true, kCentury);
    SaveAt(*store, "old", "2020-01-01T00:00:00Z");
    SaveAt(*store, "fresh", date::NowRfc3339());
    REQUIRE(Count(*store, "idempotency") == 2);
  }
  // A new store with the default retention purges on its first commit.
  auto store = OpenStore(tmp.path());
  REQUIRE_STATUS_OK(store->Write([](Database&) { return Status::Ok(); }));
  CHECK(Count(*store, "idempotency") == 1);
  auto fresh = store->Read(
      [&](Database& db) { return FindSavedResponse(db, 1, "fresh", store->IdempotencyCutoff()); });
  REQUIRE_STATUS_OK(fresh.status());
  CHECK(fresh->has_value());
}

TEST_CASE("version 6 adds the age index to a version 5 file and keeps its saved answers",
          "[store][schema]") {
  TempDb tmp;
  {
    auto db = test::OpenAtVersion(tmp.path(), 5);
    REQUIRE_STATUS_OK(SaveResponse(*db, 1, "k", {"h", 201, "application/json", "{}"}));
  }
  auto store = OpenStore(tmp.path());
  CHECK(SchemaVersion() >= 6);
  CHECK(Count(*store, "idempotency") == 1);
  CHECK(Count(*store, "sqlite_master WHERE name = 'idempotency_by_age'") == 1);
}

TEST_CASE("a failed bind is returned by the next step, which then writes nothing", "[store]") {
  TempDb tmp;
  { auto store = OpenStore(tmp.path()); }
  auto db = Database::Open(tmp.path(), false);
  REQUIRE_STATUS_OK(db.status());
  REQUIRE_STATUS_OK((*db)->Exec("CREATE TABLE bind_probe (a INTEGER, b TEXT)"));
  auto st = (*db)->Prepare("INSERT INTO bind_probe (a, b) VALUES (?1, ?2)");
  REQUIRE_STATUS_OK(st.status());
  // Parameter 3 does not exist: SQLITE_RANGE, which Bind used to drop, so the
  // insert ran with b NULL.
  const Status s = (*st)->Bind(1, int64_t{7}).Bind(3, "lost").Run();
  CHECK_FALSE(s.ok());
  CHECK(s.message().find("parameter 3") != std::string::npos);
  auto count = (*db)->Prepare("SELECT count(*) FROM bind_probe");
  REQUIRE_STATUS_OK(count.status());
  REQUIRE(*(*count)->Step());
  CHECK((*count)->Int(0) == 0);
  (*count)->Reset();
  // The statement is usable again once bound correctly.
  (*st)->Reset();
  REQUIRE_STATUS_OK((*st)->Bind(1, int64_t{7}).Bind(2, "kept").Run());
}

TEST_CASE("WAL checkpoints run off the commit path and keep the WAL from growing", "[store]") {
  TempDb tmp;
  StoreOptions options;
  options.path = tmp.path();
  options.checkpoint_interval = std::chrono::milliseconds(20);
  auto opened = Store::Open(options);
  REQUIRE(opened.ok());
  std::unique_ptr<Store> store = std::move(*opened);
  const std::string wal = tmp.path() + "-wal";
  // Two rounds of the same 300 commits, the checkpointer given time to copy
  // the first round into the database between them: the second round reuses
  // the WAL from its start instead of appending to it.
  std::vector<uintmax_t> sizes;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 300; ++i) {
      REQUIRE_STATUS_OK(store->Write([&](Database& db) -> Status {
        Station s;
        s.name = "社工站" + std::to_string(round * 1000 + i);
        s.district = "江汉区";
        return InsertStation(db, s, Actor{0, "test"}).status();
      }));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    sizes.push_back(std::filesystem::file_size(wal));
  }
  INFO("WAL bytes after each round: " << sizes[0] << ", " << sizes[1]);
  CHECK(sizes[1] < sizes[0] + sizes[0] / 2);  // appended, it would be about twice the first
  store.reset();
  CHECK_FALSE((std::filesystem::exists(wal) && std::filesystem::file_size(wal) > 0));
}
