// Committing a match run through the store: stock moves, planned deliveries,
// the run's compact ledger entries and what reads them (the ledger check,
// the staleness mark), and the schema migration that introduced them.

#include "store/matching.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "store/dispatch.h"
#include "store/repo.h"
#include "store/schema.h"
#include "store/store.h"
#include "support/store_fixture.h"

using namespace aidlink;
using namespace aidlink::store;
using aidlink::test::OpenStore;
using aidlink::test::QueryInt;
using aidlink::test::TempDb;

namespace {

const Actor kActor{0, "test"};

// A station, a household of it and an item, as an old file's rows.
constexpr const char* kOldRegistrySql =
    "INSERT INTO stations (name, district, created_at) VALUES ('站', '江汉区', 'now');"
    "INSERT INTO requesters (station_id, kind, name, contact_name, phone, address, district, "
    "household_size, tags, created_at) VALUES (1, 'household', '住户', '', '', '幸福里', "
    "'江汉区', 1, '', 'now');"
    "INSERT INTO items (code, name, category, unit, pack_size, perishable, created_at) "
    "VALUES ('RICE', '大米', 'food', 'kg', 1, 0, 'now');";

// Two depots with one lot each, three requesters and four needs of one item.
struct Province {
  int64_t item = 0;
  int64_t depot[2] = {0, 0};
  int64_t lot[2] = {0, 0};  // 100 at depot 0, 40 at depot 1
  int64_t requester[3] = {0, 0, 0};
  int64_t need[4] = {0, 0, 0, 0};  // 30, 20, 50 and 10; the last is requester 2's
};

Province Seed(Store& store) {
  Province p;
  REQUIRE_STATUS_OK(store.Write([&](Database& db) -> Status {
    auto station = InsertStation(db, {0, "民权街社工站", "江汉区", "", ""}, kActor);
    if (!station.ok()) return station.status();
    auto donor = InsertDonor(db, {0, "爱心超市", "charity", "", "", ""}, kActor);
    if (!donor.ok()) return donor.status();
    auto i = InsertItem(db, test::NewItem("RICE", "大米", "food", "kg"), kActor);
    if (!i.ok()) return i.status();
    p.item = i->id;
    for (int k = 0; k < 2; ++k) {
      auto d = InsertDepot(db,
                           test::NewDepot("仓库" + std::to_string(k),
                                          "发展大道" + std::to_string(k) + "号", "江汉区"),
                           kActor);
      if (!d.ok()) return d.status();
      p.depot[k] = d->id;
      Lot lot;
      lot.donor_id = donor->id;
      lot.item_id = p.item;
      lot.depot_id = d->id;
      lot.quantity = k == 0 ? 100 : 40;
      auto l = InsertLot(db, lot, kActor);
      if (!l.ok()) return l.status();
      p.lot[k] = l->id;
    }
    for (int k = 0; k < 3; ++k) {
      Requester r;
      r.station_id = station->id;
      r.kind = "household";
      r.name = "住户" + std::to_string(k);
      r.address = "幸福里" + std::to_string(k) + "幢";
      r.district = "江汉区";
      auto rq = InsertRequester(db, r, kActor);
      if (!rq.ok()) return rq.status();
      p.requester[k] = rq->id;
    }
    const int64_t quantities[4] = {30, 20, 50, 10};
    const int owners[4] = {0, 0, 1, 2};
    for (int k = 0; k < 4; ++k) {
      Need n;
      n.requester_id = p.requester[owners[k]];
      n.item_id = p.item;
      n.quantity = quantities[k];
      n.urgency = "normal";
      auto stored = InsertNeed(db, n, kActor);
      if (!stored.ok()) return stored.status();
      p.need[k] = stored->id;
    }
    return Status::Ok();
  }));
  return p;
}

PlannedAllocation Alloc(const Province& p, int lot, int need, int64_t quantity) {
  const int owners[4] = {0, 0, 1, 2};
  return {p.lot[lot],   p.need[need], p.requester[owners[need]],
          p.depot[lot], quantity,     "fair_share"};
}

StatusOr<CommittedRun> Commit(Store& store, const std::vector<PlannedAllocation>& plan) {
  StatusOr<CommittedRun> out = Internal("not run");
  Status s = store.WriteAlone([&](Database& db) -> Status {
    RunRecord run;
    run.as_of = "2026-11-22";
    out = CommitRun(db, run, plan, kActor);
    return out.status();
  });
  if (!s.ok()) return s;
  return out;
}

std::map<std::pair<std::string, int64_t>, LedgerRow> Ledger(Store& store) {
  auto rows = store.Read([](Database& db) { return LedgerRows(db); });
  REQUIRE_STATUS_OK(rows.status());
  std::map<std::pair<std::string, int64_t>, LedgerRow> out;
  for (LedgerRow& r : *rows) out[{r.entity, r.id}] = std::move(r);
  return out;
}

// What the ledger report checks: the newest "after" states today's quantities.
bool Replays(const LedgerRow& r) { return r.last_after == r.now; }

}  // namespace

