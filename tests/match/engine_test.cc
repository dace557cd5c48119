// Hand-checked scenarios of DESIGN.md's matching policy.

#include "match/engine.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace aidlink::match {
namespace {

constexpr int64_t kToday = 20000;  // a day number

Need MakeNeed(int64_t id, int64_t item, int64_t quantity, Urgency urgency = Urgency::kNormal) {
  Need n;
  n.id = id;
  n.requester_id = id;
  n.item_id = item;
  n.quantity = quantity;
  n.outstanding = quantity;
  n.urgency = urgency;
  n.district = "wuchang";
  n.created_seq = id;
  return n;
}

Lot MakeLot(int64_t id, int64_t item, int64_t available, int64_t depot = 1) {
  Lot l;
  l.id = id;
  l.item_id = item;
  l.depot_id = depot;
  l.available = available;
  l.created_seq = id;
  return l;
}

Snapshot WithDepots(Snapshot s) {
  s.depots.push_back({1, "wuchang", 30.55, 114.31, "", {}});
  s.depots.push_back({2, "hankou", 30.60, 114.27, "", {}});
  return s;
}

Policy Today() {
  Policy p;
  p.as_of = kToday;
  return p;
}

// need id -> units allocated
std::map<int64_t, int64_t> Amounts(const Plan& plan) {
  std::map<int64_t, int64_t> out;
  for (const Allocation& a : plan.allocations) out[a.need_id] += a.quantity;
  return out;
}

const Unmet* FindUnmet(const Plan& plan, int64_t need_id) {
  for (const Unmet& u : plan.unmet) {
    if (u.need_id == need_id) return &u;
  }
  return nullptr;
}

bool Has(uint32_t reasons, Reason r) { return (reasons & r) != 0; }

TEST_CASE("a critical need is served before any normal one", "[match]") {
  Snapshot s;
  // An old man with four days of blood-pressure pills left, and two
  // ordinary requests for the same medicine; only 4 boxes in stock.
  Need old_man = MakeNeed(1, 7, 1, Urgency::kCritical);
  old_man.tags = kTagElderlyAlone | kTagChronicIllness;
  old_man.needed_by = kToday + 4;
  s.needs = {old_man, MakeNeed(2, 7, 5), MakeNeed(3, 7, 5)};
  s.lots = {MakeLot(10, 7, 4)};
  const Plan plan = Allocate(WithDepots(s), Today());
  // Normal tier: 3 boxes handed out one at a time, ties to the older need.
  CHECK(Amounts(plan) == std::map<int64_t, int64_t>{{1, 1}, {2, 2}, {3, 1}});
  REQUIRE(plan.allocations.size() == 3);
  CHECK(Has(plan.allocations[0].reasons, kReasonTierCritical));
  CHECK(Has(plan.allocations[1].reasons, kReasonTierNormal));
  CHECK(Has(plan.allocations[1].reasons, kReasonFairShare));
  CHECK_FALSE(Has(plan.allocations[0].reasons, kReasonFairShare));
  REQUIRE(plan.unmet.size() == 2);
  CHECK(plan.unmet[0] == Unmet{2, 3, kUnmetTierExhausted});
  CHECK(plan.unmet[1] == Unmet{3, 4, kUnmetTierExhausted});
  CHECK(plan.stats == Stats{3, 1, 4, 1, 2, 0});
}

TEST_CASE("a near deadline raises a need's tier", "[match]") {
  Snapshot s;
  Need tomorrow = MakeNeed(1, 7, 2, Urgency::kLow);
  tomorrow.needed_by = kToday + 1;
  Need in_three_days = MakeNeed(2, 7, 2, Urgency::kLow);
  in_three_days.needed_by = kToday + 3;
  Need high = MakeNeed(3, 7, 2, Urgency::kHigh);
  s.needs = {high, in_three_days, tomorrow, MakeNeed(4, 7, 2, Urgency::kCritical)};
  s.lots = {MakeLot(10, 7, 5)};
  const Plan plan = Allocate(WithDepots(s), Today());
  // Tier critical: needs 4 and 1 (2 + 2); tier high: needs 2 and 3 share 1
  // unit; the earlier deadline wins the tie.
  CHECK(Amounts(plan) == std::map<int64_t, int64_t>{{1, 2}, {2, 1}, {4, 2}});
  for (const Allocation& a : plan.allocations) {
    if (a.need_id == 1) {
      CHECK(Has(a.reasons, kReasonTierCritical));
      CHECK(Has(a.reasons, kReasonDeadlineRaisedTier));
    }
    if (a.need_id == 2) {
      CHECK(Has(a.reasons, kReasonTierHigh));
      CHECK(Has(a.reasons, kReasonDeadlineRaisedTier));
    }
  }
}

TEST_CASE("an earmarked KN95 lot goes only to frontline posts", "[match]") {
  Snapshot s;
  Need household = MakeNeed(1, 3, 100, Urgency::kCritical);
  Need post = MakeNeed(2, 3, 150);
  post.kind = RequesterKind::kFrontlinePost;
  s.needs = {household, post};
  Lot kn95 = MakeLot(10, 3, 200);
  kn95.earmark.requester_kinds = {RequesterKind::kFrontlinePost};
  s.lots = {kn95};
  const Plan plan = Allocate(WithDepots(s), Today());
  REQUIRE(plan.allocations.size() == 1);
  CHECK(plan.allocations[0].need_id == 2);
  CHECK(plan.allocations[0].quantity == 150);
  CHECK(Has(plan.allocations[0].reasons, kReasonEarmarkMatch));
  REQUIRE(plan.unmet.size() == 1);
  CHECK(plan.unmet[0] == Unmet{1, 100, kUnmetExcludedByEarmark});
}

TEST_CASE("perishable vegetables for a sealed compound are served soonest-expiring first",
          "[match]") {
  Snapshot s;
  Need compound = MakeNeed(1, 5, 2500);
  compound.kind = RequesterKind::kCommunity;
  s.needs = {compound};
  Lot late = MakeLot(10, 5, 3000);
  late.expires_on = kToday + 10;
  Lot soon = MakeLot(11, 5, 2000);
  soon.expires_on = kToday + 2;
  Lot spoilt = MakeLot(12, 5, 5000);
  spoilt.expires_on = kToday;      // not usable: needs as_of + 1
  Lot dry = MakeLot(13, 5, 5000);  // does not expire: used last
  s.lots = {late, soon, spoilt, dry};
  const Plan plan = Allocate(WithDepots(s), Today());
  REQUIRE(plan.allocations.size() == 2);
  CHECK(plan.allocations[0].lot_id == 10);
  CHECK(plan.allocations[0].quantity == 500);
  CHECK(plan.allocations[1].lot_id == 11);
  CHECK(plan.allocations[1].quantity == 2000);
  CHECK(Has(plan.allocations[1].reasons, kReasonFefo));
  CHECK(plan.unmet.empty());
}

TEST_CASE("100 eggs in packs of 10 against needs of 100, 50 and 50 give 50, 30 and 20", "[match]") {
  Snapshot s;
  Need a = MakeNeed(1, 9, 100);
  Need b = MakeNeed(2, 9, 50);
  b.tags = kTagPregnant | kTagLowIncome;
  Need c = MakeNeed(3, 9, 50);
  for (Need* n : {&a, &b, &c}) n->pack_size = 10;
  s.needs = {a, b, c};
  s.lots = {MakeLot(10, 9, 100)};
  const Plan plan = Allocate(WithDepots(s), Today());
  CHECK(Amounts(plan) == std::map<int64_t, int64_t>{{1, 50}, {2, 30}, {3, 20}});
  CHECK(plan.stats.needs_partial == 3);
}

TEST_CASE("stock that expires before the delivery date is not used", "[match]") {
  Snapshot s;
  s.needs = {MakeNeed(1, 5, 10)};
  Lot lot = MakeLot(10, 5, 100);
  SECTION("expiring on the delivery date is fine") {
    lot.expires_on = kToday + 1;
    s.lots = {lot};
    CHECK(Amounts(Allocate(WithDepots(s), Today()))[1] == 10);
  }
  SECTION("expiring today is not") {
    lot.expires_on = kToday;
    s.lots = {lot};
    const Plan plan = Allocate(WithDepots(s), Today());
    CHECK(plan.allocations.empty());
    REQUIRE(plan.unmet.size() == 1);
    CHECK(plan.unmet[0] == Unmet{1, 10, kUnmetOnlyExpiringStock});
  }
  SECTION("a longer minimum shelf life excludes more") {
    lot.expires_on = kToday + 2;
    s.lots = {lot};
    Policy policy = Today();
    policy.min_shelf_days = 3;
    CHECK(Allocate(WithDepots(s), policy).unmet.at(0).reason == kUnmetOnlyExpiringStock);
  }
}

TEST_CASE("earmarks admit by district, kind, tag and station, and all lists must admit",
          "[match]") {
  Snapshot s;
  Need n = MakeNeed(1, 4, 10);
  n.district = "hankou";
  n.kind = RequesterKind::kInstitution;
  n.tags = kTagDisability;
  n.station_id = 77;
  s.needs = {n};
  Lot lot = MakeLot(10, 4, 10);
  auto served = [&](const Earmark& e) {
    lot.earmark = e;
    s.lots = {lot};
    return Amounts(Allocate(WithDepots(s), Today()))[1] == 10;
  };
  Earmark e;
  SECTION("district") {
    e.districts = {"wuchang", "hankou"};
    CHECK(served(e));
    e.districts = {"wuchang"};
    CHECK_FALSE(served(e));
  }
  SECTION("kind") {
    e.requester_kinds = {RequesterKind::kInstitution};
    CHECK(served(e));
    e.requester_kinds = {RequesterKind::kHousehold, RequesterKind::kCommunity};
    CHECK_FALSE(served(e));
  }
  SECTION("tag: any of the listed tags") {
    e.tags = kTagDisability | kTagPregnant;
    CHECK(served(e));
    e.tags = kTagPregnant;
    CHECK_FALSE(served(e));
  }
  SECTION("station") {
    e.station_ids = {5, 77};
    CHECK(served(e));
    e.station_ids = {5};
    CHECK_FALSE(served(e));
  }
  SECTION("every list given must admit") {
    e.districts = {"hankou"};
    e.tags = kTagFrontlineWorker;
    CHECK_FALSE(served(e));
    e.tags = kTagDisability;
    CHECK(served(e));
  }
  SECTION("an excluded need says so") {
    e.station_ids = {5};
    lot.earmark = e;
    s.lots = {lot};
    CHECK(Allocate(WithDepots(s), Today()).unmet.at(0).reason == kUnmetExcludedByEarmark);
  }
}

TEST_CASE("a tier that exhausts the stock leaves lower tiers tier_exhausted", "[match]") {
  Snapshot s;
  s.needs = {MakeNeed(1, 2, 30, Urgency::kHigh), MakeNeed(2, 2, 30, Urgency::kHigh),
             MakeNeed(3, 2, 10, Urgency::kNormal), MakeNeed(4, 2, 10, Urgency::kLow)};
  s.lots = {MakeLot(10, 2, 50)};
  const Plan plan = Allocate(WithDepots(s), Today());
  CHECK(Amounts(plan) == std::map<int64_t, int64_t>{{1, 25}, {2, 25}});
  REQUIRE(plan.unmet.size() == 4);
  CHECK(*FindUnmet(plan, 3) == Unmet{3, 10, kUnmetTierExhausted});
  CHECK(*FindUnmet(plan, 4) == Unmet{4, 10, kUnmetTierExhausted});
  CHECK(plan.stats == Stats{4, 1, 50, 0, 2, 2});
}

TEST_CASE("an item nobody donated is no_stock", "[match]") {
  Snapshot s;
  s.needs = {MakeNeed(1, 2, 30)};
  s.lots = {MakeLot(10, 3, 50)};
  const Plan plan = Allocate(WithDepots(s), Today());
  CHECK(plan.allocations.empty());
  CHECK(plan.unmet.at(0) == Unmet{1, 30, kUnmetNoStock});
  CHECK(plan.stats.lots_considered == 1);
}

TEST_CASE("packs are whole except the last one of a need or the last of the stock", "[match]") {
  Snapshot s;
  Need a = MakeNeed(1, 9, 25);
  Need b = MakeNeed(2, 9, 25);
  a.pack_size = b.pack_size = 10;
  s.needs = {a, b};
  SECTION("a need's last pack reaches its outstanding exactly") {
    s.lots = {MakeLot(10, 9, 45)};
    CHECK(Amounts(Allocate(WithDepots(s), Today())) ==
          std::map<int64_t, int64_t>{{1, 25}, {2, 20}});
  }
  SECTION("whole packs while they last") {
    s.lots = {MakeLot(10, 9, 40)};
    CHECK(Amounts(Allocate(WithDepots(s), Today())) ==
          std::map<int64_t, int64_t>{{1, 20}, {2, 20}});
  }
  SECTION("less than a pack of stock is not left idle") {
    s.lots = {MakeLot(10, 9, 34)};
    CHECK(Amounts(Allocate(WithDepots(s), Today())) ==
          std::map<int64_t, int64_t>{{1, 20}, {2, 14}});
  }
}

TEST_CASE("a need that already received part of its request waits behind one that received less",
          "[match]") {
  Snapshot s;
  Need half_served = MakeNeed(1, 2, 10);
  half_served.filled = 5;
  half_served.outstanding = 5;
  s.needs = {half_served, MakeNeed(2, 2, 10)};
  s.lots = {MakeLot(10, 2, 7)};
  // Need 2 climbs to 5/10 first; then they alternate, need 1 (older) first.
  CHECK(Amounts(Allocate(WithDepots(s), Today())) == std::map<int64_t, int64_t>{{1, 1}, {2, 6}});
}

TEST_CASE("among equally fresh lots the same district and then the nearest depot is chosen",
          "[match]") {
  Snapshot s;
  Need n = MakeNeed(1, 2, 10);
  n.district = "hankou";
  n.lat = 30.61;
  n.lon = 114.28;
  s.needs = {n};
  s.depots = {{1, "wuchang", 30.61, 114.28, "", {}},
              {2, "hankou", 30.70, 114.40, "", {}},
              {3, "hankou", 30.62, 114.28, "", {}}};
  s.lots = {MakeLot(10, 2, 10, 1), MakeLot(11, 2, 10, 2), MakeLot(12, 2, 10, 3)};
  const Plan plan = Allocate(s, Today());
  REQUIRE(plan.allocations.size() == 1);
  CHECK(plan.allocations[0].lot_id == 12);
  CHECK(Has(plan.allocations[0].reasons, kReasonSameDistrict));
  CHECK_FALSE(Has(plan.allocations[0].reasons, kReasonNearest));  // depot 1 is nearer
  SECTION("and then the oldest lot") {
    s.depots = {{1, "hankou", 30.62, 114.28, "", {}}};
    s.lots = {MakeLot(10, 2, 10, 1), MakeLot(11, 2, 10, 1)};
    s.lots[0].created_seq = 9;
    s.lots[1].created_seq = 3;
    const Plan p2 = Allocate(s, Today());
    REQUIRE(p2.allocations.size() == 1);
    CHECK(p2.allocations[0].lot_id == 11);
    CHECK(Has(p2.allocations[0].reasons, kReasonNearest));
  }
}

TEST_CASE("names round-trip between strings and enums", "[match]") {
  for (Urgency u : {Urgency::kCritical, Urgency::kHigh, Urgency::kNormal, Urgency::kLow}) {
    CHECK(ParseUrgency(UrgencyName(u)) == u);
  }
  for (RequesterKind k : {RequesterKind::kHousehold, RequesterKind::kCommunity,
                          RequesterKind::kInstitution, RequesterKind::kFrontlinePost}) {
    CHECK(ParseRequesterKind(RequesterKindName(k)) == k);
  }
  for (int bit = 0; bit < kTagCount; ++bit) CHECK(ParseTag(TagName(bit)) == (1u << bit));
  CHECK(TagNames(kTagElderlyAlone | kTagFrontlineWorker) ==
        std::vector<std::string>{"elderly_alone", "frontline_worker"});
  CHECK_FALSE(ParseUrgency("urgent").has_value());
  CHECK_FALSE(ParseTag("old").has_value());
  CHECK(ReasonCodes(kReasonEligible | kReasonTierHigh | kReasonFefo) ==
        std::vector<std::string_view>{"eligible", "tier_high", "fefo"});
}

}  // namespace
}  // namespace aidlink::match
