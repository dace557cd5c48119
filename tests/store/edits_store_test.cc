// The edit migration (versions, phone digits, the search index) and the
// store's edit rules: stale versions, quantity floors, deactivation.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "store/repo.h"
#include "store/schema.h"
#include "store/store.h"
#include "support/store_fixture.h"

using namespace aidlink;
using namespace aidlink::store;
using aidlink::test::OpenStore;
using aidlink::test::TempDb;

namespace {

const Actor kActor{0, "test"};

bool HasPhoneDigits(Database& db) {
  return test::QueryInt(db,
                        "SELECT count(*) FROM pragma_table_info('requesters') "
                        "WHERE name = 'phone_digits'") > 0;
}

// The schema version just before the one that adds the edit columns
// (found, not hard-coded: migrations are ordered at merge).
int VersionBeforeEditing() {
  TempDb tmp;
  auto db = Database::Open(tmp.path(), false);
  REQUIRE_STATUS_OK(db.status());
  for (int v = 1; v <= SchemaVersion(); ++v) {
    REQUIRE_STATUS_OK(MigrateTo(**db, v));
    if (HasPhoneDigits(**db)) return v - 1;
  }
  FAIL("no migration adds requesters.phone_digits");
  return 0;
}

std::vector<int64_t> Ids(const std::vector<Requester>& rows) {
  std::vector<int64_t> out;
  for (const Requester& r : rows) out.push_back(r.id);
  return out;
}

struct Registry {
  int64_t station = 0, requester = 0, item = 0, lot = 0, need = 0;
};

Registry Seed(Store& store) {
  Registry out;
  REQUIRE_STATUS_OK(store.Write([&](Database& db) -> Status {
    Station s;
    s.name = "站";
    s.district = "江汉区";
    auto station = InsertStation(db, s, kActor);
    if (!station.ok()) return station.status();
    out.station = station->id;
    Requester r;
    r.station_id = out.station;
    r.kind = "household";
    r.name = "金老伯";
    r.phone = "138 0000 1111";
    r.address = "幸福里";
    r.district = "江汉区";
    auto requester = InsertRequester(db, r, kActor);
    if (!requester.ok()) return requester.status();
    out.requester = requester->id;
    auto item = InsertItem(db, test::NewItem("RICE", "大米", "food", "kg"), kActor);
    if (!item.ok()) return item.status();
    out.item = item->id;
    Donor d;
    d.name = "仁和";
    d.kind = "enterprise";
    auto donor = InsertDonor(db, d, kActor);
    if (!donor.ok()) return donor.status();
    auto depot = InsertDepot(db, test::NewDepot("仓", "路", "江汉区"), kActor);
    if (!depot.ok()) return depot.status();
    Lot l;
    l.donor_id = donor->id;
    l.item_id = out.item;
    l.depot_id = depot->id;
    l.quantity = 10;
    auto lot = InsertLot(db, l, kActor);
    if (!lot.ok()) return lot.status();
    out.lot = lot->id;
    Need n;
    n.requester_id = out.requester;
    n.item_id = out.item;
    n.quantity = 4;
    n.urgency = "high";
    auto need = InsertNeed(db, n, kActor);
    if (!need.ok()) return need.status();
    out.need = need->id;
    return WriteOffLot(db, out.lot, 3, "破损", kActor).status();
  }));
  return out;
}

}  // namespace

