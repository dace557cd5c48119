// Duplicate detection in the store: keys written with the requester (and
// only keys), active requesters only, and the hold's time limit.

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "store/duplicates.h"
#include "store/matching.h"
#include "store/quotas.h"
#include "store/repo.h"
#include "store/store.h"
#include "support/store_fixture.h"

using namespace aidlink;
using namespace aidlink::store;
using aidlink::test::OpenStore;
using aidlink::test::TempDb;

namespace {

const Actor kActor{0, "test"};

dedup::Secret TestSecret() {
  dedup::Secret s;
  for (size_t i = 0; i < s.bytes.size(); ++i) s.bytes[i] = static_cast<uint8_t>(i * 7 + 1);
  return s;
}

Requester Jin(int64_t station, const std::string& phone, const std::string& address) {
  Requester r;
  r.station_id = station;
  r.kind = "household";
  r.name = "金老伯";
  r.contact_name = "金老伯";
  r.phone = phone;
  r.address = address;
  r.district = "江汉区";
  return r;
}

StatusOr<Station> AddStation(Database& db) {
  Station st;
  st.name = "民权街社工站";
  st.district = "江汉区";
  return InsertStation(db, st, kActor);
}

int64_t Count(Database& db, const std::string& sql) {
  auto st = db.Prepare(sql);
  REQUIRE_STATUS_OK(st.status());
  auto row = (*st)->Step();
  REQUIRE_STATUS_OK(row.status());
  const int64_t n = (*st)->Int(0);
  (*st)->Reset();
  return n;
}

}  // namespace

TEST_CASE(
    "a requester's write stores three keys and no field, and a deactivated one is not matched",
    "[store][dedup]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  const dedup::Secret secret = TestSecret();
  // Filled on the writer thread, checked here (Catch2 is not thread-safe).
  DuplicateFinding first, second, third;
  int64_t keys = 0, blobs = 0, plain = 0, opened = 0;
  std::vector<int64_t> ids, members;
  REQUIRE_STATUS_OK(store->Write([&](Database& db) -> Status {
    auto station = AddStation(db);
    if (!station.ok()) return station.status();
    const char* spellings[][2] = {{"138 0000 1111", "幸福里3号楼201"},
                                  {"+86 13800001111", "幸福里３栋２０１"},
                                  {"13800001111", "幸福里3幢201室"}};
    DuplicateFinding* found[] = {&first, &second, &third};
    for (int i = 0; i < 3; ++i) {
      // The first registration leaves before the third arrives.
      if (i == 2) {
        auto gone = DeactivateRequester(db, ids[0], "moved_away", "", {}, kActor);
        if (!gone.ok()) return gone.status();
      }
      auto r = InsertRequester(db, Jin(station->id, spellings[i][0], spellings[i][1]), kActor);
      if (!r.ok()) return r.status();
      ids.push_back(r->id);
      auto f = RecordRequesterKeys(db, *r, secret, kActor);
      if (!f.ok()) return f.status();
      *found[i] = *f;
      if (i == 0) {
        keys = Count(db, "SELECT count(*) FROM requester_keys");
        blobs = Count(db, "SELECT count(*) FROM requester_keys WHERE length(key) = 32");
        plain = Count(db,
                      "SELECT count(*) FROM requester_keys WHERE instr(key, '13800001111') > 0 "
                      "OR instr(key, '幸福里') > 0");
      }
    }
    opened = Count(db, "SELECT count(*) FROM events WHERE kind = 'duplicate_case_opened'");
    auto kase = GetDuplicateCase(db, second.case_id);
    if (!kase.ok()) return kase.status();
    members = kase->member_ids;
    return Status::Ok();
  }));
  CHECK(first.status == "none");
  CHECK(keys == 3);
  CHECK(blobs == 3);  // 32-byte HMACs; nothing of the fields in the table
  CHECK(plain == 0);
  CHECK(second.status == "likely");
  CHECK(second.case_id > 0);
  CHECK(opened == 1);
  // Only the second is active: the third joins its open case.
  CHECK(third.status == "likely");
  CHECK(third.case_id == second.case_id);
  CHECK(members == ids);
}