TEST_CASE(
    "a committed run moves stock, plans one delivery per depot and requester, and "
    "records one ledger entry per lot and need",
    "[store][match]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  const Province p = Seed(*store);
  const int64_t events_before = QueryInt(*store, "SELECT count(*) FROM events");
  // Need 0 is served from both depots, need 1 in full from depot 0, need 2
  // in part, need 3 not at all.
  const std::vector<PlannedAllocation> plan = {Alloc(p, 0, 0, 20), Alloc(p, 1, 0, 10),
                                               Alloc(p, 0, 1, 20), Alloc(p, 1, 2, 25)};
  auto committed = Commit(*store, plan);
  REQUIRE_STATUS_OK(committed.status());

  auto lot0 = store->Read([&](Database& db) { return GetLot(db, p.lot[0]); });
  auto lot1 = store->Read([&](Database& db) { return GetLot(db, p.lot[1]); });
  REQUIRE_STATUS_OK(lot0.status());
  REQUIRE_STATUS_OK(lot1.status());
  CHECK(lot0->available == 60);
  CHECK(lot0->allocated == 40);
  CHECK(lot1->available == 5);
  CHECK(lot1->allocated == 35);
  const std::string statuses[4] = {"allocated", "allocated", "partial", "open"};
  const int64_t outstanding[4] = {0, 0, 25, 10};
  for (int k = 0; k < 4; ++k) {
    auto n = store->Read([&](Database& db) { return GetNeed(db, p.need[k]); });
    REQUIRE_STATUS_OK(n.status());
    INFO("need " << k);
    CHECK(n->status == statuses[k]);
    CHECK(n->outstanding == outstanding[k]);
    CHECK(n->allocated == n->quantity - outstanding[k]);
  }

  // Requester 0 gets one delivery from each depot, requester 1 one from
  // depot 1: three deliveries, and the allocations name them.
  CHECK(QueryInt(*store, "SELECT count(*) FROM deliveries WHERE run_id = " +
                             std::to_string(committed->run.id)) == 3);
  REQUIRE(committed->delivery_ids.size() == plan.size());
  CHECK(committed->delivery_ids[0] == committed->delivery_ids[2]);  // depot 0, requester 0
  CHECK(std::set<int64_t>(committed->delivery_ids.begin(), committed->delivery_ids.end()).size() ==
        3);
  auto rows = store->Read([&](Database& db) { return ListRunAllocations(db, committed->run.id); });
  REQUIRE_STATUS_OK(rows.status());
  REQUIRE(rows->size() == plan.size());
  for (size_t i = 0; i < plan.size(); ++i) {
    auto delivery =
        store->Read([&](Database& db) { return GetDelivery(db, committed->delivery_ids[i]); });
    REQUIRE_STATUS_OK(delivery.status());
    INFO("allocation " << i);
    CHECK(delivery->depot_id == plan[i].depot_id);
    CHECK(delivery->requester_id == plan[i].requester_id);
    CHECK(delivery->status == "planned");
  }
  std::map<std::pair<int64_t, int64_t>, int64_t> delivery_of;  // (lot, need) -> delivery
  for (size_t i = 0; i < plan.size(); ++i) {
    delivery_of[{plan[i].lot_id, plan[i].need_id}] = committed->delivery_ids[i];
  }
  for (const AllocationRow& a : *rows) CHECK(a.delivery_id == delivery_of[{a.lot_id, a.need_id}]);

  // One event for the run; one ledger entry per lot and per allocated need.
  CHECK(QueryInt(*store, "SELECT count(*) FROM events") == events_before + 1);
  CHECK(QueryInt(*store, "SELECT count(*) FROM run_ledger WHERE entity = 'lot'") == 2);
  CHECK(QueryInt(*store, "SELECT count(*) FROM run_ledger WHERE entity = 'need'") == 3);
  CHECK(QueryInt(*store, "SELECT quantity FROM run_ledger WHERE entity = 'need' AND entity_id = " +
                             std::to_string(p.need[0])) == 30);
  const auto ledger = Ledger(*store);
  CHECK(ledger.size() == 6);
  for (const auto& [key, row] : ledger) {
    INFO(key.first << " " << key.second << ": " << row.last_event_detail);
    CHECK(Replays(row));
  }
  // The allocated need's newest "after" is the run's entry, the untouched
  // need's is still the event that filed it.
  CHECK(ledger.at({"need", p.need[0]}).last_event_detail.find("run_event_id") != std::string::npos);
  CHECK(ledger.at({"need", p.need[3]}).last_event_detail.find("run_event_id") == std::string::npos);
}