TEST_CASE("the edit migration fills phone digits and indexes the requesters it finds",
          "[store][edit]") {
  TempDb tmp;
  const int before = VersionBeforeEditing();
  {
    auto db = test::OpenAtVersion(tmp.path(), before);
    REQUIRE_STATUS_OK(db->Exec(
        "INSERT INTO stations (name, district, created_at) VALUES ('站', '江汉区', 'now');"
        "INSERT INTO requesters (station_id, kind, name, contact_name, phone, address, district, "
        "household_size, tags, created_at) VALUES (1, 'household', '金老伯', '金老伯本人', "
        "'+86 138-0000-1111', '幸福里', '江汉区', 1, '', 'now');"));
  }
  auto store = OpenStore(tmp.path());
  auto found = store->Read([&](Database& db) -> StatusOr<std::vector<Requester>> {
    RequesterFilter f;
    f.q = "138 0000 1111";
    return ListRequesters(db, f, Page{0, 10});
  });
  REQUIRE_STATUS_OK(found.status());
  REQUIRE(found->size() == 1);
  CHECK((*found)[0].version == 1);
  CHECK((*found)[0].active);
  auto by_name = store->Read([&](Database& db) {
    RequesterFilter f;
    f.q = "金老伯本";  // the contact name, through the trigram index
    return ListRequesters(db, f, Page{0, 10});
  });
  REQUIRE_STATUS_OK(by_name.status());
  CHECK(Ids(*by_name) == std::vector<int64_t>{1});
}

TEST_CASE("the store refuses stale versions and quantities below their floors", "[store][edit]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  const Registry r = Seed(*store);
  const FieldChanges changes{"[\"quantity\"]", "{}", "{}"};

  auto lot = store->Read([&](Database& db) { return GetLot(db, r.lot); });
  REQUIRE_STATUS_OK(lot.status());
  Lot stale = *lot;
  stale.version = 7;
  Status s =
      store->Write([&](Database& db) { return UpdateLot(db, stale, changes, kActor).status(); });
  CHECK(s.code() == Code::kConflict);
  Lot low = *lot;
  low.quantity = 2;  // 3 written off
  s = store->Write([&](Database& db) { return UpdateLot(db, low, changes, kActor).status(); });
  CHECK(s.code() == Code::kFailedPrecondition);
  CHECK(s.field() == "quantity");
  Lot ok = *lot;
  ok.quantity = 3;
  StatusOr<Lot> updated = Internal("unset");
  REQUIRE_STATUS_OK(store->Write([&](Database& db) {
    updated = UpdateLot(db, ok, changes, kActor);
    return updated.status();
  }));
  CHECK(updated->available == 0);
  CHECK(updated->version == 2);

  auto need = store->Read([&](Database& db) { return GetNeed(db, r.need); });
  REQUIRE_STATUS_OK(need.status());
  Need bigger = *need;
  bigger.quantity = 9;
  REQUIRE_STATUS_OK(
      store->Write([&](Database& db) { return UpdateNeed(db, bigger, changes, kActor).status(); }));
  auto after = store->Read([&](Database& db) { return GetNeed(db, r.need); });
  CHECK(after->outstanding == 9);
  CHECK(after->version == 2);
  // The version read before is stale now.
  s = store->Write([&](Database& db) { return UpdateNeed(db, bigger, changes, kActor).status(); });
  CHECK(s.code() == Code::kConflict);
}

TEST_CASE("a deactivated requester's needs are cancelled and it takes no new ones",
          "[store][edit]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  const Registry r = Seed(*store);
  StatusOr<Deactivation> d = Internal("unset");
  REQUIRE_STATUS_OK(store->Write([&](Database& db) {
    d = DeactivateRequester(db, r.requester, "deceased", "", std::nullopt, kActor);
    return d.status();
  }));
  CHECK_FALSE(d->requester.active);
  REQUIRE(d->cancelled_needs.size() == 1);
  CHECK(d->cancelled_needs[0].cancel_reason == "deceased");
  CHECK(d->cancelled_needs[0].status == "cancelled");
  Status s = store->Write([&](Database& db) {
    Need n;
    n.requester_id = r.requester;
    n.item_id = r.item;
    n.quantity = 1;
    n.urgency = "low";
    return InsertNeed(db, n, kActor).status();
  });
  CHECK(s.code() == Code::kFailedPrecondition);
  s = store->Write([&](Database& db) {
    return DeactivateRequester(db, r.requester, "other", "", std::nullopt, kActor).status();
  });
  CHECK(s.code() == Code::kFailedPrecondition);
  // The schema refuses a reason outside the vocabulary even past the API.
  s = store->Write(
      [&](Database& db) { return db.Exec("UPDATE requesters SET deactivated_reason = 'bored'"); });
  CHECK_FALSE(s.ok());
}