TEST_CASE("a likely case holds the newer registration only within the hold period",
          "[store][dedup][match]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  const dedup::Secret secret = TestSecret();
  int64_t newer = 0, item_id = 0;
  REQUIRE_STATUS_OK(store->Write([&](Database& db) -> Status {
    auto station = AddStation(db);
    if (!station.ok()) return station.status();
    Item it;
    it.code = "MED-BP";
    it.name = "降压药";
    it.category = "medicine";
    it.unit = "box";
    auto item = InsertItem(db, it, kActor);
    if (!item.ok()) return item.status();
    item_id = item->id;
    for (const char* phone : {"138 0000 1111", "+86 13800001111"}) {
      auto r = InsertRequester(db, Jin(station->id, phone, "幸福里3号楼201"), kActor);
      if (!r.ok()) return r.status();
      auto found = RecordRequesterKeys(db, *r, secret, kActor);
      if (!found.ok()) return found.status();
      Need n;
      n.requester_id = r->id;
      n.item_id = item->id;
      n.quantity = 2;
      n.urgency = "normal";
      auto need = InsertNeed(db, n, kActor);
      if (!need.ok()) return need.status();
      newer = r->id;
    }
    return Status::Ok();
  }));
  const auto now = std::chrono::system_clock::now();
  auto within =
      store->Read([&](Database& db) { return LoadHouseholdView(db, now, std::chrono::hours(48)); });
  REQUIRE_STATUS_OK(within.status());
  CHECK(within->IsHeld(newer, item_id));
  CHECK_FALSE(within->IsHeld(newer - 1, item_id));
  auto later = store->Read([&](Database& db) {
    return LoadHouseholdView(db, now + std::chrono::hours(49), std::chrono::hours(48));
  });
  REQUIRE_STATUS_OK(later.status());
  CHECK_FALSE(later->IsHeld(newer, item_id));
  auto never = store->Read(
      [&](Database& db) { return LoadHouseholdView(db, now, std::chrono::seconds(0)); });
  REQUIRE_STATUS_OK(never.status());
  CHECK_FALSE(never->IsHeld(newer, item_id));

  // A run planned before the case is resolved is stale after it (the hold is
  // lifted and the needs are cancelled or the registrations stay apart), and
  // so after a reopening.
  auto stale_after = [&](auto change) {
    auto mark = store->Read([](Database& db) { return LedgerMark(db); });
    REQUIRE_STATUS_OK(mark.status());
    REQUIRE_STATUS_OK(store->Write(change));
    auto changed = store->Read([&](Database& db) { return StockChangedSince(db, *mark); });
    REQUIRE_STATUS_OK(changed.status());
    return *changed;
  };
  int64_t case_id = 0;
  REQUIRE_STATUS_OK(store->Read([&](Database& db) -> Status {
    auto open = ListDuplicateCases(db, {"open", std::nullopt}, Page{});
    if (!open.ok()) return open.status();
    if (open->size() != 1) return Internal("expected one open case");
    case_id = open->front().id;
    return Status::Ok();
  }));
  CHECK(stale_after([&](Database& db) {
    return ResolveDuplicateCase(db, case_id, "different_households", 0, "两户", std::nullopt,
                                kActor)
        .status();
  }));
  CHECK(stale_after([&](Database& db) {
    return ReopenDuplicateCase(db, case_id, "核实有误", std::nullopt, kActor).status();
  }));
}