TEST_CASE("a stale plan is refused as a conflict and writes nothing", "[store][match]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  const Province p = Seed(*store);
  const char* tables[] = {"match_runs", "deliveries", "allocations", "events", "run_ledger"};
  std::map<std::string, int64_t> before;
  for (const char* t : tables)
    before[t] = QueryInt(*store, std::string("SELECT count(*) FROM ") + t);
  SECTION("a lot no longer has the stock") {
    // Lot 1 holds 40; the plan takes 30 + 20 of it.
    auto s = Commit(*store, {Alloc(p, 1, 0, 30), Alloc(p, 1, 1, 20)});
    CHECK(s.status().code() == Code::kConflict);
  }
  SECTION("a need no longer wants that much") {
    auto s = Commit(*store, {Alloc(p, 0, 1, 15), Alloc(p, 1, 1, 10)});
    CHECK(s.status().code() == Code::kConflict);
  }
  for (const char* t : tables) {
    INFO(t);
    CHECK(QueryInt(*store, std::string("SELECT count(*) FROM ") + t) == before[t]);
  }
  CHECK(QueryInt(*store, "SELECT available FROM lots WHERE id = " + std::to_string(p.lot[0])) ==
        100);
  CHECK(QueryInt(*store, "SELECT outstanding FROM needs WHERE id = " + std::to_string(p.need[1])) ==
        20);
}

TEST_CASE("the ledger compares today's quantities with the newest of events and run entries",
          "[store][match][ledger]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  const Province p = Seed(*store);
  REQUIRE_STATUS_OK(Commit(*store, {Alloc(p, 0, 2, 20)}).status());
  // A write-off after the run: the lot's newest "after" is that event's.
  REQUIRE_STATUS_OK(store->Write(
      [&](Database& db) { return WriteOffLot(db, p.lot[0], 5, "damaged", kActor).status(); }));
  // A second run after the first: the need's newest "after" is its entry.
  REQUIRE_STATUS_OK(Commit(*store, {Alloc(p, 1, 2, 7)}).status());
  auto ledger = Ledger(*store);
  for (const auto& [key, row] : ledger) {
    INFO(key.first << " " << key.second << ": " << row.last_event_detail);
    CHECK(Replays(row));
  }
  const LedgerRow& lot = ledger.at({"lot", p.lot[0]});
  CHECK(lot.last_event_detail.find("run_event_id") == std::string::npos);
  CHECK(lot.now.open == 75);
  const LedgerRow& need = ledger.at({"need", p.need[2]});
  CHECK(need.last_event_detail.find("\"quantity\":7,") != std::string::npos);
  CHECK(need.now.open == 23);

  // Quantities changed behind the ledger no longer replay, whichever kind
  // of entry is the newest.
  REQUIRE_STATUS_OK(store->Write([&](Database& db) {
    return db.Exec(
        "UPDATE needs SET outstanding = outstanding - 1, cancelled = cancelled + 1 "
        "WHERE id = " +
        std::to_string(p.need[2]) +
        "; UPDATE lots SET available = available - 1, written_off = written_off + 1 "
        "WHERE id = " +
        std::to_string(p.lot[0]));
  }));
  ledger = Ledger(*store);
  CHECK_FALSE(Replays(ledger.at({"need", p.need[2]})));
  CHECK_FALSE(Replays(ledger.at({"lot", p.lot[0]})));
  CHECK(Replays(ledger.at({"lot", p.lot[1]})));
}

