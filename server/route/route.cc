#include "route/route.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <unordered_map>
#include <utility>

#include "util/text.h"

namespace aidlink::route {
namespace {

constexpr double kEarthRadiusKm = 6371.0;

// Distances closer than this (a micrometre) are ties, so that rounding noise
// in the trigonometry cannot decide between two equally near stops, and a
// 2-opt move must gain more than this to count as an improvement (which also
// guarantees the improvement loop ends).
constexpr double kEpsilonKm = 1e-9;

// A safety net only: 2-opt converges long before this on real routes.
constexpr int kMaxTwoOptPasses = 1000;

bool ValidCoordinates(const std::optional<double>& lat, const std::optional<double>& lon) {
  return lat && lon && std::isfinite(*lat) && std::isfinite(*lon) && *lat >= -90 && *lat <= 90 &&
         *lon >= -180 && *lon <= 180;
}

// Natural order with empty strings last: a stop without a district or
// address is the one the driver has to ask about, so it goes at the end.
// Returns <0, 0 or >0.
int CompareNatural(const std::string& a, const std::string& b) {
  if (a.empty() != b.empty()) return a.empty() ? 1 : -1;
  if (text::NaturalLess(a, b)) return -1;
  if (text::NaturalLess(b, a)) return 1;
  return 0;
}

bool WithoutCoordinatesLess(const Stop& a, const Stop& b) {
  if (const int c = CompareNatural(a.district, b.district); c != 0) return c < 0;
  if (const int c = CompareNatural(a.address, b.address); c != 0) return c < 0;
  return a.delivery_id < b.delivery_id;
}

// Nearest-neighbour path plus 2-opt over points[0] (the depot) and
// points[1..n] (the stops). `ids[k]` is the delivery id of points[k] for tie
// breaks. Returns indices into points, starting with 0.
std::vector<size_t> Tour(const std::vector<std::pair<double, double>>& points,
                         const std::vector<int64_t>& ids) {
  const size_t n = points.size();
  std::vector<double> dist(n * n, 0.0);
  for (size_t a = 0; a < n; ++a) {
    for (size_t b = a + 1; b < n; ++b) {
      const double d =
          DistanceKm(points[a].first, points[a].second, points[b].first, points[b].second);
      dist[a * n + b] = d;
      dist[b * n + a] = d;
    }
  }
  const auto d = [&](size_t a, size_t b) { return dist[a * n + b]; };

  std::vector<size_t> path = {0};
  std::vector<bool> visited(n, false);
  visited[0] = true;
  for (size_t step = 1; step < n; ++step) {
    const size_t here = path.back();
    size_t best = n;
    for (size_t k = 1; k < n; ++k) {
      if (visited[k]) continue;
      if (best == n || d(here, k) < d(here, best) - kEpsilonKm ||
          (d(here, k) <= d(here, best) + kEpsilonKm && ids[k] < ids[best])) {
        best = k;
      }
    }
    visited[best] = true;
    path.push_back(best);
  }

  // 2-opt on an open path with a fixed start: reversing path[i..j] replaces
  // the edges (i-1, i) and (j, j+1) by (i-1, j) and (i, j+1); when j is the
  // last stop there is no edge after it.
  const size_t last = path.size() - 1;
  for (int pass = 0; pass < kMaxTwoOptPasses; ++pass) {
    bool improved = false;
    for (size_t i = 1; i < last; ++i) {
      for (size_t j = i + 1; j <= last; ++j) {
        double before = d(path[i - 1], path[i]);
        double after = d(path[i - 1], path[j]);
        if (j < last) {
          before += d(path[j], path[j + 1]);
          after += d(path[i], path[j + 1]);
        }
        if (after < before - kEpsilonKm) {
          std::reverse(path.begin() + static_cast<std::ptrdiff_t>(i),
                       path.begin() + static_cast<std::ptrdiff_t>(j) + 1);
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
  return path;
}

}  // namespace

double DistanceKm(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kRad = std::numbers::pi / 180.0;
  const double dlat = (lat2 - lat1) * kRad;
  const double dlon = (lon2 - lon1) * kRad;
  const double h =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::sqrt(std::min(1.0, h)));
}

double PathLengthKm(const Origin& depot, const std::vector<Stop>& stops,
                    const std::vector<int64_t>& order) {
  std::unordered_map<int64_t, const Stop*> by_id;
  for (const Stop& s : stops) by_id.emplace(s.delivery_id, &s);
  std::optional<std::pair<double, double>> here;
  if (ValidCoordinates(depot.lat, depot.lon)) here.emplace(*depot.lat, *depot.lon);
  double total = 0;
  for (int64_t id : order) {
    const auto it = by_id.find(id);
    if (it == by_id.end()) continue;
    const Stop& s = *it->second;
    if (!ValidCoordinates(s.lat, s.lon)) continue;
    if (here) total += DistanceKm(here->first, here->second, *s.lat, *s.lon);
    here.emplace(*s.lat, *s.lon);
  }
  return total;
}

std::vector<int64_t> OrderStops(const Origin& depot, const std::vector<Stop>& stops) {
  const bool depot_located = ValidCoordinates(depot.lat, depot.lon);
  std::vector<std::pair<double, double>> points;
  std::vector<int64_t> point_ids;
  std::vector<const Stop*> rest;
  if (depot_located) {
    points.emplace_back(*depot.lat, *depot.lon);
    point_ids.push_back(0);  // Never compared: the depot is always first.
  }
  for (const Stop& s : stops) {
    if (depot_located && ValidCoordinates(s.lat, s.lon)) {
      points.emplace_back(*s.lat, *s.lon);
      point_ids.push_back(s.delivery_id);
    } else {
      rest.push_back(&s);
    }
  }

  std::vector<int64_t> order;
  order.reserve(stops.size());
  if (points.size() > 1) {
    for (size_t k : Tour(points, point_ids)) {
      if (k != 0) order.push_back(point_ids[k]);
    }
  }
  std::sort(rest.begin(), rest.end(),
            [](const Stop* a, const Stop* b) { return WithoutCoordinatesLess(*a, *b); });
  for (const Stop* s : rest) order.push_back(s->delivery_id);
  return order;
}

std::vector<Stop> SelectStops(std::vector<Stop> stops, std::optional<std::string> district,
                              std::optional<int> max_stops) {
  if (district) {
    std::erase_if(stops, [&](const Stop& s) { return s.district != *district; });
  }
  std::sort(stops.begin(), stops.end(), [](const Stop& a, const Stop& b) {
    if (a.urgency_rank != b.urgency_rank) return a.urgency_rank < b.urgency_rank;
    return a.delivery_id < b.delivery_id;
  });
  if (max_stops) {
    const size_t keep = static_cast<size_t>(std::max(0, *max_stops));
    if (stops.size() > keep) stops.resize(keep);
  }
  return stops;
}

}  // namespace aidlink::route
