// The receiving and volunteer migrations on a database from before them:
// every lot it holds was received, its tokens keep their roles, and the
// widened CHECKs still refuse what no code may store.
#include <catch2/catch.hpp>
#include <string>

#include "store/dispatch.h"
#include "store/repo.h"
#include "store/schema.h"
#include "store/store.h"
#include "support/store_fixture.h"

using namespace aidlink;
using namespace aidlink::store;
using aidlink::test::OpenAtVersion;
using aidlink::test::OpenStore;
using aidlink::test::TempDb;

namespace {

// The schema version before lots could be pledged (AddReceiving is the
// 13th migration). Counted from the start: later branches append theirs.
int VersionBeforeReceiving() { return 12; }

const Actor kActor{1, "dispatcher", 0};

}  // namespace

TEST_CASE("lots stored before receiving existed are received, with their pledge = quantity",
          "[store][receive]") {
  TempDb tmp;
  {
    auto db = OpenAtVersion(tmp.path(), VersionBeforeReceiving());
    REQUIRE(db->Exec("INSERT INTO donors (name, kind, phone, note, created_at) VALUES "
                     "('仁和', 'enterprise', '', '', '2026-10-01T08:00:00Z');"
                     "INSERT INTO items (code, name, category, unit, pack_size, perishable, "
                     "created_at) VALUES ('M', '口罩', 'ppe', 'piece', 10, 0, 'now');"
                     "INSERT INTO depots (name, address, district, created_at) VALUES "
                     "('仓', '路1号', '江汉区', 'now');"
                     "INSERT INTO lots (donor_id, item_id, depot_id, quantity, "
                     "earmark_districts, earmark_kinds, earmark_tags, earmark_stations, note, "
                     "available, allocated, delivered, written_off, created_at) VALUES "
                     "(1, 1, 1, 100, '', '', '', '', '', 90, 0, 0, 10, "
                     "'2026-10-01T08:00:00Z');"
                     "INSERT INTO tokens (hash, role, label, created_at) VALUES "
                     "('h', 'dispatcher', '调度', 'now');")
                .ok());
  }
  auto store = OpenStore(tmp.path());
  auto lot = store->Read([](Database& db) { return GetLot(db, 1); });
  REQUIRE(lot.ok());
  CHECK(lot->status == "received");
  CHECK(lot->quantity_pledged == 100);
  CHECK(lot->quantity_received() == 100);
  CHECK(lot->received_at == "2026-10-01T08:00:00Z");
  CHECK(lot->available == 90);
  // Received already: nothing to confirm.
  Status s = store->Write([](Database& db) { return ReceiveLot(db, 1, 100, "", kActor).status(); });
  CHECK(s.code() == Code::kConflict);

  // The new CHECKs: a received lot still adds up, a pledge holds nothing,
  // and a volunteer token is a role the table takes.
  s = store->Write([](Database& db) {
    return db.Exec("UPDATE lots SET available = available + 1 WHERE id = 1");
  });
  CHECK_FALSE(s.ok());
  s = store->Write([](Database& db) {
    return db.Exec(
        "INSERT INTO lots (donor_id, item_id, depot_id, quantity, earmark_districts, "
        "earmark_kinds, earmark_tags, earmark_stations, note, available, allocated, delivered, "
        "written_off, created_at, status, quantity_pledged) VALUES (1, 1, 1, 5, '', '', '', '', "
        "'', 5, 0, 0, 0, 'now', 'pledged', 5)");
  });
  CHECK_FALSE(s.ok());
  s = store->Write([](Database& db) {
    return db.Exec(
        "INSERT INTO tokens (hash, role, label, created_at) VALUES ('v', 'volunteer', '志愿者', "
        "'now')");
  });
  CHECK(s.ok());
  s = store->Write([](Database& db) {
    return db.Exec(
        "INSERT INTO tokens (hash, role, label, created_at) VALUES ('x', 'driver', 'x', 'now')");
  });
  CHECK_FALSE(s.ok());
}

TEST_CASE("a pledged lot becomes stock only when received, at most what was pledged",
          "[store][receive]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  Lot pledged;
  Status s = store->Write([&](Database& db) -> Status {
    Donor donor;
    donor.name = "仁和";
    donor.kind = "enterprise";
    auto d = InsertDonor(db, donor, kActor);
    if (!d.ok()) return d.status();
    auto i = InsertItem(db, test::NewItem("M", "口罩", "ppe", "piece"), kActor);
    if (!i.ok()) return i.status();
    auto p = InsertDepot(db, test::NewDepot("仓", "路1号", "江汉区"), kActor);
    if (!p.ok()) return p.status();
    Lot lot;
    lot.donor_id = d->id;
    lot.item_id = i->id;
    lot.depot_id = p->id;
    lot.quantity = 50;
    lot.status = "pledged";
    auto inserted = InsertLot(db, lot, kActor);
    if (!inserted.ok()) return inserted.status();
    pledged = *inserted;
    return Status::Ok();
  });
  REQUIRE(s.ok());
  CHECK(pledged.status == "pledged");
  CHECK(pledged.available == 0);
  CHECK(pledged.quantity_pledged == 50);
  const int64_t id = pledged.id;
  s = store->Write([&](Database& db) { return ReceiveLot(db, id, 51, "", kActor).status(); });
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.field() == "quantity_received");
  Lot got;
  s = store->Write([&](Database& db) -> Status {
    auto received = ReceiveLot(db, id, 45, "少5只", kActor);
    if (!received.ok()) return received.status();
    got = *received;
    return Status::Ok();
  });
  REQUIRE(s.ok());
  CHECK(got.quantity == 45);
  CHECK(got.available == 45);
  CHECK(got.quantity_pledged == 50);
  CHECK(got.receive_note == "少5只");
  auto rows = store->Read([](Database& db) { return LedgerRows(db); });
  REQUIRE(rows.ok());
  for (const LedgerRow& r : *rows) {
    if (r.entity != "lot") continue;
    CHECK(r.total == r.now.Sum());
  }
}