TEST_CASE("a case between two household clusters merges them, and reopening it splits them again",
          "[store][dedup]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  // Four registrations, and cases {1,2}, {3,4} and {2,3}, as a desk might
  // meet them (the cases are written directly: which keys open them does not
  // matter here).
  std::vector<int64_t> r;
  REQUIRE_STATUS_OK(store->Write([&](Database& db) -> Status {
    auto station = AddStation(db);
    if (!station.ok()) return station.status();
    for (int i = 0; i < 4; ++i) {
      auto inserted = InsertRequester(db,
                                      Jin(station->id, "1380000111" + std::to_string(i),
                                          "幸福里" + std::to_string(i) + "号楼201"),
                                      kActor);
      if (!inserted.ok()) return inserted.status();
      r.push_back(inserted->id);
    }
    for (auto [a, b] : {std::pair{0, 1}, {2, 3}, {1, 2}}) {
      AIDLINK_RETURN_IF_ERROR(
          db.Exec("INSERT INTO duplicate_cases (status, likelihood, basis, created_at) VALUES "
                  "('open', 'likely', 'phone', '2026-12-01T00:00:00Z')"));
      for (int m : {a, b}) {
        AIDLINK_RETURN_IF_ERROR(
            db.Exec("INSERT INTO duplicate_case_members (case_id, requester_id, joined_at) VALUES "
                    "((SELECT max(id) FROM duplicate_cases), " +
                    std::to_string(r[static_cast<size_t>(m)]) + ", '2026-12-01T00:00:00Z')"));
      }
    }
    return Status::Ok();
  }));
  auto households = [&] {
    std::vector<int64_t> out;
    REQUIRE_STATUS_OK(store->Read([&](Database& db) -> Status {
      for (int64_t id : r) {
        auto h = HouseholdOf(db, id);
        if (!h.ok()) return h.status();
        out.push_back(*h);
      }
      return Status::Ok();
    }));
    return out;
  };
  auto change = [&](auto fn) { REQUIRE_STATUS_OK(store->Write(fn)); };
  auto resolve = [&](int64_t case_id, int64_t primary) {
    change([&](Database& db) {
      return ResolveDuplicateCase(db, case_id, "same_household", primary, "核实", std::nullopt,
                                  kActor)
          .status();
    });
  };
  auto reopen = [&](int64_t case_id) {
    change([&](Database& db) {
      return ReopenDuplicateCase(db, case_id, "核实有误", std::nullopt, kActor).status();
    });
  };
  resolve(1,
          r[1]);  // the primary need not be the oldest: the household is named by its smallest id
  resolve(2, r[3]);
  CHECK(households() == std::vector<int64_t>{r[0], r[0], r[2], r[2]});
  resolve(3, r[1]);
  CHECK(households() == std::vector<int64_t>{r[0], r[0], r[0], r[0]});
  std::vector<int64_t> all;
  REQUIRE_STATUS_OK(store->Read([&](Database& db) -> Status {
    auto regs = RegistrationsOf(db, r[3]);
    if (!regs.ok()) return regs.status();
    all = *regs;
    return Status::Ok();
  }));
  CHECK(all == std::vector<int64_t>{r[3], r[0], r[1], r[2]});
  reopen(3);
  CHECK(households() == std::vector<int64_t>{r[0], r[0], r[2], r[2]});
  reopen(1);
  CHECK(households() == std::vector<int64_t>{r[0], r[1], r[2], r[2]});
}

TEST_CASE(
    "a phone that reaches three holders stops counting, and the cases resting on it are lowered",
    "[store][dedup]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  const dedup::Secret secret = TestSecret();
  DuplicateFinding second, third;
  std::string before_likelihood, after_likelihood;
  std::vector<std::string> before_basis, after_basis;
  int64_t rechecked = 0;
  REQUIRE_STATUS_OK(store->Write([&](Database& db) -> Status {
    auto station = AddStation(db);
    if (!station.ok()) return station.status();
    // 金老伯 twice with his phone, in his building but another flat: likely
    // (phone + name, the name being keyed with the building).
    DuplicateFinding* found[] = {nullptr, &second};
    const char* addresses[] = {"幸福里3号楼201", "幸福里3号楼502"};
    for (int i = 0; i < 2; ++i) {
      auto r = InsertRequester(db, Jin(station->id, "13800001111", addresses[i]), kActor);
      if (!r.ok()) return r.status();
      auto f = RecordRequesterKeys(db, *r, secret, kActor);
      if (!f.ok()) return f.status();
      if (found[i]) *found[i] = *f;
    }
    auto kase = GetDuplicateCase(db, second.case_id);
    if (!kase.ok()) return kase.status();
    before_likelihood = kase->likelihood;
    before_basis = kase->basis;
    // The building leader's phone was his contact: a third household gives it.
    Requester leader = Jin(station->id, "138 0000 1111", "花楼街1号");
    leader.name = "王楼长";
    auto r = InsertRequester(db, leader, kActor);
    if (!r.ok()) return r.status();
    auto f = RecordRequesterKeys(db, *r, secret, kActor);
    if (!f.ok()) return f.status();
    third = *f;
    kase = GetDuplicateCase(db, second.case_id);
    if (!kase.ok()) return kase.status();
    after_likelihood = kase->likelihood;
    after_basis = kase->basis;
    rechecked = Count(db, "SELECT count(*) FROM events WHERE kind = 'duplicate_case_rechecked'");
    return Status::Ok();
  }));
  REQUIRE(second.status == "likely");
  CHECK(before_likelihood == "likely");
  CHECK(before_basis == std::vector<std::string>{"phone", "name"});
  CHECK(third.status == "none");  // a shared contact phone alone is no evidence
  CHECK(after_likelihood == "possible");
  CHECK(after_basis == std::vector<std::string>{"name"});
  CHECK(rechecked == 1);
}
