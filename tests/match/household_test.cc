// Rules 8 (households, not registrations) and 9 (caps): hand-checked cases.

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

#include "match/engine.h"

namespace aidlink::match {
namespace {

constexpr int64_t kToday = 20000;  // a day number
constexpr int64_t kMasks = 1;
constexpr int64_t kCabbage = 2;
constexpr int64_t kPotatoes = 3;

Policy Today() {
  Policy p;
  p.as_of = kToday;
  return p;
}

Need MakeNeed(int64_t id, int64_t item, int64_t quantity, Urgency urgency = Urgency::kNormal) {
  Need n;
  n.id = id;
  n.requester_id = id;
  n.item_id = item;
  n.quantity = quantity;
  n.outstanding = quantity;
  n.urgency = urgency;
  n.district = "幸福街道";
  n.created_seq = id;
  return n;
}

Lot MakeLot(int64_t id, int64_t item, int64_t available) {
  Lot l;
  l.id = id;
  l.item_id = item;
  l.depot_id = 1;
  l.available = available;
  l.created_seq = id;
  return l;
}

Snapshot WithDepot(std::vector<Need> needs, std::vector<Lot> lots, std::vector<Cap> caps = {}) {
  Snapshot s;
  s.needs = std::move(needs);
  s.lots = std::move(lots);
  s.caps = std::move(caps);
  Depot d;
  d.id = 1;
  d.district = "幸福街道";
  s.depots.push_back(d);
  return s;
}

std::map<int64_t, int64_t> PerNeed(const Plan& plan) {
  std::map<int64_t, int64_t> m;
  for (const Allocation& a : plan.allocations) m[a.need_id] += a.quantity;
  return m;
}

std::string_view ReasonOf(const Plan& plan, int64_t need) {
  for (const Unmet& u : plan.unmet) {
    if (u.need_id == need) return u.reason;
  }
  return "";
}

uint32_t ReasonsOf(const Plan& plan, int64_t need) {
  uint32_t r = 0;
  for (const Allocation& a : plan.allocations) {
    if (a.need_id == need) r |= a.reasons;
  }
  return r;
}

TEST_CASE("a hard cap stops a household at its cap and the stock it held is reported",
          "[match][caps]") {
  Need need = MakeNeed(1, kMasks, 50);
  need.caps = {0};
  const Plan plan =
      Allocate(WithDepot({need}, {MakeLot(10, kMasks, 100)}, {{7, 20, false}}), Today());
  CHECK(PerNeed(plan)[1] == 20);
  CHECK(ReasonOf(plan, 1) == kUnmetQuotaReached);
  CHECK(plan.stats.units_held_by_quota == 30);
  CHECK((ReasonsOf(plan, 1) & kReasonFairShare) == 0);  // the cap, not a fair share, cut it

  SECTION("a cap already reached gives nothing") {
    const Plan none =
        Allocate(WithDepot({need}, {MakeLot(10, kMasks, 100)}, {{7, 0, false}}), Today());
    CHECK(PerNeed(none)[1] == 0);
    CHECK(ReasonOf(none, 1) == kUnmetQuotaReached);
    CHECK(none.stats.units_held_by_quota == 50);
  }
}

TEST_CASE("fair shares count up to the cap: a capped need is frozen there", "[match][caps]") {
  Need capped = MakeNeed(1, kMasks, 50);
  capped.caps = {0};
  const Need free = MakeNeed(2, kMasks, 30);
  const Plan plan =
      Allocate(WithDepot({capped, free}, {MakeLot(10, kMasks, 35)}, {{7, 10, false}}), Today());
  CHECK(PerNeed(plan)[1] == 10);
  CHECK(PerNeed(plan)[2] == 25);
  CHECK(ReasonOf(plan, 1) == kUnmetQuotaReached);
  CHECK(ReasonOf(plan, 2) == kUnmetTierExhausted);
  CHECK(plan.stats.units_held_by_quota == 0);  // no stock left
}

TEST_CASE("a soft cap is exceeded only with stock nobody within their caps can use",
          "[match][caps]") {
  Need soft = MakeNeed(1, kMasks, 50);
  soft.caps = {0};
  const Need low = MakeNeed(2, kMasks, 30, Urgency::kLow);
  SECTION("stock left after every need is at its cap goes past the soft cap") {
    const Plan plan =
        Allocate(WithDepot({soft, low}, {MakeLot(10, kMasks, 60)}, {{7, 10, true}}), Today());
    CHECK(PerNeed(plan)[1] == 30);  // 10 within the cap, then 20 the low need left
    CHECK(PerNeed(plan)[2] == 30);  // the low-urgency need within its caps came first
    CHECK((ReasonsOf(plan, 1) & kReasonOverSoftQuota) != 0);
    CHECK((ReasonsOf(plan, 2) & kReasonOverSoftQuota) == 0);
    CHECK(ReasonOf(plan, 1) == kUnmetTierExhausted);
  }
  SECTION("without stock to spare it holds like a hard cap") {
    const Plan plan =
        Allocate(WithDepot({soft, low}, {MakeLot(10, kMasks, 40)}, {{7, 10, true}}), Today());
    CHECK(PerNeed(plan)[1] == 10);
    CHECK(PerNeed(plan)[2] == 30);
    CHECK(ReasonOf(plan, 1) == kUnmetQuotaReached);
    CHECK((ReasonsOf(plan, 1) & kReasonOverSoftQuota) == 0);
  }
  SECTION("past a soft cap, a hard cap still binds") {
    soft.caps = {0, 1};
    const Plan plan = Allocate(
        WithDepot({soft}, {MakeLot(10, kMasks, 60)}, {{7, 10, true}, {8, 25, false}}), Today());
    CHECK(PerNeed(plan)[1] == 25);
    CHECK(ReasonOf(plan, 1) == kUnmetQuotaReached);
    CHECK(plan.stats.units_held_by_quota == 25);
  }
}

TEST_CASE("a category cap is shared among a household's items, most urgent first",
          "[match][caps]") {
  Need cabbage = MakeNeed(1, kCabbage, 8, Urgency::kHigh);
  Need potatoes = MakeNeed(2, kPotatoes, 8);
  cabbage.caps = potatoes.caps = {0};
  const Plan plan =
      Allocate(WithDepot({cabbage, potatoes},
                         {MakeLot(10, kCabbage, 50), MakeLot(11, kPotatoes, 50)}, {{7, 10, false}}),
               Today());
  CHECK(PerNeed(plan)[1] == 8);
  CHECK(PerNeed(plan)[2] == 2);
  CHECK(ReasonOf(plan, 2) == kUnmetQuotaReached);

  SECTION("an item without stock takes no share of the cap") {
    const Plan short_of_cabbage = Allocate(
        WithDepot({cabbage, potatoes}, {MakeLot(11, kPotatoes, 50)}, {{7, 10, false}}), Today());
    CHECK(PerNeed(short_of_cabbage)[2] == 8);
    CHECK(ReasonOf(short_of_cabbage, 1) == kUnmetNoStock);
  }
}

TEST_CASE("a held registration gets nothing and says why", "[match][households]") {
  Need held = MakeNeed(1, kMasks, 10);
  held.held = true;
  const Need other = MakeNeed(2, kMasks, 10);
  const Plan plan = Allocate(WithDepot({held, other}, {MakeLot(10, kMasks, 100)}), Today());
  CHECK(PerNeed(plan)[1] == 0);
  CHECK(PerNeed(plan)[2] == 10);
  CHECK(ReasonOf(plan, 1) == kUnmetHeldAsPossibleDuplicate);
  CHECK(plan.stats.units_held_by_quota == 0);  // a hold is not a cap
}

TEST_CASE("two registrations of one household share one fill fraction", "[match][households]") {
  Need first = MakeNeed(1, kMasks, 40);
  Need second = MakeNeed(2, kMasks, 40);
  first.cluster_id = second.cluster_id = 77;
  const Need neighbour = MakeNeed(3, kMasks, 40);
  const Plan plan =
      Allocate(WithDepot({first, second, neighbour}, {MakeLot(10, kMasks, 60)}), Today());
  // The household asks 80 and the neighbour 40: equal fractions are 40 and 20.
  CHECK(PerNeed(plan)[1] + PerNeed(plan)[2] == 40);
  CHECK(PerNeed(plan)[3] == 20);
  CHECK(PerNeed(plan)[1] == 40);  // the older registration first

  SECTION("without the link the two registrations get two shares") {
    first.cluster_id = second.cluster_id = 0;
    const Plan apart =
        Allocate(WithDepot({first, second, neighbour}, {MakeLot(10, kMasks, 60)}), Today());
    CHECK(PerNeed(apart)[1] == 20);
    CHECK(PerNeed(apart)[2] == 20);
    CHECK(PerNeed(apart)[3] == 20);
  }
  SECTION("what the household already received counts once for all of it") {
    first.filled = 30;
    first.outstanding = 10;
    const Plan later =
        Allocate(WithDepot({first, second, neighbour}, {MakeLot(10, kMasks, 30)}), Today());
    // Fractions (30 + x) / 80 and y / 40 meet at x = 10, y = 20.
    CHECK(PerNeed(later)[1] + PerNeed(later)[2] == 10);
    CHECK(PerNeed(later)[3] == 20);
  }
  SECTION("a household's cap binds all its registrations together") {
    first.caps = second.caps = {0};
    const Plan capped = Allocate(
        WithDepot({first, second, neighbour}, {MakeLot(10, kMasks, 200)}, {{5, 50, false}}),
        Today());
    CHECK(PerNeed(capped)[1] + PerNeed(capped)[2] == 50);
    CHECK(PerNeed(capped)[3] == 40);
    CHECK(capped.stats.units_held_by_quota == 30);
  }
}

}  // namespace
}  // namespace aidlink::match