TEST_CASE("a committed run makes snapshots taken before it stale", "[store][match]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  const Province p = Seed(*store);
  auto mark = store->Read([](Database& db) { return LedgerMark(db); });
  REQUIRE_STATUS_OK(mark.status());
  auto changed = [&](int64_t m) {
    auto c = store->Read([&](Database& db) { return StockChangedSince(db, m); });
    REQUIRE_STATUS_OK(c.status());
    return *c;
  };
  CHECK_FALSE(changed(*mark));
  REQUIRE_STATUS_OK(Commit(*store, {Alloc(p, 0, 0, 5)}).status());
  CHECK(changed(*mark));
  auto after = store->Read([](Database& db) { return LedgerMark(db); });
  REQUIRE_STATUS_OK(after.status());
  CHECK_FALSE(changed(*after));
}

TEST_CASE("version 3 keeps a version 2 file's data and drops the indexes no query uses",
          "[store][schema]") {
  TempDb tmp;
  int64_t need_id = 0;
  {
    auto db = test::OpenAtVersion(tmp.path(), 2);
    REQUIRE_STATUS_OK(db->Exec(
        std::string(kOldRegistrySql) +
        // The need and its event as a version 2 server wrote them (today's
        // InsertNeed reads columns a version 2 file does not have).
        "INSERT INTO needs (requester_id, item_id, quantity, urgency, needed_by, note, status, "
        "outstanding, allocated, delivered, cancelled, created_at) VALUES (1, 1, 12, 'high', "
        "NULL, '', 'open', 12, 0, 0, 0, 'now');"
        "INSERT INTO events (at, actor_token_id, actor_role, kind, entity, entity_id, detail) "
        "VALUES ('now', NULL, 'test', 'need_filed', 'need', 1, '{\"before\":null,\"after\":"
        "{\"outstanding\":12,\"allocated\":0,\"delivered\":0,\"cancelled\":0}}');"));
    need_id = 1;
  }
  auto store = OpenStore(tmp.path());
  CHECK(QueryInt(*store, "PRAGMA user_version") == SchemaVersion());
  CHECK(QueryInt(*store,
                 "SELECT count(*) FROM sqlite_master WHERE name IN "
                 "('needs_by_status', 'deliveries_by_requester')") == 0);
  CHECK(QueryInt(*store, "SELECT count(*) FROM sqlite_master WHERE name = 'run_ledger'") == 1);
  auto need = store->Read([&](Database& db) { return GetNeed(db, need_id); });
  REQUIRE_STATUS_OK(need.status());
  CHECK(need->outstanding == 12);
  const auto ledger = Ledger(*store);
  REQUIRE(ledger.count({"need", need_id}) == 1);
  CHECK(Replays(ledger.at({"need", need_id})));
  // Needs are still listed by status, now through the id order.
  NeedFilter filter;
  filter.status = "open";
  auto open = store->Read([&](Database& db) { return ListNeeds(db, filter, Page{0, 10}); });
  REQUIRE_STATUS_OK(open.status());
  CHECK(open->size() == 1);
}

TEST_CASE("version 5 writes CHECK lists as OR chains that still refuse what they refused",
          "[store][schema]") {
  TempDb tmp;
  {
    auto db = test::OpenAtVersion(tmp.path(), 4);
    REQUIRE_STATUS_OK(db->Exec(kOldRegistrySql));
    CHECK(QueryInt(*db, "SELECT count(*) FROM sqlite_schema WHERE sql LIKE '%CHECK (% IN (%'") > 0);
  }
  auto store = OpenStore(tmp.path());
  CHECK(QueryInt(*store, "PRAGMA user_version") == SchemaVersion());
  CHECK(QueryInt(*store, "SELECT count(*) FROM sqlite_schema WHERE sql LIKE '%CHECK (% IN (%'") ==
        0);
  CHECK(QueryInt(*store,
                 "SELECT count(*) FROM sqlite_schema WHERE sql LIKE "
                 "'%CHECK (urgency = ''critical'' OR urgency = ''high'' OR urgency = "
                 "''normal'' OR urgency = ''low'')%'") == 1);
  CHECK(QueryInt(*store,
                 "SELECT count(*) FROM sqlite_schema WHERE sql LIKE "
                 "'%CHECK (perishable = 0 OR perishable = 1)%'") == 1);
  CHECK(QueryInt(*store, "SELECT count(*) FROM items WHERE code = 'RICE'") == 1);
  // The writer (which ran the migration) and a fresh connection both hold
  // the rewritten constraints.
  Need n;
  n.requester_id = 1;
  n.item_id = 1;
  n.quantity = 3;
  n.urgency = "urgent";
  Status bad = store->Write([&](Database& db) { return InsertNeed(db, n, kActor).status(); });
  CHECK_FALSE(bad.ok());
  n.urgency = "low";
  REQUIRE_STATUS_OK(store->Write([&](Database& db) { return InsertNeed(db, n, kActor).status(); }));
  auto db = Database::Open(tmp.path(), false);
  REQUIRE_STATUS_OK(db.status());
  CHECK_FALSE((*db)->Exec("UPDATE needs SET status = 'lost'").ok());
  CHECK_FALSE((*db)->Exec("UPDATE items SET perishable = 2").ok());
  CHECK_FALSE((*db)->Exec("UPDATE requesters SET kind = 'company'").ok());
  REQUIRE_STATUS_OK((*db)->Exec("UPDATE needs SET status = 'partial'"));
  CHECK(QueryInt(**db,
                 "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'") == 0);
}

