#include "route/route.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace route = aidlink::route;
using route::Origin;
using route::Stop;
using Ids = std::vector<int64_t>;

namespace {

Stop At(int64_t id, double lat, double lon) {
  Stop s;
  s.delivery_id = id;
  s.district = "东湖街道";
  s.address = "幸福里" + std::to_string(id) + "号";
  s.lat = lat;
  s.lon = lon;
  return s;
}

Stop Unlocated(int64_t id, std::string district, std::string address, int urgency_rank = 2) {
  Stop s;
  s.delivery_id = id;
  s.district = std::move(district);
  s.address = std::move(address);
  s.urgency_rank = urgency_rank;
  return s;
}

// The nearest-neighbour path alone, written plainly, to compare 2-opt with.
Ids NearestNeighbour(const Origin& depot, const std::vector<Stop>& stops) {
  Ids order;
  std::vector<bool> used(stops.size(), false);
  double lat = *depot.lat, lon = *depot.lon;
  for (size_t step = 0; step < stops.size(); ++step) {
    size_t best = stops.size();
    double best_d = 0;
    for (size_t k = 0; k < stops.size(); ++k) {
      if (used[k]) continue;
      const double d = route::DistanceKm(lat, lon, *stops[k].lat, *stops[k].lon);
      if (best == stops.size() || d < best_d - 1e-9 ||
          (d <= best_d + 1e-9 && stops[k].delivery_id < stops[best].delivery_id)) {
        best = k;
        best_d = d;
      }
    }
    used[best] = true;
    order.push_back(stops[best].delivery_id);
    lat = *stops[best].lat;
    lon = *stops[best].lon;
  }
  return order;
}

std::vector<Stop> RandomStops(uint32_t seed, int n) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> lat(30.50, 30.65), lon(114.20, 114.40);
  std::vector<Stop> stops;
  for (int k = 0; k < n; ++k) stops.push_back(At(100 + k, lat(rng), lon(rng)));
  return stops;
}

}  // namespace

TEST_CASE("stops on a line are visited outward from the depot", "[route]") {
  const Origin depot{30.0, 114.0};
  // Given out of order; 0.01 degree of longitude apart.
  const std::vector<Stop> stops = {At(3, 30.0, 114.03), At(1, 30.0, 114.01), At(4, 30.0, 114.04),
                                   At(2, 30.0, 114.02)};
  CHECK(route::OrderStops(depot, stops) == Ids{1, 2, 3, 4});

  SECTION("and from the middle, the nearer side first, then the far side") {
    const Origin middle{30.0, 114.025};
    const std::vector<Stop> both = {At(1, 30.0, 114.02), At(2, 30.0, 114.01), At(3, 30.0, 114.035),
                                    At(4, 30.0, 114.045)};
    // Nearest neighbour: 1 (0.005 away), 2, 3, 4 = 0.05 degrees in all;
    // starting on the far side (3, 4, 1, 2) would cost 0.055, so 2-opt keeps
    // it.
    CHECK(route::OrderStops(middle, both) == Ids{1, 2, 3, 4});
  }
}

TEST_CASE("the corners of a square are walked around, not across", "[route]") {
  const Origin depot{0.0, 0.0};
  // Corners (0,1), (1,1), (1,0) of a unit square (degrees near the equator).
  const std::vector<Stop> stops = {At(7, 1.0, 1.0), At(9, 0.0, 1.0), At(8, 1.0, 0.0)};
  // (1,0) and (0,1) are equally near the depot: the smaller id, 8, goes first.
  CHECK(route::OrderStops(depot, stops) == Ids{8, 7, 9});
}

TEST_CASE("2-opt removes a crossing left by nearest neighbour", "[route]") {
  // Nearest neighbour from the depot goes 1 (near), then 2 (nearest to 1),
  // then has to cross back for 3 and 4; the 2-opt path must not be longer and
  // here is strictly shorter.
  const Origin depot{0.0, 0.0};
  const std::vector<Stop> stops = {At(1, 0.0, 0.1), At(2, 0.0, -0.15), At(3, 0.0, 0.4),
                                   At(4, 0.0, -0.7)};
  const Ids nn = NearestNeighbour(depot, stops);
  const Ids opt = route::OrderStops(depot, stops);
  CHECK(route::PathLengthKm(depot, stops, opt) < route::PathLengthKm(depot, stops, nn) - 1e-6);
}

TEST_CASE("2-opt is never longer than nearest neighbour", "[route]") {
  const Origin depot{30.58, 114.30};
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    const int n = 1 + static_cast<int>(seed % 25) * 2;
    const std::vector<Stop> stops = RandomStops(seed, n);
    const Ids opt = route::OrderStops(depot, stops);
    INFO("seed " << seed << ", " << n << " stops");
    REQUIRE(opt.size() == stops.size());
    CHECK(std::set<int64_t>(opt.begin(), opt.end()).size() == stops.size());
    CHECK(route::PathLengthKm(depot, stops, opt) <=
          route::PathLengthKm(depot, stops, NearestNeighbour(depot, stops)) + 1e-9);
  }
}

