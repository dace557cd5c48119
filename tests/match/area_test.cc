// Rule 1's area part: a lot's depot must serve the requester's place (its
// station's city and its own district). Hand-checked cases from the field.

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "match/engine.h"

namespace aidlink::match {
namespace {

constexpr int64_t kToday = 20000;  // a day number
constexpr int64_t kPills = 7;

Policy Today() {
  Policy p;
  p.as_of = kToday;
  return p;
}

Depot MakeDepot(int64_t id, std::string city, std::string district, double lat, double lon) {
  Depot d;
  d.id = id;
  d.city = std::move(city);
  d.district = std::move(district);
  d.lat = lat;
  d.lon = lon;
  return d;
}

Need MakeNeed(int64_t id, std::string city, std::string district, int64_t quantity = 2) {
  Need n;
  n.id = id;
  n.requester_id = id;
  n.item_id = kPills;
  n.quantity = quantity;
  n.outstanding = quantity;
  n.city = std::move(city);
  n.district = std::move(district);
  n.created_seq = id;
  return n;
}

Lot MakeLot(int64_t id, int64_t depot, int64_t available, std::optional<int64_t> expires_on) {
  Lot l;
  l.id = id;
  l.item_id = kPills;
  l.depot_id = depot;
  l.available = available;
  l.expires_on = expires_on;
  l.created_seq = id;
  return l;
}

// (need, lot) -> quantity
std::map<std::pair<int64_t, int64_t>, int64_t> Pairs(const Plan& plan) {
  std::map<std::pair<int64_t, int64_t>, int64_t> out;
  for (const Allocation& a : plan.allocations) out[{a.need_id, a.lot_id}] = a.quantity;
  return out;
}

std::string_view ReasonOf(const Plan& plan, int64_t need_id) {
  for (const Unmet& u : plan.unmet) {
    if (u.need_id == need_id) return u.reason;
  }
  return "";
}

const Allocation* Find(const Plan& plan, int64_t need_id, int64_t lot_id) {
  for (const Allocation& a : plan.allocations) {
    if (a.need_id == need_id && a.lot_id == lot_id) return &a;
  }
  return nullptr;
}

TEST_CASE("金老伯 in 姑苏区 is served from the Suzhou depot, not an earlier-expiring Changsha lot",
          "[match][area]") {
  Snapshot s;
  s.depots = {MakeDepot(1, "长沙市", "芙蓉区", 28.19, 112.98),
              MakeDepot(2, "苏州市", "姑苏区", 31.30, 120.62)};
  Need jin = MakeNeed(1, "苏州市", "姑苏区");  // 金老伯: four days of pills left
  jin.urgency = Urgency::kCritical;
  jin.tags = kTagElderlyAlone | kTagChronicIllness;
  s.needs = {jin, MakeNeed(2, "长沙市", "芙蓉区", 1)};
  s.lots = {MakeLot(10, 1, 5, kToday + 5), MakeLot(11, 2, 5, kToday + 30)};
  const Plan plan = Allocate(s, Today());
  CHECK(Pairs(plan) == std::map<std::pair<int64_t, int64_t>, int64_t>{{{1, 11}, 2}, {{2, 10}, 1}});
  REQUIRE(Find(plan, 1, 11) != nullptr);
  CHECK((Find(plan, 1, 11)->reasons & kReasonSameDistrict) != 0);

  SECTION("without cities (a database from before them) the stock is one pool, as before") {
    for (Depot& d : s.depots) d.city.clear();
    for (Need& n : s.needs) n.city.clear();
    const Plan pooled = Allocate(s, Today());
    // First-expiry-first-out across every depot: the Changsha lot goes first.
    CHECK(Pairs(pooled).count({1, 10}) == 1);
  }
}

TEST_CASE("鼓楼区 of Fuzhou is not 鼓楼区 of Nanjing", "[match][area]") {
  Snapshot s;
  s.depots = {MakeDepot(1, "南京市", "鼓楼区", 32.07, 118.77),
              MakeDepot(2, "福州市", "鼓楼区", 26.08, 119.30)};
  s.needs = {MakeNeed(1, "福州市", "鼓楼区"), MakeNeed(2, "南京市", "鼓楼区")};
  s.lots = {MakeLot(10, 1, 2, kToday + 3), MakeLot(11, 2, 2, kToday + 40)};
  const Plan plan = Allocate(s, Today());
  CHECK(Pairs(plan) == std::map<std::pair<int64_t, int64_t>, int64_t>{{{1, 11}, 2}, {{2, 10}, 2}});

  SECTION("a depot serving both cities is not in the Fuzhou requester's district") {
    s.depots[0].serves.cities = {"南京市", "福州市"};
    s.lots = {MakeLot(10, 1, 4, kToday + 3)};
    const Plan both = Allocate(s, Today());
    REQUIRE(Find(both, 1, 10) != nullptr);
    REQUIRE(Find(both, 2, 10) != nullptr);
    CHECK((Find(both, 1, 10)->reasons & kReasonSameDistrict) == 0);
    CHECK((Find(both, 2, 10)->reasons & kReasonSameDistrict) != 0);
  }
}

TEST_CASE("a depot with a serves list serves exactly its cities and places", "[match][area]") {
  Snapshot s;
  Depot gusu = MakeDepot(1, "苏州市", "姑苏区", 31.30, 120.62);
  gusu.serves.cities = {"无锡市"};
  gusu.serves.places = {{"苏州市", "姑苏区"}};
  s.depots = {gusu};
  s.needs = {MakeNeed(1, "苏州市", "姑苏区"), MakeNeed(2, "苏州市", "吴中区"),
             MakeNeed(3, "无锡市", "梁溪区"), MakeNeed(4, "南京市", "姑苏区")};
  s.lots = {MakeLot(10, 1, 100, std::nullopt)};
  const Plan plan = Allocate(s, Today());
  CHECK(Pairs(plan) == std::map<std::pair<int64_t, int64_t>, int64_t>{{{1, 10}, 2}, {{3, 10}, 2}});
  CHECK(ReasonOf(plan, 2) == kUnmetOutOfArea);
  CHECK(ReasonOf(plan, 4) == kUnmetOutOfArea);
}

TEST_CASE("a need whose only stock is out of area says out_of_area", "[match][area]") {
  Snapshot s;
  s.depots = {MakeDepot(1, "宁波市", "海曙区", 29.87, 121.55),
              MakeDepot(2, "南昌市", "东湖区", 28.68, 115.90)};
  s.needs = {MakeNeed(1, "南昌市", "东湖区")};
  s.lots = {MakeLot(10, 1, 50, std::nullopt)};
  CHECK(ReasonOf(Allocate(s, Today()), 1) == kUnmetOutOfArea);

  SECTION("stock in the area that the need cannot use says why instead") {
    Lot expiring = MakeLot(11, 2, 5, kToday);
    CHECK(ReasonOf(Allocate(Snapshot{s.needs, {s.lots[0], expiring}, s.depots, {}}, Today()), 1) ==
          kUnmetOnlyExpiringStock);
    Lot earmarked = MakeLot(12, 2, 5, std::nullopt);
    earmarked.earmark.tags = kTagFrontlineWorker;
    CHECK(ReasonOf(Allocate(Snapshot{s.needs, {s.lots[0], earmarked}, s.depots, {}}, Today()), 1) ==
          kUnmetExcludedByEarmark);
  }
  SECTION("no stock at all is still no_stock") {
    s.lots.clear();
    CHECK(ReasonOf(Allocate(s, Today()), 1) == kUnmetNoStock);
  }
}

TEST_CASE("rule 5 chooses among the serving depots: expiry, then district, then distance",
          "[match][area]") {
  Snapshot s;
  s.depots = {MakeDepot(1, "苏州市", "姑苏区", 31.40, 120.70),     // same district, farther
              MakeDepot(2, "苏州市", "吴中区", 31.301, 120.621),   // next door
              MakeDepot(3, "长沙市", "姑苏区", 31.300, 120.620)};  // another city's namesake
  Need n = MakeNeed(1, "苏州市", "姑苏区");
  n.lat = 31.30;
  n.lon = 120.62;
  s.needs = {n};
  SECTION("same expiry: the same district wins over a nearer depot") {
    s.lots = {MakeLot(10, 1, 2, kToday + 9), MakeLot(11, 2, 2, kToday + 9),
              MakeLot(12, 3, 2, kToday + 2)};
    CHECK(Pairs(Allocate(s, Today())) ==
          std::map<std::pair<int64_t, int64_t>, int64_t>{{{1, 10}, 2}});
  }
  SECTION("an earlier expiry wins over the district") {
    s.lots = {MakeLot(10, 1, 2, kToday + 9), MakeLot(11, 2, 2, kToday + 4),
              MakeLot(12, 3, 2, kToday + 2)};
    CHECK(Pairs(Allocate(s, Today())) ==
          std::map<std::pair<int64_t, int64_t>, int64_t>{{{1, 11}, 2}});
  }
  SECTION("two depots of the district: the nearer one") {
    s.depots.push_back(MakeDepot(4, "苏州市", "姑苏区", 31.31, 120.63));
    s.lots = {MakeLot(10, 1, 2, kToday + 9), MakeLot(13, 4, 2, kToday + 9)};
    const Plan plan = Allocate(s, Today());
    CHECK(Pairs(plan) == std::map<std::pair<int64_t, int64_t>, int64_t>{{{1, 13}, 2}});
    CHECK((plan.allocations.at(0).reasons & kReasonNearest) != 0);
  }
}

}  // namespace
}  // namespace aidlink::match