TEST_CASE("the queries that need an index still have one after version 3", "[store][schema]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  const auto plan = [&](const std::string& sql) {
    auto text = test::QueryPlan(*store, sql);
    REQUIRE_STATUS_OK(text.status());
    return *text;
  };
  // A run's allocations: the id range of its row, in id order (no sort).
  const std::string run = plan(
      "SELECT a.id FROM match_runs r JOIN allocations a ON a.id BETWEEN r.first_allocation_id "
      "AND r.last_allocation_id WHERE r.id = 1 AND a.run_id = 1 ORDER BY a.id");
  CHECK_THAT(run, Catch::Contains("INTEGER PRIMARY KEY (rowid>? AND rowid<?)"));
  CHECK_THAT(run, !Catch::Contains("TEMP B-TREE"));
  // An item-scoped run reads only that item's needs.
  CHECK_THAT(plan("SELECT n.id FROM needs n WHERE n.outstanding > 0 AND n.item_id IN (1, 2) "
                  "ORDER BY n.id"),
             Catch::Contains("needs_by_item"));
  // A route's stops come from the partial index of routed deliveries.
  CHECK_THAT(plan("SELECT id FROM deliveries WHERE route_id = 1 ORDER BY seq"),
             Catch::Contains("deliveries_by_route"));
  // Route planning still finds a depot's planned deliveries and their lines.
  const std::string unrouted = plan(
      "SELECT d.id FROM deliveries d JOIN allocations a ON a.delivery_id = d.id "
      "WHERE d.depot_id = 1 AND d.status = 'planned' AND d.route_id IS NULL");
  CHECK_THAT(unrouted, Catch::Contains("deliveries_by_status"));
  CHECK_THAT(unrouted, Catch::Contains("allocations_by_delivery"));
  CHECK_THAT(plan("SELECT sum(quantity) FROM allocations WHERE lot_id = 1"),
             Catch::Contains("allocations_by_lot"));
  // The staleness check reads the few events past the mark, not every one.
  CHECK_THAT(plan("SELECT 1 FROM events WHERE id > 5 AND +entity IN ('lot', 'need', "
                  "'match_run') LIMIT 1"),
             Catch::Contains("INTEGER PRIMARY KEY (rowid>?)"));
}

TEST_CASE("a run is checked for the references foreign keys would check, which hold again after it",
          "[store][match]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  const Province p = Seed(*store);
  SECTION("a delivery to another requester than the need's") {
    PlannedAllocation a = Alloc(p, 0, 0, 5);
    a.requester_id = p.requester[2];
    CHECK(Commit(*store, {a}).status().code() == Code::kInvalidArgument);
  }
  SECTION("a delivery from another depot than the lot's") {
    PlannedAllocation a = Alloc(p, 0, 0, 5);
    a.depot_id = p.depot[1];
    CHECK(Commit(*store, {a}).status().code() == Code::kInvalidArgument);
  }
  SECTION("a lot or need that does not exist") {
    PlannedAllocation a = Alloc(p, 0, 0, 5);
    a.lot_id = 999;
    CHECK(Commit(*store, {a}).status().code() == Code::kConflict);
  }
  CHECK(QueryInt(*store, "SELECT count(*) FROM deliveries") == 0);
  REQUIRE_STATUS_OK(Commit(*store, {Alloc(p, 0, 0, 5)}).status());
  // The writer enforces foreign keys again once the run is written.
  Status s = store->Write([](Database& db) {
    return db.Exec(
        "INSERT INTO deliveries (run_id, requester_id, depot_id, status, created_at, "
        "updated_at) VALUES (1, 999, 1, 'planned', 'now', 'now')");
  });
  CHECK(s.code() == Code::kFailedPrecondition);
}