TEST_CASE("the order is the same whatever order the stops come in", "[route]") {
  const Origin depot{30.58, 114.30};
  std::vector<Stop> stops = RandomStops(7, 40);
  stops.push_back(Unlocated(1, "阳光街道", "阳光路7号"));
  stops.push_back(Unlocated(2, "东湖街道", "幸福里12幢"));
  stops.push_back(Unlocated(3, "东湖街道", "幸福里3幢"));
  const Ids first = route::OrderStops(depot, stops);
  std::mt19937 rng(99);
  for (int k = 0; k < 10; ++k) {
    std::shuffle(stops.begin(), stops.end(), rng);
    CHECK(route::OrderStops(depot, stops) == first);
  }
  // The unlocated ones come after every located one.
  CHECK(Ids(first.end() - 3, first.end()) == Ids{3, 2, 1});
}

TEST_CASE("stops without coordinates go by district, then address in natural order", "[route]") {
  const std::vector<Stop> stops = {
      Unlocated(5, "东湖街道", "幸福里12幢503"),
      Unlocated(4, "东湖街道", "幸福里3幢201"),
      Unlocated(9, "东湖街道", "幸福里3幢201"),  // same door: by id
      Unlocated(3, "阳光街道", "阳光路7号"),
      Unlocated(2, "", "不详"),      // no district: last
      Unlocated(1, "东湖街道", ""),  // no address: last in district
      Unlocated(8, "东湖街道", "幸福里3幢1201"),
  };
  const Ids expected = {4, 9, 8, 5, 1, 3, 2};
  CHECK(route::OrderStops(Origin{}, stops) == expected);

  SECTION("districts are compared naturally too") {
    const std::vector<Stop> numbered = {Unlocated(1, "第12社区", "a"), Unlocated(2, "第3社区", "a"),
                                        Unlocated(3, "第3社区", "A")};
    CHECK(route::OrderStops(Origin{}, numbered) == Ids{3, 2, 1});
  }
  SECTION("a depot without coordinates orders located stops the same way") {
    std::vector<Stop> mixed = stops;
    mixed[0].lat = 30.6;
    mixed[0].lon = 114.3;
    CHECK(route::OrderStops(Origin{}, mixed) == expected);
  }
  SECTION("coordinates that are out of range count as missing") {
    std::vector<Stop> bad = {At(1, 95.0, 114.0), At(2, 30.0, 114.01)};
    CHECK(route::OrderStops(Origin{30.0, 114.0}, bad) == Ids{2, 1});
  }
}

TEST_CASE("nothing to order gives an empty route", "[route]") {
  CHECK(route::OrderStops(Origin{30.0, 114.0}, {}).empty());
  CHECK(route::OrderStops(Origin{30.0, 114.0}, {At(5, 30.1, 114.1)}) == Ids{5});
}

TEST_CASE("selection keeps one district and the most urgent stops", "[route]") {
  const std::vector<Stop> stops = {
      Unlocated(1, "东湖街道", "a", 2), Unlocated(2, "东湖街道", "b", 0),
      Unlocated(3, "阳光街道", "c", 0), Unlocated(4, "东湖街道", "d", 1),
      Unlocated(5, "东湖街道", "e", 0), Unlocated(6, "东湖街道", "f", 3),
  };
  const auto ids = [](const std::vector<Stop>& v) {
    Ids out;
    for (const Stop& s : v) out.push_back(s.delivery_id);
    return out;
  };
  CHECK(ids(route::SelectStops(stops, std::nullopt, std::nullopt)) == Ids{2, 3, 5, 4, 1, 6});
  CHECK(ids(route::SelectStops(stops, "东湖街道", std::nullopt)) == Ids{2, 5, 4, 1, 6});
  CHECK(ids(route::SelectStops(stops, "东湖街道", 3)) == Ids{2, 5, 4});
  CHECK(ids(route::SelectStops(stops, std::nullopt, 1)) == Ids{2});
  CHECK(route::SelectStops(stops, "无此街道", 3).empty());
  CHECK(route::SelectStops(stops, std::nullopt, 0).empty());
  CHECK(route::SelectStops(stops, std::nullopt, -1).empty());
}

TEST_CASE("distances are great-circle kilometres", "[route]") {
  // One degree of latitude is about 111.2 km.
  CHECK(route::DistanceKm(30.0, 114.0, 31.0, 114.0) == Approx(111.19).epsilon(0.001));
  CHECK(route::DistanceKm(30.0, 114.0, 30.0, 114.0) == 0.0);
}
